package oversight

import "sunshine/internal/httpx"

func (s *Service) complaintRoutes(rt *httpx.Router) {}
