package oversight

import (
	"context"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/regioncode"
)

// CockpitAlerts are the headline alert figures.
type CockpitAlerts struct {
	Pending           int64   `json:"pending"`
	Overdue           int64   `json:"overdue"`
	Red               int64   `json:"red"`
	Raised30d         int64   `json:"raised_30d"`
	Closed30d         int64   `json:"closed_30d"`
	SubstantiatedRate float64 `json:"substantiated_rate"` // substantiated / closed
}

// CockpitComplaints are the headline complaint figures.
type CockpitComplaints struct {
	Pending       int64   `json:"pending"`        // received or assigned
	Overdue       int64   `json:"overdue"`        // pending past the deadline
	Month         int64   `json:"month"`          // lodged this Shanghai month
	SatisfiedRate float64 `json:"satisfied_rate"` // (satisfied + basic) / rated, as in the complaint statistics
	Repeat        int64   `json:"repeat"`         // complaints on a matter complained of before
}

// CockpitFunds are the headline money figures (fen).
type CockpitFunds struct {
	AmountFen int64   `json:"amount_fen"` // funds received by the region (city or county funds under it)
	PaidFen   int64   `json:"paid_fen"`   // payments to payees in the region, net of reversals
	PayRate   float64 `json:"pay_rate"`   // paid / amount (0 when no funds)
	IdleFen   int64   `json:"idle_fen"`   // balances resting at non-payee accounts ≥ funds.DefaultIdleDays days
}

// CockpitHouseholds are the headline registry figures.
type CockpitHouseholds struct {
	Registered         int64   `json:"registered"`
	Exited             int64   `json:"exited"`
	HelpersCoveredRate float64 `json:"helpers_covered_rate"` // registered households with a current helper / registered
}

// CockpitSpot are the spot-check figures.
type CockpitSpot struct {
	Plans    int64 `json:"plans"`
	Targets  int64 `json:"targets"`
	Problems int64 `json:"problems"`
}

// CockpitCases are the accountability figures.
type CockpitCases struct {
	Total int64 `json:"total"`
	Year  int64 `json:"year"` // decided this Shanghai year
}

// CockpitRegion is a child region's figures.
type CockpitRegion struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	PendingAlerts int64  `json:"pending_alerts"`
	OverdueAlerts int64  `json:"overdue_alerts"`
	Complaints    int64  `json:"complaints"` // pending complaints
}

// CockpitMonth is one month of the cockpit's trend.
type CockpitMonth struct {
	Month      string `json:"month"`
	Raised     int64  `json:"raised"`
	Closed     int64  `json:"closed"`
	Complaints int64  `json:"complaints"`
}

// Cockpit is the leadership dashboard (驾驶舱).
type Cockpit struct {
	Region     AlertRegionRef    `json:"region"`
	Alerts     CockpitAlerts     `json:"alerts"`
	Complaints CockpitComplaints `json:"complaints"`
	Funds      CockpitFunds      `json:"funds"`
	Households CockpitHouseholds `json:"households"`
	Spot       CockpitSpot       `json:"spot"`
	Cases      CockpitCases      `json:"cases"`
	ByRegion   []CockpitRegion   `json:"by_region"`
	Trend      []CockpitMonth    `json:"trend"`
}

