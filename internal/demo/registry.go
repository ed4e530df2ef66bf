package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/region"
	"sunshine/internal/registry"
)

// incomeParts splits a per-capita income into wage, production, property and transfer parts.
func incomeParts(r *rand.Rand, total int64) []any {
	wage := total * int64(30+r.IntN(40)) / 100
	prod := (total - wage) * int64(30+r.IntN(50)) / 100
	prop := (total - wage - prod) * int64(r.IntN(30)) / 100
	return []any{wage, prod, prop, total - wage - prod - prop}
}

// guarantees draws 两不愁三保障 + water, with a few gaps for the checks to find.
func guarantees(r *rand.Rand) []any {
	out := make([]any, 5)
	for i := range out {
		out[i] = registry.GuaranteeOK
		if r.IntN(60) == 0 {
			out[i] = registry.GuaranteeGap
		}
	}
	if r.IntN(3) == 0 {
		out[1] = registry.GuaranteeNA // no child of school age
	}
	return out
}

var helperColumns = []string{"id", "id_number", "name", "phone", "employer", "position", "party_member", "region_code", "active", "created_at", "updated_at"}
var assignColumns = []string{"household_id", "helper_id", "region_code", "from_date", "created_at", "updated_at"}

var employers = []string{"县农业农村局", "县财政局", "县民政局", "县人社局", "县教育局", "镇人民政府", "县供电公司", "县农商行"}
var positions = []string{"科员", "副科长", "科长", "主任科员", "副主任", "干事"}

// loadRegistry adds what the registry works with beyond the records: the procedure chains,
// income lines, helpers with their households, and procedures under way at every step.
func loadRegistry(ctx context.Context, tx *db.Tx, r *rand.Rand, villages []region.Region) error {
	now := db.Time(tx.Now)
	for _, d := range registry.DefaultDefinitions() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO procedure_defs (kind, version, steps_json, created_by, created_at) VALUES (?, 1, ?, 0, ?)`,
			d.Kind, registry.StepsJSON(d.Steps), now); err != nil {
			return err
		}
	}
	for _, l := range [][2]int64{{2025, 600000}, {2026, 620000}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO income_lines (year, region_code, line_fen, created_at, updated_at) VALUES (?, '320900000000', ?, ?, ?)`,
			l[0], l[1], now, now); err != nil {
			return err
		}
	}
	if err := helpersAndAssignments(ctx, tx, r, villages); err != nil {
		return err
	}
	if err := teamsAndSecretaries(ctx, tx, r, villages); err != nil {
		return err
	}
	return proceduresUnderWay(ctx, tx, r)
}

// helpersAndAssignments gives each town helpers with up to eight households each; one in
// fifty registered households is left without a helper, as in real data before a check.
func helpersAndAssignments(ctx context.Context, tx *db.Tx, r *rand.Rand, villages []region.Region) error {
	now := db.Time(tx.Now)
	byTown := map[string][]int64{}
	village := map[int64]string{} // an assignment is filed under its household's village, as duty files it
	var towns []string
	rows, err := tx.QueryContext(ctx, `SELECT id, region_code FROM households WHERE status IN ('registered', 'exited') ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return err
		}
		t := code[:9] + "000"
		if _, ok := byTown[t]; !ok {
			towns = append(towns, t)
		}
		byTown[t] = append(byTown[t], id)
		village[id] = code
	}
	rows.Close()
	var helpers, assigns [][]any
	helperID := int64(0)
	used := map[string]bool{}
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, t := range towns {
		var cur int64
		load := 0
		for _, hid := range byTown[t] {
			if r.IntN(50) == 0 {
				continue
			}
			if cur == 0 || load >= 3+r.IntN(6) {
				helperID++
				cur, load = helperID, 0
				var num string
				for {
					birth := ref.AddDate(-25-r.IntN(30), -r.IntN(12), -r.IntN(28))
					num = idcard.Make(t[:6], birth, r.IntN(500), idcard.Sex(r.IntN(2)))
					if !used[num] {
						used[num] = true
						break
					}
				}
				helpers = append(helpers, []any{helperID, num,
					personName(r), fmt.Sprintf("13%d%08d", 5+r.IntN(5), r.IntN(1e8)), employers[r.IntN(len(employers))],
					positions[r.IntN(len(positions))], r.IntN(2), t, 1, now, now})
			}
			load++
			from := ref.AddDate(-r.IntN(3), -r.IntN(12), 0).Format(db.DateLayout)
			assigns = append(assigns, []any{hid, cur, village[hid], from, now, now})
		}
	}
	if err := db.BulkInsert(ctx, tx, "helpers", helperColumns, helpers); err != nil {
		return err
	}
	if tx.Dialect() == db.Postgres && helperID > 0 {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('helpers', 'id'), ?)`, helperID); err != nil {
			return err
		}
	}
	if err := db.BulkInsert(ctx, tx, "assignments", assignColumns, assigns); err != nil {
		return err
	}
	// Each town's helper user (helper_<town>) signs in to the field app as the town's first
	// helper, so the demo phone has households to visit.
	_, err = tx.ExecContext(ctx, `UPDATE helpers SET user_id = (SELECT u.id FROM users u WHERE u.username = 'helper_' || substr(helpers.region_code, 1, 9))
		WHERE id IN (SELECT MIN(id) FROM helpers GROUP BY region_code)`)
	return err
}

