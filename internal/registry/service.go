package registry

import (
	"context"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// Service reads the register.
type Service struct {
	DB *db.DB
}

// List pages through households under a region in the principal's scope.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]HouseholdRow, error) {
	if f.Region == "" {
		f.Region = p.Scope
	}
	if !regioncode.Valid(f.Region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, f.Region); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, errs.Field("status", "应为 applying、registered、exited 或 removed")
	}
	return listHouseholds(ctx, s.DB.Reader(), f)
}

// CountsByChild returns the counts of each direct child of region, keyed by the child's code
// prefix (county: 6 digits, town: 9, village: 12), and the region's totals under "".
func (s *Service) CountsByChild(ctx context.Context, region string) (map[string]*Counts, Counts, error) {
	n := 12
	switch regioncode.LevelOf(region) {
	case regioncode.City:
		n = 6
	case regioncode.County:
		n = 9
	}
	m, err := countsByChild(ctx, s.DB.Reader(), region, n)
	if err != nil {
		return nil, Counts{}, err
	}
	var total Counts
	for _, c := range m {
		total.Households += c.Households
		total.Registered += c.Registered
		total.Applying += c.Applying
		total.Exited += c.Exited
		total.Removed += c.Removed
		total.Members += c.Members
	}
	return m, total, nil
}
