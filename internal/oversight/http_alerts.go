package oversight

import "sunshine/internal/httpx"

func (s *Service) alertRoutes(rt *httpx.Router) {}
