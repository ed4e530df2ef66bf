package visits

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/regioncode"
)

// Signal kinds (visit_signals.kind), in the order the console shows them.
const (
	SignalFarFromHome      = "far_from_home"
	SignalSamePhoto        = "same_photo"
	SignalLateRecord       = "late_record"
	SignalImpossibleTravel = "impossible_travel"
)

// SignalKinds lists every fake-visit sign.
var SignalKinds = []string{SignalFarFromHome, SignalSamePhoto, SignalLateRecord, SignalImpossibleTravel}

// RegionRef names a region with its level.
type RegionRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// ComplianceCounts are one region's visit figures for a quarter. Due households are those
// registered, or exited with the policy still running at the quarter's start; visited ones had
// at least one visit in the quarter; no_helper ones have no current helper.
type ComplianceCounts struct {
	Due      int64   `json:"due"`
	Visited  int64   `json:"visited"`
	Overdue  int64   `json:"overdue"`
	NoHelper int64   `json:"no_helper"`
	Rate     float64 `json:"rate"` // visited / due; 1 when nothing is due (nothing owed)
}

func (c *ComplianceCounts) finish() {
	c.Overdue = c.Due - c.Visited
	c.Rate = 1
	if c.Due > 0 {
		c.Rate = math.Round(float64(c.Visited)/float64(c.Due)*10000) / 10000
	}
}

// ComplianceChild is a direct child region's figures.
type ComplianceChild struct {
	RegionRef
	ComplianceCounts
}

// Compliance is a region's quarterly visit compliance (走访情况): totals, per direct child
// region, the fake-visit signs on the quarter's visits and the phone/server conflicts pending.
type Compliance struct {
	Quarter   string            `json:"quarter"`
	Region    RegionRef         `json:"region"`
	Total     ComplianceCounts  `json:"total"`
	Children  []ComplianceChild `json:"children"`
	Signals   map[string]int64  `json:"signals"`   // visits of the quarter carrying each sign
	Conflicts int64             `json:"conflicts"` // visits of the quarter with a conflict pending
}

// quarterSpan is a quarter in the forms the queries need.
type quarterSpan struct {
	Name      string // 2026Q4
	FirstDate string // 2026-10-01 (Shanghai calendar)
	FromUTC   string // first instant, stored form (db.Time)
	ToUTC     string // first instant of the next quarter, stored form (exclusive)
}

// spanOf reads a "YYYYQn" quarter; "" is the current Shanghai quarter at now.
func spanOf(q string, now time.Time) (quarterSpan, error) {
	if q == "" {
		q = QuarterOf(now)
	}
	start, end, err := QuarterBounds(q)
	if err != nil {
		return quarterSpan{}, err
	}
	return quarterSpan{Name: q, FirstDate: start.Format(db.DateLayout), FromUTC: db.Time(start), ToUTC: db.Time(end)}, nil
}

// regionIn checks a region parameter ("" = the caller's scope) against the caller's scope
// for action and returns it with its name and level.
func (s *Service) regionIn(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, code string) (RegionRef, error) {
	if code == "" && p != nil {
		code = p.Scope
	}
	if !regioncode.Valid(code) {
		return RegionRef{}, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(action, code); err != nil {
		return RegionRef{}, err
	}
	r := RegionRef{Code: code}
	if err := q.QueryRowContext(ctx, `SELECT name, level FROM regions WHERE code = ?`, code).Scan(&r.Name, &r.Level); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, errs.E(errs.NotFound, "区划 %s 不存在", code)
		}
		return r, err
	}
	return r, nil
}

