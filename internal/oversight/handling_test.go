package oversight

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func (f *fixture) alertEvents(id int64, action string) int64 {
	f.t.Helper()
	return f.count(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'alert' AND entity_id = ? AND action = ?`, alertItoa(id), action)
}

// The state machine open → assigned → verifying → closed, each step one transaction with its
// audit event, and every way a step is refused.
func TestAlertHandling(t *testing.T) {
	f := newFixture(t)
	id := handlingAlert(t, f, testAlert{dept: auth.PovertyOffice})
	office := f.County(auth.PovertyOffice)
	cityOffice := f.CityRole(auth.PovertyOffice)

	// refused: wrong department, other county, a role without alert.handle, stale or missing
	// version, unknown or unfit assignee, verify before assign
	_, err := f.S.AssignAlert(f.Ctx, f.County(auth.Finance), id, AlertAssignInput{Version: 1})
	alertWantCode(t, err, errs.Forbidden, "finance assigning a poverty-office alert")
	if !strings.Contains(err.Error(), "承办部门") {
		t.Fatalf("department refusal should name the department: %v", err)
	}
	_, err = f.S.AssignAlert(f.Ctx, f.Other(auth.PovertyOffice), id, AlertAssignInput{Version: 1})
	alertWantCode(t, err, errs.NotFound, "other county")
	_, err = f.S.AssignAlert(f.Ctx, f.County(auth.Auditor), id, AlertAssignInput{Version: 1})
	alertWantCode(t, err, errs.Forbidden, "auditor lacks alert.handle")
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 2})
	alertWantCode(t, err, errs.Conflict, "stale version")
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{})
	alertWantField(t, err, "version")
	unknown := int64(987654)
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 1, AssigneeID: &unknown})
	alertWantField(t, err, "assignee_id")
	finance := f.County(auth.Finance).UserID
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 1, AssigneeID: &finance})
	alertWantField(t, err, "assignee_id")
	otherOffice := f.Other(auth.PovertyOffice).UserID
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 1, AssigneeID: &otherOffice})
	alertWantField(t, err, "assignee_id")
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 1, Note: strings.Repeat("长", 501)})
	alertWantField(t, err, "note")
	_, err = f.S.VerifyAlert(f.Ctx, office, id, AlertVerifyInput{Version: 1})
	alertWantCode(t, err, errs.Conflict, "verify an open alert")
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'alert'`); n != 0 {
		t.Fatalf("refused steps wrote %d audit events", n)
	}

	// assign to the city's poverty office user (scope covers the village)
	d, err := f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 1, AssigneeID: &cityOffice.UserID, Note: "请核实"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != StatusAssigned || d.Version != 2 || d.AssigneeID == nil || *d.AssigneeID != cityOffice.UserID ||
		d.AssigneeName == "" || d.AssignNote != "请核实" || d.AssignedAt == nil {
		t.Fatalf("after assign %+v", d.AlertRow)
	}
	if len(d.History) != 1 || d.History[0].Action != "alert.assign" {
		t.Fatalf("history %+v", d.History)
	}
	// re-assign (no assignee: the caller)
	d, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 2})
	if err != nil || d.AssigneeID == nil || *d.AssigneeID != office.UserID || d.Version != 3 {
		t.Fatalf("re-assign: %+v %v", d.AlertRow, err)
	}

	d, err = f.S.VerifyAlert(f.Ctx, office, id, AlertVerifyInput{Version: 3, Note: "入户核查"})
	if err != nil || d.Status != StatusVerifying || d.Version != 4 {
		t.Fatalf("verify: %+v %v", d.AlertRow, err)
	}
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 4})
	alertWantCode(t, err, errs.Conflict, "assign while verifying")

	// close: outcome and findings required
	_, err = f.S.CloseAlert(f.Ctx, office, id, AlertCloseInput{Version: 4, Outcome: OutcomeSubstantiated})
	alertWantField(t, err, "findings")
	_, err = f.S.CloseAlert(f.Ctx, office, id, AlertCloseInput{Version: 4, Outcome: OutcomeSubstantiated, Findings: " 属实 "})
	alertWantField(t, err, "findings")
	_, err = f.S.CloseAlert(f.Ctx, office, id, AlertCloseInput{Version: 4, Outcome: "maybe", Findings: "经核查情况属实"})
	alertWantField(t, err, "outcome")
	_, err = f.S.CloseAlert(f.Ctx, f.County(auth.CivilAffairs), id, AlertCloseInput{Version: 4, Outcome: OutcomeUnfounded, Findings: "经核查情况不属实"})
	alertWantCode(t, err, errs.Forbidden, "civil affairs closing a poverty-office alert")
	d, err = f.S.CloseAlert(f.Ctx, office, id, AlertCloseInput{Version: 4, Outcome: OutcomeSubstantiated, Findings: "经核查情况属实,已追回"})
	if err != nil || d.Status != StatusClosed || d.Outcome != OutcomeSubstantiated || d.ClosedAt == nil || d.Light != "" ||
		d.Findings != "经核查情况属实,已追回" || d.Version != 5 {
		t.Fatalf("close: %+v %v", d, err)
	}
	// a closed alert takes nothing more
	_, err = f.S.CloseAlert(f.Ctx, office, id, AlertCloseInput{Version: 5, Outcome: OutcomeUnfounded, Findings: "再次办结试试"})
	alertWantCode(t, err, errs.Conflict, "close a closed alert")
	_, err = f.S.AssignAlert(f.Ctx, office, id, AlertAssignInput{Version: 5})
	alertWantCode(t, err, errs.Conflict, "assign a closed alert")
	_, err = f.S.AttachToAlert(f.Ctx, office, id, "补充.pdf", strings.NewReader("%PDF"))
	alertWantCode(t, err, errs.Conflict, "attach to a closed alert")

	for action, want := range map[string]int64{"alert.assign": 2, "alert.verify": 1, "alert.close": 1, "alert.attach": 0} {
		if n := f.alertEvents(id, action); n != want {
			t.Errorf("%s events: %d, want %d", action, n, want)
		}
	}
	if d, _ := f.S.Alert(f.Ctx, office, id); len(d.History) != 4 {
		t.Fatalf("history of the closed alert: %d events", len(d.History))
	}

	// an open alert may be closed directly
	id2 := handlingAlert(t, f, testAlert{dept: auth.Finance})
	d, err = f.S.CloseAlert(f.Ctx, f.County(auth.Finance), id2, AlertCloseInput{Version: 1, Outcome: OutcomeUnfounded, Findings: "系统数据有误"})
	if err != nil || d.Status != StatusClosed || d.Outcome != OutcomeUnfounded {
		t.Fatalf("close an open alert: %+v %v", d.AlertRow, err)
	}
}

