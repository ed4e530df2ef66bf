package registry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/registry"
)

var tiny = demo.Scale{Name: "tiny", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 2}

const (
	county  = "320921000000"
	town    = "320921100000"
	village = "320921100201"
)

type fixture struct {
	t     *testing.T
	d     *db.DB
	s     *registry.Service
	now   time.Time
	ctx   context.Context
	users map[string]*auth.Principal
}

func newFixture(t *testing.T) *fixture {
	d := dbtest.Open(t)
	if _, err := demo.Load(context.Background(), d, tiny); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, d: d, now: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC), ctx: context.Background()}
	d.Clock = func() time.Time { return f.now }
	f.s = &registry.Service{DB: d, Audit: &audit.Service{DB: d}}
	mk := func(id int64, role auth.Role, scope string) *auth.Principal {
		return &auth.Principal{UserID: id, Username: string(role) + scope, Name: string(role), Role: role, Scope: scope}
	}
	f.users = map[string]*auth.Principal{
		"cadre":        mk(101, auth.VillageCadre, village),
		"cadre_town":   mk(102, auth.VillageCadre, town),
		"helper":       mk(103, auth.Helper, town),
		"office_town":  mk(104, auth.PovertyOffice, town),
		"office":       mk(105, auth.PovertyOffice, county),
		"office_other": mk(106, auth.PovertyOffice, "320922000000"),
		"auditor":      mk(107, auth.Auditor, county),
		"discipline":   mk(108, auth.Discipline, county),
	}
	return f
}

// id makes a valid ID number for a person born in 1980+n.
func id(n int, sex idcard.Sex) string {
	return idcard.Make("320921", time.Date(1970+n%40, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC), 300+n%199, sex)
}

func (f *fixture) create(no string, members ...registry.MemberInput) int64 {
	f.t.Helper()
	hid, err := f.s.Create(f.ctx, f.users["cadre"], registry.HouseholdInput{HouseholdNo: no, RegionCode: village, HeadIDNumber: members[0].IDNumber,
		HouseholdType: registry.General, Causes: []string{"illness"}, Income: registry.Income{Year: 2025, PerCapitaFen: 500000}}, members)
	if err != nil {
		f.t.Fatalf("create %s: %v", no, err)
	}
	// The "helper" principal answers for every household the fixture makes.
	err = f.d.InTx(f.ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(f.ctx, `INSERT INTO assignments (household_id, helper_id, region_code, from_date, created_at, updated_at)
			VALUES (?, ?, ?, '2026-01-01', ?, ?)`, hid, f.helperID(tx), town, db.Time(tx.Now), db.Time(tx.Now))
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return hid
}

// helperID is the helper record the fixture's "helper" principal signs in as, made once.
func (f *fixture) helperID(tx *db.Tx) int64 {
	f.t.Helper()
	var hid int64
	if err := tx.QueryRowContext(f.ctx, `SELECT id FROM helpers WHERE user_id = ?`, f.users["helper"].UserID).Scan(&hid); err == nil {
		return hid
	}
	uid, err := tx.InsertID(f.ctx, `INSERT INTO users (username, display_name, role, scope_code, password_hash, created_at, updated_at)
		VALUES ('fixture_helper', '帮扶人', 'helper', ?, 'x', ?, ?) RETURNING id`, town, db.Time(tx.Now), db.Time(tx.Now))
	if err != nil {
		f.t.Fatal(err)
	}
	f.users["helper"].UserID = uid
	hid, err = tx.InsertID(f.ctx, `INSERT INTO helpers (id_number, name, region_code, user_id, created_at, updated_at)
		VALUES (?, '帮扶人', ?, ?, ?, ?) RETURNING id`, id(99, idcard.Female), town, uid, db.Time(tx.Now), db.Time(tx.Now))
	if err != nil {
		f.t.Fatal(err)
	}
	return hid
}

func head(n int) registry.MemberInput {
	return registry.MemberInput{IDNumber: id(n, idcard.Male), Name: "张三" + string(rune('A'+n%26)), Relation: "head", MedicalInsured: true}
}

func (f *fixture) openProc(hid int64) registry.Procedure {
	f.t.Helper()
	file, err := f.s.File(f.ctx, f.users["office"], hid)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range file.Procedures {
		if p.Status == registry.ProcOpen {
			return p
		}
	}
	f.t.Fatalf("household %d has no open procedure", hid)
	return registry.Procedure{}
}

func (f *fixture) sign(who string, pid int64, in registry.SignInput) (registry.Procedure, error) {
	return f.s.Sign(f.ctx, f.users[who], pid, in)
}

func (f *fixture) mustSign(who string, pid int64) registry.Procedure {
	f.t.Helper()
	p, err := f.sign(who, pid, registry.SignInput{Decision: registry.Approve, Opinion: "同意"})
	if err != nil {
		f.t.Fatalf("%s signs %d: %v", who, pid, err)
	}
	return p
}

func wantCode(t *testing.T, err error, code errs.Code, contains string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not mention %q", err, contains)
	}
}

