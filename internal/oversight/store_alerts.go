package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// ---- small helpers of the alert handling files (prefixed: the package is shared) ----

func alertItoa(n int64) string { return strconv.FormatInt(n, 10) }

func alertStrPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func alertIntPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// AlertRegionRef names a region in the oversight figures.
type AlertRegionRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// alertRegionIn checks a region parameter ("" = the caller's scope; at the command line the
// top of the tree) against the caller's scope for action, and returns it with its name.
func alertRegionIn(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, code string) (AlertRegionRef, error) {
	if code == "" && p != nil {
		code = p.Scope
		if p.Root && code == "" {
			_ = q.QueryRowContext(ctx, `SELECT code FROM regions WHERE parent_code IS NULL OR parent_code = '' ORDER BY code LIMIT 1`).Scan(&code)
		}
	}
	if !regioncode.Valid(code) {
		return AlertRegionRef{}, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(action, code); err != nil {
		return AlertRegionRef{}, err
	}
	r := AlertRegionRef{Code: code}
	if err := q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&r.Name); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, errs.E(errs.NotFound, "区划 %s 不存在", code)
		}
		return r, err
	}
	return r, nil
}

// alertChildren lists the direct child regions of code.
func alertChildren(ctx context.Context, q db.Queryer, code string) ([]AlertRegionRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name FROM regions WHERE parent_code = ? ORDER BY code`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AlertRegionRef
	for rows.Next() {
		var r AlertRegionRef
		if err := rows.Scan(&r.Code, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// childPrefixLen is the length of the code prefix naming a direct child of region (0 for a
// village, which has no children).
func childPrefixLen(region string) int {
	switch regioncode.LevelOf(region) {
	case regioncode.Province:
		return 4
	case regioncode.City:
		return 6
	case regioncode.County:
		return 9
	case regioncode.Town:
		return 12
	}
	return 0
}

// ---- escalation (the yellow/orange/red lights) ----

// escZone is a part of the region tree whose alerts one rule set's escalation governs.
type escZone struct {
	lo, hi string
	esc    Escalation
}

// escalationOf reads the escalation of a stored rule set (rules_json holds the set with its
// escalation; a set stored without one, or a bare list of rules, has the defaults).
func escalationOf(rulesJSON string) Escalation {
	var v struct {
		Escalation *Escalation `json:"escalation"`
	}
	if err := json.Unmarshal([]byte(rulesJSON), &v); err != nil || v.Escalation == nil {
		return DefaultEscalation
	}
	e := *v.Escalation
	if e.YellowDaysBefore < 0 || e.RedDaysAfter < 0 {
		return DefaultEscalation
	}
	return e
}

// escalationZones gives, for the alerts under region, the escalation zones most specific
// first: the newest rule set stored for a region below region (a county under the city)
// governs that region's alerts; the rest follow the newest set of the most specific region at
// or above region, else the defaults (the last zone, covering everything under region).
func escalationZones(ctx context.Context, q db.Queryer, region string) ([]escZone, error) {
	eff, err := effectiveAlertRules(ctx, q, region)
	if err != nil {
		return nil, err
	}
	base := eff.Escalation
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT region_code, rules_json FROM alert_rulesets WHERE region_code BETWEEN ? AND ? AND region_code <> ?
		ORDER BY region_code, version DESC`, lo, hi, region)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var zones []escZone
	last := ""
	for rows.Next() {
		var code, rj string
		if err := rows.Scan(&code, &rj); err != nil {
			return nil, err
		}
		if code == last || !regioncode.Valid(code) {
			continue
		}
		last = code
		zlo, zhi := regioncode.Range(code)
		zones = append(zones, escZone{lo: zlo, hi: zhi, esc: escalationOf(rj)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The most specific zone first (a longer prefix is a region further down).
	slices.SortStableFunc(zones, func(a, b escZone) int {
		return len(regioncode.Prefix(b.lo)) - len(regioncode.Prefix(a.lo))
	})
	return append(zones, escZone{lo: lo, hi: hi, esc: base}), nil
}

// lightDates are the deadline bounds of one escalation on a day: a pending alert is red when
// its deadline < red, orange when < today, yellow when <= yellow.
func lightDates(today string, e Escalation) (red, yellow string) {
	t, _ := time.Parse(db.DateLayout, today)
	return t.AddDate(0, 0, -e.RedDaysAfter).Format(db.DateLayout), t.AddDate(0, 0, e.YellowDaysBefore).Format(db.DateLayout)
}

// LightOf is the light of an alert read today under an escalation: none once closed; red more
// than red_days_after days past the deadline; orange past it; yellow within yellow_days_before
// days of it.
func LightOf(status, deadline, today string, e Escalation) string {
	if status == StatusClosed || deadline == "" {
		return LightNone
	}
	red, yellow := lightDates(today, e)
	switch {
	case deadline < red:
		return LightRed
	case deadline < today:
		return LightOrange
	case deadline <= yellow:
		return LightYellow
	}
	return LightNone
}

// lightSQL is LightOf as an SQL expression over alias a (the same answer in lists, filters and
// counts), with its arguments.
func lightSQL(zones []escZone, today string) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("(CASE WHEN a.status = 'closed' THEN ''")
	for i, z := range zones {
		red, yellow := lightDates(today, z.esc)
		cond := "a.region_code BETWEEN ? AND ?"
		if i == len(zones)-1 {
			cond = "1 = 1"
		} else {
			args = append(args, z.lo, z.hi)
		}
		b.WriteString(" WHEN " + cond + " THEN (CASE WHEN a.deadline < ? THEN 'red' WHEN a.deadline < ? THEN 'orange' WHEN a.deadline <= ? THEN 'yellow' ELSE '' END)")
		args = append(args, red, today, yellow)
	}
	b.WriteString(" ELSE '' END)")
	return b.String(), args
}

// ---- alert rows ----

const alertRowCols = `a.id, a.alert_key, a.rule_key, a.rule_label, a.category, a.severity, a.department, a.region_code, COALESCE(g.name, ''),
	a.entity_type, a.entity_id, a.household_id, COALESCE(h.household_no, ''), COALESCE(h.head_name, ''), a.amount_fen, a.explanation,
	a.status, a.outcome, a.deadline, a.assignee_id, COALESCE(u.display_name, ''), a.assigned_at, a.closed_at, a.version, a.created_at, a.updated_at`

const alertJoins = ` FROM alerts a LEFT JOIN households h ON h.id = a.household_id
	LEFT JOIN regions g ON g.code = a.region_code
	LEFT JOIN users u ON u.id = a.assignee_id`

func scanAlertRow(sc interface{ Scan(...any) error }, extra ...any) (AlertRow, error) {
	var r AlertRow
	var hh, assignee sql.NullInt64
	var assigned, closed sql.NullString
	err := sc.Scan(append([]any{&r.ID, &r.AlertKey, &r.RuleKey, &r.RuleLabel, &r.Category, &r.Severity, &r.Department, &r.RegionCode,
		&r.RegionName, &r.EntityType, &r.EntityID, &hh, &r.HouseholdNo, &r.HeadName, &r.AmountFen, &r.Explanation, &r.Status, &r.Outcome,
		&r.Deadline, &assignee, &r.AssigneeName, &assigned, &closed, &r.Version, &r.CreatedAt, &r.UpdatedAt}, extra...)...)
	r.HouseholdID, r.AssigneeID = alertIntPtr(hh), alertIntPtr(assignee)
	r.AssignedAt, r.ClosedAt = alertStrPtr(assigned), alertStrPtr(closed)
	r.DepartmentLabel = auth.RoleLabels[auth.Role(r.Department)]
	return r, err
}

// alertWhere is the WHERE of a filter over alias a: the list, its statistics and its export
// select the same alerts. light is the light expression with its arguments.
func alertWhere(p *auth.Principal, f AlertFilter, light string, lightArgs []any, today string) ([]string, []any) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"a.region_code BETWEEN ? AND ?"}
	args := []any{lo, hi}
	switch f.Status {
	case "":
	case "pending":
		where = append(where, "a.status IN ('open', 'assigned', 'verifying')")
	default:
		where = append(where, "a.status = ?")
		args = append(args, f.Status)
	}
	if f.Category != "" {
		where = append(where, "a.category = ?")
		args = append(args, f.Category)
	}
	if f.Rule != "" {
		where = append(where, "a.rule_key = ?")
		args = append(args, f.Rule)
	}
	if f.Department != "" {
		where = append(where, "a.department = ?")
		args = append(args, f.Department)
	}
	if f.Mine {
		where = append(where, "a.department = ?")
		args = append(args, string(p.Role))
	}
	if f.Severity != "" {
		where = append(where, "a.severity = ?")
		args = append(args, f.Severity)
	}
	if f.Household > 0 {
		where = append(where, "a.household_id = ?")
		args = append(args, f.Household)
	}
	if f.Overdue {
		where = append(where, "a.status <> 'closed' AND a.deadline < ?")
		args = append(args, today)
	}
	if f.Light != "" {
		where = append(where, light+" = ?")
		args = append(append(args, lightArgs...), f.Light)
	}
	return where, args
}