// proceduresUnderWay opens a registration for every applying household, stopped at a random
// step with the earlier steps signed by the right users, and exits for a few registered
// households above the income line; so every inbox has work in it.
func proceduresUnderWay(ctx context.Context, tx *db.Tx, r *rand.Rand) error {
	users := map[string][2]any{}
	rows, err := tx.QueryContext(ctx, `SELECT id, username, display_name FROM users`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var u, n string
		if err := rows.Scan(&id, &u, &n); err != nil {
			rows.Close()
			return err
		}
		users[u] = [2]any{id, n}
	}
	rows.Close()
	type hh struct {
		id     int64
		code   string
		status string
	}
	var list []hh
	rows, err = tx.QueryContext(ctx, `SELECT id, region_code, status FROM households
		WHERE status = 'applying' OR (status = 'registered' AND income_per_capita_fen > 600000) ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var h hh
		if err := rows.Scan(&h.id, &h.code, &h.status); err != nil {
			rows.Close()
			return err
		}
		list = append(list, h)
	}
	rows.Close()
	defs := map[registry.ProcKind]registry.Definition{}
	for _, d := range registry.DefaultDefinitions() {
		defs[d.Kind] = d
	}
	var procs, sigs, notices [][]any
	for _, h := range list {
		kind := registry.ProcRegistration
		if h.status == "registered" {
			if r.IntN(4) != 0 {
				continue // the rest wait for the yearly adjustment to propose them
			}
			kind = registry.ProcExit
		}
		d := defs[kind]
		step := r.IntN(len(d.Steps))
		started := tx.Now.Add(-time.Duration(30+r.IntN(30)) * 24 * time.Hour)
		st := d.Steps[step]
		pid := int64(len(procs) + 1)
		at := started
		for i := 0; i < step; i++ {
			s := d.Steps[i]
			u := signer(users, s, h.code)
			if s.PublicityDays > 0 {
				ends := at.Add(time.Duration(s.PublicityDays) * 24 * time.Hour)
				notices = append(notices, []any{pid, i, h.code, "公示", "公示期内无异议。", db.Time(at), db.Time(ends), u[0], db.Time(at)})
				at = ends
			}
			at = at.Add(time.Duration(1+r.IntN(48)) * time.Hour)
			sigs = append(sigs, []any{pid, i, s.Key, "approve", "情况属实,同意", u[0], u[1], s.Role, db.Time(at)})
		}
		procs = append(procs, []any{pid, h.id, h.code, kind, 1, "open", step, st.Role, st.Level, reasonOf(kind), users["admin"][0],
			db.Time(started), db.Time(at)})
	}
	if err := db.BulkInsert(ctx, tx, "procedures", []string{"id", "household_id", "region_code", "kind", "def_version", "status", "step",
		"step_role", "step_level", "reason", "started_by", "started_at", "updated_at"}, procs); err != nil {
		return err
	}
	if tx.Dialect() == db.Postgres && len(procs) > 0 {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('procedures', 'id'), ?)`, len(procs)); err != nil {
			return err
		}
	}
	if err := db.BulkInsert(ctx, tx, "publicity_notices", []string{"procedure_id", "step", "region_code", "title", "body", "starts_at",
		"ends_at", "created_by", "created_at"}, notices); err != nil {
		return err
	}
	return db.BulkInsert(ctx, tx, "procedure_signatures", []string{"procedure_id", "step", "step_key", "decision", "opinion", "user_id",
		"user_name", "role", "at"}, sigs)
}

