package demo_test

import (
	"context"
	"testing"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/oversight"
)

func TestOversightDemo(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, d, tiny); err != nil {
		t.Fatal(err)
	}
	s := &oversight.Service{DB: d, Audit: &audit.Service{DB: d}}
	sum, err := demo.Oversight(ctx, s, d)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Complaints != 7 || sum.Cases != 2 {
		t.Fatalf("summary %+v", sum)
	}
	again, err := demo.Oversight(ctx, s, d)
	if err != nil || again.Complaints != 0 {
		t.Fatalf("second load: %+v %v", again, err)
	}
	q := d.Reader()
	count := func(query string) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(DISTINCT channel) FROM complaints`); n != 5 {
		t.Errorf("%d channels, want all 5", n)
	}
	if n := count(`SELECT MAX(repeat_no) FROM complaints`); n != 3 {
		t.Errorf("max repeat %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM complaints WHERE status = 'closed' AND satisfaction = 'satisfied' AND reply <> ''`); n != 1 {
		t.Errorf("replied and rated %d", n)
	}
	today := db.Date(d.Clock())
	var overdue int
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints WHERE status IN ('received', 'assigned') AND deadline < ?`, today).Scan(&overdue)
	if overdue != 1 {
		t.Errorf("overdue %d", overdue)
	}
	if n := count(`SELECT COUNT(*) FROM complaints WHERE misconduct = 1 AND forwarded_at IS NOT NULL`); n != 1 {
		t.Errorf("forwarded %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM accountability_cases WHERE complaint_id IS NOT NULL`); n != 1 {
		t.Errorf("cases citing a complaint %d", n)
	}
}
