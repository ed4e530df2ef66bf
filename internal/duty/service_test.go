package duty_test

import (
	"context"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/duty"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/registry"
)

func TestAssignReassignCoverage(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, d, demo.Scale{Name: "t", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 6}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 20, 0, 0, 0, time.UTC) // 2026-05-02 04:00 in Shanghai
	d.Clock = func() time.Time { return now }
	reg := &registry.Service{DB: d, Audit: &audit.Service{DB: d}}
	s := &duty.Service{DB: d, Audit: reg.Audit, Registry: reg}
	office := &auth.Principal{UserID: 7, Name: "县农办", Role: auth.PovertyOffice, Scope: "320921000000"}
	other := &auth.Principal{UserID: 8, Name: "邻县农办", Role: auth.PovertyOffice, Scope: "320922000000"}
	auditor := &auth.Principal{UserID: 9, Name: "审计", Role: auth.Auditor, Scope: "320921000000"}

	mk := func(n int, name string) duty.Helper {
		t.Helper()
		h, err := s.Create(ctx, office, duty.HelperInput{IDNumber: idcard.Make("320921", time.Date(1980+n, 1, 2, 0, 0, 0, 0, time.UTC), 400+n, idcard.Female),
			Name: name, Phone: "13800000000", Employer: "县财政局", Position: "科员"})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	a, b := mk(1, "甲"), mk(2, "乙")
	if _, err := s.Create(ctx, office, duty.HelperInput{IDNumber: a.IDNumber, Name: "重复"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("duplicate helper: %v", err)
	}
	if _, err := s.Create(ctx, auditor, duty.HelperInput{IDNumber: idcard.Make("320921", time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), 1, idcard.Male), Name: "审"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("auditor creating a helper: %v", err)
	}

	c, err := s.Coverage(ctx, office, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if c.Registered == 0 || c.Covered+c.WithoutHelperTotal != c.Registered || int64(len(c.WithoutHelper)) != min(c.WithoutHelperTotal, 500) {
		t.Fatalf("coverage %+v", c)
	}
	var hids []int64
	rows, _ := d.Reader().QueryContext(ctx, `SELECT id FROM households WHERE region_code LIKE '320921%' AND status = 'registered' ORDER BY id LIMIT 3`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		hids = append(hids, id)
	}
	rows.Close()
	for _, hid := range hids {
		// "Today" in Shanghai is already 05-02 although UTC still says 05-01.
		if _, err := s.Assign(ctx, office, hid, duty.AssignInput{HelperID: a.ID, FromDate: "2026-05-02", Reason: "新分配"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Assign(ctx, office, hids[0], duty.AssignInput{HelperID: a.ID, FromDate: "2026-05-02", Reason: "x"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("same helper twice: %v", err)
	}
	if _, err := s.Assign(ctx, office, hids[0], duty.AssignInput{HelperID: b.ID, FromDate: "2026-05-03", Reason: "x"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("future date: %v", err)
	}
	if _, err := s.Assign(ctx, other, hids[0], duty.AssignInput{HelperID: b.ID, FromDate: "2026-05-01", Reason: "x"}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county assigning: %v", err)
	}
	f, err := s.File(ctx, office, a.ID)
	if err != nil || len(f.Households) != 3 {
		t.Fatalf("helper file: %d households, %v", len(f.Households), err)
	}
	c2, _ := s.Coverage(ctx, office, "", 2)
	found := false
	for _, l := range c2.Overloaded {
		found = found || l.Helper.ID == a.ID && l.Households >= 3
	}
	if !found {
		t.Fatalf("helper with 3 households not over a load of 2: %+v", c2.Overloaded)
	}

	// Deactivating a helper who still has households is refused; after the move it works.
	in := duty.HelperInput{Name: a.Name, Phone: a.Phone, Employer: a.Employer, Position: a.Position}
	if _, err := s.Update(ctx, office, a.ID, in, false); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("deactivating with households: %v", err)
	}
	n, err := s.Reassign(ctx, office, a.ID, duty.AssignInput{HelperID: b.ID, FromDate: "2026-05-02", Reason: "甲调离"})
	if err != nil || n < 3 {
		t.Fatalf("reassign: %d %v", n, err)
	}
	if f, _ := s.File(ctx, office, a.ID); len(f.Households) != 0 {
		t.Fatalf("households left with the old helper: %d", len(f.Households))
	}
	if _, err := s.Update(ctx, office, a.ID, in, false); err != nil {
		t.Fatal(err)
	}
	// History kept: the household has two assignments, one closed on the move date.
	var closed, open int
	_ = d.Reader().QueryRowContext(ctx, `SELECT COUNT(to_date), COUNT(*) - COUNT(to_date) FROM assignments WHERE household_id = ?`, hids[0]).Scan(&closed, &open)
	if open != 1 || closed < 1 {
		t.Fatalf("household %d: %d closed, %d open assignments", hids[0], closed, open)
	}
	file, _ := reg.File(ctx, office, hids[0])
	if file.Helper == nil || file.Helper.ID != b.ID {
		t.Fatalf("household file helper %+v", file.Helper)
	}
	if r, err := audit.Verify(ctx, d.Reader()); err != nil || !r.OK {
		t.Fatalf("audit: %+v %v", r, err)
	}
}
