package projects

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

func TestToleranceApproved(t *testing.T) {
	f := newFixture(t)
	pid := insertProject(f, villageA, "carrier", 5)
	office := f.Town(auth.PovertyOffice)
	_, err := f.S.RequestTolerance(f.Ctx, office, pid, ToleranceInput{Reason: " "})
	if e, ok := errs.As(err); !ok || e.Fields["reason"] == "" || e.Fields["people"] == "" {
		t.Fatalf("invalid request: %v", err)
	}
	_, err = f.S.RequestTolerance(f.Ctx, office, pid, ToleranceInput{Reason: "r", People: []Person{{Name: "张三"}, {Name: " 张三 "}, {Name: ""}}})
	if e, ok := errs.As(err); !ok || e.Fields["people[1].name"] == "" || e.Fields["people[2].name"] == "" {
		t.Fatalf("invalid people: %v", err)
	}
	_, err = f.S.RequestTolerance(f.Ctx, f.County(auth.Discipline), pid, ToleranceInput{Reason: "r", People: []Person{{Name: "张三"}}})
	supWant(t, err, errs.Forbidden, "")
	_, err = f.S.RequestTolerance(f.Ctx, f.Other(auth.PovertyOffice), pid, ToleranceInput{Reason: "r", People: []Person{{Name: "张三"}}})
	supWant(t, err, errs.NotFound, "")
	tol, err := f.S.RequestTolerance(f.Ctx, office, pid, ToleranceInput{Reason: "特大暴雨冲毁大棚,非主观失误",
		People: []Person{{Name: " 张三 ", Position: "村党支部书记"}, {Name: "王五", Position: "镇农办主任"}}})
	if err != nil || tol.Status != "requested" || len(tol.People) != 2 || tol.People[0].Name != "张三" || tol.Version != 1 {
		t.Fatalf("%+v %v", tol, err)
	}
	// one open request per project
	_, err = f.S.RequestTolerance(f.Ctx, office, pid, ToleranceInput{Reason: "again", People: []Person{{Name: "张三"}}})
	supWant(t, err, errs.Conflict, "待审批")

	// only the discipline commission at county or city level approves
	for _, p := range []*auth.Principal{f.County(auth.PovertyOffice), f.County(auth.Finance), f.Town(auth.Discipline), office} {
		_, err = f.S.DecideTolerance(f.Ctx, p, tol.ID, ToleranceDecision{Decision: "approve", Version: 1})
		supWant(t, err, errs.Forbidden, "")
	}
	_, err = f.S.DecideTolerance(f.Ctx, f.Town(auth.Discipline), tol.ID, ToleranceDecision{Decision: "approve", Version: 1})
	supWant(t, err, errs.Forbidden, "县级或市级纪委")
	_, err = f.S.DecideTolerance(f.Ctx, f.Other(auth.Discipline), tol.ID, ToleranceDecision{Decision: "approve", Version: 1})
	supWant(t, err, errs.NotFound, "")
	_, err = f.S.DecideTolerance(f.Ctx, f.County(auth.Discipline), tol.ID, ToleranceDecision{Decision: "approve", Version: 2})
	supWant(t, err, errs.Conflict, "")
	if ok, err := Exempted(f.Ctx, f.DB.Reader(), pid, "张三"); err != nil || ok {
		t.Fatalf("exempted before approval: %v %v", ok, err)
	}
	d := f.County(auth.Discipline)
	if tol, err = f.S.DecideTolerance(f.Ctx, d, tol.ID, ToleranceDecision{Decision: "approve", Opinion: "符合容错情形", Version: 1}); err != nil ||
		tol.Status != "approved" || tol.DecidedBy == nil || *tol.DecidedBy != d.UserID || tol.DecidedByName != d.Name || tol.DecidedAt == nil {
		t.Fatalf("approve %+v %v", tol, err)
	}
	var status string
	var stage int
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT status, stage FROM projects WHERE id = ?`, pid).Scan(&status, &stage); err != nil ||
		status != "failed" || stage != 5 {
		t.Fatalf("project %s stage %d %v", status, stage, err)
	}
	_, err = f.S.DecideTolerance(f.Ctx, d, tol.ID, ToleranceDecision{Decision: "reject", Opinion: "x", Version: 2})
	supWant(t, err, errs.Conflict, "")
	// a failed project takes no new request
	_, err = f.S.RequestTolerance(f.Ctx, office, pid, ToleranceInput{Reason: "again", People: []Person{{Name: "赵六"}}})
	supWant(t, err, errs.Conflict, "")

	other := insertProject(f, villageA, "carrier", 5)
	for name, want := range map[string]bool{"张三": true, " 张三 ": true, "王五": true, "李四": false, "张": false, "": false} {
		if ok, err := Exempted(f.Ctx, f.DB.Reader(), pid, name); err != nil || ok != want {
			t.Errorf("Exempted(%q) = %v %v, want %v", name, ok, err, want)
		}
		if ok, _ := Exempted(f.Ctx, f.DB.Reader(), other, name); ok {
			t.Errorf("Exempted(other project, %q)", name)
		}
	}
	ts, err := f.S.Tolerances(f.Ctx, f.County(auth.Auditor), pid)
	if err != nil || len(ts) != 1 || ts[0].Status != "approved" {
		t.Fatalf("list %+v %v", ts, err)
	}
	_, err = f.S.Tolerances(f.Ctx, f.Other(auth.Auditor), pid)
	supWant(t, err, errs.NotFound, "")
	if a, b, c := f.supAudits("project.tolerance.request"), f.supAudits("project.tolerance.decide"),
		f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'project.update' AND entity_type = 'project' AND entity_id = ?`, fmt.Sprint(pid)); a != 1 || b != 1 || c != 1 {
		t.Fatalf("audit: %d requests, %d decisions, %d project updates", a, b, c)
	}
}

