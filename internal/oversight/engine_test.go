package oversight

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

type alertSnap struct {
	ID                int64
	Key, Status, Hash string
	Version, LastRun  int64
	Updated           string
}

func (f *fixture) alertSnaps() []alertSnap {
	f.t.Helper()
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT id, alert_key, status, evidence_hash, version, last_run_id, updated_at FROM alerts ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []alertSnap
	for rows.Next() {
		var a alertSnap
		if err := rows.Scan(&a.ID, &a.Key, &a.Status, &a.Hash, &a.Version, &a.LastRun, &a.Updated); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func (f *fixture) runFull(p *auth.Principal, region string) RunInfo {
	f.t.Helper()
	info, err := f.S.RunFull(f.Ctx, p, region)
	if err != nil {
		f.t.Fatalf("run: %v", err)
	}
	if info.Status != "done" || info.FinishedAt == nil {
		f.t.Fatalf("run not done: %+v", info)
	}
	return info
}

func TestRerunChangesNothing(t *testing.T) {
	f := newFixture(t)
	hh := f.Household(villageA, "registered")
	m := f.Member(hh, f.IDNumber(1), "王死者")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id = ?`, m)
	first := f.runFull(f.City, "")
	if first.New == 0 || first.Found != first.New || first.RegionCode != cityCode || first.ByRule[CheckDeceasedListed] != 1 ||
		first.ByRule[CheckQuarterNoVisit] == 0 {
		t.Fatalf("first run: %+v", first)
	}
	if n := f.count(`SELECT COUNT(*) FROM alerts`); n != int64(first.New) {
		t.Fatalf("%d alerts, run says %d new", n, first.New)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'alert.raise'`); n != int64(first.New) {
		t.Fatalf("%d alert.raise events for %d new alerts", n, first.New)
	}
	before := f.alertSnaps()
	events := f.count(`SELECT COUNT(*) FROM audit_events`)
	runs := f.count(`SELECT COUNT(*) FROM alert_runs`)

	f.Now = f.Now.Add(time.Hour)
	second := f.runFull(f.City, "")
	if second.New != 0 || second.Updated != 0 || second.Suppressed != 0 || second.Found != first.Found {
		t.Fatalf("second run: %+v", second)
	}
	if after := f.alertSnaps(); !reflect.DeepEqual(before, after) {
		t.Fatalf("alerts changed by a repeat run")
	}
	// The repeat run adds only itself: its row and its alert.run summary.
	if n := f.count(`SELECT COUNT(*) FROM audit_events`); n != events+1 {
		t.Fatalf("audit events %d → %d", events, n)
	}
	if n := f.count(`SELECT COUNT(*) FROM alert_runs`); n != runs+1 {
		t.Fatalf("runs %d → %d", runs, n)
	}
	var action, entity string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT action, entity_type FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&action, &entity); err != nil ||
		action != "alert.run" || entity != "alert_run" {
		t.Fatalf("last event %s %s %v", action, entity, err)
	}
	// Every new alert carries its rule's attributes and a deadline after the run's date.
	var dept, sev, cat, deadline, label string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT department, severity, category, deadline, rule_label FROM alerts
		WHERE alert_key = ?`, fmt.Sprintf("deceased_listed:member=%d", m)).Scan(&dept, &sev, &cat, &deadline, &label); err != nil {
		t.Fatal(err)
	}
	if dept != "poverty_office" || sev != SevHigh || cat != CatRegistry || deadline != "2026-07-25" || label != "成员已死亡仍在册" {
		t.Fatalf("alert %s %s %s %s %s", dept, sev, cat, deadline, label)
	}
}

func TestAlertLifecycle(t *testing.T) {
	f := newFixture(t)
	hh := f.Household(villageA, "registered")
	m := f.Member(hh, f.IDNumber(1), "王死者")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id = ?`, m)
	key := fmt.Sprintf("deceased_listed:member=%d", m)
	latest := func() alertSnap {
		for _, a := range reverse(f.alertSnaps()) {
			if a.Key == key {
				return a
			}
		}
		t.Fatalf("no alert %s", key)
		return alertSnap{}
	}
	r1 := f.runFull(f.County(auth.PovertyOffice), villageA)
	a1 := latest()
	if a1.Status != StatusOpen || a1.Version != 1 || a1.LastRun != r1.ID {
		t.Fatalf("new alert %+v", a1)
	}
	// Evidence changes while pending: the same alert, updated.
	f.exec(`UPDATE members SET deceased_on = '2026-04-30' WHERE id = ?`, m)
	r2 := f.runFull(f.County(auth.PovertyOffice), villageA)
	a2 := latest()
	if r2.Updated != 1 || r2.New != 0 || a2.ID != a1.ID || a2.Version != 2 || a2.Hash == a1.Hash || a2.LastRun != r2.ID {
		t.Fatalf("update: run %+v alert %+v", r2, a2)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'alert.raise' AND entity_id = ?`, fmt.Sprint(a1.ID)); n != 2 {
		t.Fatalf("%d alert.raise events", n)
	}
	// Closed with the same evidence: suppressed, nothing written.
	f.exec(`UPDATE alerts SET status = 'closed', outcome = 'unfounded', findings = '核实无误' WHERE id = ?`, a1.ID)
	r3 := f.runFull(f.County(auth.PovertyOffice), villageA)
	if a3 := latest(); r3.Suppressed != 1 || r3.New != 0 || a3 != (alertSnap{a2.ID, key, StatusClosed, a2.Hash, 2, r2.ID, a2.Updated}) {
		t.Fatalf("suppress: run %+v alert %+v", r3, a3)
	}
	// Closed, then the evidence changes: a new alert pointing at the closed one.
	f.exec(`UPDATE members SET deceased_on = '2026-04-29' WHERE id = ?`, m)
	r4 := f.runFull(f.County(auth.PovertyOffice), villageA)
	a4 := latest()
	var prev int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT COALESCE(prev_alert_id, 0) FROM alerts WHERE id = ?`, a4.ID).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	if r4.New != 1 || a4.ID == a1.ID || a4.Status != StatusOpen || prev != a1.ID {
		t.Fatalf("re-raise: run %+v alert %+v prev %d", r4, a4, prev)
	}
	// The fact goes away: nothing new (the pending alert stays for its handlers).
	f.exec(`UPDATE members SET active = 0 WHERE id = ?`, m)
	r5 := f.runFull(f.County(auth.PovertyOffice), villageA)
	if r5.ByRule[CheckDeceasedListed] != 0 || r5.New != 0 {
		t.Fatalf("gone: %+v", r5)
	}
}

