package oversight

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
	"sunshine/internal/visits"
)

// findings runs one evaluator with the default rules (edited by tweak) over the county and
// answers the findings by key.
func (f *fixture) findings(ev evaluator, facts *personFacts, tweak func(map[string]*Rule)) map[string]Finding {
	f.t.Helper()
	lo, hi := regioncode.Range(countyCode)
	rules := enabledRules(DefaultRules().Rules)
	if tweak != nil {
		tweak(rules)
	}
	in := &evalInput{At: f.Now, Lo: lo, Hi: hi, Rules: rules, Q: f.DB.Reader(), Dir: f.S.Dir, Facts: facts}
	out := map[string]Finding{}
	if err := ev(context.Background(), in, func(x Finding) {
		if _, dup := out[x.Key]; dup {
			f.t.Errorf("key %s emitted twice", x.Key)
		}
		if !regioncode.Within(x.RegionCode, countyCode) {
			f.t.Errorf("finding %s outside the range: %s", x.Key, x.RegionCode)
		}
		if !json.Valid(x.Evidence) || x.Explanation == "" || x.RuleKey == "" {
			f.t.Errorf("finding %s incomplete: %+v", x.Key, x)
		}
		out[x.Key] = x
	}); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func want(t *testing.T, got map[string]Finding, fire []string, quiet []string) {
	t.Helper()
	for _, k := range fire {
		if _, ok := got[k]; !ok {
			t.Errorf("planted case %s did not fire", k)
		}
	}
	for _, k := range quiet {
		if x, ok := got[k]; ok {
			t.Errorf("near miss %s fired: %s", k, x.Explanation)
		}
	}
}

// helperID is some helper of the county (demo data).
func (f *fixture) helperID() int64 {
	return f.count(`SELECT MIN(id) FROM helpers WHERE region_code LIKE '320921%'`)
}

func (f *fixture) assign(hh int64, from string, to any) {
	f.exec(`INSERT INTO assignments (household_id, helper_id, region_code, from_date, to_date, created_at, updated_at)
		SELECT id, ?, region_code, ?, ?, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM households WHERE id = ?`,
		f.helperID(), from, to, hh)
}

// visit records a visit of the household at the instant (UTC stored form) and returns its id.
func (f *fixture) visit(hh int64, at string) int64 {
	f.t.Helper()
	n := f.Seq.Add(1)
	q := visits.QuarterOf(db.ParseTime(at))
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		id, err = tx.InsertID(f.Ctx, `INSERT INTO visits (client_id, household_id, helper_id, user_id, region_code, quarter, visited_at,
			recorded_at, received_at, g_food, g_education, g_medical, g_housing, g_water, content_hash, created_at, updated_at)
			SELECT ?, h.id, ?, (SELECT MIN(id) FROM users), h.region_code, ?, ?, ?, ?, 'ok', 'ok', 'ok', 'ok', 'ok', 'x', ?, ?
			FROM households h WHERE h.id = ? RETURNING id`,
			fmt.Sprintf("test-%d", n), f.helperID(), q, at, at, at, at, at, hh)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestGoldenDeceasedListed(t *testing.T) {
	f := newFixture(t)
	reg := f.Household(villageA, "registered")
	dead := f.Member(reg, f.IDNumber(1), "王死者")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id = ?`, dead)
	inactive := f.Member(reg, f.IDNumber(2), "李注销")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01', active = 0 WHERE id = ?`, inactive)
	alive := f.Member(reg, f.IDNumber(3), "赵健在")
	exited := f.Household(villageB, "exited")
	deadExited := f.Member(exited, f.IDNumber(4), "钱脱贫")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id = ?`, deadExited)
	// The death dataset knows one more death, and one dated after today (a data error).
	byData := f.Member(reg, f.IDNumber(5), "孙数据")
	future := f.Member(reg, f.IDNumber(6), "周未来")
	other := f.Household(villageOth, "registered")
	otherDead := f.Member(other, f.IDNumber(7), "吴外县")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id = ?`, otherDead)
	key := func(n int) uint64 { k, _ := idcard.Pack(f.IDNumber(n)); return k }
	facts := &personFacts{deaths: map[uint64]deathFact{key(5): {Day: 20260601}, key(6): {Day: 20260801}}}

	k := func(id int64) string { return fmt.Sprintf("deceased_listed:member=%d", id) }
	got := f.findings(evalRegistry, facts, nil)
	want(t, got, []string{k(dead), k(byData)}, []string{k(inactive), k(alive), k(deadExited), k(future), k(otherDead)})
	x := got[k(dead)]
	if x.HouseholdID != reg || x.EntityType != "member" || x.RegionCode != villageA || !strings.Contains(x.Explanation, "王死者") ||
		!strings.Contains(x.Explanation, "2026-05-01") || strings.Contains(x.Explanation, f.IDNumber(1)) ||
		!strings.Contains(x.Explanation, idcard.Mask(f.IDNumber(1))) || strings.Contains(string(x.Evidence), f.IDNumber(1)) {
		t.Errorf("explanation/evidence: %s %s", x.Explanation, x.Evidence)
	}
	if !strings.Contains(string(got[k(byData)].Evidence), `"source":"death_dataset"`) || !strings.Contains(got[k(byData)].Explanation, "2026-06-01") {
		t.Errorf("dataset death: %s %s", got[k(byData)].Explanation, got[k(byData)].Evidence)
	}
	// Without the facts only the registry's own death fires.
	got = f.findings(evalRegistry, nil, nil)
	want(t, got, []string{k(dead)}, []string{k(byData)})
	// Off: nothing.
	got = f.findings(evalRegistry, facts, func(r map[string]*Rule) { delete(r, CheckDeceasedListed) })
	want(t, got, nil, []string{k(dead), k(byData)})
}

