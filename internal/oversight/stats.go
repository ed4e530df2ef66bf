package oversight

import (
	"context"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/regioncode"
)

// AlertLightCounts counts pending alerts by light.
type AlertLightCounts struct {
	Yellow int64 `json:"yellow"`
	Orange int64 `json:"orange"`
	Red    int64 `json:"red"`
}

// AlertRuleCount is one rule's alerts.
type AlertRuleCount struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int64  `json:"count"`
}

// AlertRegionCounts are a child region's alerts: the heat view (热力).
type AlertRegionCounts struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Total     int64  `json:"total"`
	Pending   int64  `json:"pending"`
	Overdue   int64  `json:"overdue"`
	Closed    int64  `json:"closed"`
	AmountFen int64  `json:"amount_fen"`
}

// AlertMonth is one month of the trend (Shanghai calendar).
type AlertMonth struct {
	Month  string `json:"month"`
	Raised int64  `json:"raised"`
	Closed int64  `json:"closed"`
}

// AlertStats are the figures of the alerts a filter selects.
type AlertStats struct {
	Region     AlertRegionRef      `json:"region"`
	Total      int64               `json:"total"`
	Pending    int64               `json:"pending"`
	Overdue    int64               `json:"overdue"`
	AmountFen  int64               `json:"amount_fen"`
	ByStatus   map[string]int64    `json:"by_status"`
	ByLight    AlertLightCounts    `json:"by_light"`
	ByRule     []AlertRuleCount    `json:"by_rule"`
	ByCategory map[string]int64    `json:"by_category"`
	ByRegion   []AlertRegionCounts `json:"by_region"`
	Trend      []AlertMonth        `json:"trend"`
}

// AlertStats counts the alerts a list filter selects (paging ignored): totals, by status,
// light, rule and category, per direct child region of the filter's region (the heat view),
// and raised/closed per month over the last 12 Shanghai months.
func (s *Service) AlertStats(ctx context.Context, p *auth.Principal, f AlertFilter) (AlertStats, error) {
	st := AlertStats{ByStatus: map[string]int64{}, ByCategory: map[string]int64{}, ByRule: []AlertRuleCount{},
		ByRegion: []AlertRegionCounts{}, Trend: []AlertMonth{}}
	if err := f.Check(); err != nil {
		return st, err
	}
	q := s.DB.Reader()
	r, err := alertRegionIn(ctx, q, p, auth.AlertRead, f.Region)
	if err != nil {
		return st, err
	}
	f.Region, st.Region = r.Code, r
	for _, k := range alertStatuses {
		st.ByStatus[k] = 0
	}
	for _, k := range alertCategories {
		st.ByCategory[k] = 0
	}
	zones, err := escalationZones(ctx, q, f.Region)
	if err != nil {
		return st, err
	}
	today := s.alertToday()
	childLen := childPrefixLen(f.Region)
	groups, err := alertGroups(ctx, q, p, f, zones, today, childLen)
	if err != nil {
		return st, err
	}
	byChild := map[string]*AlertRegionCounts{}
	byRule := map[string]*AlertRuleCount{}
	for _, g := range groups {
		st.Total += g.n
		st.AmountFen += g.amount
		st.ByStatus[g.status] += g.n
		st.ByCategory[g.category] += g.n
		c := byChild[g.child]
		if c == nil {
			c = &AlertRegionCounts{}
			byChild[g.child] = c
		}
		c.Total += g.n
		c.AmountFen += g.amount
		if g.status == StatusClosed {
			c.Closed += g.n
		} else {
			st.Pending += g.n
			c.Pending += g.n
		}
		if g.overdue {
			st.Overdue += g.n
			c.Overdue += g.n
		}
		switch g.light {
		case LightYellow:
			st.ByLight.Yellow += g.n
		case LightOrange:
			st.ByLight.Orange += g.n
		case LightRed:
			st.ByLight.Red += g.n
		}
		ru := byRule[g.rule]
		if ru == nil {
			ru = &AlertRuleCount{Key: g.rule, Label: g.label}
			byRule[g.rule] = ru
		}
		ru.Count += g.n
	}
	for _, ru := range byRule {
		st.ByRule = append(st.ByRule, *ru)
	}
	slices.SortFunc(st.ByRule, func(a, b AlertRuleCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Key, b.Key)
	})
	if childLen > 0 {
		kids, err := alertChildren(ctx, q, f.Region)
		if err != nil {
			return st, err
		}
		for _, k := range kids {
			row := AlertRegionCounts{Code: k.Code, Name: k.Name}
			if c, ok := byChild[k.Code[:childLen]]; ok {
				row.Total, row.Pending, row.Overdue, row.Closed, row.AmountFen = c.Total, c.Pending, c.Overdue, c.Closed, c.AmountFen
			}
			st.ByRegion = append(st.ByRegion, row)
		}
	}
	// The trend: raised by created_at, closed by closed_at, under the same filter.
	light, largs := lightSQL(zones, today)
	where, args := alertWhere(p, f, light, largs, today)
	bounds, labels := monthBounds(s.DB.Clock(), 12)
	raised, err := monthCounts(ctx, q, "alerts a", "a.created_at", bounds, where, args)
	if err != nil {
		return st, err
	}
	closed, err := monthCounts(ctx, q, "alerts a", "a.closed_at", bounds, append(slices.Clone(where), "a.closed_at IS NOT NULL"), args)
	if err != nil {
		return st, err
	}
	for i, m := range labels {
		st.Trend = append(st.Trend, AlertMonth{Month: m, Raised: raised[i], Closed: closed[i]})
	}
	return st, nil
}