// Compliance counts, for a quarter, the region's due, visited and overdue households in total
// and per direct child region, with the quarter's signs and pending conflicts. Every count is
// a grouped read of the region's code range: a county never scans the city.
func (s *Service) Compliance(ctx context.Context, p *auth.Principal, region, quarter string) (Compliance, error) {
	c := Compliance{Children: []ComplianceChild{}, Signals: map[string]int64{}}
	span, err := spanOf(quarter, s.DB.Clock())
	if err != nil {
		return c, err
	}
	c.Quarter = span.Name
	q := s.DB.Reader()
	if c.Region, err = s.regionIn(ctx, q, p, auth.VisitRead, region); err != nil {
		return c, err
	}
	childLen := 12
	switch regioncode.LevelOf(c.Region.Code) {
	case regioncode.Province:
		childLen = 4
	case regioncode.City:
		childLen = 6
	case regioncode.County:
		childLen = 9
	}
	byChild, err := complianceByChild(ctx, q, c.Region.Code, childLen, span)
	if err != nil {
		return c, err
	}
	for _, n := range byChild {
		c.Total.Due += n.Due
		c.Total.Visited += n.Visited
		c.Total.NoHelper += n.NoHelper
	}
	c.Total.finish()
	if regioncode.LevelOf(c.Region.Code) != regioncode.Village {
		kids, err := childRegions(ctx, q, c.Region.Code)
		if err != nil {
			return c, err
		}
		for _, k := range kids {
			ch := ComplianceChild{RegionRef: k}
			if n, ok := byChild[regioncode.Prefix(k.Code)]; ok {
				ch.ComplianceCounts = *n
			}
			ch.finish()
			c.Children = append(c.Children, ch)
		}
	}
	for _, k := range SignalKinds {
		c.Signals[k] = 0
	}
	if err := signalCounts(ctx, q, c.Region.Code, span, c.Signals); err != nil {
		return c, err
	}
	if c.Conflicts, err = pendingConflicts(ctx, q, c.Region.Code, span); err != nil {
		return c, err
	}
	return c, nil
}

// OverdueRow is a due household without a visit in the quarter, with its current helper.
type OverdueRow struct {
	HouseholdID int64   `json:"household_id"`
	HouseholdNo string  `json:"household_no"`
	HeadName    string  `json:"head_name"`
	RegionCode  string  `json:"region_code"`
	RegionName  string  `json:"region_name"`
	HelperID    int64   `json:"helper_id"` // 0 = no current helper
	HelperName  string  `json:"helper_name"`
	HelperPhone string  `json:"helper_phone"`
	LastVisitAt *string `json:"last_visit_at"` // the latest visit ever, null = never visited
}

// OverdueCursor is the overdue list's keyset position: village code and household id.
type OverdueCursor struct {
	Region string
	ID     int64
}

// Overdue pages through the due households of a region without a visit in the quarter,
// ordered by village then household id.
func (s *Service) Overdue(ctx context.Context, p *auth.Principal, region, quarter string, after OverdueCursor, limit int) ([]OverdueRow, error) {
	span, err := spanOf(quarter, s.DB.Clock())
	if err != nil {
		return nil, err
	}
	q := s.DB.Reader()
	r, err := s.regionIn(ctx, q, p, auth.VisitRead, region)
	if err != nil {
		return nil, err
	}
	return listOverdue(ctx, q, r.Code, span, after, limit)
}

// Settings are what the console's visit pages need to know: the map tiles and the thresholds
// of the signs.
type Settings struct {
	TileURL         string  `json:"tile_url"`
	TileAttribution string  `json:"tile_attribution"`
	FarMeters       float64 `json:"far_meters"`
	LateHours       float64 `json:"late_hours"`
	MaxKmh          float64 `json:"max_kmh"`
}

// Settings returns the map and threshold configuration.
func (s *Service) Settings(_ context.Context, p *auth.Principal) (Settings, error) {
	if err := p.Require(auth.VisitRead); err != nil {
		return Settings{}, err
	}
	c := s.Config
	return Settings{TileURL: c.TileURL, TileAttribution: c.TileAttribution, FarMeters: c.FarMeters, LateHours: c.LateHours, MaxKmh: c.MaxKmh}, nil
}

// overduePage trims a page read with limit+1 rows into the list shape.
func overduePage(rows []OverdueRow, limit int) httpx.List[OverdueRow] {
	return httpx.NewList(rows, limit, func(o OverdueRow) string { return o.RegionCode + "-" + strconv.FormatInt(o.HouseholdID, 10) })
}