func TestGoldenNoHelper(t *testing.T) {
	f := newFixture(t)
	never := f.Household(villageA, "registered")
	endedYesterday := f.Household(villageA, "registered")
	f.assign(endedYesterday, "2025-02-01", "2026-07-14")
	assigned := f.Household(villageB, "registered")
	f.assign(assigned, "2025-02-01", "2026-03-01")
	f.assign(assigned, "2026-03-01", nil)
	fresh := f.Household(villageB, "registered")
	f.exec(`UPDATE households SET registered_on = '2026-06-15' WHERE id = ?`, fresh) // exactly 30 days: within grace
	older := f.Household(villageB, "registered")
	f.exec(`UPDATE households SET registered_on = '2026-06-14' WHERE id = ?`, older) // 31 days
	exited := f.Household(villageA, "exited")
	other := f.Household(villageOth, "registered")

	k := func(id int64) string { return fmt.Sprintf("no_helper:hh=%d", id) }
	got := f.findings(evalRegistry, nil, nil)
	want(t, got, []string{k(never), k(endedYesterday), k(older)}, []string{k(assigned), k(fresh), k(exited), k(other)})
	if e := string(got[k(endedYesterday)].Evidence); !strings.Contains(e, `"last_helper_to":"2026-07-14"`) {
		t.Errorf("evidence %s", e)
	}
	if x := got[k(endedYesterday)].Explanation; !strings.Contains(x, "2026-07-14") || !strings.Contains(x, "30 天") {
		t.Errorf("explanation %s", x)
	}
	// A longer grace lets the 31-day household through.
	got = f.findings(evalRegistry, nil, func(r map[string]*Rule) { r[CheckNoHelper].Params.GraceDays = 31 })
	want(t, got, []string{k(never)}, []string{k(older)})
}

func TestGoldenWeakVillage(t *testing.T) {
	f := newFixture(t)
	town := "320921100000"
	for _, c := range []string{"320921100203", "320921100204", "320921100205", "320921100206"} {
		f.exec(`INSERT INTO regions (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, 'village', ?, 'x', 'x')`, c, "测试村"+c[9:], town)
	}
	f.exec(`UPDATE regions SET weak_level = '', weak_lax = 0 WHERE level = 'village'`)
	f.exec(`DELETE FROM work_teams`)
	f.exec(`DELETE FROM first_secretaries`)
	team := func(v, from string, to any) {
		f.exec(`INSERT INTO work_teams (region_code, name, dispatching_unit, leader_name, from_date, to_date, created_at, updated_at)
			VALUES (?, '工作队', '市财政局', '张队长', ?, ?, 'x', 'x')`, v, from, to)
	}
	secretary := func(v, from, to string) {
		f.exec(`INSERT INTO first_secretaries (region_code, name, id_number, dispatching_unit, term_from, term_to, created_at, updated_at)
			VALUES (?, '李书记', ?, '市委组织部', ?, ?, 'x', 'x')`, v, f.IDNumber(int(f.Seq.Add(1))), from, to)
	}
	// A: weak, secretary's term ended yesterday, team gone since June → fires.
	f.exec(`UPDATE regions SET weak_level = 'city' WHERE code = ?`, villageA)
	secretary(villageA, "2024-07-15", "2026-07-14")
	team(villageA, "2024-01-01", "2026-06-30")
	// B: 软弱涣散 with a secretary whose term ends today → quiet.
	f.exec(`UPDATE regions SET weak_lax = 1 WHERE code = ?`, villageB)
	secretary(villageB, "2024-07-15", "2026-07-15")
	// 203: weak, a team in office (open) → quiet.
	f.exec(`UPDATE regions SET weak_level = 'county' WHERE code = '320921100203'`)
	team("320921100203", "2026-01-01", nil)
	// 204: weak, the team arrives tomorrow → fires.
	f.exec(`UPDATE regions SET weak_level = 'province_60' WHERE code = '320921100204'`)
	team("320921100204", "2026-07-16", nil)
	// 205: not weak, nothing → quiet. 206: weak, nothing ever → fires.
	f.exec(`UPDATE regions SET weak_level = 'province_200', weak_lax = 1 WHERE code = '320921100206'`)
	// Another county's weak village: outside the range.
	f.exec(`UPDATE regions SET weak_level = 'city' WHERE code = ?`, villageOth)

	k := func(c string) string { return "weak_village_no_team:village=" + c }
	got := f.findings(evalRegistry, nil, nil)
	want(t, got, []string{k(villageA), k("320921100204"), k("320921100206")},
		[]string{k(villageB), k("320921100203"), k("320921100205"), k(villageOth)})
	x := got[k(villageA)]
	if x.EntityType != "village" || x.RegionCode != villageA || !strings.Contains(x.Explanation, "2026-07-14") ||
		!strings.Contains(x.Explanation, "市定经济薄弱村") || !strings.Contains(string(x.Evidence), `"last_team_to":"2026-06-30"`) {
		t.Errorf("%s %s", x.Explanation, x.Evidence)
	}
	if x := got[k("320921100204")]; !strings.Contains(x.Explanation, "帮扶工作队尚未到任") || strings.Contains(string(x.Evidence), "9999") {
		t.Errorf("%s %s", x.Explanation, x.Evidence)
	}
	if x := got[k("320921100206")]; !strings.Contains(x.Explanation, "软弱涣散村") || !strings.Contains(x.Explanation, "未选派第一书记") {
		t.Errorf("%s", x.Explanation)
	}
}

