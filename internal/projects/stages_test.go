package projects

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/registry"
)

// p1Doc files a document of the stage as the county poverty office and returns it with the
// file's bytes.
func p1Doc(f *fixture, id int64, stage int, docType string) (Document, []byte) {
	f.t.Helper()
	body := []byte(fmt.Sprintf("%%PDF-1.4 project %d stage %d %s", id, stage, docType))
	a, data, err := registry.ReadFile(docType+".pdf", strings.NewReader(string(body)), registry.MaxAttachment)
	if err != nil {
		f.t.Fatal(err)
	}
	d, err := f.S.AddDocument(f.Ctx, f.County(auth.PovertyOffice), id, stage, docType, "", a, data)
	if err != nil {
		f.t.Fatalf("document %s of stage %d: %v", docType, stage, err)
	}
	return d, body
}

// p1Docs files every required document of the stage.
func p1Docs(f *fixture, id int64, stage int) {
	f.t.Helper()
	for _, d := range Stages[stage].Docs {
		p1Doc(f, id, stage, d.Key)
	}
}

// p1Signer is who signs stage k of a project of villageA (town 320921100, county 320921).
func p1Signer(f *fixture, k int) *auth.Principal {
	switch k {
	case Research:
		return f.Village(villageA)
	case Review, Approval, Acceptance:
		return f.County(auth.PovertyOffice)
	case Evaluation:
		return f.County(auth.Finance)
	}
	return f.Town(auth.PovertyOffice)
}

// p1Advance files the documents of and signs the stages up to (not including) stage `to`
// of a project of a village of town 320921100.
func p1Advance(f *fixture, id int64, to int) ProjectDetail {
	f.t.Helper()
	d, err := f.S.Project(f.Ctx, f.City, id)
	if err != nil {
		f.t.Fatal(err)
	}
	for k := d.Stage; k < to; k++ {
		p1Docs(f, id, k)
		signer := p1Signer(f, k)
		if k == Research {
			signer = f.Village(d.RegionCode)
		}
		if d, err = f.S.Sign(f.Ctx, signer, id, SignInput{Stage: k, Version: d.Version}); err != nil {
			f.t.Fatalf("sign stage %d: %v", k, err)
		}
	}
	return d
}

