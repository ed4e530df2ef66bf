package giving

import "sunshine/internal/httpx"

// Routes registers the console and public routes of the donation platform.
func (s *Service) Routes(rt *httpx.Router) {}
