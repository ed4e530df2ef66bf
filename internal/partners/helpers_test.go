package partners

// The shared fixture of the package's tests.
//
//	f := newFixture(t)
//	f.S    *Service over a fresh migrated database (SQLite or PostgreSQL per SUNSHINE_TEST_DB):
//	       city 320900000000; county 320921 with towns …100000 (villages …100201, …100202) and
//	       …101000 (village …101201); county 320922 with town …100000 (village …100201);
//	       two registered households per village.
//	f.Now  2026-07-15 02:00 UTC (10:00 in Shanghai); f.DB.Clock returns it.
//	f.as(role, scope) a principal of that role and scope.
//	f.count(q, args...) one integer.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/projects"
)

const (
	cityCode   = "320900000000"
	countyCode = "320921000000"
	townA      = "320921100000"
	townB      = "320921101000"
	villageA   = "320921100201"
	villageA2  = "320921100202"
	villageB   = "320921101201"
	otherCode  = "320922000000"
	villageOth = "320922100201"
)

type fixture struct {
	t   testing.TB
	S   *Service
	DB  *db.DB
	Ctx context.Context
	Now time.Time
	uid int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	f := &fixture{t: t, DB: d, Ctx: context.Background(), Now: time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)}
	d.Clock = func() time.Time { return f.Now }
	err := d.InTx(f.Ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		seq := 0
		for _, r := range [][4]string{{cityCode, "盐城市", "city", ""}, {countyCode, "响水县", "county", cityCode},
			{townA, "陈家港镇", "town", countyCode}, {villageA, "港东村", "village", townA}, {villageA2, "港西村", "village", townA},
			{townB, "小尖镇", "town", countyCode}, {villageB, "尖北村", "village", townB},
			{otherCode, "滨海县", "county", cityCode}, {"320922100000", "滨淮镇", "town", otherCode}, {villageOth, "淮南村", "village", "320922100000"}} {
			var parent any
			if r[3] != "" {
				parent = r[3]
			}
			if _, err := tx.ExecContext(f.Ctx, `INSERT INTO regions (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				r[0], r[1], r[2], parent, now, now); err != nil {
				return err
			}
			if r[2] != "village" {
				continue
			}
			for h := 1; h <= 2; h++ {
				seq++
				id := idcard.Make(r[0][:6], time.Date(1960+seq, 1, seq, 0, 0, 0, 0, time.UTC), seq, idcard.Male)
				if _, err := tx.ExecContext(f.Ctx, `INSERT INTO households (household_no, region_code, head_name, head_id_number, household_type,
					status, registered_on, members_count, created_at, updated_at) VALUES (?, ?, ?, ?, 'general', 'registered', '2025-01-01', 1, ?, ?)`,
					fmt.Sprintf("%s%04d", r[0], h), r[0], fmt.Sprintf("户主%d", seq), id, now, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.S = &Service{DB: d, Audit: &audit.Service{DB: d}}
	return f
}

// as is a principal of role with scope.
func (f *fixture) as(role auth.Role, scope string) *auth.Principal {
	f.uid++
	return &auth.Principal{UserID: f.uid, Username: fmt.Sprintf("%s_%s", role, scope), Name: "测试" + auth.RoleLabels[role], Role: role, Scope: scope}
}

// office is the county's poverty office (social.write, household.export).
func (f *fixture) office() *auth.Principal { return f.as(auth.PovertyOffice, countyCode) }

func (f *fixture) count(q string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(f.Ctx, q, args...); return err }); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// household is the first household of a village.
func (f *fixture) household(village string) int64 {
	return f.count(`SELECT MIN(id) FROM households WHERE region_code = ?`, village)
}

// project registers a project through the projects service (the registers only read it).
func (f *fixture) project(name, kind, region, mechanism string) int64 {
	f.t.Helper()
	root := &auth.Principal{UserID: 1, Username: "root", Name: "root", Role: auth.PovertyOffice, Scope: cityCode, Root: true}
	in := projects.ProjectInput{Name: name, Kind: kind, RegionCode: region, Year: 2026, BudgetYuan: "600000", Implementer: "镇人民政府",
		BenefitMechanism: mechanism}
	switch kind {
	case "village":
		in.Subkind = "mixed"
	case "carrier":
		in.Subkind, in.CarrierName = "enterprise", "某公司"
		if in.BenefitMechanism == "" {
			in.BenefitMechanism = "务工就业"
		}
	}
	ps := &projects.Service{DB: f.DB, Audit: f.S.Audit}
	x, err := ps.CreateProject(f.Ctx, root, in)
	if err != nil {
		f.t.Fatalf("project %s: %v", name, err)
	}
	return x.ID
}

// audits counts the audit events of an action.
func (f *fixture) audits(action string) int64 {
	return f.count(`SELECT COUNT(*) FROM audit_events WHERE action = ?`, action)
}

// firmCode is a valid credit code for firm n of county 320921.
func firmCode(n int) string { return MakeCreditCode(fmt.Sprintf("91320921MA%06dX", n)) }

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	if got := string(errs.CodeOf(err)); got != code {
		t.Fatalf("want %s, got %s: %v", code, got, err)
	}
}
