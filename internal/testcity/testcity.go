// Package testcity is the tiny city the package tests of oversight, projects, disclosure,
// selfquery and the social packages share (package demo imports some of them, so their
// tests cannot use it): a fresh migrated database (SQLite or PostgreSQL per SUNSHINE_TEST_DB)
// with the city 320900000000, counties 320921 (响水县) and 320922 (滨海县), one town each
// (…100000) with two villages (…100201, …100202), five registered households per village
// with one active head member each (a passbook account number 6228… when Options.Accounts)
// and a current helper each, and users named like the demo's ("admin", "<role>_city",
// "<role>_320921", "<role>_320921100", "village_cadre_<village>").
//
//	c.Now     2026-07-15 02:00 UTC (10:00 in Shanghai): the last complete quarter is 2026Q2.
//	c.City    a root principal of the city: every action, every region.
//	c.County(role) "<role>_320921"; c.Town(role) "<role>_320921100"; c.Village(code) the
//	          village's cadre; c.Other(role) "<role>_320922"; c.CityRole(role) "<role>_city".
//	c.Households(village) the seeded households of a village, by id.
//	c.Household(village, status) a new household (no member row) → id.
//	c.Member(hh, idNumber, name) a new active member of that household → id.
//	c.IDNumber(n) a valid ID number no seeded person has (county 320921).
//	c.Exec(q, args...), c.Count(q, args...) for set-up and checks.
package testcity

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/idcard"
)

// Region codes of the tiny city.
const (
	CityCode    = "320900000000"
	CountyCode  = "320921000000"
	OtherCode   = "320922000000"
	TownCode    = "320921100000"
	VillageA    = "320921100201" // county 320921
	VillageB    = "320921100202" // county 320921
	VillageOth  = "320922100201" // county 320922
	VillageOth2 = "320922100202" // county 320922
)

// Options choose what the seed adds beyond the common city.
type Options struct {
	// Accounts gives every seeded head a passbook account number (bank 农村商业银行).
	Accounts bool
}

// Fixture is the seeded tiny city.
type Fixture struct {
	T   testing.TB
	DB  *db.DB
	Ctx context.Context
	Now time.Time
	// City is a root principal of the city: every action, every region.
	City *auth.Principal
	// Seq numbers what the helpers insert; tests may draw from it too.
	Seq atomic.Int64
}

// New opens a fresh database, seeds the tiny city and fixes the clock at Now (tests move it
// by assigning c.Now).
func New(t testing.TB, o Options) *Fixture {
	t.Helper()
	d := dbtest.Open(t)
	c := &Fixture{T: t, DB: d, Ctx: context.Background(), Now: time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)}
	d.Clock = func() time.Time { return c.Now }
	if err := seed(c.Ctx, d, o.Accounts); err != nil {
		t.Fatal(err)
	}
	c.City = c.User("admin")
	c.City.Root = true
	return c
}

