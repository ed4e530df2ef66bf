package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
	"sunshine/internal/regioncode"
)

// spotRow is a stored plan with what it keeps back: the seed (until drawn) and the population.
type spotRow struct {
	SpotPlan
	seed       string
	population []int64
}

// spotCols are the plan columns every answer reads; never the seed or the population. The
// population count is the number of ids in population_json (commas + 1: a population is never
// empty, a plan needs at least one target).
const spotCols = `p.id, p.title, p.region_code, COALESCE(r.name, ''), p.target_kind, p.filter_json, p.sample_size,
	p.inspectors_per_target, p.inspector_pool_json,
	LENGTH(p.population_json) - LENGTH(REPLACE(p.population_json, ',', '')) + 1,
	p.population_hash, p.seed_hash, p.status, p.created_by, COALESCE(u.display_name, ''), p.created_at, p.drawn_at, p.closed_at,
	(SELECT COUNT(*) FROM spot_targets t WHERE t.plan_id = p.id AND t.result <> ''),
	(SELECT COUNT(*) FROM spot_targets t WHERE t.plan_id = p.id AND t.result = 'problem')`

const spotFrom = ` FROM spot_plans p LEFT JOIN regions r ON r.code = p.region_code LEFT JOIN users u ON u.id = p.created_by`

type spotScanner interface{ Scan(dest ...any) error }

func scanSpotPlan(sc spotScanner, extra ...any) (SpotPlan, error) {
	var pl SpotPlan
	var filter, pool, created string
	var drawn, closed sql.NullString
	dest := []any{&pl.ID, &pl.Title, &pl.RegionCode, &pl.RegionName, &pl.TargetKind, &filter, &pl.SampleSize,
		&pl.InspectorsPerTarget, &pool, &pl.PopulationCount, &pl.PopulationHash, &pl.SeedHash, &pl.Status, &pl.CreatedBy,
		&pl.CreatedByName, &created, &drawn, &closed, &pl.Recorded, &pl.Problems}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return pl, err
	}
	if err := json.Unmarshal([]byte(filter), &pl.Filter); err != nil {
		return pl, err
	}
	if err := json.Unmarshal([]byte(pool), &pl.Inspectors); err != nil {
		return pl, err
	}
	if pl.Inspectors == nil {
		pl.Inspectors = []SpotPerson{}
	}
	pl.CreatedAt = db.ParseTime(created)
	pl.DrawnAt, pl.ClosedAt = db.TimePtr(drawn), db.TimePtr(closed)
	pl.Targets = []SpotTarget{}
	return pl, nil
}

// spotLoad reads a plan with its seed (for the service's own use) and, when withPopulation,
// its population (which may be large: only the draw, the verification and its own answer
// need it).
func spotLoad(ctx context.Context, q db.Queryer, id int64, withPopulation bool) (*spotRow, error) {
	var pop string
	row := &spotRow{}
	popCol := `'[]'`
	if withPopulation {
		popCol = `p.population_json`
	}
	pl, err := scanSpotPlan(q.QueryRowContext(ctx, `SELECT `+spotCols+`, p.seed, `+popCol+spotFrom+` WHERE p.id = ?`, id),
		&row.seed, &pop)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Missing("id", "抽查计划不存在")
	}
	if err != nil {
		return nil, err
	}
	row.SpotPlan = pl
	if err := json.Unmarshal([]byte(pop), &row.population); err != nil {
		return nil, err
	}
	if row.population == nil {
		row.population = []int64{}
	}
	return row, nil
}

// answer is the plan as the API shows it: the seed once drawn, and the targets.
func (pl *spotRow) answer(ctx context.Context, q db.Queryer, withTargets bool) (SpotPlan, error) {
	out := pl.SpotPlan
	if out.Status != SpotCommitted {
		seed := pl.seed
		out.Seed = &seed
	}
	if withTargets && out.Status != SpotCommitted {
		ts, err := spotTargets(ctx, q, out.ID)
		if err != nil {
			return out, err
		}
		out.Targets = ts
	}
	return out, nil
}

