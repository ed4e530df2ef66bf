package crosscheck_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/crosscheck"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/registry"
	"sunshine/internal/visits"
)

var tiny = demo.Scale{Name: "tiny", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 10}

const county = "320921000000"

type fixture struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	reg   *registry.Service
	s     *crosscheck.Service
	now   time.Time
	users map[string]*auth.Principal
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	if _, err := demo.Load(context.Background(), d, tiny); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), d: d, now: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	d.Clock = func() time.Time { return f.now }
	a := &audit.Service{DB: d}
	f.reg = &registry.Service{DB: d, Audit: a}
	f.s = &crosscheck.Service{DB: d, Audit: a, Registry: f.reg, Dir: t.TempDir()}
	mk := func(id int64, role auth.Role, scope string) *auth.Principal {
		return &auth.Principal{UserID: id, Username: fmt.Sprintf("%s_%s", role, scope), Name: string(role), Role: role, Scope: scope}
	}
	f.users = map[string]*auth.Principal{
		"civil":        mk(201, auth.CivilAffairs, county),
		"civil_city":   mk(202, auth.CivilAffairs, "320900000000"),
		"civil_other":  mk(203, auth.CivilAffairs, "320922000000"),
		"civil_town":   mk(204, auth.CivilAffairs, "320921100000"),
		"office":       mk(205, auth.PovertyOffice, county),
		"office_other": mk(206, auth.PovertyOffice, "320922000000"),
		"cadre":        mk(207, auth.VillageCadre, county),
		"auditor":      mk(208, auth.Auditor, county),
		"helper":       mk(209, auth.Helper, county),
	}
	return f
}

// person is a registered member the tests plant rows for.
type person struct {
	household int64
	member    int64
	id, name  string
	region    string
	helper    int64
}

