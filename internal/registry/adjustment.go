package registry

import (
	"context"
	"database/sql"
	"strings"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// IncomeLine is the yearly per-capita income under which a household counts as low-income,
// for a region and everything under it.
type IncomeLine struct {
	Year       int    `json:"year"`
	RegionCode string `json:"region_code"`
	LineFen    int64  `json:"line_fen"`
}

// AdjustmentItem is a household the yearly adjustment (动态调整) points at, and why.
type AdjustmentItem struct {
	Household HouseholdRow `json:"household"`
	Code      string       `json:"code"` // above_line | stale_income | policy_ended | guarantee_gap
	Reason    string       `json:"reason"`
	// OpenProcedure is the procedure already under way for the household (0 if none): a new
	// exit cannot start until it ends.
	OpenProcedure int64 `json:"open_procedure"`
}

// Adjustment is the yearly proposal: nothing in it changes a household until a procedure runs.
type Adjustment struct {
	Year          int              `json:"year"`
	LineFen       int64            `json:"line_fen"`
	Exits         []AdjustmentItem `json:"exits"`
	ExitsTotal    int              `json:"exits_total"`
	Rechecks      []AdjustmentItem `json:"rechecks"`
	RechecksTotal int              `json:"rechecks_total"`
}

const adjustmentCap = 1000 // items returned per list; totals are exact

// IncomeLines lists the lines in the principal's view (their region, ancestors and below).
func (s *Service) IncomeLines(ctx context.Context, p *auth.Principal) ([]IncomeLine, error) {
	if err := p.RequireIn(auth.HouseholdRead, p.Scope); err != nil {
		return nil, err
	}
	rows, err := s.DB.Reader().QueryContext(ctx, `SELECT year, region_code, line_fen FROM income_lines ORDER BY year DESC, region_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []IncomeLine{}
	for rows.Next() {
		var l IncomeLine
		if err := rows.Scan(&l.Year, &l.RegionCode, &l.LineFen); err != nil {
			return nil, err
		}
		if p.InScope(l.RegionCode) || regioncode.Within(p.Scope, l.RegionCode) {
			out = append(out, l)
		}
	}
	return out, rows.Err()
}

// SetLine sets (or changes, with the old value in the trail) a year's income line for a region.
func (s *Service) SetLine(ctx context.Context, p *auth.Principal, l IncomeLine) (IncomeLine, error) {
	if !regioncode.Valid(l.RegionCode) {
		return l, errs.Field("region_code", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.IncomeLineWrite, l.RegionCode); err != nil {
		return l, err
	}
	if l.Year < 2000 || l.Year > 2100 {
		return l, errs.Field("year", "年度不在合理范围")
	}
	if l.LineFen <= 0 || l.LineFen > 100_000_00 {
		return l, errs.Field("line_fen", "收入线应大于 0 且不超过 10 万元")
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var old int64
		err := tx.QueryRowContext(ctx, `SELECT line_fen FROM income_lines WHERE year = ? AND region_code = ?`, l.Year, l.RegionCode).Scan(&old)
		now := db.Time(tx.Now)
		var before any
		switch {
		case err == sql.ErrNoRows:
			_, err = tx.ExecContext(ctx, `INSERT INTO income_lines (year, region_code, line_fen, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				l.Year, l.RegionCode, l.LineFen, now, now)
		case err == nil:
			if old == l.LineFen {
				return nil
			}
			before = IncomeLine{Year: l.Year, RegionCode: l.RegionCode, LineFen: old}
			_, err = tx.ExecContext(ctx, `UPDATE income_lines SET line_fen = ?, updated_at = ? WHERE year = ? AND region_code = ?`,
				l.LineFen, now, l.Year, l.RegionCode)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "income_line.set", EntityType: "income_line",
			EntityID: itoa(l.Year) + ":" + l.RegionCode, RegionCode: l.RegionCode, Before: before, After: l})
	})
	return l, err
}

// lineFor picks the most specific line covering code.
func lineFor(lines []IncomeLine, code string) (int64, bool) {
	best, found, bestLen := int64(0), false, -1
	for _, l := range lines {
		pre := regioncode.Prefix(l.RegionCode)
		if strings.HasPrefix(code, pre) && len(pre) > bestLen {
			best, found, bestLen = l.LineFen, true, len(pre)
		}
	}
	return best, found
}

