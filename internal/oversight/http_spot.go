package oversight

import "sunshine/internal/httpx"

func (s *Service) spotRoutes(rt *httpx.Router) {}