// spotList reads a page of plans under region within the principal's scope, newest first.
func spotList(ctx context.Context, q db.Queryer, p *auth.Principal, region string, after int64, limit int) ([]SpotPlan, error) {
	lo, hi := regioncode.Range(region)
	cond, args := p.ScopeCond("p.region_code")
	args = append([]any{lo, hi}, args...)
	qs := `SELECT ` + spotCols + spotFrom + ` WHERE p.region_code BETWEEN ? AND ? AND ` + cond
	if after > 0 {
		qs += ` AND p.id < ?`
		args = append(args, after)
	}
	qs += ` ORDER BY p.id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SpotPlan{}
	for rows.Next() {
		pl, err := scanSpotPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, rows.Err()
}

const spotTargetCols = `pos, target_id, label, region_code, inspectors_json, result, finding, recorded_by, recorded_at`

func scanSpotTarget(sc spotScanner) (SpotTarget, error) {
	var t SpotTarget
	var ins string
	var by sql.NullInt64
	var at sql.NullString
	if err := sc.Scan(&t.Pos, &t.TargetID, &t.Label, &t.RegionCode, &ins, &t.Result, &t.Finding, &by, &at); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(ins), &t.Inspectors); err != nil {
		return t, err
	}
	if t.Inspectors == nil {
		t.Inspectors = []SpotPerson{}
	}
	if by.Valid {
		t.RecordedBy = &by.Int64
	}
	t.RecordedAt = db.TimePtr(at)
	return t, nil
}

func spotTargets(ctx context.Context, q db.Queryer, plan int64) ([]SpotTarget, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+spotTargetCols+` FROM spot_targets WHERE plan_id = ? ORDER BY pos`, plan)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SpotTarget{}
	for rows.Next() {
		t, err := scanSpotTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func spotTarget(ctx context.Context, q db.Queryer, plan int64, pos int) (SpotTarget, error) {
	t, err := scanSpotTarget(q.QueryRowContext(ctx, `SELECT `+spotTargetCols+` FROM spot_targets WHERE plan_id = ? AND pos = ?`, plan, pos))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.Missing("pos", "抽查对象不存在")
	}
	return t, err
}

// spotCandidates are the active users of a role holding spot.write or alert.read whose scope
// covers region (one of its ancestors or itself), sorted by id; only the given ids when ids is
// not nil.
func spotCandidates(ctx context.Context, q db.Queryer, region string, ids []int64) ([]SpotInspector, error) {
	var scopes []any
	for c := region; c != ""; c = regioncode.Parent(c) {
		scopes = append(scopes, c)
	}
	roles := spotRoles()
	args := append([]any{}, scopes...)
	for _, r := range roles {
		args = append(args, r)
	}
	qs := `SELECT id, display_name, role, scope_code FROM users WHERE disabled = 0
		AND scope_code IN (` + spotPlaceholders(len(scopes)) + `) AND role IN (` + spotPlaceholders(len(roles)) + `)`
	if ids != nil {
		qs += ` AND id IN (` + spotPlaceholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := q.QueryContext(ctx, qs+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SpotInspector{}
	for rows.Next() {
		var c SpotInspector
		if err := rows.Scan(&c.UserID, &c.Name, &c.Role, &c.ScopeCode); err != nil {
			return nil, err
		}
		c.RoleLabel = auth.RoleLabels[c.Role]
		out = append(out, c)
	}
	return out, rows.Err()
}

func spotPlaceholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// spotCheckFilterRefs checks that a payment filter's fund and item exist (and belong together).
func spotCheckFilterRefs(ctx context.Context, q db.Queryer, in SpotPlanInput) error {
	if in.TargetKind != SpotPayment {
		return nil
	}
	f := in.Filter
	if f.FundID != 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM funds WHERE id = ?`, f.FundID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Missing("filter.fund_id", "资金不存在")
		}
	}
	if f.ItemID != 0 {
		var fund int64
		err := q.QueryRowContext(ctx, `SELECT fund_id FROM fund_items WHERE id = ?`, f.ItemID).Scan(&fund)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Missing("filter.item_id", "资金项目不存在")
		}
		if err != nil {
			return err
		}
		if f.FundID != 0 && fund != f.FundID {
			return errs.Field("filter.item_id", "该项目不属于所选资金")
		}
	}
	return nil
}

