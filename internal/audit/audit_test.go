package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
)

func appendEvents(t testing.TB, d *db.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, audit.Actor{ID: 7, Name: "张三"}, audit.Change{
				Action: "user.update", EntityType: "user", EntityID: fmt.Sprint(i % 5), RegionCode: "320921000000",
				Before: map[string]any{"n": i}, After: map[string]any{"n": i + 1, "name": "李四"},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := d.InTx(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestVerifyIntactChain(t *testing.T) {
	d := dbtest.Open(t)
	res, err := audit.Verify(context.Background(), d.Reader())
	if err != nil || !res.OK || res.Checked != 0 {
		t.Fatalf("empty chain: %+v %v", res, err)
	}
	appendEvents(t, d, 20)
	res, err = audit.Verify(context.Background(), d.Reader())
	if err != nil || !res.OK || res.Checked != 20 || res.HeadSeq != 20 {
		t.Fatalf("intact chain: %+v %v", res, err)
	}
}

// Every way of changing the table behind the system's back is caught at the right event.
func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper string
		args   []any
		seq    int64
		reason string
	}{
		{"changed action", `UPDATE audit_events SET action = 'x' WHERE seq = 7`, nil, 7, "哈希不符"},
		{"changed after state", `UPDATE audit_events SET after_json = '{"n":1}' WHERE seq = 3`, nil, 3, "哈希不符"},
		{"changed time", `UPDATE audit_events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 1`, nil, 1, "哈希不符"},
		{"deleted middle", `DELETE FROM audit_events WHERE seq = 5`, nil, 5, "被删除"},
		{"deleted tail", `DELETE FROM audit_events WHERE seq = 10`, nil, 10, "链尾"},
		{"inserted forged", `INSERT INTO audit_events SELECT 11, at, actor_id, actor_name, action, entity_type, entity_id, region_code, before_json, after_json, hash, hash FROM audit_events WHERE seq = 10`, nil, 11, "哈希不符"},
		{"rehashed row", `UPDATE audit_events SET hash = prev_hash WHERE seq = 4`, nil, 4, "哈希不符"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := dbtest.Open(t)
			appendEvents(t, d, 10)
			exec(t, d, c.tamper, c.args...)
			res, err := audit.Verify(context.Background(), d.Reader())
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.FirstBroken == nil {
				t.Fatalf("tampering not detected: %+v", res)
			}
			if res.FirstBroken.Seq != c.seq || !strings.Contains(res.FirstBroken.Reason, c.reason) {
				t.Errorf("first broken = %+v, want seq %d with %q", res.FirstBroken, c.seq, c.reason)
			}
		})
	}
}

// Concurrent writers still produce one gap-free chain.
func TestConcurrentAppends(t *testing.T) {
	d := dbtest.Open(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			appendEvents(t, d, 10)
		}()
	}
	wg.Wait()
	res, err := audit.Verify(context.Background(), d.Reader())
	if err != nil || !res.OK || res.Checked != 80 {
		t.Fatalf("after concurrent appends: %+v %+v %v", res, res.FirstBroken, err)
	}
}

// A failed transaction leaves no event behind.
func TestRecordRollsBackWithChange(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	_ = d.InTx(ctx, func(tx *db.Tx) error {
		if err := audit.Record(ctx, tx, audit.System, audit.Change{Action: "x", EntityType: "y", EntityID: "1", RegionCode: "320900000000"}); err != nil {
			t.Fatal(err)
		}
		return fmt.Errorf("fail after recording")
	})
	res, err := audit.Verify(ctx, d.Reader())
	if err != nil || !res.OK || res.Checked != 0 || res.HeadSeq != 0 {
		t.Fatalf("after rollback: %+v %v", res, err)
	}
}
