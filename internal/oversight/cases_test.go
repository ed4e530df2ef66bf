package oversight

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// cpAlert plants an alert (and the run that raised it) in a region, for linking.
func cpAlert(f *fixture, region string) int64 {
	f.t.Helper()
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		run, err := tx.InsertID(f.Ctx, `INSERT INTO alert_runs (region_code, mode, status, ruleset_version, started_by, started_by_name, started_at)
			VALUES (?, 'full', 'done', 1, 1, 'test', ?) RETURNING id`, region, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(f.Ctx, `INSERT INTO alerts (alert_key, rule_key, rule_label, category, severity, department, region_code,
			entity_type, entity_id, explanation, evidence_json, evidence_hash, status, deadline, first_run_id, last_run_id, created_at, updated_at)
			VALUES (?, 'payment_duplicate', '重复发放', 'funds', 'high', 'finance', ?, 'transfer', 1, 'x', '{}', 'h', 'open', '2026-08-01', ?, ?, ?, ?)
			RETURNING id`, "k"+region, region, run, run, now, now)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func cpCase(region string) CaseInput {
	return CaseInput{RegionCode: region, PersonName: "赵六", PersonPosition: "村会计", PersonUnit: "某村村委会",
		Violation: "虚报冒领低保金 3 户", Handling: "admonish", DecidedOn: "2026-07-10", Note: "市纪委通报"}
}

func TestCases(t *testing.T) {
	f := newFixture(t)
	disc := f.County(auth.Discipline)
	alert := cpAlert(f, villageA)
	otherAlert := cpAlert(f, villageOth)
	complaint := cpLodge(f, villageA, "funds", "", "虚报冒领")
	in := cpCase(villageA)
	in.AlertID, in.ComplaintID = alert, complaint
	c, err := f.S.CreateCase(f.Ctx, disc, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.HandlingLabel != "诫勉" || c.RegionName == "" || c.AlertID == nil || *c.AlertID != alert || c.ComplaintID == nil ||
		!strings.HasPrefix(c.ComplaintCode, "TS-") || c.CreatedBy != disc.UserID || c.CreatedByName == "" {
		t.Errorf("case %+v", c)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'case.create' AND entity_type = 'accountability_case' AND entity_id = ?`, itoaTest(c.ID)); n != 1 {
		t.Errorf("case.create events %d", n)
	}
	// The complaint's detail shows it to those who read cases, not to others.
	if d, _ := f.S.Complaint(f.Ctx, f.County(auth.PovertyOffice), complaint); len(d.Cases) != 1 || d.Cases[0].ID != c.ID {
		t.Errorf("complaint detail cases %+v", d.Cases)
	}
	if d, _ := f.S.Complaint(f.Ctx, f.County(auth.Finance), complaint); len(d.Cases) != 0 {
		t.Errorf("finance (no case.read) sees cases %+v", d.Cases)
	}
	if cs, err := linkedCases(f.Ctx, f.DB.Reader(), disc, alert, 0); err != nil || len(cs) != 1 {
		t.Errorf("alert's cases %d %v", len(cs), err)
	}
	if cs, _ := linkedCases(f.Ctx, f.DB.Reader(), f.Other(auth.Discipline), alert, 0); len(cs) != 0 {
		t.Errorf("other county sees the alert's cases")
	}

	// Errors.
	cases := []struct {
		name string
		p    *auth.Principal
		edit func(*CaseInput)
		code errs.Code
	}{
		{"no person", disc, func(in *CaseInput) { in.PersonName = " " }, errs.Invalid},
		{"violation short", disc, func(in *CaseInput) { in.Violation = "违纪" }, errs.Invalid},
		{"handling", disc, func(in *CaseInput) { in.Handling = "fire" }, errs.Invalid},
		{"date malformed", disc, func(in *CaseInput) { in.DecidedOn = "2026-7-1" }, errs.Invalid},
		{"date impossible", disc, func(in *CaseInput) { in.DecidedOn = "2026-02-30" }, errs.Invalid},
		{"date future", disc, func(in *CaseInput) { in.DecidedOn = "2026-07-16" }, errs.Invalid},
		{"region malformed", disc, func(in *CaseInput) { in.RegionCode = "3209" }, errs.Invalid},
		{"region unknown", disc, func(in *CaseInput) { in.RegionCode = "320921100299" }, errs.NotFound},
		{"position long", disc, func(in *CaseInput) { in.PersonPosition = strings.Repeat("职", 101) }, errs.Invalid},
		{"negative alert", disc, func(in *CaseInput) { in.AlertID = -1 }, errs.Invalid},
		{"negative complaint", disc, func(in *CaseInput) { in.ComplaintID = -1 }, errs.Invalid},
		{"no such alert", disc, func(in *CaseInput) { in.AlertID = 999999 }, errs.NotFound},
		{"alert of the other county", disc, func(in *CaseInput) { in.AlertID = otherAlert }, errs.NotFound},
		{"no such complaint", disc, func(in *CaseInput) { in.ComplaintID = 999999 }, errs.NotFound},
		{"region of the other county", disc, func(in *CaseInput) { in.RegionCode = villageOth }, errs.Forbidden},
		{"role without case.write", f.County(auth.PovertyOffice), func(in *CaseInput) {}, errs.Forbidden},
		{"nobody", nil, func(in *CaseInput) {}, errs.Unauthorized},
	}
	for _, tc := range cases {
		in := cpCase(villageA)
		tc.edit(&in)
		_, err := f.S.CreateCase(f.Ctx, tc.p, in)
		cpWant(t, tc.name, err, tc.code)
	}
	// A complaint of the other county cannot be linked from here.
	otherComplaint, err := f.S.Lodge(f.Ctx, f.Other(auth.PovertyOffice), ComplaintInput{Channel: ChannelHotline, Anonymous: true, Category: "other",
		RegionCode: villageOth, Subject: "别县的事", Content: "别县的举报内容"})
	if err != nil {
		t.Fatal(err)
	}
	in = cpCase(villageA)
	in.ComplaintID = otherComplaint.ID
	_, err = f.S.CreateCase(f.Ctx, disc, in)
	cpWant(t, "complaint of the other county", err, errs.NotFound)
	if n := f.count(`SELECT COUNT(*) FROM accountability_cases`); n != 1 {
		t.Errorf("%d cases after refused input", n)
	}

	// Lists and reads.
	second, err := f.S.CreateCase(f.Ctx, f.CityRole(auth.Discipline), cpCase(villageB))
	if err != nil {
		t.Fatal(err)
	}
	third, err := f.S.CreateCase(f.Ctx, f.CityRole(auth.Discipline), cpCase(villageOth))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.S.Cases(f.Ctx, disc, CaseFilter{})
	if err != nil || len(rows) != 2 || rows[0].ID != second.ID || rows[1].ID != c.ID {
		t.Errorf("county list %+v %v", rows, err)
	}
	rows, _ = f.S.Cases(f.Ctx, f.CityRole(auth.Auditor), CaseFilter{Limit: 2})
	if len(rows) != 3 || rows[0].ID != third.ID {
		t.Errorf("city page %+v", rows)
	}
	rows, _ = f.S.Cases(f.Ctx, f.CityRole(auth.Auditor), CaseFilter{After: second.ID, Limit: 2})
	if len(rows) != 1 || rows[0].ID != c.ID {
		t.Errorf("city second page %+v", rows)
	}
	if rows, _ := f.S.Cases(f.Ctx, disc, CaseFilter{Region: villageB}); len(rows) != 1 {
		t.Errorf("village filter %d", len(rows))
	}
	_, err = f.S.Cases(f.Ctx, disc, CaseFilter{Region: otherCode})
	cpWant(t, "list other county", err, errs.Forbidden)
	_, err = f.S.Cases(f.Ctx, f.County(auth.Finance), CaseFilter{})
	cpWant(t, "list without case.read", err, errs.Forbidden)
	if got, err := f.S.Case(f.Ctx, f.County(auth.Auditor), c.ID); err != nil || got.ID != c.ID {
		t.Errorf("read %+v %v", got, err)
	}
	_, err = f.S.Case(f.Ctx, disc, third.ID)
	cpWant(t, "read other county", err, errs.NotFound)
	_, err = f.S.Case(f.Ctx, disc, 999999)
	cpWant(t, "read missing", err, errs.NotFound)
	_, err = f.S.Case(f.Ctx, f.County(auth.Finance), c.ID)
	cpWant(t, "read without case.read", err, errs.Forbidden)
}

func itoaTest(n int64) string { return strconv.FormatInt(n, 10) }

// cpEntityAlert plants an alert of the projects category about an entity.
func cpEntityAlert(f *fixture, region, entity string, id int64) int64 {
	f.t.Helper()
	run := f.pjInsert(`INSERT INTO alert_runs (region_code, mode, status, ruleset_version, started_by, started_by_name, started_at)
		VALUES (?, 'full', 'done', 1, 1, 'test', 'x') RETURNING id`, region)
	return f.pjInsert(`INSERT INTO alerts (alert_key, rule_key, rule_label, category, severity, department, region_code,
		entity_type, entity_id, explanation, evidence_json, evidence_hash, status, deadline, first_run_id, last_run_id, created_at, updated_at)
		VALUES (?, 'project_stage_overdue', '项目阶段逾期', 'projects', 'medium', 'poverty_office', ?, ?, ?, 'x', '{}', 'h', 'open', '2026-08-01', ?, ?, 'x', 'x')
		RETURNING id`, fmt.Sprintf("k:%s:%d:%d", entity, id, f.Seq.Add(1)), region, entity, id, run, run)
}

// cpTolerance plants a 容错 of the project naming people, with a status.
func cpTolerance(f *fixture, project int64, status string, people ...string) {
	f.t.Helper()
	list := make([]map[string]string, len(people))
	for i, p := range people {
		list[i] = map[string]string{"name": p, "position": "村会计"}
	}
	js, _ := json.Marshal(list)
	f.exec(`INSERT INTO project_tolerances (project_id, reason, people_json, status, requested_by, requested_at) VALUES (?, '市场价格大幅下跌', ?, ?, 1, 'x')`,
		project, string(js), status)
}

// 容错免责: a case linked to an alert about a project (or an asset it formed) cannot name a
// person whom an approved 容错 of that project exempts.
func TestCaseToleranceExemption(t *testing.T) {
	f := newFixture(t)
	disc := f.County(auth.Discipline)
	exempt := f.pjProject(villageA, 5, "failed", nil)
	cpTolerance(f, exempt, "rejected", "钱七")
	cpTolerance(f, exempt, "approved", " 赵六 ", "孙八")
	pending := f.pjProject(villageA, 5, "active", nil)
	cpTolerance(f, pending, "requested", "赵六")
	hh := f.Household(villageA, "registered")
	asset := f.pjAsset(exempt, villageA, hh)
	income := f.pjIncome(asset, 2025, 10000, "2026-03-01", "distributed")
	dist := f.pjDistribute(income, hh, 10000)
	var code string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT code FROM projects WHERE id = ?`, exempt).Scan(&code); err != nil {
		t.Fatal(err)
	}
	create := func(alert int64, person string) (CaseRow, error) {
		in := cpCase(villageA)
		in.AlertID, in.PersonName = alert, person
		return f.S.CreateCase(f.Ctx, disc, in)
	}
	for _, c := range []struct {
		name   string
		alert  int64
		person string
	}{
		{"the project", cpEntityAlert(f, villageA, "project", exempt), "赵六"},
		{"trimmed name", cpEntityAlert(f, villageA, "project", exempt), " 孙八 "},
		{"an asset of the project", cpEntityAlert(f, villageA, "asset", asset), "赵六"},
		{"an income of its asset", cpEntityAlert(f, villageA, "asset_income", income), "赵六"},
		{"a distribution of its asset", cpEntityAlert(f, villageA, "asset_distribution", dist), "孙八"},
	} {
		_, err := create(c.alert, c.person)
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Conflict || !strings.Contains(e.Message, "该人员已获容错免责") || !strings.Contains(e.Message, code) {
			t.Errorf("%s: %v, want a conflict naming %s", c.name, err, code)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM accountability_cases`); n != 0 {
		t.Fatalf("%d cases recorded though refused", n)
	}
	// Near misses: someone the tolerance does not name (or names only in a rejected request);
	// a tolerance still requested; an alert about something else; no alert at all.
	for _, c := range []struct {
		name   string
		alert  int64
		person string
	}{
		{"not named", cpEntityAlert(f, villageA, "project", exempt), "赵六六"},
		{"named in a rejected request", cpEntityAlert(f, villageA, "project", exempt), "钱七"},
		{"tolerance not yet approved", cpEntityAlert(f, villageA, "project", pending), "赵六"},
		{"alert about a household", cpEntityAlert(f, villageA, "household", hh), "赵六"},
		{"no alert", 0, "赵六"},
	} {
		if _, err := create(c.alert, c.person); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