// spotPopulation is the sorted ids of the targets the filter matches in region: households,
// payments (kind payment, not reversed) booked to an account in region, or projects of the
// region (any status; by kind, current stage and year).
func spotPopulation(ctx context.Context, q db.Queryer, region, kind string, f SpotFilter) ([]int64, error) {
	lo, hi := regioncode.Range(region)
	args := []any{lo, hi}
	var qs string
	switch kind {
	case SpotHousehold:
		qs = `SELECT id FROM households WHERE region_code BETWEEN ? AND ?`
		if f.Status != "" {
			qs += ` AND status = ?`
			args = append(args, f.Status)
		}
		if f.HouseholdType != "" {
			qs += ` AND household_type = ?`
			args = append(args, f.HouseholdType)
		}
	case SpotPayment:
		qs = `SELECT t.id FROM ledger_transfers t WHERE t.region_code BETWEEN ? AND ? AND t.kind = 'payment'
			AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id)`
		if f.FundID != 0 {
			qs += ` AND t.fund_id = ?`
			args = append(args, f.FundID)
		}
		if f.ItemID != 0 {
			qs += ` AND t.item_id = ?`
			args = append(args, f.ItemID)
		}
		if f.Period != "" {
			qs += ` AND t.period = ?`
			args = append(args, f.Period)
		}
		if f.From != "" {
			qs += ` AND t.on_date >= ?`
			args = append(args, f.From)
		}
		if f.To != "" {
			qs += ` AND t.on_date <= ?`
			args = append(args, f.To)
		}
	case SpotProject:
		qs = `SELECT id FROM projects WHERE region_code BETWEEN ? AND ?`
		if f.Kind != "" {
			qs += ` AND kind = ?`
			args = append(args, f.Kind)
		}
		if f.Stage != nil {
			qs += ` AND stage = ?`
			args = append(args, *f.Stage)
		}
		if f.Year != 0 {
			qs += ` AND year = ?`
			args = append(args, f.Year)
		}
	default:
		return nil, errs.Field("target_kind", "应为 household、payment 或 project")
	}
	rows, err := q.QueryContext(ctx, qs+` ORDER BY 1 LIMIT ?`, append(args, spotMaxPopulation+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) > spotMaxPopulation {
		return nil, errs.Field("filter", "符合条件的对象超过 50 万个,请缩小区划或筛选范围")
	}
	return ids, nil
}

type spotLabel struct{ label, region string }

// spotLabels names the drawn targets without showing a full name: household_no and the head's
// masked name; fund code, item, period and the payee's masked name; or a project's code and
// name (a project's name is public once approved, and names no person).
func spotLabels(ctx context.Context, q db.Queryer, kind string, ids []int64) (map[int64]spotLabel, error) {
	out := make(map[int64]spotLabel, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		var qs string
		switch kind {
		case SpotHousehold:
			qs = `SELECT id, household_no, head_name, '', '', region_code FROM households WHERE id IN (` + spotPlaceholders(len(chunk)) + `)`
		case SpotProject:
			qs = `SELECT id, code, name, '', '', region_code FROM projects WHERE id IN (` + spotPlaceholders(len(chunk)) + `)`
		default:
			qs = `SELECT t.id, f.code, COALESCE(i.name, ''), t.period, COALESCE(NULLIF(a.name, ''), t.account_holder), t.region_code
				FROM ledger_transfers t JOIN funds f ON f.id = t.fund_id LEFT JOIN fund_items i ON i.id = t.item_id
				JOIN ledger_accounts a ON a.id = t.to_account WHERE t.id IN (` + spotPlaceholders(len(chunk)) + `)`
		}
		rows, err := q.QueryContext(ctx, qs, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var a, b, c, d, region string
			if err := rows.Scan(&id, &a, &b, &c, &d, &region); err != nil {
				rows.Close()
				return nil, err
			}
			var label string
			switch kind {
			case SpotHousehold:
				label = a + " " + mask.Name(b)
			case SpotProject:
				label = a + " " + b
			default:
				parts := []string{a}
				for _, x := range []string{b, c, mask.Name(strings.TrimSuffix(d, "一折通"))} {
					if x != "" {
						parts = append(parts, x)
					}
				}
				label = strings.Join(parts, " ")
			}
			out[id] = spotLabel{label: label, region: region}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