// seed writes the fixture's regions, users, households, members, helpers and assignments.
func seed(ctx context.Context, d *db.DB, accounts bool) error {
	return d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		exec := func(q string, args ...any) error { _, err := tx.ExecContext(ctx, q, args...); return err }
		region := func(code, name, level string, parent any) error {
			return exec(`INSERT INTO regions (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				code, name, level, parent, now, now)
		}
		user := func(username, name string, role auth.Role, scope string) error {
			return exec(`INSERT INTO users (username, display_name, role, scope_code, password_hash, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'x', ?, ?)`, username, name, string(role), scope, now, now)
		}
		if err := region(CityCode, "盐城市", "city", nil); err != nil {
			return err
		}
		if err := user("admin", "系统管理员", auth.Admin, CityCode); err != nil {
			return err
		}
		roles := func(suffix, scope, place string) error {
			for _, r := range auth.Roles {
				if r == auth.Admin && suffix == "city" {
					continue
				}
				if err := user(string(r)+"_"+suffix, place+auth.RoleLabels[r], r, scope); err != nil {
					return err
				}
			}
			return nil
		}
		if err := roles("city", CityCode, "市"); err != nil {
			return err
		}
		seq := 0
		for _, c := range []struct{ code, name string }{{"320921", "响水县"}, {"320922", "滨海县"}} {
			county, town := c.code+"000000", c.code+"100000"
			if err := region(county, c.name, "county", CityCode); err != nil {
				return err
			}
			if err := roles(c.code, county, c.name); err != nil {
				return err
			}
			if err := region(town, c.name+"陈家港镇", "town", county); err != nil {
				return err
			}
			if err := roles(town[:9], town, c.name+"陈家港镇"); err != nil {
				return err
			}
			for v := 1; v <= 2; v++ {
				village := fmt.Sprintf("%s%d", town[:9], 200+v)
				vname := fmt.Sprintf("%s第%d村", c.name, v)
				if err := region(village, vname, "village", town); err != nil {
					return err
				}
				if err := user("village_cadre_"+village, vname+auth.RoleLabels[auth.VillageCadre], auth.VillageCadre, village); err != nil {
					return err
				}
				helper, err := tx.InsertID(ctx, `INSERT INTO helpers (id_number, name, region_code, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?) RETURNING id`, idcard.Make(c.code, time.Date(1980, 1, 1+v, 0, 0, 0, 0, time.UTC), 300+seq, idcard.Male),
					vname+"帮扶干部", village, now, now)
				if err != nil {
					return err
				}
				for h := 1; h <= 5; h++ {
					seq++
					id := idcard.Make(c.code, time.Date(1950+seq%40, time.Month(1+seq%12), 1+seq%28, 0, 0, 0, 0, time.UTC), seq%300, idcard.Sex(seq%2))
					name := fmt.Sprintf("户主%d", seq)
					hh, err := tx.InsertID(ctx, `INSERT INTO households (household_no, region_code, head_name, head_id_number, household_type,
						status, registered_on, members_count, created_at, updated_at)
						VALUES (?, ?, ?, ?, 'general', 'registered', '2025-01-01', 1, ?, ?) RETURNING id`,
						fmt.Sprintf("%s%04d", village, h), village, name, id, now, now)
					if err == nil && accounts {
						err = exec(`UPDATE households SET bank = '农村商业银行', account_no = ? WHERE id = ?`, fmt.Sprintf("622848%013d", seq), hh)
					}
					if err != nil {
						return err
					}
					if err := exec(`INSERT INTO members (household_id, region_code, id_number, name, relation, sex, birth_date, active,
						created_at, updated_at) VALUES (?, ?, ?, ?, 'head', 'male', '1960-01-01', 1, ?, ?)`, hh, village, id, name, now, now); err != nil {
						return err
					}
					if err := exec(`INSERT INTO assignments (household_id, helper_id, region_code, from_date, created_at, updated_at)
						VALUES (?, ?, ?, '2025-01-01', ?, ?)`, hh, helper, village, now, now); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// User is the demo user with that username as a principal.
func (f *Fixture) User(username string) *auth.Principal {
	f.T.Helper()
	p := &auth.Principal{Username: username}
	var role string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, username).
		Scan(&p.UserID, &p.Name, &role, &p.Scope); err != nil {
		f.T.Fatalf("demo user %s: %v", username, err)
	}
	p.Role = auth.Role(role)
	return p
}

// County is the demo user of role in county 320921.
func (f *Fixture) County(role auth.Role) *auth.Principal { return f.User(string(role) + "_320921") }

// Other is the demo user of role in county 320922.
func (f *Fixture) Other(role auth.Role) *auth.Principal { return f.User(string(role) + "_320922") }

// Town is the demo user of role in town 320921100000.
func (f *Fixture) Town(role auth.Role) *auth.Principal { return f.User(string(role) + "_320921100") }

// Village is the village cadre of a village.
func (f *Fixture) Village(code string) *auth.Principal { return f.User("village_cadre_" + code) }

// Households lists the seeded households of a village by id.
func (f *Fixture) Households(village string) []int64 {
	f.T.Helper()
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT id FROM households WHERE region_code = ? ORDER BY id`, village)
	if err != nil {
		f.T.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.T.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// CityRole is the demo user of role with the city's scope.
func (f *Fixture) CityRole(role auth.Role) *auth.Principal { return f.User(string(role) + "_city") }

// IDNumber is a valid ID number no demo person has (birth 1960 + n%40, sequence from 400).
func (f *Fixture) IDNumber(n int) string {
	birth := time.Date(1960+n%40, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC)
	return idcard.Make("320921", birth, 400+n%99, idcard.Sex(n%2))
}

// Household inserts a household of the village with that status (registered_on 2025-01-01 for
// registered/exited/removed households) and returns its id. It has no member rows.
func (f *Fixture) Household(village, status string) int64 {
	f.T.Helper()
	n := f.Seq.Add(1)
	var regOn any
	if status != "applying" {
		regOn = "2025-01-01"
	}
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		now := db.Time(tx.Now)
		id, err = tx.InsertID(f.Ctx, `INSERT INTO households (household_no, region_code, head_name, head_id_number,
			household_type, status, registered_on, members_count, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'general', ?, ?, 0, ?, ?) RETURNING id`,
			fmt.Sprintf("T%s%05d", village, n), village, fmt.Sprintf("测试户%d", n), f.IDNumber(int(5000+n)), status, regOn, now, now)
		return err
	})
	if err != nil {
		f.T.Fatal(err)
	}
	return id
}

// Member inserts an active member of the household (same region) and returns its id.
func (f *Fixture) Member(hh int64, idNumber, name string) int64 {
	f.T.Helper()
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		now := db.Time(tx.Now)
		var region string
		if err = tx.QueryRowContext(f.Ctx, `SELECT region_code FROM households WHERE id = ?`, hh).Scan(&region); err != nil {
			return err
		}
		birth := "1970-01-01"
		if x, perr := idcard.Parse(idNumber, f.Now); perr == nil {
			birth = x.Birth.Format(db.DateLayout)
		}
		id, err = tx.InsertID(f.Ctx, `INSERT INTO members (household_id, region_code, id_number, name, relation, sex, birth_date,
			active, created_at, updated_at) VALUES (?, ?, ?, ?, 'head', 'male', ?, 1, ?, ?) RETURNING id`,
			hh, region, idNumber, name, birth, now, now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(f.Ctx, `UPDATE households SET members_count = members_count + 1 WHERE id = ?`, hh)
		return err
	})
	if err != nil {
		f.T.Fatal(err)
	}
	return id
}

// Exec runs one statement in its own transaction (test set-up).
func (f *Fixture) Exec(q string, args ...any) {
	f.T.Helper()
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(f.Ctx, q, args...); return err }); err != nil {
		f.T.Fatalf("%s: %v", q, err)
	}
}

// Count runs a SELECT COUNT(*)-like query returning one integer.
func (f *Fixture) Count(q string, args ...any) int64 {
	f.T.Helper()
	var n int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, q, args...).Scan(&n); err != nil {
		f.T.Fatalf("%s: %v", q, err)
	}
	return n
}