func TestGoldenQuarterNoVisit(t *testing.T) {
	f := newFixture(t)
	if q := lastCompleteQuarter(f.Now, 10); q != "2026Q2" {
		t.Fatalf("last complete quarter %s", q)
	}
	// Within the grace after the quarter's end, the quarter before is the last complete one.
	if q := lastCompleteQuarter(f.Now, 20); q != "2026Q1" {
		t.Fatalf("with 20 days grace: %s", q)
	}
	never := f.Household(villageA, "registered")
	lastDay := f.Household(villageA, "registered")
	f.visit(lastDay, "2026-06-30T15:30:00.000000Z") // 23:30 on 30 June in Shanghai: Q2
	nextDay := f.Household(villageB, "registered")
	f.visit(nextDay, "2026-06-30T16:10:00.000000Z") // 00:10 on 1 July in Shanghai: Q3
	f.visit(nextDay, "2026-03-31T15:00:00.000000Z") // 23:00 on 31 March: Q1
	newcomer := f.Household(villageB, "registered")
	f.exec(`UPDATE households SET registered_on = '2026-04-01' WHERE id = ?`, newcomer)
	exitedPolicy := f.Household(villageA, "exited")
	f.exec(`UPDATE households SET policy_until = '2026-12-31' WHERE id = ?`, exitedPolicy)
	exitedOver := f.Household(villageA, "exited")
	f.exec(`UPDATE households SET policy_until = '2026-03-31' WHERE id = ?`, exitedOver)
	applying := f.Household(villageA, "applying")

	k := func(id int64) string { return fmt.Sprintf("quarter_no_visit:hh=%d:q=2026Q2", id) }
	got := f.findings(evalRegistry, nil, nil)
	want(t, got, []string{k(never), k(nextDay), k(exitedPolicy)}, []string{k(lastDay), k(newcomer), k(exitedOver), k(applying)})
	x := got[k(nextDay)]
	if !strings.Contains(x.Explanation, "2026Q2") || !strings.Contains(x.Explanation, "2026-07-01") {
		t.Errorf("explanation %s", x.Explanation)
	}
	if !strings.Contains(got[k(never)].Explanation, "从未走访") {
		t.Errorf("explanation %s", got[k(never)].Explanation)
	}
}