func alertRatio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Cockpit reads the headline figures of a region (the caller's scope by default) with plain
// grouped reads of each table, every one bounded by the region's code range.
func (s *Service) Cockpit(ctx context.Context, p *auth.Principal, region string) (Cockpit, error) {
	c := Cockpit{ByRegion: []CockpitRegion{}, Trend: []CockpitMonth{}}
	q := s.DB.Reader()
	r, err := alertRegionIn(ctx, q, p, auth.AlertRead, region)
	if err != nil {
		return c, err
	}
	c.Region = r
	lo, hi := regioncode.Range(r.Code)
	now := s.DB.Clock()
	today := db.Date(now)
	ago30 := db.Time(now.AddDate(0, 0, -30))
	row := func(dst []any, query string, args ...any) error {
		return q.QueryRowContext(ctx, query, args...).Scan(dst...)
	}

	// alerts
	zones, err := escalationZones(ctx, q, r.Code)
	if err != nil {
		return c, err
	}
	light, largs := lightSQL(zones, today)
	var subst, closed int64
	if err := row([]any{&c.Alerts.Pending, &c.Alerts.Overdue, &c.Alerts.Red, &c.Alerts.Raised30d, &c.Alerts.Closed30d, &subst, &closed},
		`SELECT COALESCE(SUM(CASE WHEN a.status <> 'closed' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN a.status <> 'closed' AND a.deadline < ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN `+light+` = 'red' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN a.created_at >= ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN a.closed_at >= ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.outcome = 'substantiated' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN a.status = 'closed' THEN 1 ELSE 0 END), 0)
		FROM alerts a WHERE a.region_code BETWEEN ? AND ?`, append(append([]any{today}, largs...), ago30, ago30, lo, hi)...); err != nil {
		return c, err
	}
	c.Alerts.SubstantiatedRate = alertRatio(subst, closed)

	// complaints
	sh := now.In(db.Shanghai)
	monthStart := db.Time(time.Date(sh.Year(), sh.Month(), 1, 0, 0, 0, 0, db.Shanghai))
	var satisfied, rated int64
	if err := row([]any{&c.Complaints.Pending, &c.Complaints.Overdue, &c.Complaints.Month, &satisfied, &rated, &c.Complaints.Repeat},
		`SELECT COALESCE(SUM(CASE WHEN status IN ('received', 'assigned') THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status IN ('received', 'assigned') AND deadline IS NOT NULL AND deadline < ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN satisfaction <> '' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN repeat_no > 1 THEN 1 ELSE 0 END), 0)
		FROM complaints WHERE region_code BETWEEN ? AND ?`, today, monthStart, lo, hi); err != nil {
		return c, err
	}
	c.Complaints.SatisfiedRate = alertRatio(satisfied, rated)

	// funds: received by the region's city/county finance; paid to payees in the region
	if err := row([]any{&c.Funds.AmountFen}, `SELECT COALESCE(SUM(amount_fen), 0) FROM funds WHERE region_code BETWEEN ? AND ?`, lo, hi); err != nil {
		return c, err
	}
	if err := row([]any{&c.Funds.PaidFen}, `SELECT COALESCE(SUM(CASE WHEN t.kind = 'payment' THEN t.amount_fen ELSE -t.amount_fen END), 0)
		FROM ledger_transfers t WHERE t.region_code BETWEEN ? AND ? AND (t.kind = 'payment'
			OR t.kind = 'reversal' AND EXISTS (SELECT 1 FROM ledger_transfers o WHERE o.id = t.reverses_id AND o.kind = 'payment'))`, lo, hi); err != nil {
		return c, err
	}
	if c.Funds.AmountFen > 0 && regioncode.LevelOf(r.Code) != regioncode.Town && regioncode.LevelOf(r.Code) != regioncode.Village {
		c.Funds.PayRate = alertRatio(c.Funds.PaidFen, c.Funds.AmountFen)
	}
	idleCut := time.Date(sh.Year(), sh.Month(), sh.Day(), 0, 0, 0, 0, db.Shanghai).AddDate(0, 0, -funds.DefaultIdleDays).Format(db.DateLayout)
	const since = `CASE WHEN b.last_out_on IS NOT NULL AND b.last_out_on > b.last_in_on THEN b.last_out_on ELSE b.last_in_on END`
	if err := row([]any{&c.Funds.IdleFen}, `SELECT COALESCE(SUM(b.balance_fen), 0) FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
		WHERE a.kind NOT IN ('source', 'passbook') AND a.region_code BETWEEN ? AND ? AND b.balance_fen > 0 AND `+since+` <= ?`, lo, hi, idleCut); err != nil {
		return c, err
	}

	// households
	var covered int64
	if err := row([]any{&c.Households.Registered, &c.Households.Exited, &covered},
		`SELECT COALESCE(SUM(CASE WHEN h.status = 'registered' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN h.status = 'exited' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN h.status = 'registered' AND EXISTS (SELECT 1 FROM assignments x WHERE x.household_id = h.id AND x.to_date IS NULL) THEN 1 ELSE 0 END), 0)
		FROM households h WHERE h.region_code BETWEEN ? AND ?`, lo, hi); err != nil {
		return c, err
	}
	c.Households.HelpersCoveredRate = alertRatio(covered, c.Households.Registered)

	// spot checks and cases
	if err := row([]any{&c.Spot.Plans}, `SELECT COUNT(*) FROM spot_plans WHERE region_code BETWEEN ? AND ?`, lo, hi); err != nil {
		return c, err
	}
	if err := row([]any{&c.Spot.Targets, &c.Spot.Problems}, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN result = 'problem' THEN 1 ELSE 0 END), 0)
		FROM spot_targets WHERE region_code BETWEEN ? AND ?`, lo, hi); err != nil {
		return c, err
	}
	yearStart := time.Date(sh.Year(), 1, 1, 0, 0, 0, 0, db.Shanghai).Format(db.DateLayout)
	if err := row([]any{&c.Cases.Total, &c.Cases.Year}, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN decided_on >= ? THEN 1 ELSE 0 END), 0)
		FROM accountability_cases WHERE region_code BETWEEN ? AND ?`, yearStart, lo, hi); err != nil {
		return c, err
	}

	// by child region
	if n := childPrefixLen(r.Code); n > 0 {
		kids, err := alertChildren(ctx, q, r.Code)
		if err != nil {
			return c, err
		}
		pend := map[string][2]int64{}
		rows, err := q.QueryContext(ctx, `SELECT SUBSTR(a.region_code, 1, ?), COUNT(*), COALESCE(SUM(CASE WHEN a.deadline < ? THEN 1 ELSE 0 END), 0)
			FROM alerts a WHERE a.region_code BETWEEN ? AND ? AND a.status <> 'closed' GROUP BY 1`, n, today, lo, hi)
		if err != nil {
			return c, err
		}
		for rows.Next() {
			var k string
			var v [2]int64
			if err := rows.Scan(&k, &v[0], &v[1]); err != nil {
				rows.Close()
				return c, err
			}
			pend[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, err
		}
		comp := map[string]int64{}
		rows, err = q.QueryContext(ctx, `SELECT SUBSTR(region_code, 1, ?), COUNT(*) FROM complaints
			WHERE region_code BETWEEN ? AND ? AND status IN ('received', 'assigned') GROUP BY 1`, n, lo, hi)
		if err != nil {
			return c, err
		}
		for rows.Next() {
			var k string
			var v int64
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return c, err
			}
			comp[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, err
		}
		for _, k := range kids {
			v := pend[k.Code[:n]]
			c.ByRegion = append(c.ByRegion, CockpitRegion{Code: k.Code, Name: k.Name, PendingAlerts: v[0], OverdueAlerts: v[1], Complaints: comp[k.Code[:n]]})
		}
	}

	// trend: the last 12 Shanghai months
	bounds, labels := monthBounds(now, 12)
	inRegion := []string{"a.region_code BETWEEN ? AND ?"}
	rangeArgs := []any{lo, hi}
	raised, err := monthCounts(ctx, q, "alerts a", "a.created_at", bounds, inRegion, rangeArgs)
	if err != nil {
		return c, err
	}
	closedM, err := monthCounts(ctx, q, "alerts a", "a.closed_at", bounds, append(inRegion, "a.closed_at IS NOT NULL"), rangeArgs)
	if err != nil {
		return c, err
	}
	lodged, err := monthCounts(ctx, q, "complaints a", "a.created_at", bounds, inRegion, rangeArgs)
	if err != nil {
		return c, err
	}
	for i, m := range labels {
		c.Trend = append(c.Trend, CockpitMonth{Month: m, Raised: raised[i], Closed: closedM[i], Complaints: lodged[i]})
	}
	return c, nil
}
