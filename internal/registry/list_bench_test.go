package registry_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/registry"
)

// The list benchmark's register: the demo city with enough households per village for about
// a million members (SUNSHINE_BENCH_LIST_PER_VILLAGE overrides; 200 ≈ 1,000,000 members).
func listDB(b *testing.B) (*db.DB, demo.Summary) {
	per := 200
	if s := os.Getenv("SUNSHINE_BENCH_LIST_PER_VILLAGE"); s != "" {
		per, _ = strconv.Atoi(s)
	}
	sc := demo.City
	sc.Name, sc.HouseholdsPerVillage = "list-bench", per
	d := dbtest.Open(b)
	sum, err := demo.Load(context.Background(), d, sc)
	if err != nil {
		b.Fatal(err)
	}
	return d, sum
}

// BenchmarkList loads the register once and measures the list page beside its floor.
func BenchmarkList(b *testing.B) {
	d, sum := listDB(b)
	b.Run("Page", func(b *testing.B) { benchListPage(b, d, sum) })
	b.Run("Floor", func(b *testing.B) { benchListFloor(b, d) })
}

// benchListPage is one page (50 rows) of the office household list through the service,
// JSON-encoded, cycling through the filters people use, from the first page and from cursors
// deep in the city; p50/p99 are reported. benchListFloor is the baseline: a bare
// primary-key page of the same table, no filter, no join, no encoding.
func benchListPage(b *testing.B, d *db.DB, sum demo.Summary) {
	s := &registry.Service{DB: d, Audit: &audit.Service{DB: d}}
	p := &auth.Principal{UserID: 1, Role: auth.PovertyOffice, Scope: "320900000000"}
	lo, hi := int64(300000), int64(450000)
	filters := []registry.Filter{
		{}, {Region: "320921000000"}, {Status: registry.Registered}, {Status: registry.Registered, Type: registry.Dibao},
		{Cause: "illness"}, {Gap: "any"}, {IncomeMin: &lo, IncomeMax: &hi}, {Region: "320902100000", Status: registry.Exited},
		{Query: "张"},
	}
	cursors := cursorsOf(b, d)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	var slowest struct {
		took time.Duration
		f    registry.Filter
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := filters[i%len(filters)]
		if i%2 == 1 {
			f.After = cursors[i%len(cursors)]
		}
		f.Limit = 51
		t0 := time.Now()
		rows, err := s.List(ctx, p, f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(rows); err != nil {
			b.Fatal(err)
		}
		took := time.Since(t0)
		lat = append(lat, took)
		if took > slowest.took {
			slowest.took, slowest.f = took, f
		}
	}
	b.StopTimer()
	report(b, lat)
	b.ReportMetric(float64(sum.Members), "members")
	// Name the slowest page, so a regression points at its filter.
	b.Logf("slowest page %v: %+v", slowest.took, slowest.f)
}

func benchListFloor(b *testing.B, d *db.DB) {
	ctx := context.Background()
	var maxID int64
	_ = d.Reader().QueryRowContext(ctx, `SELECT MAX(id) FROM households`).Scan(&maxID)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		rows, err := d.Reader().QueryContext(ctx, `SELECT id, household_no FROM households WHERE id > ? ORDER BY id LIMIT 51`, int64(i*7919)%maxID)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var no string
			_ = rows.Scan(&id, &no)
		}
		rows.Close()
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	report(b, lat)
}

func cursorsOf(b *testing.B, d *db.DB) []registry.Cursor {
	rows, err := d.Reader().QueryContext(context.Background(), `SELECT region_code, MIN(id) FROM households GROUP BY region_code`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []registry.Cursor
	for rows.Next() {
		var c registry.Cursor
		_ = rows.Scan(&c.Region, &c.ID)
		out = append(out, c)
	}
	// Spread the cursors over the city rather than walking it in order.
	for i := range out {
		j := (i * 7919) % len(out)
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func report(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