// SupervisionRow is how one department handles its alerts (再监督): the discipline
// commission's view. On-time means closed on or before the deadline (Shanghai calendar).
type SupervisionRow struct {
	RegionCode      string  `json:"region_code,omitempty"` // set on by_region rows
	RegionName      string  `json:"region_name,omitempty"`
	Department      string  `json:"department"`
	DepartmentLabel string  `json:"department_label"`
	Total           int64   `json:"total"`
	Pending         int64   `json:"pending"`
	Overdue         int64   `json:"overdue"`
	Closed          int64   `json:"closed"`
	Substantiated   int64   `json:"substantiated"`
	Unfounded       int64   `json:"unfounded"`
	OnTime          int64   `json:"on_time"`
	OnTimeRate      float64 `json:"on_time_rate"`      // on_time / closed (0 when none closed)
	AvgDaysToClose  float64 `json:"avg_days_to_close"` // from raised to closed, over the closed ones

	daysSum float64
}

func (r *SupervisionRow) add(g supGroup) {
	r.Total += g.n
	if g.status == StatusClosed {
		r.Closed += g.n
		r.OnTime += g.onTime
		r.daysSum += g.days
		switch g.outcome {
		case OutcomeSubstantiated:
			r.Substantiated += g.n
		case OutcomeUnfounded:
			r.Unfounded += g.n
		}
	} else {
		r.Pending += g.n
		if g.overdue {
			r.Overdue += g.n
		}
	}
}

func (r *SupervisionRow) finish() {
	r.DepartmentLabel = auth.RoleLabels[auth.Role(r.Department)]
	if r.Closed > 0 {
		r.OnTimeRate = float64(r.OnTime) / float64(r.Closed)
		r.AvgDaysToClose = float64(int64(r.daysSum/float64(r.Closed)*10+0.5)) / 10
	}
}

type supGroup struct {
	child, department, status, outcome string
	overdue                            bool
	n, onTime                          int64
	days                               float64
}

// Supervision answers how each department handles its alerts under a region (the caller's
// scope by default): counts, overdue, outcomes, the on-time rate and the average days to
// close, per department; with byRegion, per direct child region and department instead.
func (s *Service) Supervision(ctx context.Context, p *auth.Principal, region string, byRegion bool) ([]SupervisionRow, error) {
	q := s.DB.Reader()
	r, err := alertRegionIn(ctx, q, p, auth.AlertRead, region)
	if err != nil {
		return nil, err
	}
	childLen := childPrefixLen(r.Code)
	if childLen == 0 {
		childLen = 12
	}
	today := s.alertToday()
	lo, hi := regioncode.Range(r.Code)
	days := daysBetweenSQL(q.Dialect(), "a.created_at", "a.closed_at")
	// closed on time: the Shanghai date of closed_at is not after the deadline, i.e. closed_at
	// (UTC) is before 16:00 UTC of the deadline day.
	rows, err := q.QueryContext(ctx, `SELECT SUBSTR(a.region_code, 1, ?), a.department, a.status, a.outcome,
		CASE WHEN a.status <> 'closed' AND a.deadline < ? THEN 1 ELSE 0 END, COUNT(*),
		COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < a.deadline || 'T16:00:00.000000Z' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.status = 'closed' THEN `+days+` ELSE 0 END), 0)
		FROM alerts a WHERE a.region_code BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5`, childLen, today, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var groups []supGroup
	for rows.Next() {
		var g supGroup
		var od int
		if err := rows.Scan(&g.child, &g.department, &g.status, &g.outcome, &od, &g.n, &g.onTime, &g.days); err != nil {
			return nil, err
		}
		g.overdue = od == 1
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	out := []SupervisionRow{}
	if !byRegion {
		byDept := map[string]*SupervisionRow{}
		for _, g := range groups {
			row := byDept[g.department]
			if row == nil {
				row = &SupervisionRow{Department: g.department}
				byDept[g.department] = row
			}
			row.add(g)
		}
		for _, row := range byDept {
			row.finish()
			out = append(out, *row)
		}
		slices.SortFunc(out, func(a, b SupervisionRow) int { return strings.Compare(a.Department, b.Department) })
		return out, nil
	}
	kids, err := alertChildren(ctx, q, r.Code)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, k := range kids {
		names[k.Code[:childLen]] = k.Name
	}
	type key struct{ child, dept string }
	byKey := map[key]*SupervisionRow{}
	for _, g := range groups {
		k := key{g.child, g.department}
		row := byKey[k]
		if row == nil {
			code := g.child + strings.Repeat("0", 12-len(g.child))
			row = &SupervisionRow{RegionCode: code, RegionName: names[g.child], Department: g.department}
			byKey[k] = row
		}
		row.add(g)
	}
	for _, row := range byKey {
		row.finish()
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b SupervisionRow) int {
		if c := strings.Compare(a.RegionCode, b.RegionCode); c != 0 {
			return c
		}
		return strings.Compare(a.Department, b.Department)
	})
	return out, nil
}
