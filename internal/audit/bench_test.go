package audit_test

import (
	"context"
	"database/sql"
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
	const n = 200000
	d := chainOf(b, n)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := audit.Verify(ctx, d.Reader())
		if err != nil || !res.OK {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkScanFloor: the baseline for Verify, reading the same rows and columns without
// hashing or checking anything.
func BenchmarkScanFloor(b *testing.B) {
	d := chainOf(b, 200000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, err := d.Reader().QueryContext(ctx, `SELECT seq, at, actor_id, actor_name, action, entity_type, entity_id, region_code, before_json, after_json, prev_hash, hash FROM audit_events ORDER BY seq`)
		if err != nil {
			b.Fatal(err)
		}
		var seq, actor int64
		var v [10]sql.RawBytes
		for rows.Next() {
			if err := rows.Scan(&seq, &v[0], &actor, &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
	}
	b.ReportMetric(200000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// chainOf builds a database with n audit events in one bulk transaction.
func chainOf(b *testing.B, n int) *db.DB {
	d := dbtest.Open(b)
	ctx := context.Background()
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
	return d
}