func reverse[T any](xs []T) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

func TestRunScopeAndPermissions(t *testing.T) {
	f := newFixture(t)
	if _, err := f.S.RunFull(f.Ctx, f.County(auth.PovertyOffice), otherCode); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("other county: %v", err)
	}
	if _, err := f.S.RunFull(f.Ctx, f.County(auth.Finance), ""); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("finance may not run: %v", err)
	}
	info := f.runFull(f.County(auth.PovertyOffice), "")
	if info.RegionCode != countyCode {
		t.Fatalf("region %s", info.RegionCode)
	}
	if n := f.count(`SELECT COUNT(*) FROM alerts WHERE region_code NOT LIKE '320921%'`); n != 0 {
		t.Fatalf("%d alerts outside the county", n)
	}
	// Runs are listed within scope only.
	if list, err := f.S.Runs(f.Ctx, f.Other(auth.PovertyOffice), "", 0, 10); err != nil || len(list) != 0 {
		t.Fatalf("other county sees %v %v", list, err)
	}
	if _, err := f.S.RunByID(f.Ctx, f.Other(auth.PovertyOffice), info.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county reads run: %v", err)
	}
	list, err := f.S.Runs(f.Ctx, f.CityRole(auth.Discipline), "", 0, 10)
	if err != nil || len(list) != 1 || list[0].ID != info.ID || list[0].ByRule[CheckQuarterNoVisit] == 0 || list[0].Status != "done" {
		t.Fatalf("city lists %+v %v", list, err)
	}
}

