package duty_test

import (
	"context"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/duty"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/registry"
)

// Weak villages without a team or secretary are found; stationing one covers the village,
// withdrawing the team uncovers it again.
func TestWeakVillageCoverage(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, d, demo.Scale{Name: "t", Counties: []string{"320921"}, TownsPerCounty: 3, VillagesPerTown: 6, HouseholdsPerVillage: 1}); err != nil {
		t.Fatal(err)
	}
	d.Clock = func() time.Time { return time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC) }
	reg := &registry.Service{DB: d, Audit: &audit.Service{DB: d}}
	s := &duty.Service{DB: d, Audit: reg.Audit, Registry: reg}
	office := &auth.Principal{UserID: 7, Name: "县农办", Role: auth.PovertyOffice, Scope: "320921000000"}
	all, err := s.Villages(ctx, office, "", false)
	if err != nil || len(all) == 0 {
		t.Fatalf("weak villages: %d %v", len(all), err)
	}
	// The test starts from a village with nobody stationed (demo data leaves some that way).
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM work_teams WHERE region_code = ?`, all[0].Code); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM first_secretaries WHERE region_code = ?`, all[0].Code)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v := all[0].Code
	uncovered := func() bool {
		list, err := s.Villages(ctx, office, "", true)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.Covered {
				t.Fatalf("uncovered list holds covered %s", x.Code)
			}
			if x.Code == v {
				return true
			}
		}
		return false
	}
	if !uncovered() {
		t.Fatal("village without team or secretary not listed")
	}
	team, err := s.AddTeam(ctx, office, duty.WorkTeam{RegionCode: v, Name: "市财政局驻村工作队", DispatchingUnit: "市财政局", LeaderName: "王队长",
		FromDate: "2026-05-01", Members: []duty.TeamMember{{Name: "李队员"}}})
	if err != nil {
		t.Fatal(err)
	}
	if uncovered() {
		t.Fatal("village still uncovered with a team")
	}
	if _, err := s.EndTeam(ctx, office, team.ID, "2026-06-02"); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("withdrawal in the future: %v", err)
	}
	if _, err := s.EndTeam(ctx, office, team.ID, "2026-06-01"); err != nil {
		t.Fatal(err)
	}
	if !uncovered() {
		t.Fatal("withdrawn team still covers the village")
	}
	_, err = s.AddSecretary(ctx, office, duty.Secretary{RegionCode: v, Name: "张书记", IDNumber: "320921198001011234", DispatchingUnit: "县委组织部",
		TermFrom: "2026-01-01", TermTo: "2028-01-01"})
	if errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("bad ID number accepted: %v", err)
	}
	sec, err := s.AddSecretary(ctx, office, duty.Secretary{RegionCode: v, Name: "张书记", DispatchingUnit: "县委组织部", TermFrom: "2026-01-01", TermTo: "2028-01-01",
		IDNumber: idcard.Make("320921", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 3, idcard.Male)})
	if err != nil || sec.IDNumber != "" || sec.IDNumberMasked == "" {
		t.Fatalf("secretary %+v %v", sec, err)
	}
	if uncovered() {
		t.Fatal("village with a secretary still uncovered")
	}
	other := &auth.Principal{UserID: 8, Name: "邻县", Role: auth.PovertyOffice, Scope: "320922000000"}
	if _, err := s.AddTeam(ctx, other, duty.WorkTeam{RegionCode: v, Name: "x", DispatchingUnit: "x", LeaderName: "x", FromDate: "2026-05-01"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("other county stationing a team: %v", err)
	}
}

func TestLeaders(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, d, demo.Scale{Name: "t", Counties: []string{"320921"}, TownsPerCounty: 1, VillagesPerTown: 1, HouseholdsPerVillage: 1}); err != nil {
		t.Fatal(err)
	}
	d.Clock = func() time.Time { return time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC) }
	reg := &registry.Service{DB: d, Audit: &audit.Service{DB: d}}
	s := &duty.Service{DB: d, Audit: reg.Audit, Registry: reg}
	office := &auth.Principal{UserID: 7, Name: "县农办", Role: auth.PovertyOffice, Scope: "320921000000"}
	if _, err := s.AddLeader(ctx, office, duty.Leader{RegionCode: "320921100201", Name: "村长", Position: "x", FromDate: "2026-01-01"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("a village leader: %v", err)
	}
	if _, err := s.AddLeader(ctx, office, duty.Leader{RegionCode: "320921999000", Name: "无", Position: "x", FromDate: "2026-01-01"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("an unknown town: %v", err)
	}
	l, err := s.AddLeader(ctx, office, duty.Leader{RegionCode: "320921100000", Name: "王镇长", Position: "镇长", FromDate: "2026-01-01"})
	if err != nil || l.RegionName == "" {
		t.Fatalf("%+v %v", l, err)
	}
	if _, err := s.EndLeader(ctx, office, l.ID, "2025-12-31"); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("ending before the start: %v", err)
	}
	if _, err := s.EndLeader(ctx, office, l.ID, "2026-05-31"); err != nil {
		t.Fatal(err)
	}
	list, err := s.Leaders(ctx, office, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range list {
		found = found || x.ID == l.ID && x.ToDate == "2026-05-31"
	}
	if !found {
		t.Fatalf("ended leader not listed with its end date: %+v", list)
	}
	other := &auth.Principal{UserID: 8, Role: auth.PovertyOffice, Scope: "320922000000"}
	if _, err := s.EndLeader(ctx, other, l.ID, "2026-05-31"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county: %v", err)
	}
}
