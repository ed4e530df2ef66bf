package partners_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/funds"
	"sunshine/internal/partners"
	"sunshine/internal/projects"
)

// The demo on two small counties after the funds and projects demos: every count of its
// summary is what the database holds, each county has what the demo promises, the public
// pages show no phone, and a second run does nothing.
func TestPartnersDemo(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	d.Clock = func() time.Time { return now }
	sc := demo.Scale{Name: "t", Counties: []string{"320921", "320922"}, TownsPerCounty: 2, VillagesPerTown: 3, HouseholdsPerVillage: 3}
	if _, err := demo.Load(ctx, d, sc); err != nil {
		t.Fatal(err)
	}
	a := &audit.Service{DB: d}
	if _, err := demo.Funds(ctx, &funds.Service{DB: d, Audit: a}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Projects(ctx, &projects.Service{DB: d, Audit: a}, d); err != nil {
		t.Fatal(err)
	}
	s := &partners.Service{DB: d, Audit: a}
	sum, err := demo.Partners(ctx, s, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary %+v", sum)
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := d.Reader().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for _, c := range []struct {
		name string
		got  int
		q    string
	}{
		{"volunteers", sum.Volunteers, `SELECT COUNT(*) FROM partner_providers WHERE kind = 'volunteer'`},
		{"firms", sum.Firms, `SELECT COUNT(*) FROM partner_providers WHERE kind <> 'volunteer'`},
		{"services", sum.Services, `SELECT COUNT(*) FROM partner_services`},
		{"deputies", sum.Deputies, `SELECT COUNT(*) FROM partner_deputies`},
		{"pairings", sum.Pairings, `SELECT COUNT(*) FROM partner_pairings`},
		{"entrepreneurs", sum.Entrepreneurs, `SELECT COUNT(*) FROM partner_entrepreneurs`},
		{"matches", sum.Matches, `SELECT COUNT(*) FROM partner_matches`},
	} {
		if c.got != count(c.q) || c.got == 0 {
			t.Errorf("%s: summary %d, database %d", c.name, c.got, count(c.q))
		}
	}
	for _, county := range sc.Counties {
		lo, hi := county+"000000", county+"999999"
		if n := count(`SELECT COUNT(*) FROM partner_services WHERE region_code BETWEEN ? AND ?`, lo, hi); n < 10 || n > 20 {
			t.Errorf("%s: %d service records", county, n)
		}
		if n := count(`SELECT COUNT(DISTINCT level) FROM partner_deputies WHERE kind = 'npc' AND region_code BETWEEN ? AND ?`, lo, hi); n != 5 {
			t.Errorf("%s: %d npc levels", county, n)
		}
		if n := count(`SELECT COUNT(*) FROM partner_pairings WHERE kind = 'enterprise' AND village_code BETWEEN ? AND ?`, lo, hi); n != 2 {
			t.Errorf("%s: %d enterprise pairs", county, n)
		}
		if n := count(`SELECT MIN(c) FROM (SELECT COUNT(*) AS c FROM partner_activities a JOIN partner_pairings p ON p.id = a.pairing_id
			WHERE p.village_code BETWEEN ? AND ? GROUP BY p.id) x`, lo, hi); n < 2 {
			t.Errorf("%s: a pairing with %d activities", county, n)
		}
		if n := count(`SELECT COUNT(*) FROM partner_matches WHERE region_code BETWEEN ? AND ?`, lo, hi); n < 1 || n > 2 {
			t.Errorf("%s: %d matches", county, n)
		}
		b, err := s.ForcesPageJSON(ctx, county+"000000")
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`(^|[^0-9])1[0-9]{10}([^0-9]|$)`).Find(b); m != nil {
			t.Errorf("%s: phone %q on the public page", county, m)
		}
	}
	if n := count(`SELECT COUNT(*) FROM audit_events WHERE action LIKE 'provider.%' OR action LIKE 'pairing.%' OR action LIKE 'match.%'`); n == 0 {
		t.Error("the demo left no audit trail")
	}
	again, err := demo.Partners(ctx, s, d)
	if err != nil || again != (demo.PartnersSummary{}) {
		t.Fatalf("second run: %+v %v", again, err)
	}
}