// Two handlers close the same alert at the same version at once: exactly one wins, the
// other gets a conflict, and one close event is recorded.
func TestAlertConcurrentClose(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	for round := 0; round < 5; round++ {
		id := handlingAlert(t, f, testAlert{})
		var wg sync.WaitGroup
		results := make([]error, 2)
		start := make(chan struct{})
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				_, results[i] = f.S.CloseAlert(f.Ctx, office, id, AlertCloseInput{Version: 1, Outcome: OutcomeUnfounded, Findings: "并发办结测试"})
			}(i)
		}
		close(start)
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range results {
			switch errs.CodeOf(err) {
			case "":
				ok++
			case errs.Conflict:
				conflict++
			default:
				t.Fatalf("round %d: unexpected %v", round, err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: %d won, %d conflicts (%v)", round, ok, conflict, results)
		}
		if n := f.alertEvents(id, "alert.close"); n != 1 {
			t.Fatalf("round %d: %d close events", round, n)
		}
		if v := f.count(`SELECT version FROM alerts WHERE id = ?`, id); v != 2 {
			t.Fatalf("round %d: version %d", round, v)
		}
	}
}

// Attachments: stored with their hash under the alert's region, linked in the same
// transaction as the audit event, refused when too large, empty, or not the caller's to handle.
func TestAlertAttachments(t *testing.T) {
	f := newFixture(t)
	id := handlingAlert(t, f, testAlert{dept: auth.Finance})
	fin := f.County(auth.Finance)
	a, err := f.S.AttachToAlert(f.Ctx, fin, id, " 核查照片.jpg ", bytes.NewReader([]byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Name != "核查照片.jpg" || a.Size != 7 || a.ContentType != "image/jpeg" || len(a.SHA256) != 64 {
		t.Fatalf("attachment %+v", a)
	}
	if r := f.count(`SELECT COUNT(*) FROM attachments WHERE id = ? AND region_code = ?`, a.ID, villageA); r != 1 {
		t.Fatal("attachment not stored under the alert's region")
	}
	d, err := f.S.Alert(f.Ctx, fin, id)
	if err != nil || len(d.Attachments) != 1 || d.Attachments[0].ID != a.ID || d.Version != 1 {
		t.Fatalf("detail attachments %+v %v", d.Attachments, err)
	}
	if f.alertEvents(id, "alert.attach") != 1 {
		t.Fatal("no alert.attach event")
	}

	_, err = f.S.AttachToAlert(f.Ctx, fin, id, "big.bin", io.LimitReader(alertZeros{}, MaxAlertAttachment+1))
	alertWantCode(t, err, errs.TooLarge, "21 MB file")
	_, err = f.S.AttachToAlert(f.Ctx, fin, id, "empty.txt", strings.NewReader(""))
	alertWantField(t, err, "file")
	_, err = f.S.AttachToAlert(f.Ctx, fin, id, "", strings.NewReader("x"))
	alertWantField(t, err, "file")
	_, err = f.S.AttachToAlert(f.Ctx, f.County(auth.PovertyOffice), id, "x.txt", strings.NewReader("x"))
	alertWantCode(t, err, errs.Forbidden, "other department")
	_, err = f.S.AttachToAlert(f.Ctx, f.Other(auth.Finance), id, "x.txt", strings.NewReader("x"))
	alertWantCode(t, err, errs.NotFound, "other county")
	_, err = f.S.AttachToAlert(f.Ctx, fin, 999999, "x.txt", strings.NewReader("x"))
	alertWantCode(t, err, errs.NotFound, "unknown alert")
	if n := f.count(`SELECT COUNT(*) FROM alert_attachments WHERE alert_id = ?`, id); n != 1 {
		t.Fatalf("refused uploads linked: %d links", n)
	}
	if n := f.alertEvents(id, "alert.attach"); n != 1 {
		t.Fatalf("refused uploads audited: %d", n)
	}
}

type alertZeros struct{}

func (alertZeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// The users an alert may go to: active, of its department, scope covering its region.
func TestAlertAssignees(t *testing.T) {
	f := newFixture(t)
	id := handlingAlert(t, f, testAlert{dept: auth.Finance})
	fin := f.County(auth.Finance)
	list, err := f.S.Assignees(f.Ctx, fin, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, a := range list {
		if a.Role != "finance" || a.RoleLabel != "财政局" {
			t.Fatalf("assignee %+v", a)
		}
		got[a.UserID] = true
	}
	if !got[fin.UserID] || !got[f.CityRole(auth.Finance).UserID] || got[f.Other(auth.Finance).UserID] {
		t.Fatalf("assignees %+v", list)
	}
	f.exec(`UPDATE users SET disabled = 1 WHERE id = ?`, f.CityRole(auth.Finance).UserID)
	if list, _ = f.S.Assignees(f.Ctx, fin, id); len(list) != len(got)-1 {
		t.Fatalf("a disabled user is still offered: %+v", list)
	}
	cityFin := f.CityRole(auth.Finance).UserID
	_, err = f.S.AssignAlert(f.Ctx, fin, id, AlertAssignInput{Version: 1, AssigneeID: &cityFin})
	alertWantField(t, err, "assignee_id")
	_, err = f.S.Assignees(f.Ctx, f.County(auth.PovertyOffice), id)
	alertWantCode(t, err, errs.Forbidden, "other department")
	_, err = f.S.Assignees(f.Ctx, f.Other(auth.Finance), id)
	alertWantCode(t, err, errs.NotFound, "other county")
}