func TestStartRunInBackground(t *testing.T) {
	f := newFixture(t)
	started, err := f.S.StartRun(f.Ctx, f.County(auth.PovertyOffice), RunInput{})
	if err != nil || started.Status != "running" || started.ID == 0 {
		t.Fatalf("start %+v %v", started, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := f.S.RunByID(f.Ctx, f.County(auth.Auditor), started.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == "done" {
			if r.New == 0 || r.New != int(f.count(`SELECT COUNT(*) FROM alerts`)) {
				t.Fatalf("run %+v", r)
			}
			break
		}
		if r.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("run %+v", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Wait for runMu: the goroutine has finished writing when the lock is free.
	f.S.runMu.Lock()
	f.S.runMu.Unlock()
}

func TestRecoverInterruptedRuns(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO alert_runs (region_code, mode, status, ruleset_version, started_by, started_by_name, started_at)
		VALUES (?, 'full', 'running', 0, 1, 'x', ?)`, countyCode, db.Time(f.Now.Add(-time.Minute)))
	done := f.runFull(f.City, villageA)
	n, err := f.S.Recover(f.Ctx)
	if err != nil || n != 1 {
		t.Fatalf("recover %d %v", n, err)
	}
	var status, reason string
	var ms int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT status, error, duration_ms FROM alert_runs WHERE id <> ?`, done.ID).Scan(&status, &reason, &ms); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || reason != InterruptedReason || ms != 60000 {
		t.Fatalf("%s %s %d", status, reason, ms)
	}
	if n, _ := f.S.Recover(f.Ctx); n != 0 {
		t.Fatalf("second recover closed %d", n)
	}
	if r, _ := f.S.RunByID(f.Ctx, f.City, done.ID); r.Status != "done" {
		t.Fatalf("finished run touched: %+v", r)
	}
}

func TestFailedRunIsRecorded(t *testing.T) {
	f := newFixture(t)
	boom := errs.E(errs.Invalid, "数据有误")
	info, err := f.S.evaluate(f.Ctx, f.City, villageA, "full", func(ctx context.Context, in *evalInput, emit func(Finding)) error {
		return boom
	})
	if err != boom || info.Status != "failed" {
		t.Fatalf("%+v %v", info, err)
	}
	r, err := f.S.RunByID(f.Ctx, f.City, info.ID)
	if err != nil || r.Status != "failed" || r.Error != "数据有误" || r.FinishedAt == nil {
		t.Fatalf("%+v %v", r, err)
	}
	// A finding naming no rule of the set is a bug: the run fails, nothing is stored.
	_, err = f.S.evaluate(f.Ctx, f.City, villageA, "full", func(ctx context.Context, in *evalInput, emit func(Finding)) error {
		emit(Finding{RuleKey: "nope", Key: "nope:1", RegionCode: villageA, EntityType: "household", EntityID: 1, Explanation: "x"})
		return nil
	})
	if err == nil || f.count(`SELECT COUNT(*) FROM alerts`) != 0 {
		t.Fatalf("bad finding stored: %v", err)
	}
}

func TestBatchesAcrossTransactions(t *testing.T) {
	f := newFixture(t)
	n := storeBatch*2 + 7
	collect := func(ctx context.Context, in *evalInput, emit func(Finding)) error {
		for i := 0; i < n; i++ {
			emit(Finding{RuleKey: CheckNoHelper, Key: fmt.Sprintf("no_helper:test=%05d", i), RegionCode: villageA, EntityType: "household",
				EntityID: int64(i), Explanation: "测试", Evidence: evidence(struct{ I int }{i})})
		}
		emit(Finding{RuleKey: CheckNoHelper, Key: "no_helper:test=00000", RegionCode: villageA, EntityType: "household", Explanation: "重复"})
		return nil
	}
	info, err := f.S.evaluate(f.Ctx, f.City, villageA, "incremental", collect)
	if err != nil || info.New != n || info.Found != n || info.Mode != "incremental" {
		t.Fatalf("%+v %v", info, err)
	}
	if c := f.count(`SELECT COUNT(*) FROM alerts`); c != int64(n) {
		t.Fatalf("%d alerts", c)
	}
	info, err = f.S.evaluate(f.Ctx, f.City, villageA, "incremental", collect)
	if err != nil || info.New != 0 || info.Updated != 0 {
		t.Fatalf("repeat %+v %v", info, err)
	}
}

func TestRuleValidation(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if len(DefaultRules().Rules) != len(Checks()) {
		t.Fatalf("%d default rules for %d checks", len(DefaultRules().Rules), len(Checks()))
	}
	for _, c := range Checks() {
		if c.Label == "" || c.Category == "" || categoryOf(c.Check) != c.Category {
			t.Errorf("check %+v", c)
		}
	}
	cases := []struct {
		name  string
		edit  func(rs *RuleSet)
		field string
		msg   string
	}{
		{"unknown check", func(rs *RuleSet) { rs.Rules[2].Check = "moon" }, "rules[2].check", "第 3 条规则"},
		{"duplicate key", func(rs *RuleSet) { rs.Rules[4].Key = rs.Rules[1].Key }, "rules[4].key", "(no_helper)"},
		{"duplicate check", func(rs *RuleSet) { rs.Rules[4].Check = rs.Rules[1].Check }, "rules[4].check", "第 5 条规则"},
		{"bad key", func(rs *RuleSet) { rs.Rules[0].Key = "Bad Key" }, "rules[0].key", "第 1 条规则"},
		{"severity", func(rs *RuleSet) { rs.Rules[3].Severity = "urgent" }, "rules[3].severity", "quarter_no_visit"},
		{"department", func(rs *RuleSet) { rs.Rules[3].Department = auth.Auditor }, "rules[3].department", "department"},
		{"deadline 0", func(rs *RuleSet) { rs.Rules[0].DeadlineDays = 0 }, "rules[0].deadline_days", "deadline_days"},
		{"deadline 91", func(rs *RuleSet) { rs.Rules[0].DeadlineDays = 91 }, "rules[0].deadline_days", "1 到 90"},
		{"grace", func(rs *RuleSet) { rs.Rules[1].Params.GraceDays = 400 }, "rules[1].params.grace_days", "params.grace_days"},
		{"negative grace", func(rs *RuleSet) { rs.Rules[1].Params.GraceDays = -1 }, "rules[1].params.grace_days", ""},
		{"unused param", func(rs *RuleSet) { rs.Rules[0].Params.Days = 5 }, "rules[0].params.days", "不使用"},
		{"margin", func(rs *RuleSet) { rs.Rules[10].Params.MarginPct = 0 }, "rules[10].params.margin_pct", ""},
		{"relations", func(rs *RuleSet) { rs.Rules[20].Params.Relations = []string{"friend"} }, "rules[20].params.relations", ""},
		{"label", func(rs *RuleSet) { rs.Rules[0].Label = " " }, "rules[0].label", ""},
		{"escalation", func(rs *RuleSet) { rs.Escalation.RedDaysAfter = 0 }, "escalation.red_days_after", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := DefaultRules()
			c.edit(&rs)
			e, ok := errs.As(rs.Validate())
			if !ok || e.Code != errs.Invalid || e.Fields[c.field] == "" || !strings.Contains(e.Message, c.msg) {
				t.Fatalf("got %v %v, want invalid naming %s", e, e.Fields, c.field)
			}
		})
	}
}

func TestRuleSets(t *testing.T) {
	f := newFixture(t)
	// Built-in default: version 0, inherited.
	rs, err := f.S.Rules(f.Ctx, f.County(auth.PovertyOffice), "")
	if err != nil || rs.Version != 0 || !rs.Inherited || len(rs.Rules) != len(Checks()) || rs.Escalation != DefaultEscalation {
		t.Fatalf("default %+v %v", rs, err)
	}
	countyAdmin := &auth.Principal{UserID: 1, Name: "县管理员", Role: auth.Admin, Scope: countyCode}
	townAdmin := &auth.Principal{UserID: 1, Name: "镇管理员", Role: auth.Admin, Scope: "320921100000"}
	if _, err := f.S.SetRules(f.Ctx, f.County(auth.PovertyOffice), RulesInput{Rules: DefaultRules().Rules}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("office may not set rules: %v", err)
	}
	if _, err := f.S.SetRules(f.Ctx, townAdmin, RulesInput{Rules: DefaultRules().Rules}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("town may not set rules: %v", err)
	}
	bad := DefaultRules().Rules
	bad[1].Params.GraceDays = 999
	if _, err := f.S.SetRules(f.Ctx, countyAdmin, RulesInput{Rules: bad}); errs.CodeOf(err) != errs.Invalid ||
		!strings.Contains(err.Error(), "第 2 条规则「在档户无帮扶责任人」(no_helper)的 params.grace_days") {
		t.Fatalf("bad rules: %v", err)
	}
	// The county turns quarter_no_visit off and shortens the lights.
	mine := DefaultRules().Rules
	for i := range mine {
		if mine[i].Check == CheckQuarterNoVisit {
			mine[i].Enabled = false
		}
	}
	esc := Escalation{YellowDaysBefore: 3, RedDaysAfter: 5}
	v1, err := f.S.SetRules(f.Ctx, countyAdmin, RulesInput{Rules: mine, Escalation: &esc, Note: " 本县暂停季度走访预警 "})
	if err != nil || v1.Version != 1 || v1.RegionCode != countyCode || v1.Note != "本县暂停季度走访预警" {
		t.Fatalf("set %+v %v", v1, err)
	}
	city, err := f.S.SetRules(f.Ctx, f.City, RulesInput{Rules: DefaultRules().Rules})
	if err != nil || city.Version != 1 || city.RegionCode != cityCode {
		t.Fatalf("city set %+v %v", city, err)
	}
	v2, err := f.S.SetRules(f.Ctx, countyAdmin, RulesInput{Rules: mine, Escalation: &esc})
	if err != nil || v2.Version != 2 {
		t.Fatalf("v2 %+v %v", v2, err)
	}
	// The most specific set covering the region wins.
	got, err := f.S.Rules(f.Ctx, f.County(auth.PovertyOffice), villageA)
	if err != nil || got.ID != v2.ID || !got.Inherited || got.Escalation != esc {
		t.Fatalf("village sees %+v %v", got, err)
	}
	got, err = f.S.Rules(f.Ctx, f.Other(auth.PovertyOffice), "")
	if err != nil || got.ID != city.ID || !got.Inherited {
		t.Fatalf("other county sees %+v %v", got, err)
	}
	vs, err := f.S.RuleVersions(f.Ctx, f.County(auth.PovertyOffice), "")
	if err != nil || len(vs) != 4 || vs[0].ID != v2.ID || vs[1].ID != v1.ID || vs[2].ID != city.ID || vs[3].ID != 0 || vs[0].Inherited || !vs[2].Inherited {
		t.Fatalf("versions %+v %v", vs, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'alert.rules'`); n != 3 {
		t.Fatalf("%d alert.rules events", n)
	}
	// A county run uses the county's version: no quarter_no_visit; the other county's run the city's.
	run := f.runFull(f.County(auth.PovertyOffice), "")
	if run.RulesetVersion != 2 || run.ByRule[CheckQuarterNoVisit] != 0 {
		t.Fatalf("county run %+v", run)
	}
	run = f.runFull(f.Other(auth.PovertyOffice), "")
	if run.RulesetVersion != 1 || run.ByRule[CheckQuarterNoVisit] == 0 {
		t.Fatalf("other run %+v", run)
	}
}

func TestNextScheduled(t *testing.T) {
	cases := map[string]string{
		"2026-07-14T17:59:59Z": "2026-07-14T18:00:00Z", // 01:59:59 Shanghai → 02:00 the same day
		"2026-07-14T18:00:00Z": "2026-07-15T18:00:00Z", // exactly 02:00 → the next day
		"2026-07-15T02:00:00Z": "2026-07-15T18:00:00Z",
	}
	for in, want := range cases {
		now, _ := time.Parse(time.RFC3339, in)
		if got := nextScheduled(now).UTC().Format(time.RFC3339); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

func TestScheduleRunsWhenStale(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(f.Ctx)
	done := make(chan struct{})
	go func() { f.S.Schedule(ctx); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for f.count(`SELECT COUNT(*) FROM alert_runs WHERE status = 'done'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no start-up run")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	var region, by string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT region_code, started_by_name FROM alert_runs`).Scan(&region, &by); err != nil ||
		region != cityCode || by != "系统定时评估" {
		t.Fatalf("%s %s %v", region, by, err)
	}
	// Fresh: a restart does not run again.
	ctx, cancel = context.WithCancel(f.Ctx)
	done = make(chan struct{})
	go func() { f.S.Schedule(ctx); close(done) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if n := f.count(`SELECT COUNT(*) FROM alert_runs`); n != 1 {
		t.Fatalf("%d runs after a fresh restart", n)
	}
}

// The database itself keeps one pending alert per key, so two engines racing over the same new
// finding cannot both raise it; a closed alert does not block its successor.
func TestOnePendingAlertPerKey(t *testing.T) {
	f := newFixture(t)
	first := handlingAlert(t, f, testAlert{})
	dup := func() error {
		return f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(f.Ctx, `INSERT INTO alerts (alert_key, rule_key, rule_label, category, severity, department, region_code,
				entity_type, entity_id, amount_fen, explanation, evidence_json, evidence_hash, status, deadline, first_run_id, last_run_id,
				created_at, updated_at, prev_alert_id)
				SELECT alert_key, rule_key, rule_label, category, severity, department, region_code, entity_type, entity_id, amount_fen,
				explanation, evidence_json, 'other', 'open', deadline, first_run_id, last_run_id, created_at, updated_at, id
				FROM alerts WHERE id = ?`, first)
			return err
		})
	}
	if err := dup(); err == nil {
		t.Fatal("a second pending alert with the same key was stored")
	}
	f.exec(`UPDATE alerts SET status = 'closed', outcome = 'unfounded', closed_at = created_at WHERE id = ?`, first)
	if err := dup(); err != nil {
		t.Fatalf("the successor of a closed alert: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM alerts WHERE alert_key = (SELECT alert_key FROM alerts WHERE id = ?)`, first); n != 2 {
		t.Fatalf("%d alerts of the key, want 2", n)
	}
}