func TestNineStageWalk(t *testing.T) {
	f := newFixture(t)
	d := p1Create(f, "village", villageA)
	day := 0
	for k := Research; k <= Distribution; k++ {
		// a document of another stage's type or a later stage is refused
		if k < Distribution {
			a, data, _ := registry.ReadFile("x.txt", strings.NewReader("x"), 100)
			_, err := f.S.AddDocument(f.Ctx, f.County(auth.PovertyOffice), d.ID, k+1, Stages[k+1].Docs[0].Key, "", a, data)
			p1Want(t, err, errs.Conflict, "stage")
			_, err = f.S.AddDocument(f.Ctx, f.County(auth.PovertyOffice), d.ID, k, "no_such_type", "", a, data)
			p1Want(t, err, errs.Invalid, "doc_type")
		}
		// missing documents are named
		docs := Stages[k].Docs
		for _, doc := range docs {
			_, err := f.S.Sign(f.Ctx, p1Signer(f, k), d.ID, SignInput{Stage: k, Version: d.Version})
			p1Want(t, err, errs.Invalid, "documents")
			if e, _ := errs.As(err); !strings.Contains(e.Fields["documents"], doc.Label) {
				t.Fatalf("stage %d: missing %s not named: %v", k, doc.Label, err)
			}
			got, body := p1Doc(f, d.ID, k, doc.Key)
			sum := sha256.Sum256(body)
			if got.SHA256 != hex.EncodeToString(sum[:]) || got.Size != int64(len(body)) || got.Title != doc.Label {
				t.Fatalf("document %+v", got)
			}
			_, data, err := f.S.DocumentFile(f.Ctx, f.County(auth.Auditor), d.ID, got.ID)
			if err != nil || string(data) != string(body) {
				t.Fatalf("file: %v %q", err, data)
			}
			if _, _, err := f.S.DocumentFile(f.Ctx, f.Other(auth.Auditor), d.ID, got.ID); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("other county reads the file: %v", err)
			}
		}
		p1Doc(f, d.ID, k, "other") // a supporting paper is never required
		day++
		f.Now = f.Now.Add(24 * time.Hour)
		before := f.p1Count("audit_events")
		var err error
		d, err = f.S.Sign(f.Ctx, p1Signer(f, k), d.ID, SignInput{Stage: k, Opinion: "同意", Version: d.Version})
		if err != nil {
			t.Fatalf("sign stage %d as %s: %v", k, p1Signer(f, k).Username, err)
		}
		if f.p1Count("audit_events") != before+1 {
			t.Fatalf("stage %d: sign not audited once", k)
		}
		today := fmt.Sprintf("2026-07-%02d", 15+day)
		st := d.Stages[k]
		if st.ActualEnd == nil || *st.ActualEnd != today || st.SignedBy == nil || *st.SignedBy != p1Signer(f, k).UserID ||
			st.SignedRole != string(p1Signer(f, k).Role) || st.SignedScope != p1Signer(f, k).Scope || st.Opinion != "同意" {
			t.Fatalf("stage %d row %+v", k, st)
		}
		if len(st.Documents) != len(docs)+1 || len(st.Missing) != 0 {
			t.Fatalf("stage %d documents %d missing %v", k, len(st.Documents), st.Missing)
		}
		if d.Stage != k+1 || d.StageSince != today || d.Version != k+2 {
			t.Fatalf("after stage %d: stage %d since %s version %d", k, d.Stage, d.StageSince, d.Version)
		}
		if k < Distribution {
			if d.Status != "active" || *d.Stages[k+1].ActualStart != today || d.StageDue == nil || *d.StageDue != *d.Stages[k+1].PlannedEnd {
				t.Fatalf("next stage %d: %+v due %v", k+1, d.Stages[k+1], d.StageDue)
			}
		}
	}
	if d.Status != "completed" || d.Stage != Done || d.StageDue != nil || d.Overdue {
		t.Fatalf("finished project %+v", d.Project)
	}
	if n := f.count(`SELECT COUNT(*) FROM project_stages WHERE project_id = ? AND signed_by IS NOT NULL`, d.ID); n != 9 {
		t.Fatalf("%d signed stages", n)
	}
	// nothing more to sign; a late paper of a signed stage is still kept
	_, err := f.S.Sign(f.Ctx, f.Town(auth.PovertyOffice), d.ID, SignInput{Stage: Distribution, Version: d.Version})
	p1Want(t, err, errs.Conflict, "")
	if doc, _ := p1Doc(f, d.ID, Acceptance, "other"); doc.Stage != Acceptance {
		t.Fatal("late paper")
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'project.document'`); n != 10+9+1 { // required papers, one other per stage, the late one
		t.Fatalf("%d document audits", n)
	}
}

// p1Snapshot sums up the project's version and stage, its signed and begun stages and the
// audit trail: a refused operation leaves it as it was.
func p1Snapshot(f *fixture, id int64) string {
	return fmt.Sprint(f.count(`SELECT version FROM projects WHERE id = ?`, id), f.count(`SELECT stage FROM projects WHERE id = ?`, id),
		f.count(`SELECT COUNT(*) FROM project_stages WHERE project_id = ? AND (signed_by IS NOT NULL OR actual_end IS NOT NULL)`, id),
		f.count(`SELECT COUNT(*) FROM project_stages WHERE project_id = ? AND actual_start IS NOT NULL`, id), f.p1Count("audit_events"))
}

func TestSignRefusals(t *testing.T) {
	f := newFixture(t)
	d := p1Create(f, "village", villageA)
	d = p1Advance(f, d.ID, Feasibility) // signed research; now at 论证 (town level)
	p1Docs(f, d.ID, Feasibility)
	snap := p1Snapshot(f, d.ID)
	cases := []struct {
		name string
		p    *auth.Principal
		in   SignInput
		code errs.Code
		text string
	}{
		{"skip", f.Town(auth.PovertyOffice), SignInput{Stage: Review, Version: d.Version}, errs.Conflict, "不能跳过阶段: 当前阶段为「论证」"},
		{"twice", f.Village(villageA), SignInput{Stage: Research, Version: d.Version}, errs.Conflict, "已签署"},
		{"wrong level (county signs a town stage)", f.County(auth.PovertyOffice), SignInput{Stage: Feasibility, Version: d.Version}, errs.Forbidden, "应由镇级"},
		{"wrong role with sign", f.Town(auth.Finance), SignInput{Stage: Feasibility, Version: d.Version}, errs.Forbidden, "农办"},
		{"discipline", f.Town(auth.Discipline), SignInput{Stage: Feasibility, Version: d.Version}, errs.Forbidden, "应由"},
		{"village cadre", f.Village(villageA), SignInput{Stage: Feasibility, Version: d.Version}, errs.Forbidden, "应由"},
		{"role without sign", f.Town(auth.Department), SignInput{Stage: Feasibility, Version: d.Version}, errs.Forbidden, "project.sign"},
		{"other county", f.Other(auth.PovertyOffice), SignInput{Stage: Feasibility, Version: d.Version}, errs.NotFound, ""},
		{"other village", f.Village(villageB), SignInput{Stage: Feasibility, Version: d.Version}, errs.NotFound, ""},
		{"stale", f.Town(auth.PovertyOffice), SignInput{Stage: Feasibility, Version: d.Version - 1}, errs.Conflict, "刷新"},
		{"no version", f.Town(auth.PovertyOffice), SignInput{Stage: Feasibility}, errs.Invalid, "version"},
		{"future date", f.Town(auth.PovertyOffice), SignInput{Stage: Feasibility, Version: d.Version, OnDate: "2026-07-16"}, errs.Invalid, "on_date"},
		{"before start", f.Town(auth.PovertyOffice), SignInput{Stage: Feasibility, Version: d.Version, OnDate: "2026-07-14"}, errs.Invalid, "on_date"},
		{"bad date", f.Town(auth.PovertyOffice), SignInput{Stage: Feasibility, Version: d.Version, OnDate: "15/07/2026"}, errs.Invalid, "on_date"},
	}
	for _, c := range cases {
		_, err := f.S.Sign(f.Ctx, c.p, d.ID, c.in)
		if errs.CodeOf(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
			continue
		}
		if e, _ := errs.As(err); c.text != "" && !strings.Contains(fmt.Sprint(e.Message, e.Fields), c.text) {
			t.Errorf("%s: %v lacks %q", c.name, err, c.text)
		}
		if got := p1Snapshot(f, d.ID); got != snap {
			t.Fatalf("%s wrote something: %s → %s", c.name, snap, got)
		}
	}
	// missing document: a fresh project at research
	e := p1Create(f, "household", villageA)
	snapE := p1Snapshot(f, e.ID)
	_, err := f.S.Sign(f.Ctx, f.Village(villageA), e.ID, SignInput{Stage: Research, Version: 1})
	p1Want(t, err, errs.Invalid, "documents")
	if p1Snapshot(f, e.ID) != snapE {
		t.Fatal("a refused sign wrote something")
	}
	// the right signer with an explicit date
	if d, err = f.S.Sign(f.Ctx, f.Town(auth.PovertyOffice), d.ID, SignInput{Stage: Feasibility, Version: d.Version, OnDate: "2026-07-15"}); err != nil {
		t.Fatal(err)
	}
	if *d.Stages[Feasibility].ActualEnd != "2026-07-15" || d.Stage != Review {
		t.Fatalf("%+v", d.Stages[Feasibility])
	}
	// a town poverty office cannot sign a county stage
	p1Docs(f, d.ID, Review)
	_, err = f.S.Sign(f.Ctx, f.Town(auth.PovertyOffice), d.ID, SignInput{Stage: Review, Version: d.Version})
	p1Want(t, err, errs.Forbidden, "应由县级")
	// a failed project is not signed
	f.exec(`UPDATE projects SET status = 'failed' WHERE id = ?`, d.ID)
	_, err = f.S.Sign(f.Ctx, f.County(auth.PovertyOffice), d.ID, SignInput{Stage: Review, Version: d.Version})
	p1Want(t, err, errs.Conflict, "失败")
}

// A county-level carrier project signs its village and town stages at the county; a town
// project its village stage at the town.
func TestSignLevelOfHighProjects(t *testing.T) {
	f := newFixture(t)
	c := p1Create(f, "carrier", countyCode)
	p1Docs(f, c.ID, Research)
	_, err := f.S.Sign(f.Ctx, f.Village(villageA), c.ID, SignInput{Stage: Research, Version: 1})
	p1Want(t, err, errs.NotFound, "") // the village cadre does not see a county project
	if c, err = f.S.Sign(f.Ctx, f.County(auth.PovertyOffice), c.ID, SignInput{Stage: Research, Version: 1}); err != nil {
		t.Fatal(err)
	}
	p1Docs(f, c.ID, Feasibility)
	if _, err = f.S.Sign(f.Ctx, f.County(auth.PovertyOffice), c.ID, SignInput{Stage: Feasibility, Version: c.Version}); err != nil {
		t.Fatalf("county signs a county project's town stage: %v", err)
	}
	town := p1Create(f, "household", "320921100000")
	p1Docs(f, town.ID, Research)
	_, err = f.S.Sign(f.Ctx, f.County(auth.PovertyOffice), town.ID, SignInput{Stage: Research, Version: 1})
	p1Want(t, err, errs.Forbidden, "应由镇级")
	if _, err = f.S.Sign(f.Ctx, f.Town(auth.PovertyOffice), town.ID, SignInput{Stage: Research, Version: 1}); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentSignsOneWins(t *testing.T) {
	f := newFixture(t)
	d := p1Create(f, "household", villageA)
	p1Docs(f, d.ID, Research)
	var wg sync.WaitGroup
	signer := f.Village(villageA)
	errsOut := make([]error, 4)
	for i := range errsOut {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errsOut[i] = f.S.Sign(f.Ctx, signer, d.ID, SignInput{Stage: Research, Opinion: fmt.Sprint(i), Version: 1})
		}(i)
	}
	wg.Wait()
	won := 0
	for _, err := range errsOut {
		switch errs.CodeOf(err) {
		case "":
			won++
		case errs.Conflict:
		default:
			t.Fatalf("unexpected %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d signs won: %v", won, errsOut)
	}
	if v := f.count(`SELECT version FROM projects WHERE id = ?`, d.ID); v != 2 {
		t.Fatalf("version %d", v)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'project.sign'`); n != 1 {
		t.Fatalf("%d sign audits", n)
	}
}

