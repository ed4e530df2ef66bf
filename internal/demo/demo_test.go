package demo_test

import (
	"context"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

var tiny = demo.Scale{Name: "tiny", Counties: []string{"320921", "320924"}, TownsPerCounty: 3, VillagesPerTown: 4, HouseholdsPerVillage: 6}

func load(t testing.TB, sc demo.Scale) (*db.DB, demo.Summary) {
	d := dbtest.Open(t)
	s, err := demo.Load(context.Background(), d, sc)
	if err != nil {
		t.Fatal(err)
	}
	return d, s
}

// The same scale gives the same data: same households, same ID numbers.
func TestDeterministic(t *testing.T) {
	d1, s1 := load(t, tiny)
	d2, s2 := load(t, tiny)
	if s1.Households != s2.Households || s1.Members != s2.Members || s1.Households == 0 {
		t.Fatalf("summaries differ: %+v %+v", s1, s2)
	}
	q := `SELECT household_no || head_id_number || head_name || status FROM households ORDER BY id`
	a, b := column(t, d1, q), column(t, d2, q)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("row %d differs: %s vs %s", i, a[i], b[i])
		}
	}
}

// Every member has a valid, unique ID number from the household's county; every household
// lies in a village of the tree; the load is one audited event and a second load is refused.
func TestDataIsValid(t *testing.T) {
	d, s := load(t, tiny)
	now := time.Now()
	ids := column(t, d, `SELECT id_number || '|' || region_code FROM members`)
	if len(ids) != s.Members {
		t.Fatalf("%d members, summary says %d", len(ids), s.Members)
	}
	seen := map[string]bool{}
	for _, row := range ids {
		num, region := row[:18], row[19:]
		if _, err := idcard.Parse(num, now); err != nil {
			t.Fatalf("invalid ID %s: %v", num, err)
		}
		if num[:6] != region[:6] || seen[num] {
			t.Fatalf("ID %s: wrong county for %s or duplicate", num, region)
		}
		seen[num] = true
	}
	for _, code := range column(t, d, `SELECT DISTINCT h.region_code || r.level FROM households h JOIN regions r ON r.code = h.region_code`) {
		if code[12:] != "village" || !regioncode.Valid(code[:12]) {
			t.Fatalf("household in %s", code)
		}
	}
	res, err := audit.Verify(context.Background(), d.Reader())
	if err != nil || !res.OK || res.Checked != 1 {
		t.Fatalf("audit after demo: %+v %v", res, err)
	}
	if _, err := demo.Load(context.Background(), d, tiny); err == nil {
		t.Fatal("second load into a non-empty database must be refused")
	}
}

func column(t testing.TB, d *db.DB, q string) []string {
	rows, err := d.Reader().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// BenchmarkDemoCity: `sunshine demo --scale city` (goal < 30 s); BenchmarkDemoSmall is the
// baseline of the same run, one county at a fiftieth of the households.
func BenchmarkDemoCity(b *testing.B) { benchDemo(b, demo.City) }

func BenchmarkDemoSmall(b *testing.B) { benchDemo(b, demo.Small) }

func benchDemo(b *testing.B, sc demo.Scale) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := dbtest.Open(b)
		b.StartTimer()
		s, err := demo.Load(context.Background(), d, sc)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.Households+s.Members)/s.Took.Seconds(), "rows/s")
	}
}
