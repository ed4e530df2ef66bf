package registry

import (
	"context"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// ChildCounts is one sub-region's figures.
type ChildCounts struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Counts Counts `json:"counts"`
}

// Stats are the registry's figures for a region (统计分析).
type Stats struct {
	RegionCode string           `json:"region_code"`
	Children   []ChildCounts    `json:"children"`
	Totals     Counts           `json:"totals"`
	ByType     map[string]int64 `json:"by_type"`
	ByCause    map[string]int64 `json:"by_cause"`
	Gaps       map[string]int64 `json:"gaps"`
}

// Stats counts households by sub-region and status, and registered ones by type, cause and
// guarantee gap, in grouped scans of the region's code range.
func (s *Service) Stats(ctx context.Context, p *auth.Principal, region string) (Stats, error) {
	st := Stats{RegionCode: region, Children: []ChildCounts{}, ByType: map[string]int64{}, ByCause: map[string]int64{}, Gaps: map[string]int64{}}
	if region == "" {
		region, st.RegionCode = p.Scope, p.Scope
	}
	if !regioncode.Valid(region) {
		return st, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, region); err != nil {
		return st, err
	}
	byChild, totals, err := s.CountsByChild(ctx, region)
	if err != nil {
		return st, err
	}
	st.Totals = totals
	q := s.DB.Reader()
	if regioncode.LevelOf(region) != regioncode.Village {
		rows, err := q.QueryContext(ctx, `SELECT code, name FROM regions WHERE parent_code = ? ORDER BY code`, region)
		if err != nil {
			return st, err
		}
		for rows.Next() {
			var c ChildCounts
			if err := rows.Scan(&c.Code, &c.Name); err != nil {
				rows.Close()
				return st, err
			}
			if n := byChild[regioncode.Prefix(c.Code)]; n != nil {
				c.Counts = *n
			}
			st.Children = append(st.Children, c)
		}
		rows.Close()
	}
	for _, t := range []Type{Dibao, Tekun, General} {
		st.ByType[string(t)] = 0
	}
	for _, c := range Causes {
		st.ByCause[c] = 0
	}
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT household_type, causes, g_food, g_education, g_medical, g_housing, g_water, COUNT(*)
		FROM households WHERE region_code BETWEEN ? AND ? AND status = 'registered'
		GROUP BY household_type, causes, g_food, g_education, g_medical, g_housing, g_water`, lo, hi)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for _, g := range GuaranteeNames {
		st.Gaps[g] = 0
	}
	for rows.Next() {
		var t, causes string
		var g Guarantees
		var n int64
		if err := rows.Scan(&t, &causes, &g.Food, &g.Education, &g.Medical, &g.Housing, &g.Water, &n); err != nil {
			return st, err
		}
		st.ByType[t] += n
		for _, c := range splitCauses(causes) {
			st.ByCause[c] += n
		}
		for _, gap := range g.Gaps() {
			st.Gaps[gap] += n
		}
	}
	return st, rows.Err()
}

// CountsByChild returns the counts of each direct child of region, keyed by the child's code
// prefix (county: 6 digits, town: 9, village: 12), and the region's totals.
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

// countsByChild returns counts per direct child of region, in one grouped scan over the
// region's code range.
func countsByChild(ctx context.Context, q db.Queryer, region string, childPrefixLen int) (map[string]*Counts, error) {
	lo, hi := regioncode.Range(region)
	out := map[string]*Counts{}
	rows, err := q.QueryContext(ctx, `SELECT SUBSTR(region_code, 1, ?), status, COUNT(*), SUM(members_count)
		FROM households WHERE region_code BETWEEN ? AND ? GROUP BY 1, 2`, childPrefixLen, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var prefix string
		var status Status
		var n, members int64
		if err := rows.Scan(&prefix, &status, &n, &members); err != nil {
			return nil, err
		}
		c, ok := out[prefix]
		if !ok {
			c = &Counts{}
			out[prefix] = c
		}
		c.Households += n
		switch status {
		case Registered:
			c.Registered += n
			c.Members += members
		case Applying:
			c.Applying += n
		case Exited:
			c.Exited += n
		case Removed:
			c.Removed += n
		}
	}
	return out, rows.Err()
}
