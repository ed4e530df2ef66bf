// Package demo creates a deterministic synthetic Yancheng: the real county-level divisions,
// synthetic towns, villages, households and members with valid ID numbers, and one user per
// role at city, county and town scope. The same scale gives the same data every time.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/account"
	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/region"
)

// Password is every demo user's password.
const Password = "Sunshine#2026"

// Scale sizes the demo.
type Scale struct {
	Name                 string
	Counties             []string // county codes to fill
	TownsPerCounty       int
	VillagesPerTown      int
	HouseholdsPerVillage int
}

// City is Yancheng: 9 counties, ~120 towns, ~2,000 villages, ~100,000 households.
var City = Scale{Name: "city", Counties: countyCodes(), TownsPerCounty: 13, VillagesPerTown: 17, HouseholdsPerVillage: 50}

// Small is one county (响水县) with ~2,000 households.
var Small = Scale{Name: "small", Counties: []string{"320921"}, TownsPerCounty: 13, VillagesPerTown: 16, HouseholdsPerVillage: 10}

// ScaleByName returns the named scale.
func ScaleByName(name string) (Scale, error) {
	switch name {
	case "small", "":
		return Small, nil
	case "city":
		return City, nil
	}
	return Scale{}, fmt.Errorf("unknown demo scale %q: use small or city", name)
}

// Yancheng's county-level divisions (real codes and names).
var counties = []struct{ code, name, area string }{
	{"320902", "亭湖区", ""}, {"320903", "盐都区", ""}, {"320904", "大丰区", ""},
	{"320921", "响水县", "渠北片区"}, {"320922", "滨海县", "渠北片区"}, {"320923", "阜宁县", "阜宁渠南片区"},
	{"320924", "射阳县", "射阳河南片区"}, {"320925", "建湖县", ""}, {"320981", "东台市", ""},
}

func countyCodes() []string {
	out := make([]string, len(counties))
	for i, c := range counties {
		out[i] = c.code
	}
	return out
}

// Summary says what a load created.
type Summary struct {
	Scale      string        `json:"scale"`
	Regions    int           `json:"regions"`
	Households int           `json:"households"`
	Members    int           `json:"members"`
	Users      int           `json:"users"`
	Took       time.Duration `json:"-"`
}

// Empty reports whether the database has no regions yet (demo data may be loaded).
func Empty(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n)
	return n == 0, err
}

// Load fills an empty database with the demo city in one transaction, recorded as one audit
// event.
func Load(ctx context.Context, d *db.DB, sc Scale) (Summary, error) {
	start := time.Now()
	sum := Summary{Scale: sc.Name}
	empty, err := Empty(ctx, d)
	if err != nil {
		return sum, err
	}
	if !empty {
		return sum, errs.E(errs.Conflict, "数据库已有数据,演示数据只能装入空库")
	}
	// One password hash for all demo users: they share a published password anyway, and
	// hashing a thousand times would dominate the load.
	hash, err := account.HashPassword(Password)
	if err != nil {
		return sum, err
	}
	r := rand.New(rand.NewPCG(2026, uint64(len(sc.Counties))))
	err = d.InTx(ctx, func(tx *db.Tx) error {
		regions, villages, towns := buildRegions(r, sc)
		for _, reg := range regions {
			if err := region.Insert(ctx, tx, reg); err != nil {
				return fmt.Errorf("region %s: %w", reg.Code, err)
			}
		}
		sum.Regions = len(regions)
		var err error
		if sum.Households, sum.Members, err = insertHouseholds(ctx, tx, r, villages, sc.HouseholdsPerVillage); err != nil {
			return err
		}
		if sum.Users, err = insertUsers(ctx, tx, hash, sc, towns, villages); err != nil {
			return err
		}
		if err := loadRegistry(ctx, tx, r, villages); err != nil {
			return err
		}
		if err := loadVisits(ctx, tx, villages); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.System, audit.Change{
			Action: "demo.load", EntityType: "system", EntityID: "demo", RegionCode: "320900000000",
			After: map[string]any{"scale": sc.Name, "regions": sum.Regions, "households": sum.Households, "members": sum.Members, "users": sum.Users},
		})
	})
	if err == nil {
		err = d.Analyze(ctx, "households", "members", "procedures", "assignments", "household_locations", "visits", "visit_signals", "visit_photos")
	}
	sum.Took = time.Since(start)
	return sum, err
}

