package projects

import "sunshine/internal/httpx"

// Routes registers the projects API: projects and their stages (http_projects.go),
// beneficiaries, village plans, risks and 容错 (http_support.go), assets and their income
// (http_assets.go), and the public disclosure of projects.
func (s *Service) Routes(rt *httpx.Router) {
	s.projectRoutes(rt)
	s.supportRoutes(rt)
	s.assetRoutes(rt)
}