// Adjust computes the year's proposals for a region: registered households whose income of
// that year is above their line (proposed exits), and households due for re-checking.
func (s *Service) Adjust(ctx context.Context, p *auth.Principal, year int, region string) (Adjustment, error) {
	a := Adjustment{Year: year, Exits: []AdjustmentItem{}, Rechecks: []AdjustmentItem{}}
	if region == "" {
		region = p.Scope
	}
	if !regioncode.Valid(region) {
		return a, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, region); err != nil {
		return a, err
	}
	if year < 2000 || year > 2100 {
		return a, errs.Field("year", "年度不在合理范围")
	}
	q := s.DB.Reader()
	var lines []IncomeLine
	rows, err := q.QueryContext(ctx, `SELECT year, region_code, line_fen FROM income_lines WHERE year = ?`, year)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var l IncomeLine
		if err := rows.Scan(&l.Year, &l.RegionCode, &l.LineFen); err != nil {
			rows.Close()
			return a, err
		}
		lines = append(lines, l)
	}
	rows.Close()
	line, ok := lineFor(lines, regioncode.Prefix(region))
	if !ok {
		// A line set only below this region still applies to its part.
		for _, l := range lines {
			if regioncode.Within(l.RegionCode, region) && (line == 0 || l.LineFen < line) {
				line, ok = l.LineFen, true
			}
		}
	}
	if !ok {
		return a, errs.E(errs.NotFound, "尚未设置 %d 年的收入线", year)
	}
	a.LineFen = line
	minLine := line
	for _, l := range lines {
		minLine = min(minLine, l.LineFen)
	}
	lo, hi := regioncode.Range(region)
	err = eachRow(ctx, q, `SELECT `+rowCols+` FROM households h LEFT JOIN regions r ON r.code = h.region_code
		WHERE h.region_code BETWEEN ? AND ? AND h.status = 'registered' AND h.income_year = ? AND h.income_per_capita_fen > ?
		ORDER BY h.region_code, h.id`, []any{lo, hi, year, minLine}, func(h HouseholdRow) {
		l, _ := lineFor(lines, h.RegionCode)
		if h.IncomePerCapitaFen <= l {
			return
		}
		a.ExitsTotal++
		if len(a.Exits) < adjustmentCap {
			a.Exits = append(a.Exits, AdjustmentItem{Household: h, Code: "above_line",
				Reason: "人均纯收入 " + money.FormatYuan(h.IncomePerCapitaFen) + " 元,高于 " + itoa(year) + " 年收入线 " + money.FormatYuan(l) + " 元"})
		}
	})
	if err != nil {
		return a, err
	}
	today := db.Date(s.DB.Clock())
	add := func(code, reason string) func(HouseholdRow) {
		return func(h HouseholdRow) {
			a.RechecksTotal++
			if len(a.Rechecks) < adjustmentCap {
				a.Rechecks = append(a.Rechecks, AdjustmentItem{Household: h, Code: code, Reason: reason})
			}
		}
	}
	checks := []struct {
		code, reason, where string
		args                []any
	}{
		{"stale_income", "收入数据早于 " + itoa(year) + " 年,须重新核实收入", "h.status = 'registered' AND h.income_year < ?", []any{year}},
		{"guarantee_gap", "“两不愁三保障”或饮水安全有未保障项", "h.status = 'registered' AND (h.g_food = 'gap' OR h.g_education = 'gap' OR h.g_medical = 'gap' OR h.g_housing = 'gap' OR h.g_water = 'gap')", nil},
		{"policy_ended", "脱贫后政策延续期已满,核实是否仍享受帮扶政策", "h.status = 'exited' AND h.policy_until < ?", []any{today}},
	}
	for _, c := range checks {
		err := eachRow(ctx, q, `SELECT `+rowCols+` FROM households h LEFT JOIN regions r ON r.code = h.region_code
			WHERE h.region_code BETWEEN ? AND ? AND `+c.where+` ORDER BY h.region_code, h.id`, append([]any{lo, hi}, c.args...), add(c.code, c.reason))
		if err != nil {
			return a, err
		}
	}
	return a, s.markOpen(ctx, q, a.Exits, a.Rechecks)
}

// markOpen fills in the procedures already under way for the listed households.
func (s *Service) markOpen(ctx context.Context, q db.Queryer, lists ...[]AdjustmentItem) error {
	idx := map[int64][]*AdjustmentItem{}
	var ids []any
	for _, l := range lists {
		for i := range l {
			hid := l[i].Household.ID
			if _, seen := idx[hid]; !seen {
				ids = append(ids, hid)
			}
			idx[hid] = append(idx[hid], &l[i])
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := q.QueryContext(ctx, `SELECT household_id, id FROM procedures WHERE status = 'open' AND household_id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var hid, pid int64
			if err := rows.Scan(&hid, &pid); err != nil {
				rows.Close()
				return err
			}
			for _, it := range idx[hid] {
				it.OpenProcedure = pid
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// StartExits starts the exit procedure (五签字五确认) for chosen households, all or none.
func (s *Service) StartExits(ctx context.Context, p *auth.Principal, year int, ids []int64, reason string) ([]int64, error) {
	if len(ids) == 0 || len(ids) > 1000 {
		return nil, errs.Field("household_ids", "请选择 1 到 1000 户")
	}
	if strings.TrimSpace(reason) == "" {
		reason = "动态调整:" + itoa(year) + " 年人均纯收入高于收入线,拟脱贫退出"
	}
	var out []int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, id := range ids {
			h, err := s.visible(ctx, tx, p, auth.ProcedureStart, id)
			if err != nil {
				return errs.E(errs.CodeOf(err), "农户 %d: %s", id, msgOf(err))
			}
			pid, err := s.start(ctx, tx, p, h.ID, ProcExit, reason)
			if err != nil {
				return errs.E(errs.CodeOf(err), "农户 %s: %s", h.HouseholdNo, msgOf(err))
			}
			out = append(out, pid)
		}
		return nil
	})
	return out, err
}

func msgOf(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Message
	}
	return "内部错误"
}

func eachRow(ctx context.Context, q db.Queryer, query string, args []any, fn func(HouseholdRow)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanRow(rows)
		if err != nil {
			return err
		}
		fn(h)
	}
	return rows.Err()
}
