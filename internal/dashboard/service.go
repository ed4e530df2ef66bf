// Package dashboard assembles the headline figures of a region (工作台) from the domains below.
package dashboard

import (
	"context"
	"net/http"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/httpx"
	"sunshine/internal/region"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// Totals are the region's headline counts.
type Totals struct {
	registry.Counts
	Villages     int `json:"villages"`
	WeakVillages int `json:"weak_villages"`
	LaxVillages  int `json:"lax_villages"`
}

// Child is one row of the per-child breakdown (chart and table).
type Child struct {
	Code string `json:"code"`
	Name string `json:"name"`
	registry.Counts
}

// Dashboard is the answer of GET /api/v1/dashboard.
type Dashboard struct {
	Region   region.Region `json:"region"`
	Totals   Totals        `json:"totals"`
	Children []Child       `json:"children"`
}

// Service computes dashboards.
type Service struct {
	DB       *db.DB
	Regions  *region.Service
	Registry *registry.Service
}

// Get returns the dashboard of a region in the principal's scope.
func (s *Service) Get(ctx context.Context, p *auth.Principal, code string) (Dashboard, error) {
	if code == "" {
		code = p.Scope
	}
	if err := p.RequireIn(auth.DashboardRead, code); err != nil {
		return Dashboard{}, err
	}
	reg, err := s.Regions.Get(ctx, p, code)
	if err != nil {
		return Dashboard{}, err
	}
	counts, total, err := s.Registry.CountsByChild(ctx, code)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Region: reg, Totals: Totals{Counts: total}, Children: []Child{}}
	children, err := s.Regions.Children(ctx, p, code)
	if err != nil {
		return Dashboard{}, err
	}
	for _, c := range children {
		ch := Child{Code: c.Code, Name: c.Name}
		if n := counts[regioncode.Prefix(c.Code)]; n != nil {
			ch.Counts = *n
		}
		d.Children = append(d.Children, ch)
	}
	if err := s.villageCounts(ctx, code, &d.Totals); err != nil {
		return Dashboard{}, err
	}
	return d, nil
}

func (s *Service) villageCounts(ctx context.Context, code string, t *Totals) error {
	lo, hi := regioncode.Range(code)
	return s.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN weak_level <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(weak_lax), 0) FROM regions WHERE level = 'village' AND code BETWEEN ? AND ?`, lo, hi).
		Scan(&t.Villages, &t.WeakVillages, &t.LaxVillages)
}

// Routes registers the dashboard endpoint.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/dashboard", auth.DashboardRead, func(w http.ResponseWriter, r *http.Request) error {
		d, err := s.Get(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, d)
		return nil
	})
}