func TestOverdue(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	d := p1Create(f, "household", villageA) // research due 2026-08-14
	if d.Overdue || d.Stages[0].Overdue {
		t.Fatal("overdue on day one")
	}
	rows, _ := f.S.Projects(f.Ctx, office, ProjectFilter{Stage: -1, Overdue: true})
	if len(rows) != 0 {
		t.Fatalf("%d overdue", len(rows))
	}
	f.Now = time.Date(2026, 8, 15, 2, 0, 0, 0, time.UTC)
	d, _ = f.S.Project(f.Ctx, office, d.ID)
	if !d.Overdue || !d.Stages[0].Overdue || d.Stages[1].Overdue {
		t.Fatalf("not overdue on 2026-08-15: %v %v", d.Overdue, d.Stages[0].Overdue)
	}
	rows, _ = f.S.Projects(f.Ctx, office, ProjectFilter{Stage: -1, Overdue: true})
	if len(rows) != 1 || rows[0].ID != d.ID || !rows[0].Overdue {
		t.Fatalf("overdue list %v", rows)
	}
	b, err := f.S.Board(f.Ctx, office, "", "", 0)
	if err != nil || b.Columns[0].Overdue != 1 || !b.Columns[0].Cards[0].Overdue {
		t.Fatalf("board %+v %v", b.Columns[0], err)
	}
	// signing moves the due date to the next stage's planned end
	p1Docs(f, d.ID, Research)
	d, err = f.S.Sign(f.Ctx, f.Village(villageA), d.ID, SignInput{Stage: Research, Version: d.Version})
	if err != nil || d.Overdue || *d.StageDue != "2026-09-13" {
		t.Fatalf("after sign: %v %v %v", d.Overdue, *d.StageDue, err)
	}
}