func reasonOf(k registry.ProcKind) string {
	if k == registry.ProcExit {
		return "动态调整:人均纯收入高于收入线,拟脱贫退出"
	}
	return "农户申请纳入"
}

// signer is the demo user who signs step s for a household in village code.
func signer(users map[string][2]any, s registry.Step, code string) [2]any {
	name := string(s.Role) + "_"
	switch s.Level {
	case "village":
		name += code
	case "county":
		name += code[:6]
	default:
		name += code[:9]
	}
	if u, ok := users[name]; ok {
		return u
	}
	return users["admin"]
}

var units = []string{"市发改委", "市财政局", "市农业农村局", "县委组织部", "县人民医院", "市供电公司", "县农商行", "市教育局"}

// teamsAndSecretaries stations a work team or a first secretary in most weak and 软弱涣散
// villages; about one in five is left uncovered for the coverage check to find.
func teamsAndSecretaries(ctx context.Context, tx *db.Tx, r *rand.Rand, villages []region.Region) error {
	now := db.Time(tx.Now)
	var teams, secs [][]any
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range villages {
		if v.WeakLevel == "" && !v.WeakLax || r.IntN(5) == 0 {
			continue
		}
		unit := units[r.IntN(len(units))]
		from := ref.AddDate(-r.IntN(2), -r.IntN(12), 0).Format(db.DateLayout)
		if r.IntN(2) == 0 {
			members := fmt.Sprintf(`[{"name":%q,"phone":"","employer":%q,"position":"队员"},{"name":%q,"phone":"","employer":%q,"position":"队员"}]`,
				personName(r), unit, personName(r), unit)
			teams = append(teams, []any{v.Code, unit + "驻" + v.Name + "工作队", unit, personName(r), fmt.Sprintf("13%d%08d", 5+r.IntN(5), r.IntN(1e8)), members, from, now, now})
			continue
		}
		birth := ref.AddDate(-30-r.IntN(20), -r.IntN(12), -r.IntN(28))
		secs = append(secs, []any{v.Code, personName(r), idcard.Make("320902", birth, r.IntN(500), idcard.Sex(r.IntN(2))),
			fmt.Sprintf("13%d%08d", 5+r.IntN(5), r.IntN(1e8)), unit, "副科长", from, ref.AddDate(2, 0, 0).Format(db.DateLayout), now, now})
	}
	// The leaders who carry the main responsibility: the party secretary of each county and town.
	var leaders [][]any
	seen := map[string]bool{}
	for _, v := range villages {
		for _, code := range []string{v.Code[:6] + "000000", v.Code[:9] + "000"} {
			if !seen[code] {
				seen[code] = true
				pos := "镇党委书记"
				if code[6:9] == "000" {
					pos = "县委书记"
				}
				leaders = append(leaders, []any{code, personName(r), pos, fmt.Sprintf("13%d%08d", 5+r.IntN(5), r.IntN(1e8)),
					ref.AddDate(-1-r.IntN(3), 0, 0).Format(db.DateLayout), now, now})
			}
		}
	}
	if err := db.BulkInsert(ctx, tx, "responsible_leaders", []string{"region_code", "name", "position", "phone", "from_date",
		"created_at", "updated_at"}, leaders); err != nil {
		return err
	}
	if err := db.BulkInsert(ctx, tx, "work_teams", []string{"region_code", "name", "dispatching_unit", "leader_name", "leader_phone",
		"members_json", "from_date", "created_at", "updated_at"}, teams); err != nil {
		return err
	}
	return db.BulkInsert(ctx, tx, "first_secretaries", []string{"region_code", "name", "id_number", "phone", "dispatching_unit",
		"position", "term_from", "term_to", "created_at", "updated_at"}, secs)
}