func buildRegions(r *rand.Rand, sc Scale) (all []region.Region, villages []region.Region, towns []region.Region) {
	all = append(all, region.Region{Code: "320900000000", Name: "盐城市"})
	for _, c := range counties {
		if !contains(sc.Counties, c.code) {
			continue
		}
		seen := map[string]bool{}
		all = append(all, region.Region{Code: c.code + "000000", Name: c.name, Area: c.area})
		for t := 0; t < sc.TownsPerCounty; t++ {
			tcode := c.code + strconv.Itoa(100+t) + "000"
			town := region.Region{Code: tcode, Name: placeName(r, seen, "镇"), Area: c.area}
			all = append(all, town)
			towns = append(towns, town)
			for v := 0; v < sc.VillagesPerTown; v++ {
				vr := region.Region{Code: tcode[:9] + strconv.Itoa(201+v), Name: placeName(r, seen, "村"), Area: c.area}
				switch x := r.IntN(100); {
				case x < 2:
					vr.WeakLevel = region.Province200
				case x < 6:
					vr.WeakLevel = region.Province60
				case x < 11:
					vr.WeakLevel = region.CityWeak
				case x < 14:
					vr.WeakLevel = region.CountyWeak
				}
				vr.WeakLax = r.IntN(100) < 3
				all = append(all, vr)
				villages = append(villages, vr)
			}
		}
	}
	return all, villages, towns
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

var hhColumns = []string{"id", "household_no", "region_code", "group_name", "head_name", "head_id_number", "address", "phone",
	"household_type", "causes", "bank", "account_no", "income_per_capita_fen", "income_year", "status", "registered_on",
	"exited_on", "policy_until", "members_count", "created_at", "updated_at",
	"income_wage_fen", "income_production_fen", "income_property_fen", "income_transfer_fen",
	"g_food", "g_education", "g_medical", "g_housing", "g_water", "removed_on", "source"}

var memberColumns = []string{"household_id", "region_code", "id_number", "name", "relation", "sex", "birth_date", "health",
	"disability_grade", "labour", "in_school", "medical_insurance", "active", "created_at", "updated_at", "left_on", "left_reason", "source"}

func insertHouseholds(ctx context.Context, tx *db.Tx, r *rand.Rand, villages []region.Region, perVillage int) (int, int, error) {
	now := db.Time(tx.Now)
	ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	usedIDs := map[uint64]bool{}
	var hh, mm [][]any
	id, members := int64(0), 0
	flush := func(force bool) error {
		if len(mm) < 20000 && !force {
			return nil
		}
		if err := db.BulkInsert(ctx, tx, "households", hhColumns, hh); err != nil {
			return err
		}
		if err := db.BulkInsert(ctx, tx, "members", memberColumns, mm); err != nil {
			return err
		}
		hh, mm = hh[:0], mm[:0]
		return nil
	}
	for _, v := range villages {
		n := perVillage/2 + r.IntN(perVillage+1)
		for i := 0; i < n; i++ {
			id++
			size := 1 + r.IntN(4)
			if r.IntN(10) == 0 {
				size = 5
			}
			status := "registered"
			switch x := r.IntN(100); {
			case x < 22:
				status = "exited"
			case x < 25:
				status = "applying"
			case x < 30:
				status = "removed"
			}
			htype := "general"
			switch x := r.IntN(100); {
			case x < 35:
				htype = "dibao"
			case x < 45:
				htype = "tekun"
				size = 1
			}
			registered := ref.AddDate(-1-r.IntN(6), -r.IntN(12), -r.IntN(28))
			var regOn, exitOn, policy, removedOn any
			if status != "applying" {
				regOn = registered.Format(db.DateLayout)
			}
			active, leftReason := 1, ""
			if status == "removed" {
				// A removed household holds nobody: its members' ID numbers are free again.
				removedOn = registered.AddDate(0, 6, 0).Format(db.DateLayout)
				active, leftReason = 0, "农户核销"
			}
			income := int64(300000 + r.IntN(350000))
			if status == "exited" {
				ex := registered.AddDate(1+r.IntN(3), 0, 0)
				if ex.After(ref) {
					ex = ref.AddDate(0, -1-r.IntN(10), 0)
				}
				exitOn, policy = ex.Format(db.DateLayout), ex.AddDate(2, 0, 0).Format(db.DateLayout)
				income = int64(650000 + r.IntN(600000))
			}
			var headName, headID string
			surname := []rune(personName(r))[0]
			for m := 0; m < size; m++ {
				rel := "head"
				age := 35 + r.IntN(50)
				switch {
				case m == 1:
					rel, age = "spouse", age-r.IntN(6)
				case m >= 2:
					rel, age = "child", 3+r.IntN(25)
					if r.IntN(4) == 0 {
						rel, age = "grandchild", 1+r.IntN(15)
					}
				}
				sex := idcard.Sex(r.IntN(2))
				birth := ref.AddDate(-age, -r.IntN(12), -r.IntN(28))
				var num string
				for {
					num = idcard.Make(v.Code[:6], birth, r.IntN(500), sex)
					if k, ok := idcard.Pack(num); ok && !usedIDs[k] {
						usedIDs[k] = true
						break
					}
				}
				name := personName(r)
				if rel == "head" || rel == "child" || rel == "grandchild" {
					name = string(surname) + string([]rune(name)[1:])
				}
				if m == 0 {
					headName, headID = name, num
				}
				health, grade, labour := "healthy", 0, "full"
				switch x := r.IntN(100); {
				case x < 20:
					health, labour = "chronic", "partial"
				case x < 28:
					health, labour = "serious", "none"
				case x < 36:
					health, grade, labour = "disabled", 1+r.IntN(4), "none"
				}
				inSchool := 0
				if age >= 6 && age <= 22 && r.IntN(10) < 8 {
					inSchool, labour = 1, "none"
				}
				mm = append(mm, []any{id, v.Code, num, name, rel, sex.String(), birth.Format(db.DateLayout), health, grade, labour,
					inSchool, 1, active, now, now, removedOn, leftReason, "demo"})
				members++
			}
			cs := []string{causes[r.IntN(len(causes))]}
			if r.IntN(3) == 0 {
				if c := causes[r.IntN(len(causes))]; c != cs[0] {
					cs = append(cs, c)
				}
			}
			hh = append(hh, append([]any{id, fmt.Sprintf("%s%05d", v.Code, i+1), v.Code, fmt.Sprintf("%d组", 1+r.IntN(12)), headName, headID,
				v.Name + strconv.Itoa(1+r.IntN(12)) + "组" + strconv.Itoa(1+r.IntN(60)) + "号", fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9)),
				htype, strings.Join(cs, ";"), banks[r.IntN(len(banks))], fmt.Sprintf("6228%015d", r.Int64N(1e15)),
				income, 2025, status, regOn, exitOn, policy, size * active, now, now}, append(incomeParts(r, income), guarantees(r)...)...))
			hh[len(hh)-1] = append(hh[len(hh)-1], removedOn, "demo")
			if err := flush(false); err != nil {
				return 0, 0, err
			}
		}
	}
	if err := flush(true); err != nil {
		return 0, 0, err
	}
	if tx.Dialect() == db.Postgres {
		// Explicit ids were inserted: move the identity past them.
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('households', 'id'), (SELECT MAX(id) FROM households))`); err != nil {
			return 0, 0, err
		}
	}
	return int(id), members, nil
}

var userColumns = []string{"username", "display_name", "role", "scope_code", "password_hash", "disabled", "created_at", "updated_at"}

// insertUsers creates admin (city) and one user per role at the city (<role>_city), each
// county (<role>_<6-digit code>) and each town (<role>_<9-digit code>), and a village cadre
// per village (village_cadre_<12-digit code>).
func insertUsers(ctx context.Context, tx *db.Tx, hash string, sc Scale, towns, villages []region.Region) (int, error) {
	now := db.Time(tx.Now)
	rows := [][]any{{"admin", "系统管理员", auth.Admin, "320900000000", hash, 0, now, now}}
	add := func(suffix, scope, place string) {
		for _, role := range auth.Roles {
			if role == auth.Admin && suffix == "city" {
				continue
			}
			rows = append(rows, []any{string(role) + "_" + suffix, place + auth.RoleLabels[role], role, scope, hash, 0, now, now})
		}
	}
	add("city", "320900000000", "市")
	for _, c := range counties {
		if contains(sc.Counties, c.code) {
			add(c.code, c.code+"000000", c.name)
		}
	}
	for _, t := range towns {
		add(t.Code[:9], t.Code, t.Name)
	}
	// Village procedure steps are signed at village level: one cadre per village.
	for _, v := range villages {
		rows = append(rows, []any{"village_cadre_" + v.Code, v.Name + auth.RoleLabels[auth.VillageCadre], auth.VillageCadre, v.Code, hash, 0, now, now})
	}
	return len(rows), db.BulkInsert(ctx, tx, "users", userColumns, rows)
}
