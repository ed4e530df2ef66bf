package oversight

import "sunshine/internal/httpx"

// Routes registers the oversight endpoints, one group per part.
func (s *Service) Routes(rt *httpx.Router) {
	if s.Log == nil {
		s.Log = rt.Log
	}
	s.engineRoutes(rt)    // http_engine.go: rules, runs
	s.alertRoutes(rt)     // http_alerts.go: alert handling, statistics, 再监督, cockpit, export
	s.complaintRoutes(rt) // http_complaints.go: complaints (office and public)
	s.caseRoutes(rt)      // http_cases.go: accountability cases
	s.spotRoutes(rt)      // http_spot.go: random spot checks
}
