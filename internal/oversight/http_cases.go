package oversight

import "sunshine/internal/httpx"

func (s *Service) caseRoutes(rt *httpx.Router) {}