func TestToleranceRejected(t *testing.T) {
	f := newFixture(t)
	pid := insertProject(f, "320921100000", "household", 3)
	tol, err := f.S.RequestTolerance(f.Ctx, f.County(auth.PovertyOffice), pid, ToleranceInput{Reason: "市场原因", People: []Person{{Name: "张三"}}})
	if err != nil {
		t.Fatal(err)
	}
	city := f.CityRole(auth.Discipline)
	_, err = f.S.DecideTolerance(f.Ctx, city, tol.ID, ToleranceDecision{Decision: "reject", Version: 1})
	supWant(t, err, errs.Invalid, "opinion")
	if tol, err = f.S.DecideTolerance(f.Ctx, city, tol.ID, ToleranceDecision{Decision: "reject", Opinion: "属主观决策失误", Version: 1}); err != nil || tol.Status != "rejected" {
		t.Fatalf("reject %+v %v", tol, err)
	}
	if ok, err := Exempted(f.Ctx, f.DB.Reader(), pid, "张三"); err != nil || ok {
		t.Fatalf("exempted by a rejected request: %v %v", ok, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM projects WHERE id = ? AND status = 'active'`, pid); n != 1 {
		t.Fatal("a rejected request changed the project")
	}
	// after a rejection a new request may be made; the city discipline commission approves it
	tol, err = f.S.RequestTolerance(f.Ctx, f.County(auth.PovertyOffice), pid, ToleranceInput{Reason: "补充材料后重新申请", People: []Person{{Name: "张三"}}})
	if err != nil {
		t.Fatal(err)
	}
	if tol, err = f.S.DecideTolerance(f.Ctx, city, tol.ID, ToleranceDecision{Decision: "approve", Version: 1}); err != nil || tol.Status != "approved" {
		t.Fatalf("approve %+v %v", tol, err)
	}
	if ok, _ := Exempted(f.Ctx, f.DB.Reader(), pid, "张三"); !ok {
		t.Fatal("not exempted after the approval")
	}
	if a, b := f.supAudits("project.tolerance.request"), f.supAudits("project.tolerance.decide"); a != 2 || b != 2 {
		t.Fatalf("audit: %d requests, %d decisions", a, b)
	}
}

// FuzzToleranceInput feeds arbitrary bodies through httpx.Decode into RequestTolerance: only
// client errors, never a panic; what is stored keeps its limits and is read back the same.
func FuzzToleranceInput(f *testing.F) {
	f.Add(`{"reason":"暴雨","people":[{"name":"张三","position":"书记"}]}`)
	f.Add(`{"reason":"x","people":[]}`)
	f.Add(`{"reason":"x","people":[{"name":"\u0000"}]}`)
	f.Add(`{"reason":"\ud800","people":[{"name":"a"},{"name":"a"}]}`)
	f.Add(`{"reason":"x","people":null}`)
	f.Add(`{"reason":"x","people":[{"name":"a","extra":1}]}`)
	f.Add(`{"people":"张三"}`)
	f.Add(`[]`)
	fx := newFixture(f)
	d, ctx := fx.DB, fx.Ctx
	s := &Service{DB: d}
	p := fuzzPrincipal(f, d, "poverty_office_320921")
	f.Fuzz(func(t *testing.T, body string) {
		var in ToleranceInput
		if err := httpx.Decode(httptest.NewRequest("POST", "/api/v1/projects/1/tolerances", bytes.NewBufferString(body)), &in); err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.TooLarge && c != errs.Unsupported {
				t.Fatalf("decode error %v (%s)", err, c)
			}
			return
		}
		// a fresh project each time, so the one-open-request rule does not hide validation
		pid := insertProjectFuzz(&fixture{Fixture: fx.Fixture, t: t})
		tol, err := s.RequestTolerance(ctx, p, pid, in)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid {
				t.Fatalf("RequestTolerance %v (%s)", err, c)
			}
			return
		}
		if tol.Reason == "" || len(tol.People) == 0 || len(tol.People) > 50 {
			t.Fatalf("stored %+v", tol)
		}
		for _, pe := range tol.People {
			if pe.Name == "" || pe.Name != strings.TrimSpace(pe.Name) || !utf8.ValidString(pe.Name) || utf8.RuneCountInString(pe.Name) > 50 {
				t.Fatalf("person %+v", pe)
			}
			if ok, err := Exempted(ctx, d.Reader(), pid, pe.Name); err != nil || ok {
				t.Fatalf("exempted before approval: %v %v", ok, err)
			}
		}
	})
}

var fuzzProjects int64

// insertProjectFuzz is insertProject with a project code unique across fuzz iterations.
func insertProjectFuzz(fx *fixture) int64 {
	fuzzProjects++
	fx.Seq.Store(1_000_000 + fuzzProjects)
	return insertProject(fx, villageA, "carrier", 5)
}
