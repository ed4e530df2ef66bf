package audit_test

import (
	"context"
	"testing"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
)

// BenchmarkRecord: one audited write transaction per op (the figure users feel).
func BenchmarkRecord(b *testing.B) {
	d := dbtest.Open(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, audit.Actor{ID: 1, Name: "admin"}, audit.Change{
				Action: "region.update", EntityType: "region", EntityID: "320921101203", RegionCode: "320921101203",
				Before: map[string]any{"weak_level": ""}, After: map[string]any{"weak_level": "city"},
			})
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRecordInBatch: events appended inside one transaction (bulk operations).
func BenchmarkRecordInBatch(b *testing.B) {
	d := dbtest.Open(b)
	ctx := context.Background()
	b.ResetTimer()
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < b.N; i++ {
			if err := audit.Record(ctx, tx, audit.Actor{ID: 1, Name: "admin"}, audit.Change{
				Action: "region.update", EntityType: "region", EntityID: "320921101203", RegionCode: "320921101203",
				After: map[string]any{"weak_level": "city"},
			}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkVerify: events checked per second by a full recomputation of the chain.
func BenchmarkVerify(b *testing.B) {
	d := dbtest.Open(b)
	ctx := context.Background()
	const n = 200000
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i++ {
			if err := audit.Record(ctx, tx, audit.Actor{ID: 1, Name: "admin"}, audit.Change{
				Action: "household.update", EntityType: "household", EntityID: "12345", RegionCode: "320921101203",
				Before: map[string]any{"status": "registered"}, After: map[string]any{"status": "exited", "exited_on": "2026-11-24"},
			}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := audit.Verify(ctx, d.Reader())
		if err != nil || !res.OK {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