// listAlerts pages through the alerts a filter selects, newest first.
func listAlerts(ctx context.Context, q db.Queryer, p *auth.Principal, f AlertFilter, zones []escZone, today string) ([]AlertRow, error) {
	light, largs := lightSQL(zones, today)
	where, args := alertWhere(p, f, light, largs, today)
	if f.After > 0 {
		where = append(where, "a.id < ?")
		args = append(args, f.After)
	}
	args = append(append(largs, args...), f.Limit)
	rows, err := q.QueryContext(ctx, `SELECT `+alertRowCols+`, `+light+alertJoins+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AlertRow{}
	for rows.Next() {
		var light string
		r, err := scanAlertRow(rows, &light)
		if err != nil {
			return nil, err
		}
		r.Light = light
		out = append(out, r)
	}
	return out, rows.Err()
}

var errNoAlert = errs.E(errs.NotFound, "预警不存在")

// getAlert reads one alert with its handling fields (light not set).
func getAlert(ctx context.Context, q db.Queryer, id int64) (AlertDetail, error) {
	var d AlertDetail
	var ev string
	var prev sql.NullInt64
	row, err := scanAlertRow(q.QueryRowContext(ctx, `SELECT `+alertRowCols+`, a.evidence_json, a.findings, a.assign_note, a.prev_alert_id`+
		alertJoins+` WHERE a.id = ?`, id), &ev, &d.Findings, &d.AssignNote, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNoAlert
	}
	if err != nil {
		return d, err
	}
	d.AlertRow = row
	d.PrevAlertID = alertIntPtr(prev)
	d.Evidence = json.RawMessage(ev)
	if !json.Valid(d.Evidence) {
		d.Evidence = json.RawMessage("null")
	}
	return d, nil
}

func alertAttachments(ctx context.Context, q db.Queryer, id int64) ([]AlertAttachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.name, t.size, t.content_type, t.sha256, x.added_at FROM alert_attachments x
		JOIN attachments t ON t.id = x.attachment_id WHERE x.alert_id = ? ORDER BY t.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AlertAttachment{}
	for rows.Next() {
		var a AlertAttachment
		if err := rows.Scan(&a.ID, &a.Name, &a.Size, &a.ContentType, &a.SHA256, &a.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func alertCases(ctx context.Context, q db.Queryer, id int64) ([]AlertCase, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, region_code, person_name, person_position, person_unit, violation, handling, decided_on, created_at
		FROM accountability_cases WHERE alert_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AlertCase{}
	for rows.Next() {
		var c AlertCase
		if err := rows.Scan(&c.ID, &c.RegionCode, &c.PersonName, &c.PersonPosition, &c.PersonUnit, &c.Violation, &c.Handling,
			&c.DecidedOn, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ---- statistics ----

type alertGroup struct {
	child, rule, label, category, status, light string
	overdue                                     bool
	n, amount                                   int64
}

// alertGroups counts the alerts a filter selects by child region (prefix of childLen; the
// whole code when 0), rule, category, status, light and overdue, in one grouped read.
func alertGroups(ctx context.Context, q db.Queryer, p *auth.Principal, f AlertFilter, zones []escZone, today string, childLen int) ([]alertGroup, error) {
	light, largs := lightSQL(zones, today)
	where, args := alertWhere(p, f, light, largs, today)
	if childLen == 0 {
		childLen = 12
	}
	all := append([]any{childLen}, largs...)
	all = append(all, today)
	all = append(all, args...)
	rows, err := q.QueryContext(ctx, `SELECT SUBSTR(a.region_code, 1, ?), a.rule_key, MAX(a.rule_label), a.category, a.status, `+light+`,
		CASE WHEN a.status <> 'closed' AND a.deadline < ? THEN 1 ELSE 0 END, COUNT(*), COALESCE(SUM(a.amount_fen), 0)
		FROM alerts a WHERE `+strings.Join(where, " AND ")+` GROUP BY 1, 2, 4, 5, 6, 7`, all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alertGroup
	for rows.Next() {
		var g alertGroup
		var od int
		if err := rows.Scan(&g.child, &g.rule, &g.label, &g.category, &g.status, &g.light, &od, &g.n, &g.amount); err != nil {
			return nil, err
		}
		g.overdue = od == 1
		out = append(out, g)
	}
	return out, rows.Err()
}

// monthBounds are the starts of the last n Shanghai months up to and including now's, as
// stored timestamps (UTC), plus the start of the next month; and their labels "2026-05".
func monthBounds(now time.Time, n int) ([]string, []string) {
	sh := now.In(db.Shanghai)
	first := time.Date(sh.Year(), sh.Month(), 1, 0, 0, 0, 0, db.Shanghai).AddDate(0, -(n - 1), 0)
	bounds := make([]string, n+1)
	labels := make([]string, n)
	for i := 0; i <= n; i++ {
		m := first.AddDate(0, i, 0)
		bounds[i] = db.Time(m)
		if i < n {
			labels[i] = m.Format("2006-01")
		}
	}
	return bounds, labels
}

// monthIndexSQL maps a timestamp column to the index of its month among bounds (-1 outside).
func monthIndexSQL(col string, bounds []string) (string, []any) {
	var b strings.Builder
	args := []any{bounds[0]}
	b.WriteString("(CASE WHEN " + col + " < ? THEN -1")
	for i := 1; i < len(bounds); i++ {
		b.WriteString(" WHEN " + col + " < ? THEN " + strconv.Itoa(i-1))
		args = append(args, bounds[i])
	}
	b.WriteString(" ELSE -1 END)")
	return b.String(), args
}

// monthCounts counts rows of table (alias a) per month of col among bounds, under where.
func monthCounts(ctx context.Context, q db.Queryer, from, col string, bounds []string, where []string, args []any) ([]int64, error) {
	idx, iargs := monthIndexSQL(col, bounds)
	w := append(slices.Clone(where), col+" >= ?", col+" < ?")
	all := append(iargs, args...)
	all = append(all, bounds[0], bounds[len(bounds)-1])
	rows, err := q.QueryContext(ctx, `SELECT `+idx+`, COUNT(*) FROM `+from+` WHERE `+strings.Join(w, " AND ")+` GROUP BY 1`, all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]int64, len(bounds)-1)
	for rows.Next() {
		var i int
		var n int64
		if err := rows.Scan(&i, &n); err != nil {
			return nil, err
		}
		if i >= 0 && i < len(out) {
			out[i] += n
		}
	}
	return out, rows.Err()
}

// daysBetweenSQL is the number of days (fractional) from timestamp column a to b.
func daysBetweenSQL(d db.Dialect, from, to string) string {
	if d == db.Postgres {
		return "(EXTRACT(EPOCH FROM (CAST(" + to + " AS TIMESTAMPTZ) - CAST(" + from + " AS TIMESTAMPTZ))) / 86400.0)"
	}
	return "(julianday(" + to + ") - julianday(" + from + "))"
}