func TestCreateValidatesAndStartsRegistration(t *testing.T) {
	f := newFixture(t)
	bad := head(1)
	bad.IDNumber = bad.IDNumber[:17] + map[bool]string{true: "1", false: "2"}[bad.IDNumber[17] != '1']
	_, err := f.s.Create(f.ctx, f.users["cadre"], registry.HouseholdInput{HouseholdNo: "T1", RegionCode: village, HeadIDNumber: bad.IDNumber,
		HouseholdType: registry.General}, []registry.MemberInput{bad})
	wantCode(t, err, errs.Invalid, "head_id_number")

	hid := f.create("T1", head(1), registry.MemberInput{IDNumber: id(2, idcard.Female), Name: "李四", Relation: "spouse"})
	file, err := f.s.File(f.ctx, f.users["office"], hid)
	if err != nil {
		t.Fatal(err)
	}
	h := file.Household
	if h.Status != registry.Applying || h.MembersCount != 2 || h.HeadName != "张三B" || len(file.Members) != 2 {
		t.Fatalf("household %+v, members %d", h, len(file.Members))
	}
	m := file.Members[1]
	if m.Sex != "female" || m.BirthDate != "1972-03-03" {
		t.Errorf("derived sex/birth wrong: %+v", m)
	}
	if len(file.Procedures) != 1 || file.Procedures[0].Kind != registry.ProcRegistration || file.Procedures[0].Step != 0 {
		t.Fatalf("procedures: %+v", file.Procedures)
	}
	if len(file.History) < 3 {
		t.Errorf("history has %d events, want create + 2 members + start", len(file.History))
	}
	// One ID in one active household: the spouse cannot be in a second one.
	_, err = f.s.Create(f.ctx, f.users["cadre"], registry.HouseholdInput{HouseholdNo: "T2", RegionCode: village, HeadIDNumber: id(2, idcard.Female),
		HouseholdType: registry.General}, []registry.MemberInput{{IDNumber: id(2, idcard.Female), Name: "李四", Relation: "head"}})
	wantCode(t, err, errs.Invalid, "T1")
	// Nothing of the failed household was written.
	var n int
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT COUNT(*) FROM households WHERE household_no = 'T2'`).Scan(&n)
	if n != 0 {
		t.Fatal("a rejected household left rows behind")
	}
	// Out of scope: another county's office sees nothing.
	_, err = f.s.File(f.ctx, f.users["office_other"], hid)
	wantCode(t, err, errs.NotFound, "")
	_, err = f.s.Create(f.ctx, f.users["office_other"], registry.HouseholdInput{HouseholdNo: "T3", RegionCode: village, HeadIDNumber: id(3, idcard.Male),
		HouseholdType: registry.General}, []registry.MemberInput{head(3)})
	wantCode(t, err, errs.Forbidden, "")
}

// The registration chain end to end: the right signer per step, the publicity period and an
// objection blocking approval, then the household registered.
func TestRegistrationChainWithPublicity(t *testing.T) {
	f := newFixture(t)
	hid := f.create("R1", head(5))
	p := f.openProc(hid)
	// The town office may not sign the village's step; a town-scoped cadre is the wrong level.
	_, err := f.sign("office_town", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Forbidden, "村组干部")
	_, err = f.sign("cadre_town", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Forbidden, "村级")
	_, err = f.sign("office_other", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.NotFound, "")
	f.mustSign("cadre", p.ID)     // apply
	f.mustSign("cadre", p.ID)     // nominate
	p = f.mustSign("cadre", p.ID) // vote → village step with publicity
	if p.Step != 3 || !strings.Contains(p.Blocked, "公示") {
		t.Fatalf("at step %d blocked %q", p.Step, p.Blocked)
	}
	_, err = f.sign("cadre", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Conflict, "须先发布公示")
	n, err := f.s.Publish(f.ctx, f.users["cadre"], p.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.Title, "R1") {
		t.Errorf("notice title %q", n.Title)
	}
	_, err = f.s.Publish(f.ctx, f.users["cadre"], p.ID, "", "")
	wantCode(t, err, errs.Conflict, "已发布")
	f.now = f.now.Add(3 * 24 * time.Hour)
	_, err = f.sign("cadre", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Conflict, "公示期未满")
	o, err := f.s.Object(f.ctx, f.users["discipline"], p.ID, "该户有家庭成员在外经商,收入较高", "13800000000")
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(5 * 24 * time.Hour) // the period is over, but the objection is open
	_, err = f.sign("cadre", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Conflict, "异议")
	_, err = f.s.Answer(f.ctx, f.users["helper"], o.ID, "经核实无此情况")
	wantCode(t, err, errs.Forbidden, "") // helpers sign only their own step; answering is the village's or office's
	if _, err := f.s.Answer(f.ctx, f.users["cadre"], o.ID, "经入户核实,成员务农,无经商收入"); err != nil {
		t.Fatal(err)
	}
	f.mustSign("cadre", p.ID)       // village
	f.mustSign("office_town", p.ID) // town
	_, err = f.sign("office_town", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Forbidden, "县")
	p = f.mustSign("office", p.ID) // county
	if p.Status != registry.ProcDone || len(p.Signatures) != 6 {
		t.Fatalf("procedure %s with %d signatures", p.Status, len(p.Signatures))
	}
	file, _ := f.s.File(f.ctx, f.users["office"], hid)
	if file.Household.Status != registry.Registered || file.Household.RegisteredOn != "2026-03-09" {
		t.Fatalf("household %s registered on %s", file.Household.Status, file.Household.RegisteredOn)
	}
	// The trail holds each step and still verifies.
	if r, err := audit.Verify(f.ctx, f.d.Reader()); err != nil || !r.OK {
		t.Fatalf("audit verify: %+v %v", r, err)
	}
}

// Exit (五签字五确认) sets policy_until two years on; return brings it back as a return;
// removal frees the members' ID numbers for another household.
func TestExitReturnRemoval(t *testing.T) {
	f := newFixture(t)
	hid := f.create("E1", head(7))
	p := f.openProc(hid)
	f.registerThrough(p.ID)

	// Skipping: a return cannot start on a registered household.
	_, err := f.s.Start(f.ctx, f.users["cadre"], hid, registry.ProcReturn, "返贫")
	wantCode(t, err, errs.Conflict, "在档")
	ex, err := f.s.Start(f.ctx, f.users["office"], hid, registry.ProcExit, "收入达标")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Start(f.ctx, f.users["office"], hid, registry.ProcRemoval, "重复")
	wantCode(t, err, errs.Conflict, "进行中")
	f.mustSign("cadre", ex.ID) // household confirms its income
	// Only the household's own helper confirms, not any helper of the town.
	other := *f.users["helper"]
	other.UserID++
	_, err = f.s.Sign(f.ctx, &other, ex.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Forbidden, "本人")
	f.mustSign("helper", ex.ID) // helper confirms
	// A rejection at the village sends it back to the helper with a reason.
	_, err = f.sign("cadre", ex.ID, registry.SignInput{Decision: registry.Reject})
	wantCode(t, err, errs.Invalid, "理由")
	back := 1
	ex, err = f.sign("cadre", ex.ID, registry.SignInput{Decision: registry.Reject, Opinion: "收入证明不全", BackTo: &back})
	if err != nil || ex.Step != 1 {
		t.Fatalf("reject: step %d %v", ex.Step, err)
	}
	bad := 3
	_, err = f.sign("helper", ex.ID, registry.SignInput{Decision: registry.Reject, Opinion: "x", BackTo: &bad})
	wantCode(t, err, errs.Invalid, "back_to")
	f.mustSign("helper", ex.ID)
	if _, err := f.s.Publish(f.ctx, f.users["cadre"], ex.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(7*24*time.Hour + time.Minute)
	f.mustSign("cadre", ex.ID)
	f.mustSign("office_town", ex.ID)
	ex = f.mustSign("office", ex.ID)
	file, _ := f.s.File(f.ctx, f.users["office"], hid)
	h := file.Household
	exitDay := db.Date(f.now)
	if h.Status != registry.Exited || h.ExitedOn != exitDay || h.PolicyUntil != f.now.In(db.Shanghai).AddDate(2, 0, 0).Format(db.DateLayout) {
		t.Fatalf("after exit: %s exited %s policy until %s", h.Status, h.ExitedOn, h.PolicyUntil)
	}

	// Return (返贫): back to registered, counted.
	rt, err := f.s.Start(f.ctx, f.users["cadre"], hid, registry.ProcReturn, "因病返贫")
	if err != nil {
		t.Fatal(err)
	}
	f.mustSign("cadre", rt.ID)
	if _, err := f.s.Publish(f.ctx, f.users["cadre"], rt.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(8 * 24 * time.Hour)
	f.mustSign("cadre", rt.ID)
	f.mustSign("office_town", rt.ID)
	f.mustSign("office", rt.ID)
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	if file.Household.Status != registry.Registered || file.Household.Returns != 1 || file.Household.PolicyUntil != "" {
		t.Fatalf("after return: %+v", file.Household)
	}

	// Removal (核销): the member's ID may then join another household.
	rm, err := f.s.Start(f.ctx, f.users["cadre"], hid, registry.ProcRemoval, "比对发现有商品房两套")
	if err != nil {
		t.Fatal(err)
	}
	f.mustSign("cadre", rm.ID)
	f.mustSign("office_town", rm.ID)
	f.mustSign("office", rm.ID)
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	if file.Household.Status != registry.Removed || file.Household.MembersCount != 0 || file.Members[0].Active {
		t.Fatalf("after removal: %+v %+v", file.Household, file.Members)
	}
	f.create("E2", head(7))
	// A removed household is closed: no edits, no members.
	_, err = f.s.AddMember(f.ctx, f.users["cadre"], hid, head(8))
	wantCode(t, err, errs.Conflict, "核销")
}

// registerThrough signs a registration procedure through all six steps.
func (f *fixture) registerThrough(pid int64) {
	f.t.Helper()
	for i := 0; i < 3; i++ {
		f.mustSign("cadre", pid)
	}
	if _, err := f.s.Publish(f.ctx, f.users["cadre"], pid, "", ""); err != nil {
		f.t.Fatal(err)
	}
	f.now = f.now.Add(7*24*time.Hour + time.Second)
	f.mustSign("cadre", pid)
	f.mustSign("office_town", pid)
	f.mustSign("office", pid)
}

func TestRejectAtFirstStepClosesAndNoticeResetsAfterRejection(t *testing.T) {
	f := newFixture(t)
	hid := f.create("C1", head(9))
	p := f.openProc(hid)
	p, err := f.sign("cadre", p.ID, registry.SignInput{Decision: registry.Reject, Opinion: "材料不全"})
	if err != nil || p.Status != registry.ProcCancelled {
		t.Fatalf("reject at first step: %s %v", p.Status, err)
	}
	// The application can be filed again.
	p, err = f.s.Start(f.ctx, f.users["cadre"], hid, registry.ProcRegistration, "补齐材料后重新申请")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		f.mustSign("cadre", p.ID)
	}
	if _, err := f.s.Publish(f.ctx, f.users["cadre"], p.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(8 * 24 * time.Hour)
	f.mustSign("cadre", p.ID)
	// The town sends it back to the village vote: the old notice no longer counts.
	back := 2
	if _, err := f.sign("office_town", p.ID, registry.SignInput{Decision: registry.Reject, Opinion: "评议记录缺签名", BackTo: &back}); err != nil {
		t.Fatal(err)
	}
	f.mustSign("cadre", p.ID)
	_, err = f.sign("cadre", p.ID, registry.SignInput{Decision: registry.Approve})
	wantCode(t, err, errs.Conflict, "须先发布公示")
}

func TestUpdateIsOptimisticAndMembersLeave(t *testing.T) {
	f := newFixture(t)
	hid := f.create("U1", head(11), registry.MemberInput{IDNumber: id(12, idcard.Female), Name: "王五", Relation: "child", InSchool: true})
	file, _ := f.s.File(f.ctx, f.users["office"], hid)
	in := registry.HouseholdInput{HeadIDNumber: file.Household.HeadIDNumber, HeadName: file.Household.HeadName, HouseholdType: registry.Dibao,
		Causes: []string{"illness", "schooling"}, Income: registry.Income{Year: 2026, PerCapitaFen: 480000, WageFen: 300000, TransferFen: 180000},
		Guarantees: registry.Guarantees{Housing: registry.GuaranteeGap}}
	h, err := f.s.Update(f.ctx, f.users["cadre"], hid, file.Household.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if h.HouseholdType != registry.Dibao || h.Guarantees.Housing != "gap" || h.Guarantees.Food != "ok" || h.Version != file.Household.Version+1 {
		t.Fatalf("updated: %+v", h)
	}
	_, err = f.s.Update(f.ctx, f.users["cadre"], hid, file.Household.Version, in)
	wantCode(t, err, errs.Conflict, "版本")
	_, err = f.s.Update(f.ctx, f.users["auditor"], hid, h.Version, in)
	wantCode(t, err, errs.Forbidden, "")

	child := file.Members[1]
	_, err = f.s.LeaveMember(f.ctx, f.users["cadre"], child.ID, "2030-01-01", "外出")
	wantCode(t, err, errs.Invalid, "on")
	m, err := f.s.LeaveMember(f.ctx, f.users["cadre"], child.ID, "2026-02-01", "出嫁")
	if err != nil || m.Active || m.LeftOn != "2026-02-01" {
		t.Fatalf("leave: %+v %v", m, err)
	}
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	if file.Household.MembersCount != 1 || len(file.Members) != 2 {
		t.Fatalf("after leave: count %d, rows %d", file.Household.MembersCount, len(file.Members))
	}
	// The person left, so they may join another household.
	f.create("U2", registry.MemberInput{IDNumber: child.IDNumber, Name: "王五", Relation: "head"})
	var actions []string
	for _, e := range file.History {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"household.create", "member.add", "procedure.start", "household.update", "member.leave"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("history %v lacks %s", actions, want)
		}
	}
}

func TestListFiltersAndKeyset(t *testing.T) {
	f := newFixture(t)
	all, err := f.s.List(f.ctx, f.users["office"], registry.Filter{Limit: 1000})
	if err != nil || len(all) == 0 {
		t.Fatal(len(all), err)
	}
	var paged []registry.HouseholdRow
	var cur registry.Cursor
	for {
		page, err := f.s.List(f.ctx, f.users["office"], registry.Filter{After: cur, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if len(page) < 3 {
			break
		}
		last := page[len(page)-1]
		cur = registry.Cursor{Region: last.RegionCode, ID: last.ID}
	}
	if len(paged) != len(all) {
		t.Fatalf("paged %d rows, one query %d", len(paged), len(all))
	}
	for i := range all {
		if all[i].ID != paged[i].ID {
			t.Fatalf("row %d differs", i)
		}
		if strings.Contains(all[i].HeadIDMasked, all[i].HeadIDMasked[6:14]) && !strings.Contains(all[i].HeadIDMasked, "*") {
			t.Fatal("list shows an unmasked ID")
		}
	}
	lo, hi := int64(400000), int64(500000)
	rows, err := f.s.List(f.ctx, f.users["office"], registry.Filter{Status: registry.Registered, Type: registry.Dibao, IncomeMin: &lo, IncomeMax: &hi, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != registry.Registered || r.HouseholdType != registry.Dibao || r.IncomePerCapitaFen < lo || r.IncomePerCapitaFen > hi {
			t.Fatalf("filter let through %+v", r)
		}
	}
	hid := f.create("G1", head(20))
	file, _ := f.s.File(f.ctx, f.users["office"], hid)
	in := registry.HouseholdInput{HeadIDNumber: file.Household.HeadIDNumber, HouseholdType: registry.General, Causes: []string{"disaster"},
		Guarantees: registry.Guarantees{Water: registry.GuaranteeGap}}
	if _, err := f.s.Update(f.ctx, f.users["cadre"], hid, file.Household.Version, in); err != nil {
		t.Fatal(err)
	}
	for _, flt := range []registry.Filter{{Gap: "water"}, {Gap: "any"}, {Cause: "disaster"}, {Query: "G1"}} {
		flt.Limit = 1000
		rows, err := f.s.List(f.ctx, f.users["office"], flt)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			found = found || r.ID == hid
			if flt.Gap == "water" && !strings.Contains(strings.Join(r.Gaps, ","), "water") {
				t.Fatalf("gap filter let through %+v", r)
			}
		}
		if !found {
			t.Errorf("filter %+v misses the household", flt)
		}
	}
	_, err = f.s.List(f.ctx, f.users["office"], registry.Filter{Gap: "g_food = 'gap' OR 1=1 --", Limit: 5})
	wantCode(t, err, errs.Invalid, "gap")
	_, err = f.s.List(f.ctx, f.users["office_other"], registry.Filter{Region: county, Limit: 5})
	wantCode(t, err, errs.Forbidden, "")
}

func TestAdjustmentProposesAndStartsExits(t *testing.T) {
	f := newFixture(t)
	hid := f.create("A1", head(30))
	f.registerThrough(f.openProc(hid).ID)
	file, _ := f.s.File(f.ctx, f.users["office"], hid)
	in := registry.HouseholdInput{HeadIDNumber: file.Household.HeadIDNumber, HeadName: file.Household.HeadName, HouseholdType: registry.General,
		Income: registry.Income{Year: 2026, PerCapitaFen: 900000}}
	if _, err := f.s.Update(f.ctx, f.users["cadre"], hid, file.Household.Version, in); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Adjust(f.ctx, f.users["office"], 2031, "")
	wantCode(t, err, errs.NotFound, "收入线")
	if _, err := f.s.SetLine(f.ctx, f.users["office"], registry.IncomeLine{Year: 2026, RegionCode: town, LineFen: 950000}); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.Adjust(f.ctx, f.users["office"], 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Exits {
		if e.Household.ID == hid {
			t.Fatal("the town's higher line should keep A1 in")
		}
	}
	if _, err := f.s.SetLine(f.ctx, f.users["office"], registry.IncomeLine{Year: 2026, RegionCode: town, LineFen: 620000}); err != nil {
		t.Fatal(err)
	}
	a, err = f.s.Adjust(f.ctx, f.users["office"], 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range a.Exits {
		found = found || e.Household.ID == hid
		if e.Household.Status != registry.Registered || e.Household.IncomePerCapitaFen <= 620000 {
			t.Fatalf("proposed %+v", e.Household)
		}
	}
	if !found || a.RechecksTotal == 0 {
		t.Fatalf("A1 not proposed (%d exits), %d rechecks", len(a.Exits), a.RechecksTotal)
	}
	// Proposing changes nothing; starting creates exit procedures only.
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	if file.Household.Status != registry.Registered {
		t.Fatal("the proposal changed the household")
	}
	ids, err := f.s.StartExits(f.ctx, f.users["office"], 2026, []int64{hid}, "")
	if err != nil || len(ids) != 1 {
		t.Fatal(ids, err)
	}
	p, _ := f.s.Procedure(f.ctx, f.users["office"], ids[0])
	if p.Kind != registry.ProcExit || p.Status != registry.ProcOpen {
		t.Fatalf("%+v", p)
	}
	// All or none: a second round fails on A1 and starts nothing for the others.
	_, err = f.s.StartExits(f.ctx, f.users["office"], 2026, []int64{hid}, "")
	wantCode(t, err, errs.Conflict, "A1")
}

func TestDefineNewChainVersion(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.Define(f.ctx, f.users["office"], registry.ProcRemoval, nil)
	wantCode(t, err, errs.Forbidden, "")
	admin := &auth.Principal{UserID: 1, Name: "admin", Role: auth.Admin, Scope: "320900000000"}
	_, err = f.s.Define(f.ctx, admin, registry.ProcRemoval, []registry.Step{{Key: "a", Label: "x", Role: auth.Participant}})
	wantCode(t, err, errs.Invalid, "steps[0].role")
	d, err := f.s.Define(f.ctx, admin, registry.ProcRemoval, []registry.Step{
		{Key: "village", Label: "村级核实", Role: auth.VillageCadre, Level: "village", PublicityDays: 5},
		{Key: "county", Label: "县级审批", Role: auth.PovertyOffice, Level: "county"}})
	if err != nil || d.Version != 2 {
		t.Fatal(d, err)
	}
	hid := f.create("D1", head(40))
	f.registerThrough(f.openProc(hid).ID)
	p, err := f.s.Start(f.ctx, f.users["cadre"], hid, registry.ProcRemoval, "核实不符合条件")
	if err != nil || p.DefVersion != 2 || len(p.Steps) != 2 || p.Steps[0].PublicityDays != 5 {
		t.Fatalf("%+v %v", p, err)
	}
}

// The list's cause filter matches a substring of the stored list, which is exact only while no
// code is part of another.
func TestNoCauseCodeContainsAnother(t *testing.T) {
	for _, a := range registry.Causes {
		for _, b := range registry.Causes {
			if a != b && strings.Contains(a, b) {
				t.Errorf("cause %q contains %q", a, b)
			}
		}
	}
}

// Edge cases people hit: "today" in Shanghai before 08:00, a save that changes nothing, and
// the adjustment naming a procedure already under way.
func TestShanghaiTodayNoopSaveAndOpenProcedure(t *testing.T) {
	f := newFixture(t)
	f.now = time.Date(2026, 3, 1, 20, 30, 0, 0, time.UTC) // 2026-03-02 04:30 in Shanghai
	hid := f.create("S1", head(50), registry.MemberInput{IDNumber: id(51, idcard.Female), Name: "赵六", Relation: "spouse"})
	file, _ := f.s.File(f.ctx, f.users["office"], hid)
	if _, err := f.s.LeaveMember(f.ctx, f.users["cadre"], file.Members[1].ID, "2026-03-02", "外嫁"); err != nil {
		t.Fatalf("leaving on today's Shanghai date: %v", err)
	}
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	events := len(file.History)
	h, err := f.s.Update(f.ctx, f.users["cadre"], hid, file.Household.Version, registry.HouseholdInput{
		GroupName: file.Household.GroupName, HeadName: file.Household.HeadName, HeadIDNumber: file.Household.HeadIDNumber,
		HouseholdType: file.Household.HouseholdType, Causes: file.Household.Causes, Income: file.Household.Income})
	if err != nil || h.Version != file.Household.Version {
		t.Fatalf("no-op save: version %d → %d, %v", file.Household.Version, h.Version, err)
	}
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	if len(file.History) != events {
		t.Errorf("a save without changes wrote %d audit events", len(file.History)-events)
	}
	f.registerThrough(f.openProc(hid).ID)
	file, _ = f.s.File(f.ctx, f.users["office"], hid)
	in := registry.HouseholdInput{HeadIDNumber: file.Household.HeadIDNumber, HouseholdType: registry.General, Income: registry.Income{Year: 2026, PerCapitaFen: 990000}}
	if _, err := f.s.Update(f.ctx, f.users["cadre"], hid, file.Household.Version, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetLine(f.ctx, f.users["office"], registry.IncomeLine{Year: 2026, RegionCode: county, LineFen: 620000}); err != nil {
		t.Fatal(err)
	}
	p, err := f.s.Start(f.ctx, f.users["office"], hid, registry.ProcRemoval, "核实")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.s.Adjust(f.ctx, f.users["office"], 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Exits {
		if e.Household.ID == hid && e.OpenProcedure != p.ID {
			t.Fatalf("open procedure %d, want %d", e.OpenProcedure, p.ID)
		}
	}
}