func TestGoldenVisitSignals(t *testing.T) {
	f := newFixture(t)
	f.exec(`DELETE FROM visit_signals`)
	hh := f.Household(villageA, "registered")
	v1 := f.visit(hh, "2026-06-01T02:00:00.000000Z")
	v2 := f.visit(hh, "2026-06-02T02:00:00.000000Z")
	v3 := f.visit(f.Household(villageB, "registered"), "2026-06-02T03:00:00.000000Z")
	v4 := f.visit(f.Household(villageB, "registered"), "2026-06-02T04:00:00.000000Z")
	vo := f.visit(f.Household(villageOth, "registered"), "2026-06-02T04:00:00.000000Z")
	sig := func(v int64, kind string, other any, value float64, detail string) {
		f.exec(`INSERT INTO visit_signals (visit_id, kind, region_code, other_visit_id, value, detail, created_at)
			SELECT id, ?, region_code, ?, ?, ?, 'x' FROM visits WHERE id = ?`, kind, other, value, detail, v)
	}
	sig(v1, visits.SignalFarFromHome, nil, 2300, "定位距住址 2.3 公里")
	sig(v2, visits.SignalSamePhoto, v3, 0, "照片与另一次走访相同")
	sig(v2, visits.SignalSamePhoto, v4, 2, "照片与另一次走访近似")
	sig(v3, visits.SignalLateRecord, nil, 80, "走访后 80.0 小时才记录")
	sig(v4, visits.SignalImpossibleTravel, v3, 400, "两次走访间需时速 400 公里")
	sig(vo, visits.SignalFarFromHome, nil, 5000, "外县")

	got := f.findings(evalVisits, nil, nil)
	want(t, got, []string{
		fmt.Sprintf("visit_far_from_home:visit=%d", v1), fmt.Sprintf("visit_same_photo:visit=%d", v2),
		fmt.Sprintf("visit_late_record:visit=%d", v3), fmt.Sprintf("visit_impossible_travel:visit=%d", v4),
	}, []string{fmt.Sprintf("visit_far_from_home:visit=%d", vo), fmt.Sprintf("visit_same_photo:visit=%d", v3),
		fmt.Sprintf("visit_same_photo:visit=%d", v1)})
	if len(got) != 4 {
		t.Errorf("%d findings, want 4: %v", len(got), got)
	}
	sp := got[fmt.Sprintf("visit_same_photo:visit=%d", v2)]
	var e visitEvidence
	if err := json.Unmarshal(sp.Evidence, &e); err != nil || len(e.Signals) != 2 || e.Signals[0].OtherVisitID != v3 || e.Signals[1].OtherVisitID != v4 {
		t.Errorf("same photo evidence %s (%v)", sp.Evidence, err)
	}
	if !strings.Contains(sp.Explanation, "照片与另一次走访相同") || !strings.Contains(sp.Explanation, "照片与另一次走访近似") || sp.HouseholdID != hh {
		t.Errorf("explanation %s", sp.Explanation)
	}
	// A check turned off emits nothing of its kind.
	got = f.findings(evalVisits, nil, func(r map[string]*Rule) { delete(r, CheckVisitLateRecord) })
	want(t, got, nil, []string{fmt.Sprintf("visit_late_record:visit=%d", v3)})
}

func TestGoldenDoubtOverdue(t *testing.T) {
	f := newFixture(t)
	f.exec(`DELETE FROM doubts`)
	f.exec(`INSERT INTO crosscheck_runs (id, region_code, status, ruleset_id, ruleset_version, datasets_json, include_unauthorised,
		started_by, started_by_name, started_at) VALUES (9001, ?, 'done', 0, 0, '[]', 0, 1, 'x', 'x')`, countyCode)
	doubt := func(hh int64, status string, deadline any) int64 {
		var id int64
		err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
			id, err = tx.InsertID(f.Ctx, `INSERT INTO doubts (run_id, last_run_id, household_id, region_code, rule_key, rule_label,
				explanation, evidence_json, evidence_hash, status, dispatched_at, deadline, created_at, updated_at)
				SELECT 9001, 9001, id, region_code, 'vehicle', '名下有机动车', '成员名下有车', '{}', 'h', ?, '2026-06-01T00:00:00.000000Z', ?, 'x', 'x'
				FROM households WHERE id = ? RETURNING id`, status, deadline, hh)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	hA, hB := f.Household(villageA, "registered"), f.Household(villageB, "registered")
	late := doubt(hA, "dispatched", "2026-07-09")  // 9 July + 5 days grace < 15 July
	edge := doubt(hA, "dispatched", "2026-07-10")  // 10 July + 5 = today: not yet
	today := doubt(hB, "dispatched", "2026-07-15") // deadline today
	done := doubt(hB, "confirmed", "2026-06-01")   // verified
	other := doubt(f.Household(villageOth, "registered"), "dispatched", "2026-06-01")

	k := func(id int64) string { return fmt.Sprintf("doubt_overdue:doubt=%d", id) }
	got := f.findings(evalCrosscheck, nil, nil)
	want(t, got, []string{k(late)}, []string{k(edge), k(today), k(done), k(other)})
	if x := got[k(late)]; !strings.Contains(x.Explanation, "名下有机动车") || !strings.Contains(x.Explanation, "2026-07-09") || x.HouseholdID != hA {
		t.Errorf("%s", x.Explanation)
	}
	got = f.findings(evalCrosscheck, nil, func(r map[string]*Rule) { r[CheckDoubtOverdue].Params.GraceDays = 4 })
	want(t, got, []string{k(late), k(edge)}, []string{k(today)})
}
