package projects

import (
	"encoding/json"
	"strings"
	"testing"

	"sunshine/internal/auth"
)

func TestPublicProjects(t *testing.T) {
	f := newFixture(t)
	early := p1Create(f, "household", villageA)
	p1Advance(f, early.ID, Approval) // stage 3: not yet approved
	approved := p1Create(f, "village", villageA)
	p1Advance(f, approved.ID, Tender) // 立项 signed
	done := p1Create(f, "village", villageB)
	p1Advance(f, done.ID, Done)
	if _, err := f.S.CreateProject(f.Ctx, f.Other(auth.Helper), p1Input("household", villageOth)); err == nil {
		t.Fatal("a principal without role created a project")
	}
	// an approved beneficiary and one still applying
	hh := f.Households(villageA)
	var head, idNumber string
	_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT head_name, head_id_number FROM households WHERE id = ?`, hh[0]).Scan(&head, &idNumber)
	for i, status := range []string{"approved", "applied"} {
		f.exec(`INSERT INTO project_beneficiaries (project_id, household_id, link, status, region_code, created_by, created_at, updated_at)
			VALUES (?, ?, 'dividend', ?, ?, 1, '2026-07-15T00:00:00Z', '2026-07-15T00:00:00Z')`, approved.ID, hh[i], status, villageA)
	}
	rows, err := f.S.PublicProjects(f.Ctx, "", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Code != done.Code || rows[1].Code != approved.Code {
		t.Fatalf("public %+v", rows)
	}
	if rows[0].StageLabel != "完成" || rows[1].StageLabel != "招标" || rows[1].Beneficiaries != 1 || rows[1].BudgetFen != 60_000_000 {
		t.Fatalf("public rows %+v", rows)
	}
	b, _ := json.Marshal(rows)
	for _, secret := range []string{head, idNumber, early.Code, `"id"`, "household_id"} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("public answer shows %q: %s", secret, b)
		}
	}
	for _, c := range []struct {
		region string
		want   int
	}{{villageA, 1}, {villageB, 1}, {"320921100000", 2}, {countyCode, 2}, {cityCode, 2}, {otherCode, 0}} {
		rows, err := f.S.PublicProjects(f.Ctx, c.region, 0, 50)
		if err != nil || len(rows) != c.want {
			t.Fatalf("%s: %d rows, want %d (%v)", c.region, len(rows), c.want, err)
		}
	}
	// paging: limit+1 rows, then after
	page, _ := f.S.publicProjects(f.Ctx, "", 0, 1)
	if len(page) != 2 {
		t.Fatalf("page of 1 fetched %d", len(page))
	}
	page, _ = f.S.publicProjects(f.Ctx, "", page[0].id, 1)
	if len(page) != 1 || page[0].Code != approved.Code {
		t.Fatalf("second page %+v", page)
	}
	if _, err := f.S.PublicProjects(f.Ctx, "32'; --", 0, 10); err == nil {
		t.Fatal("bad region accepted")
	}
}
