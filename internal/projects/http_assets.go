package projects

import "sunshine/internal/httpx"

func (s *Service) assetRoutes(rt *httpx.Router) {}
