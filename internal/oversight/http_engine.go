package oversight

import "sunshine/internal/httpx"

func (s *Service) engineRoutes(rt *httpx.Router) {}
