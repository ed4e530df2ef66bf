package giving_test

// The shared fixture of the giving tests: the tiny demo (two counties, one town each, two
// villages per town, 8 households per village) on SQLite or PostgreSQL per SUNSHINE_TEST_DB,
// the clock at 2026-07-15 10:00 in Shanghai.

import (
	// the tests read like the package: they are outside it only because the demo they load imports it
	"context"
	"strconv"
	"strings"
	. "sunshine/internal/giving"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/selfquery"
)

const (
	county   = "320921000000"
	town     = "320921100000"
	villageA = "320921100201"
	villageB = "320921100202"
	villageO = "320922100201" // the other county
)

var tiny = demo.Scale{Name: "tiny", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 12}

type fixture struct {
	t   testing.TB
	S   *Service
	DB  *db.DB
	Ctx context.Context
	Now time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, d, tiny); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, DB: d, Ctx: ctx, Now: time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)}
	d.Clock = func() time.Time { return f.Now }
	f.S = &Service{DB: d, Audit: &audit.Service{DB: d}, SelfQuery: &selfquery.Service{DB: d}}
	return f
}

// user is the demo user with that username.
func (f *fixture) user(username string) *auth.Principal {
	f.t.Helper()
	p := &auth.Principal{Username: username}
	var role string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, username).
		Scan(&p.UserID, &p.Name, &role, &p.Scope); err != nil {
		f.t.Fatalf("demo user %s: %v", username, err)
	}
	p.Role = auth.Role(role)
	return p
}

func (f *fixture) office() *auth.Principal { return f.user("poverty_office_320921") }

// households are the registered households of a village with a passbook account and a head.
func (f *fixture) households(village string) []int64 {
	f.t.Helper()
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT id FROM households WHERE region_code = ? AND status = 'registered'
		AND account_no <> '' AND head_id_number <> '' ORDER BY id`, village)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, id)
	}
	if len(out) < 3 {
		f.t.Fatalf("village %s has %d payable households", village, len(out))
	}
	return out
}

// unregistered is a household of the village that is not registered (one is made if needed).
func (f *fixture) unregistered(village string) int64 {
	f.t.Helper()
	var id int64
	err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT id FROM households WHERE region_code = ? AND status <> 'registered' ORDER BY id LIMIT 1`, village).Scan(&id)
	if err == nil {
		return id
	}
	hh := f.households(village)[0]
	f.exec(`UPDATE households SET status = 'removed' WHERE id = ?`, hh)
	return hh
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(f.Ctx, q, args...); return err }); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) count(q string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// writes counts what a refusal must not have written: giving rows, ledger rows, audit events.
func (f *fixture) writes() string {
	f.t.Helper()
	var b strings.Builder
	for _, t := range []string{"giving_donors", "giving_needs", "giving_pledges", "giving_donations", "giving_disbursements", "giving_deliveries",
		"ledger_transfers", "ledger_accounts", "funds", "attachments", "audit_events"} {
		b.WriteString(t)
		b.WriteByte('=')
		b.WriteString(itoa(f.count(`SELECT COUNT(*) FROM ` + t)))
		b.WriteByte(' ')
	}
	b.WriteString("versions=" + itoa(f.count(`SELECT COALESCE(SUM(version), 0) FROM giving_donations`)+f.count(`SELECT COALESCE(SUM(version), 0) FROM giving_needs`)))
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// donor registers a donor of the county office.
func (f *fixture) donor(kind, name string) Donor {
	f.t.Helper()
	in := DonorInput{Kind: kind, Name: name, RegionCode: county, Phone: "13812345678"}
	if kind != "person" {
		in.CreditCode = "91320921MA1XYR1234"
	}
	d, err := f.S.CreateDonor(f.Ctx, f.office(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// need publishes a money need for a household of village A.
func (f *fixture) need(hh int64, target string) Need {
	f.t.Helper()
	n, err := f.S.CreateNeed(f.Ctx, f.office(), NeedInput{RegionCode: villageA, HouseholdID: &hh, Title: "助学金", Content: "孩子上学的学费",
		Kind: "money", TargetYuan: target, Deadline: "2026-09-01"})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// money records a money donation of the donor to region.
func (f *fixture) money(donor int64, region, amount string, need *int64) Donation {
	f.t.Helper()
	d, err := f.S.CreateDonation(f.Ctx, f.office(), DonationInput{DonorID: donor, Kind: "money", RegionCode: region, AmountYuan: amount,
		NeedID: need, ReceivedOn: "2026-07-01", Purpose: "助学"})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// on is the fixture reporting to t (a fuzz target must not use the F it was built with).
func (f *fixture) on(t testing.TB) *fixture {
	c := *f
	c.t = t
	return &c
}
