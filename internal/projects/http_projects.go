package projects

import "sunshine/internal/httpx"

func (s *Service) projectRoutes(rt *httpx.Router) {}
