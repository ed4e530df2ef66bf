package projects

import "sunshine/internal/httpx"

func (s *Service) supportRoutes(rt *httpx.Router) {}
