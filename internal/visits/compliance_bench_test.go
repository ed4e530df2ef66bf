package visits_test

import (
	"context"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/regioncode"
	"sunshine/internal/visits"
)

// BenchmarkCompliance is the quarterly compliance of a county and of the whole city on the
// city demo (~100,000 households, ~115,000 visits), each beside its floor measured in the same
// run: a plain COUNT(*) of the same due households (one range read, no visits, no helpers).
func BenchmarkCompliance(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	if _, err := demo.Load(ctx, d, demo.City); err != nil {
		b.Fatal(err)
	}
	d.Clock = func() time.Time { return time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC) }
	s := &visits.Service{DB: d, Audit: &audit.Service{DB: d}, Config: visits.DefaultConfig()}
	p := &auth.Principal{UserID: 1, Name: "市农办", Username: "bench", Role: auth.PovertyOffice, Scope: "320900000000"}
	for _, r := range []struct{ name, region string }{{"County", "320921000000"}, {"City", "320900000000"}} {
		b.Run(r.name, func(b *testing.B) {
			var due int64
			for i := 0; i < b.N; i++ {
				c, err := s.Compliance(ctx, p, r.region, "2026Q3")
				if err != nil {
					b.Fatal(err)
				}
				due = c.Total.Due
			}
			complianceReport(b, due)
		})
		b.Run(r.name+"Count", func(b *testing.B) {
			var due int64
			lo, hi := regioncode.Range(r.region)
			for i := 0; i < b.N; i++ {
				if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM households h WHERE h.status IN ('registered', 'exited')
					AND h.region_code BETWEEN ? AND ? AND (h.status = 'registered' OR h.policy_until >= ?)`, lo, hi, "2026-07-01").Scan(&due); err != nil {
					b.Fatal(err)
				}
			}
			complianceReport(b, due)
		})
	}
}

func complianceReport(b *testing.B, due int64) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(due), "households")
}
