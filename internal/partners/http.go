package partners

import "sunshine/internal/httpx"

// Routes registers the console and public routes of the social forces' registers.
func (s *Service) Routes(rt *httpx.Router) {}