// people picks n members of different registered households of the county that have a
// current helper and no open procedure.
func (f *fixture) people(n int) []person {
	f.t.Helper()
	rows, err := f.d.Reader().QueryContext(f.ctx, `SELECT h.id, MIN(m.id), h.region_code, a.helper_id FROM households h
		JOIN members m ON m.household_id = h.id AND m.active = 1 AND m.deceased_on IS NULL
		JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		WHERE h.status = 'registered' AND h.region_code BETWEEN '320921000000' AND '320921999999'
		AND NOT EXISTS (SELECT 1 FROM procedures p WHERE p.household_id = h.id AND p.status = 'open')
		GROUP BY h.id, h.region_code, a.helper_id ORDER BY h.id LIMIT ?`, n)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.household, &p.member, &p.region, &p.helper); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, p)
	}
	rows.Close()
	for i := range out {
		if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT id_number, name FROM members WHERE id = ?`, out[i].member).Scan(&out[i].id, &out[i].name); err != nil {
			f.t.Fatal(err)
		}
	}
	if len(out) < n {
		f.t.Fatalf("only %d households fit, want %d", len(out), n)
	}
	return out
}

// authorise records a signed authorisation for a household.
func (f *fixture) authorise(household int64) crosscheck.Authorisation {
	f.t.Helper()
	att, err := f.reg.Upload(f.ctx, f.users["office"], "授权委托书.pdf", strings.NewReader("%PDF-1.4 signed"))
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := f.s.AddAuthorisation(f.ctx, f.users["office"], household, crosscheck.AuthorisationInput{SignedOn: "2026-01-05", AttachmentID: att.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) attachment() int64 {
	f.t.Helper()
	att, err := f.reg.Upload(f.ctx, f.users["cadre"], "说明材料.jpg", bytes.NewReader([]byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}))
	if err != nil {
		f.t.Fatal(err)
	}
	return att.ID
}

func (f *fixture) dataset(kind crosscheck.Kind, name, content string) crosscheck.Dataset {
	f.t.Helper()
	ds, _, err := f.s.AddDataset(f.ctx, f.users["civil"], crosscheck.DatasetInput{Kind: kind, SourceDept: "市公安局交警支队", AsOf: "2026-02-28", FileName: name},
		strings.NewReader(content))
	if err != nil {
		f.t.Fatalf("register %s: %v", name, err)
	}
	return ds
}

func (f *fixture) run(ids ...int64) crosscheck.RunInfo {
	f.t.Helper()
	r, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{DatasetIDs: ids}, nil)
	if err != nil {
		f.t.Fatalf("run: %v", err)
	}
	return r
}

// doubtsOf lists the doubts of a household, by rule key.
func (f *fixture) doubtsOf(household int64) map[string][]crosscheck.DoubtRow {
	f.t.Helper()
	rows, err := f.s.Doubts(f.ctx, f.users["office"], crosscheck.DoubtFilter{Household: household, Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string][]crosscheck.DoubtRow{}
	for _, r := range rows {
		out[r.RuleKey] = append(out[r.RuleKey], r)
	}
	return out
}

func vehicles(rows ...string) string {
	return "身份证号,姓名,号牌号码,车辆类型,登记日期,价值(元)\n" + strings.Join(rows, "\n") + "\n"
}

// The whole workflow: two datasets, a run, dispatch, explain, re-runs with the same and with
// changed evidence, confirm (→ removal procedure), overdue escalation, statistics, export.
func TestCrosscheckWorkflow(t *testing.T) {
	f := newFixture(t)
	ps := f.people(3)
	a, b, c := ps[0], ps[1], ps[2]
	f.authorise(a.household)
	f.authorise(b.household)
	// c's household signed nothing: runs skip it.

	veh := f.dataset(crosscheck.KindVehicle, "车辆.csv", vehicles(
		a.id+","+a.name+",苏J12345,car,2025-06-01,80000",
		b.id+","+b.name+",苏J22222,小型轿车,2024-03-01,60000",
		c.id+","+c.name+",苏J33333,car,2025-01-01,90000",
		"110101199003070011,路人甲,京A00001,car,2020-01-01,100000", // not in the registry
		"12345,坏行,X,car,2020-01-01,1",                          // bad ID number
	))
	if veh.Rows != 5 || veh.Rejected != 1 || veh.Matched != 3 || veh.Format != "csv" || len(veh.SHA256) != 64 {
		t.Fatalf("vehicle dataset: %+v", veh)
	}
	if _, err := os.Stat(filepath.Join(f.s.Dir, "datasets", veh.SHA256+".csv")); err != nil {
		t.Fatalf("dataset file not kept by hash: %v", err)
	}
	death := f.dataset(crosscheck.KindDeath, "死亡.csv", "id_number,name,death_date\n"+b.id+","+b.name+",2025-12-01\n")
	// The same file again is the same dataset.
	again := f.dataset(crosscheck.KindDeath, "死亡(重复).csv", "id_number,name,death_date\n"+b.id+","+b.name+",2025-12-01\n")
	if !again.Existing || again.ID != death.ID {
		t.Fatalf("same file registered twice: %+v, first %d", again, death.ID)
	}

	run1 := f.run(veh.ID, death.ID)
	if run1.Status != "done" || run1.DoubtsNew != 3 || run1.DoubtsFound != 3 || run1.SkippedUnauthorised == 0 || run1.RowsScanned != 6 {
		t.Fatalf("first run: %+v", run1)
	}
	if run1.Datasets[0].SHA256 != veh.SHA256 || run1.RulesetVersion != 0 {
		t.Fatalf("run does not record datasets by hash and the rules version: %+v", run1)
	}
	if got := f.doubtsOf(c.household); len(got) != 0 {
		t.Fatalf("unauthorised household checked: %v", got)
	}
	da := f.doubtsOf(a.household)["vehicle"]
	if len(da) != 1 || da[0].Status != crosscheck.StatusOpen || da[0].MemberID != a.member || !strings.Contains(da[0].Explanation, "苏J12345") {
		t.Fatalf("doubt of a: %+v", da)
	}
	if strings.Contains(da[0].MemberIDMasked, a.id[6:14]) {
		t.Fatalf("list shows the ID number unmasked: %s", da[0].MemberIDMasked)
	}
	db := f.doubtsOf(b.household)
	if len(db["vehicle"]) != 1 || len(db["deceased"]) != 1 {
		t.Fatalf("doubts of b: %+v", db)
	}

	// Dispatch a's doubt: to the household's helper, 15 days by default.
	d, err := f.s.Dispatch(f.ctx, f.users["cadre"], da[0].ID, crosscheck.DispatchInput{Note: "请入户核实"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != crosscheck.StatusDispatched || d.HelperID == nil || *d.HelperID != a.helper || d.Deadline == nil || *d.Deadline != "2026-03-17" {
		t.Fatalf("dispatched: %+v", d)
	}
	if len(d.Evidence) != 1 || d.Evidence[0].Fields["plate_no"] != "苏J12345" || d.Evidence[0].SourceDept != "市公安局交警支队" || d.MemberIDNumber != a.id {
		t.Fatalf("detail evidence: %+v", d.Evidence)
	}
	// Explained needs a reason and an attachment.
	if _, err := f.s.Outcome(f.ctx, f.users["cadre"], d.ID, crosscheck.OutcomeInput{Outcome: "explained", Reason: "车辆已于 2025 年转让"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("explained without attachment: %v", err)
	}
	d, err = f.s.Outcome(f.ctx, f.users["cadre"], d.ID, crosscheck.OutcomeInput{Outcome: "explained", Reason: "车辆已于 2025 年转让", AttachmentID: f.attachment()})
	if err != nil || d.Status != crosscheck.StatusExplained || d.ClosedAt == nil || d.AttachmentID == nil {
		t.Fatalf("explain: %+v %v", d, err)
	}
	if _, err := f.s.Outcome(f.ctx, f.users["cadre"], d.ID, crosscheck.OutcomeInput{Outcome: "data_error", Reason: "再改"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("a closed doubt changed again: %v", err)
	}
	if len(d.History) != 2 || d.History[0].Action != "doubt.outcome" {
		t.Fatalf("history: %+v", d.History)
	}

	// The same datasets again: nothing new; a's explained doubt is not raised again.
	run2 := f.run(veh.ID, death.ID)
	if run2.DoubtsNew != 0 || run2.DoubtsRepeated != 2 || run2.DoubtsSuppressed != 1 || run2.DoubtsFound != 3 {
		t.Fatalf("second run: %+v", run2)
	}
	if got := f.doubtsOf(a.household)["vehicle"]; len(got) != 1 || got[0].Status != crosscheck.StatusExplained {
		t.Fatalf("explained doubt raised again: %+v", got)
	}

	// A newer edition of the vehicle file: a's car changed (raised anew), b's row is the same.
	veh2 := f.dataset(crosscheck.KindVehicle, "车辆2.csv", vehicles(
		b.id+","+b.name+",苏J22222,小型轿车,2024-03-01,60000",
		a.id+","+a.name+",苏J99999,car,2026-01-10,150000",
	))
	run3 := f.run(veh2.ID, death.ID)
	if run3.DoubtsNew != 1 || run3.DoubtsRepeated != 2 || run3.DoubtsSuppressed != 0 {
		t.Fatalf("third run: %+v", run3)
	}
	got := f.doubtsOf(a.household)["vehicle"]
	if len(got) != 2 || got[1].Status != crosscheck.StatusOpen || got[1].RunID != run3.ID || !strings.Contains(got[1].Explanation, "苏J99999") {
		t.Fatalf("changed evidence not raised anew: %+v", got)
	}
	detail, err := f.s.Doubt(f.ctx, f.users["auditor"], got[1].ID)
	if err != nil || detail.PrevDoubtID == nil || *detail.PrevDoubtID != da[0].ID {
		t.Fatalf("new doubt does not point at the explained one: %+v %v", detail.PrevDoubtID, err)
	}
	// The run filter lists what a run found, including the doubts it repeated.
	inRun, err := f.s.Doubts(f.ctx, f.users["office"], crosscheck.DoubtFilter{RunID: run3.ID, Limit: 100})
	if err != nil || len(inRun) != 3 {
		t.Fatalf("doubts of run 3: %d %v", len(inRun), err)
	}

	// Confirm b's vehicle doubt: the removal procedure starts in the same transaction.
	bv := f.doubtsOf(b.household)["vehicle"][0]
	conf, err := f.s.Outcome(f.ctx, f.users["office"], bv.ID, crosscheck.OutcomeInput{Outcome: "confirmed", Reason: "入户核实,车辆为本人所有并自用"})
	if err != nil || conf.Status != crosscheck.StatusConfirmed || conf.ProcedureID == nil {
		t.Fatalf("confirm: %+v %v", conf, err)
	}
	pr, err := f.reg.Procedure(f.ctx, f.users["office"], *conf.ProcedureID)
	if err != nil || pr.Kind != registry.ProcRemoval || pr.Status != "open" || pr.HouseholdID != b.household || !strings.Contains(pr.Reason, "信息比对") {
		t.Fatalf("removal procedure: %+v %v", pr, err)
	}
	// b's second doubt confirmed too: linked to the same open removal, not a second one.
	bd := f.doubtsOf(b.household)["deceased"][0]
	conf2, err := f.s.Outcome(f.ctx, f.users["office"], bd.ID, crosscheck.OutcomeInput{Outcome: "confirmed", Reason: "成员已死亡"})
	if err != nil || conf2.ProcedureID == nil || *conf2.ProcedureID != pr.ID {
		t.Fatalf("second confirmation: %+v %v", conf2.ProcedureID, err)
	}

	// Overdue: a's new doubt dispatched with 3 days; 5 days later it is escalated.
	if _, err := f.s.Dispatch(f.ctx, f.users["cadre"], got[1].ID, crosscheck.DispatchInput{DeadlineDays: 3}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 5)
	over, err := f.s.Doubts(f.ctx, f.users["office"], crosscheck.DoubtFilter{Overdue: true, Limit: 10})
	if err != nil || len(over) != 1 || over[0].ID != got[1].ID || !over[0].Overdue || over[0].OverdueDays != 2 {
		t.Fatalf("overdue: %+v %v", over, err)
	}
	st, err := f.s.Stats(f.ctx, f.users["office"], crosscheck.DoubtFilter{Region: county})
	if err != nil {
		t.Fatal(err)
	}
	want := crosscheck.DoubtCounts{Total: 4, Dispatched: 1, Overdue: 1, Confirmed: 2, Explained: 1}
	if st.Total != want {
		t.Fatalf("stats total %+v, want %+v", st.Total, want)
	}
	var childSum int64
	for _, ch := range st.Children {
		childSum += ch.Total
		if ch.Overdue > 0 && !strings.HasPrefix(a.region, ch.Code[:9]) {
			t.Fatalf("overdue counted under the wrong town: %+v", ch)
		}
	}
	rules := map[string]crosscheck.DoubtCounts{}
	for _, r := range st.Rules {
		rules[r.RuleKey] = r.DoubtCounts
	}
	if childSum != 4 || rules["vehicle"].Total != 3 || rules["deceased"].Confirmed != 1 {
		t.Fatalf("stats per child %d, per rule %+v", childSum, rules)
	}
	// The statistics follow the list's filters: one rule, one status, overdue only, one run.
	for _, c := range []struct {
		f    crosscheck.DoubtFilter
		want crosscheck.DoubtCounts
	}{
		{crosscheck.DoubtFilter{Rule: "deceased"}, crosscheck.DoubtCounts{Total: 1, Confirmed: 1}},
		{crosscheck.DoubtFilter{Status: "confirmed"}, crosscheck.DoubtCounts{Total: 2, Confirmed: 2}},
		{crosscheck.DoubtFilter{Status: "pending"}, crosscheck.DoubtCounts{Total: 1, Dispatched: 1, Overdue: 1}},
		{crosscheck.DoubtFilter{Overdue: true}, crosscheck.DoubtCounts{Total: 1, Dispatched: 1, Overdue: 1}},
		{crosscheck.DoubtFilter{Rule: "vehicle", Status: "explained"}, crosscheck.DoubtCounts{Total: 1, Explained: 1}},
		{crosscheck.DoubtFilter{RunID: run1.ID}, crosscheck.DoubtCounts{Total: 3, Confirmed: 2, Explained: 1}},
		{crosscheck.DoubtFilter{Region: "320921100000", Rule: "none"}, crosscheck.DoubtCounts{}},
	} {
		fs, err := f.s.Stats(f.ctx, f.users["office"], c.f)
		if err != nil || fs.Total != c.want {
			t.Fatalf("stats of %+v: %+v %v, want %+v", c.f, fs.Total, err, c.want)
		}
		var n int64
		for _, r := range fs.Rules {
			n += r.Total
		}
		if n != c.want.Total {
			t.Fatalf("stats of %+v: per-rule counts sum to %d, want %d", c.f, n, c.want.Total)
		}
	}
	if _, err := f.s.Stats(f.ctx, f.users["office"], crosscheck.DoubtFilter{Status: "nope"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("stats with an unknown status: %v", err)
	}

	// Export of a run: full ID numbers for those who may export registry data, masked for others.
	var buf bytes.Buffer
	if err := f.s.ExportDoubts(f.ctx, f.users["office"], crosscheck.DoubtFilter{RunID: run3.ID}, "csv", &buf); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 4 || !strings.Contains(buf.String(), a.id) {
		t.Fatalf("export:\n%s", buf.String())
	}
	buf.Reset()
	if err := f.s.ExportDoubts(f.ctx, f.users["cadre"], crosscheck.DoubtFilter{RunID: run3.ID}, "xlsx", &buf); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("PK")) {
		t.Fatalf("xlsx export: %v", err)
	}

	// Another county sees none of it.
	if rows, err := f.s.Doubts(f.ctx, f.users["office_other"], crosscheck.DoubtFilter{Region: county, Limit: 10}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("other county lists doubts: %d %v", len(rows), err)
	}
	if _, err := f.s.Doubt(f.ctx, f.users["office_other"], got[1].ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county reads a doubt: %v", err)
	}
	if _, err := f.s.Dispatch(f.ctx, f.users["office_other"], got[1].ID, crosscheck.DispatchInput{}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county dispatches: %v", err)
	}
	if _, err := f.s.Outcome(f.ctx, f.users["auditor"], got[1].ID, crosscheck.OutcomeInput{Outcome: "data_error", Reason: "x"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("auditor closes a doubt: %v", err)
	}
	if _, err := f.s.RunByID(f.ctx, f.users["civil_other"], run1.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county reads a run: %v", err)
	}
	if sets, err := f.s.Datasets(f.ctx, f.users["civil_other"], "", false, 0, 50); err != nil || len(sets) != 0 {
		t.Fatalf("other county lists this county's datasets: %d %v", len(sets), err)
	}
	if sets, err := f.s.Datasets(f.ctx, f.users["civil_town"], "", false, 0, 50); err != nil || len(sets) != 3 {
		t.Fatalf("a town does not see its county's datasets: %d %v", len(sets), err)
	}
	if _, err := f.s.RunNow(f.ctx, f.users["civil_other"], crosscheck.RunInput{DatasetIDs: []int64{veh.ID}}, nil); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county runs this county's dataset: %v", err)
	}
}

// A data_error closes a doubt with a reason; include_unauthorised checks everyone; a run on a
// region limits the doubts to it.
func TestRunOptions(t *testing.T) {
	f := newFixture(t)
	ps := f.people(2)
	a, c := ps[0], ps[1]
	f.authorise(a.household)
	veh := f.dataset(crosscheck.KindVehicle, "v.csv", vehicles(
		a.id+","+a.name+",苏J1,car,2025-06-01,80000",
		c.id+","+c.name+",苏J3,car,2025-01-01,90000",
		c.id+","+c.name+",苏J4,motorcycle,2025-01-01,9000",
	))
	r, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{IncludeUnauthorised: true}, nil) // newest dataset per kind
	if err != nil || r.DoubtsNew != 2 || r.SkippedUnauthorised != 0 || len(r.Datasets) != 1 || r.Datasets[0].ID != veh.ID {
		t.Fatalf("run including unauthorised: %+v %v", r, err)
	}
	cv := f.doubtsOf(c.household)["vehicle"]
	if len(cv) != 1 || strings.Contains(cv[0].Explanation, "苏J4") {
		t.Fatalf("a motorcycle raised a doubt: %+v", cv)
	}
	d, err := f.s.Outcome(f.ctx, f.users["office"], cv[0].ID, crosscheck.OutcomeInput{Outcome: "data_error", Reason: "车管所数据身份证号录入错误"})
	if err != nil || d.Status != crosscheck.StatusDataError || d.ProcedureID != nil {
		t.Fatalf("data_error: %+v %v", d, err)
	}
	if _, err := f.s.Outcome(f.ctx, f.users["office"], f.doubtsOf(a.household)["vehicle"][0].ID, crosscheck.OutcomeInput{Outcome: "maybe", Reason: "x"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("unknown outcome: %v", err)
	}
	// A run limited to another village than c's household finds nothing for it.
	other := "320921100202"
	if c.region == other {
		other = "320921100201"
	}
	r2, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{IncludeUnauthorised: true, Region: other}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r2.RegionCode != other || r2.DoubtsFound > 1 {
		t.Fatalf("region-limited run: %+v", r2)
	}
	// A region outside the caller's scope is refused.
	if _, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{Region: "320922000000"}, nil); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("run outside scope: %v", err)
	}
	runs, err := f.s.Runs(f.ctx, f.users["auditor"], "", 0, 10)
	if err != nil || len(runs) != 2 || runs[0].ID != r2.ID {
		t.Fatalf("runs list: %+v %v", runs, err)
	}
	// A file changed behind the system's back fails the run, which says so.
	path := filepath.Join(f.s.Dir, "datasets", veh.SHA256+".csv")
	if err := os.WriteFile(path, []byte("nothing,useful\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	failed, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{DatasetIDs: []int64{veh.ID}}, nil)
	if err == nil || failed.ID == 0 {
		t.Fatalf("run over a broken file: %+v %v", failed, err)
	}
	stored, err := f.s.RunByID(f.ctx, f.users["auditor"], failed.ID)
	if err != nil || stored.Status != "failed" || !strings.Contains(stored.Error, fmt.Sprintf("数据集 %d", veh.ID)) || stored.FinishedAt == nil {
		t.Fatalf("failed run record: %+v %v", stored, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{DatasetIDs: []int64{veh.ID}}, nil); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("run over a missing file: %v", err)
	}
	if ds, err := f.s.Dataset(f.ctx, f.users["auditor"], veh.ID); err != nil || !ds.FileMissing {
		t.Fatalf("missing file not flagged: %+v %v", ds, err)
	}
}

// Bad input is refused with an error naming the field, or the rows with line, column and reason.
func TestDatasetBadInput(t *testing.T) {
	f := newFixture(t)
	add := func(in crosscheck.DatasetInput, content string) error {
		_, _, err := f.s.AddDataset(f.ctx, f.users["civil"], in, strings.NewReader(content))
		return err
	}
	ok := crosscheck.DatasetInput{Kind: crosscheck.KindDeath, SourceDept: "民政局", AsOf: "2026-02-01", FileName: "d.csv"}
	field := func(name string, err error, want string) {
		t.Helper()
		e, isErr := errs.As(err)
		if !isErr || e.Code != errs.Invalid || !strings.Contains(e.Fields[name]+e.Message, want) {
			t.Errorf("%s: got %v, want an invalid %s mentioning %q", name, err, name, want)
		}
	}
	bad := ok
	bad.Kind = "cars"
	field("kind", add(bad, "id_number,name,death_date\n"), "vehicle")
	bad = ok
	bad.AsOf = "2026-03-03" // tomorrow in Shanghai
	field("as_of", add(bad, "id_number,name,death_date\n"), "晚于今天")
	bad = ok
	bad.AsOf = "2026-13-01"
	field("as_of", add(bad, "x"), "YYYY-MM-DD")
	bad = ok
	bad.SourceDept = " "
	field("source_dept", add(bad, "x"), "来源部门")
	field("file", add(ok, "%PDF-1.7\n binary"), "PDF")
	field("file", add(ok, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "不是 CSV 或 XLSX")
	field("file", add(ok, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), ".xls")
	field("file", add(ok, ""), "文件为空")
	field("file", add(ok, "id_number,name,death_date\n"), "没有数据行")
	err := add(ok, "id_number,name,death_date\n12345,张三,2025-01-01\n32092119900101,李四,2025-01-01\n")
	e, isErr := errs.As(err)
	if !isErr || !strings.Contains(e.Message, "全部被拒绝") || !strings.Contains(e.Message, "第2行") || len(e.Fields) != 2 {
		t.Fatalf("0 valid rows: %v", err)
	}
	for k, reason := range e.Fields {
		if !strings.HasPrefix(k, "line ") || !strings.Contains(k, "id_number") || reason == "" {
			t.Errorf("row error %q: %q", k, reason)
		}
	}
	// Missing required columns name them.
	err = add(ok, "姓名,死亡日期\n张三,2025-01-01\n")
	if e, isErr := errs.As(err); !isErr || !strings.Contains(e.Error(), "id_number") && !strings.Contains(e.Error(), "身份证") {
		t.Fatalf("missing column: %v", err)
	}
	// Refused files are not left in the data directory.
	left, _ := filepath.Glob(filepath.Join(f.s.Dir, "datasets", "*"))
	if len(left) != 0 {
		t.Fatalf("refused files kept: %v", left)
	}
	// Only civil affairs and poverty offices register datasets.
	if _, _, err := f.s.AddDataset(f.ctx, f.users["auditor"], ok, strings.NewReader("id_number,name,death_date\n")); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("auditor registers a dataset: %v", err)
	}
}

// Rule sets: defaults until a county stores its own; new versions keep the old; a run names
// the version it used; towns may not change rules; invalid rules are refused.
func TestRuleVersions(t *testing.T) {
	f := newFixture(t)
	def, err := f.s.Rules(f.ctx, f.users["civil"], "")
	if err != nil || def.ID != 0 || !def.Inherited || len(def.Rules) < 10 {
		t.Fatalf("defaults: %+v %v", def, err)
	}
	rules := def.Rules
	for i := range rules {
		if rules[i].Key == "vehicle" {
			rules[i].Enabled = false
		}
	}
	v1, err := f.s.SetRules(f.ctx, f.users["civil"], crosscheck.RulesInput{Rules: rules, Note: "本县不比对车辆"})
	if err != nil || v1.Version != 1 || v1.RegionCode != county {
		t.Fatalf("set: %+v %v", v1, err)
	}
	v2, err := f.s.SetRules(f.ctx, f.users["civil"], crosscheck.RulesInput{Rules: def.Rules[:3]})
	if err != nil || v2.Version != 2 {
		t.Fatalf("second version: %+v %v", v2, err)
	}
	vs, err := f.s.RuleVersions(f.ctx, f.users["auditor"], "")
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Note != "本县不比对车辆" {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	// A town reads its county's set, inherited; the other county still has the defaults.
	town, err := f.s.Rules(f.ctx, f.users["civil_town"], "")
	if err != nil || !town.Inherited || town.ID != v2.ID {
		t.Fatalf("town reads: %+v %v", town, err)
	}
	other, err := f.s.Rules(f.ctx, f.users["civil_other"], "")
	if err != nil || other.ID != 0 {
		t.Fatalf("other county: %+v %v", other, err)
	}
	if _, err := f.s.SetRules(f.ctx, f.users["civil_town"], crosscheck.RulesInput{Rules: def.Rules}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("town sets rules: %v", err)
	}
	broken := append([]crosscheck.Rule(nil), def.Rules...)
	broken[0].Check = "nonsense"
	if _, err := f.s.SetRules(f.ctx, f.users["civil"], crosscheck.RulesInput{Rules: broken}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("invalid rules stored: %v", err)
	}
	if _, err := f.s.SetRules(f.ctx, f.users["office"], crosscheck.RulesInput{Rules: def.Rules}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("poverty office sets rules: %v", err)
	}
	// A run uses the county's newest set and names it.
	p := f.people(1)[0]
	f.authorise(p.household)
	ds := f.dataset(crosscheck.KindVehicle, "v.csv", vehicles(p.id+","+p.name+",苏J1,car,2025-06-01,80000"))
	r := f.run(ds.ID)
	if r.RulesetID != v2.ID || r.RulesetVersion != 2 {
		t.Fatalf("run rules: %+v", r)
	}
}

// Authorisations: history kept, revocation, the list of households without one.
func TestAuthorisations(t *testing.T) {
	f := newFixture(t)
	p := f.people(1)[0]
	missing := func() int {
		rows, err := f.s.Unauthorised(f.ctx, f.users["office"], "", crosscheck.Cursor{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.RegionCode[:6] != "320921" {
				t.Fatalf("missing list crosses the county: %+v", r)
			}
		}
		return len(rows)
	}
	before := missing()
	a1 := f.authorise(p.household)
	if missing() != before-1 {
		t.Fatalf("authorised household still listed as missing")
	}
	a2 := f.authorise(p.household)
	list, err := f.s.Authorisations(f.ctx, f.users["auditor"], p.household)
	if err != nil || len(list) != 2 || list[0].ID != a2.ID || !list[1].Active || list[1].AttachmentName != "授权委托书.pdf" {
		t.Fatalf("history: %+v %v", list, err)
	}
	if _, err := f.s.RevokeAuthorisation(f.ctx, f.users["office"], a1.ID, crosscheck.RevokeInput{On: "2026-03-01"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("revoke without reason: %v", err)
	}
	for _, a := range []crosscheck.Authorisation{a1, a2} {
		r, err := f.s.RevokeAuthorisation(f.ctx, f.users["office"], a.ID, crosscheck.RevokeInput{On: "2026-03-01", Reason: "户主书面撤回授权"})
		if err != nil || r.Active || r.RevokedOn == nil {
			t.Fatalf("revoke: %+v %v", r, err)
		}
	}
	if missing() != before {
		t.Fatalf("revoked household not listed as missing")
	}
	if _, err := f.s.AddAuthorisation(f.ctx, f.users["office"], p.household, crosscheck.AuthorisationInput{SignedOn: "2027-01-01", AttachmentID: a1.AttachmentID}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("future signature: %v", err)
	}
	if _, err := f.s.AddAuthorisation(f.ctx, f.users["office"], p.household, crosscheck.AuthorisationInput{SignedOn: "2026-01-01"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("no attachment: %v", err)
	}
	if _, err := f.s.AddAuthorisation(f.ctx, f.users["office_other"], p.household, crosscheck.AuthorisationInput{SignedOn: "2026-01-01", AttachmentID: a1.AttachmentID}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county records an authorisation: %v", err)
	}
	if _, err := f.s.Authorisations(f.ctx, f.users["helper"], p.household); err != nil {
		t.Fatalf("helper reads authorisations: %v", err)
	}
	if _, err := f.s.AddAuthorisation(f.ctx, f.users["helper"], p.household, crosscheck.AuthorisationInput{SignedOn: "2026-01-01", AttachmentID: a1.AttachmentID}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("helper records an authorisation: %v", err)
	}
}

// A retired dataset stays (row and file) and the runs that read it still name it, but new runs
// neither pick it (newest per kind) nor accept it; retiring needs a reason, is audited, is done
// once, and only by the scope that registered it.
func TestRetireDataset(t *testing.T) {
	f := newFixture(t)
	a := f.people(1)[0]
	old := f.dataset(crosscheck.KindVehicle, "车辆-旧.csv", vehicles(a.id+","+a.name+",苏J1,car,2025-06-01,80000"))
	run, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{IncludeUnauthorised: true}, nil)
	if err != nil || len(run.Datasets) != 1 || run.Datasets[0].ID != old.ID {
		t.Fatalf("first run: %+v %v", run, err)
	}
	// Refused: no reason, another county, a town below the county, the auditor.
	if _, err := f.s.RetireDataset(f.ctx, f.users["civil"], old.ID, crosscheck.RetireInput{Reason: "  "}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("retire without a reason: %v", err)
	}
	if _, err := f.s.RetireDataset(f.ctx, f.users["civil_other"], old.ID, crosscheck.RetireInput{Reason: "x"}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another county retires: %v", err)
	}
	if _, err := f.s.RetireDataset(f.ctx, f.users["civil_town"], old.ID, crosscheck.RetireInput{Reason: "x"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a town retires its county's dataset: %v", err)
	}
	if _, err := f.s.RetireDataset(f.ctx, f.users["auditor"], old.ID, crosscheck.RetireInput{Reason: "x"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("the auditor retires: %v", err)
	}
	ds, err := f.s.RetireDataset(f.ctx, f.users["civil"], old.ID, crosscheck.RetireInput{Reason: "车管所已提供更正后的数据"})
	if err != nil || !ds.Retired || ds.RetiredAt == nil || ds.RetiredReason != "车管所已提供更正后的数据" {
		t.Fatalf("retire: %+v %v", ds, err)
	}
	if _, err := f.s.RetireDataset(f.ctx, f.users["civil"], old.ID, crosscheck.RetireInput{Reason: "again"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("retired twice: %v", err)
	}
	// Kept: the row, the file, the run's record of it.
	got, err := f.s.Dataset(f.ctx, f.users["civil"], old.ID)
	if err != nil || !got.Retired || got.FileMissing || got.RetiredBy == nil || *got.RetiredBy != f.users["civil"].UserID {
		t.Fatalf("retired dataset detail: %+v %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(f.s.Dir, "datasets", old.SHA256+".csv")); err != nil {
		t.Fatalf("retired dataset's file removed: %v", err)
	}
	if r, err := f.s.RunByID(f.ctx, f.users["civil"], run.ID); err != nil || len(r.Datasets) != 1 || r.Datasets[0].ID != old.ID {
		t.Fatalf("the run no longer names its dataset: %+v %v", r, err)
	}
	all, _ := f.s.Datasets(f.ctx, f.users["civil"], "", false, 0, 50)
	active, _ := f.s.Datasets(f.ctx, f.users["civil"], "", true, 0, 50)
	if len(all) != 1 || !all[0].Retired || len(active) != 0 {
		t.Fatalf("lists: all %+v, active %+v", all, active)
	}
	ev, err := f.s.Audit.History(f.ctx, "dataset", strconv.FormatInt(old.ID, 10), 10)
	if err != nil || len(ev) != 2 || ev[0].Action != "dataset.retire" || !strings.Contains(string(ev[0].After), "车管所已提供更正后的数据") {
		t.Fatalf("audit: %+v %v", ev, err)
	}
	// New runs: not picked, not accepted.
	if _, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{IncludeUnauthorised: true}, nil); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("run with only a retired dataset: %v", err)
	}
	if _, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{DatasetIDs: []int64{old.ID}}, nil); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("run naming a retired dataset: %v", err)
	}
	// The same file again is refused (one dataset per file and scope), a new edition is used.
	if _, _, err := f.s.AddDataset(f.ctx, f.users["civil"], crosscheck.DatasetInput{Kind: crosscheck.KindVehicle, SourceDept: "交警", AsOf: "2026-02-28", FileName: "again.csv"},
		strings.NewReader(vehicles(a.id+","+a.name+",苏J1,car,2025-06-01,80000"))); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("retired file registered again: %v", err)
	}
	fresh := f.dataset(crosscheck.KindVehicle, "车辆-新.csv", vehicles(a.id+","+a.name+",苏J2,car,2025-06-01,80000"))
	run2, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{IncludeUnauthorised: true}, nil)
	if err != nil || len(run2.Datasets) != 1 || run2.Datasets[0].ID != fresh.ID {
		t.Fatalf("run after retiring: %+v %v", run2, err)
	}
}

// The helper's field app gets the dispatched doubts of the households currently assigned to
// them, without ID numbers; not the doubts still open, nor another helper's households'.
func TestFieldDoubts(t *testing.T) {
	f := newFixture(t)
	ps := f.people(10)
	a := ps[0]
	var b person
	for _, p := range ps[1:] {
		if p.helper != a.helper {
			b = p
			break
		}
	}
	if b.household == 0 {
		t.Fatal("no household with another helper")
	}
	veh := f.dataset(crosscheck.KindVehicle, "车辆.csv", vehicles(
		a.id+","+a.name+",苏J12345,car,2025-06-01,80000",
		b.id+","+b.name+",苏J22222,car,2025-06-01,80000",
	))
	death := f.dataset(crosscheck.KindDeath, "死亡.csv", "id_number,name,death_date\n"+a.id+","+a.name+",2025-12-01\n")
	if _, err := f.s.RunNow(f.ctx, f.users["civil"], crosscheck.RunInput{DatasetIDs: []int64{veh.ID, death.ID}, IncludeUnauthorised: true}, nil); err != nil {
		t.Fatal(err)
	}
	av, bv := f.doubtsOf(a.household)["vehicle"][0], f.doubtsOf(b.household)["vehicle"][0]
	for _, id := range []int64{av.ID, bv.ID} {
		if _, err := f.s.Dispatch(f.ctx, f.users["cadre"], id, crosscheck.DispatchInput{Note: "请核实 " + a.id}); err != nil {
			t.Fatal(err)
		}
	}
	// a's deceased doubt stays open (not dispatched): not on the phone.
	hp := *f.users["helper"]
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT id FROM users WHERE username = 'helper_320921'`).Scan(&hp.UserID); err != nil {
		t.Fatal(err)
	}
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(f.ctx, `UPDATE helpers SET user_id = ? WHERE id = ?`, hp.UserID, a.helper)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v := &visits.Service{DB: f.d, Audit: f.s.Audit, Config: visits.DefaultConfig()}
	dl, err := v.Households(f.ctx, &hp)
	if err != nil {
		t.Fatal(err)
	}
	var found []crosscheck.FieldDoubt
	for _, h := range dl.Households {
		if h.ID == b.household {
			t.Fatalf("another helper's household downloaded: %+v", h)
		}
		if h.ID != a.household && len(h.Doubts) != 0 {
			t.Fatalf("household %d has doubts: %+v", h.ID, h.Doubts)
		}
		if h.ID == a.household {
			found = h.Doubts
		}
	}
	if len(found) != 1 || found[0].ID != av.ID || found[0].RuleLabel == "" || found[0].Deadline != "2026-03-17" || found[0].MemberName != a.name || found[0].Overdue {
		t.Fatalf("a's doubts on the phone: %+v", found)
	}
	masked := a.id[:6] + "********" + a.id[14:]
	if !strings.Contains(found[0].Explanation, "苏J12345") || strings.Contains(found[0].Explanation, masked) || strings.Contains(found[0].DispatchNote, a.id) ||
		strings.Contains(found[0].Explanation, "()") || strings.Contains(found[0].Explanation, "()") {
		t.Fatalf("explanation on the phone: %q, note %q", found[0].Explanation, found[0].DispatchNote)
	}
	// Once its outcome is in, it leaves the phone.
	if _, err := f.s.Outcome(f.ctx, f.users["office"], av.ID, crosscheck.OutcomeInput{Outcome: "data_error", Reason: "号牌录入错误"}); err != nil {
		t.Fatal(err)
	}
	dl, _ = v.Households(f.ctx, &hp)
	for _, h := range dl.Households {
		if len(h.Doubts) != 0 {
			t.Fatalf("closed doubt still on the phone: %+v", h.Doubts)
		}
	}
}

func TestWithoutIDNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"成员 张三(320921********1234) 名下登记小型汽车":   "成员 张三 名下登记小型汽车",
		"身份证号 32092119900307001X 在车辆中的姓名为“李四”": "身份证号 在车辆中的姓名为“李四”",
		"成员 王五（320921********123X）为干部":         "成员 王五为干部",
		"家庭人均 12,000.00 元,高于收入线 10,000.00 元":   "家庭人均 12,000.00 元,高于收入线 10,000.00 元",
		"张三(******************) 已死亡":           "张三 已死亡",
	} {
		if got := crosscheck.WithoutIDNumbers(in); got != want {
			t.Errorf("WithoutIDNumbers(%q) = %q, want %q", in, got, want)
		}
	}
}
