package crosscheck

import (
	"context"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/errs"
)

// A run left running by a process that died is closed as interrupted at the next start, with
// an audit event; a run this process is still executing and finished runs are left alone; a
// run that finishes after it was closed does not write its doubts.
func TestRecoverStaleRuns(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	d.Clock = func() time.Time { return now }
	s := &Service{DB: d, Audit: &audit.Service{DB: d}}
	insert := func(status string) int64 {
		t.Helper()
		var id int64
		err := d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			id, err = tx.InsertID(ctx, `INSERT INTO crosscheck_runs (region_code, status, ruleset_id, ruleset_version, datasets_json,
				include_unauthorised, started_by, started_by_name, started_at) VALUES ('320921000000', ?, 0, 0, '[]', 0, 1, '测试', ?) RETURNING id`,
				status, db.Time(now.Add(-10*time.Minute)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	crashed, other, live, done := insert("running"), insert("running"), insert("running"), insert("done")
	s.setLive(live, true)

	n, err := s.Recover(ctx)
	if err != nil || n != 2 {
		t.Fatalf("recover: %d %v, want 2 runs closed", n, err)
	}
	for id, want := range map[int64]string{crashed: "failed", other: "failed", live: "running", done: "done"} {
		r, err := getRun(ctx, d.Reader(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want {
			t.Fatalf("run %d: status %s, want %s", id, r.Status, want)
		}
		if want == "failed" && (r.Error != InterruptedReason || r.FinishedAt == nil || r.DurationMS != 600000) {
			t.Fatalf("run %d closed as %+v", id, r)
		}
		ev, err := s.Audit.History(ctx, "crosscheck_run", itoa(id), 10)
		if err != nil {
			t.Fatal(err)
		}
		if want == "failed" {
			if len(ev) != 1 || ev[0].Action != "crosscheck.run.fail" || ev[0].ActorName != audit.System.Name || ev[0].RegionCode != "320921000000" {
				t.Fatalf("run %d audit: %+v", id, ev)
			}
		} else if len(ev) != 0 {
			t.Fatalf("run %d untouched but audited: %+v", id, ev)
		}
	}
	// Again: nothing left to close.
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second recover: %d %v", n, err)
	}
	// The closed run's own process finishing late cannot turn it into a done run.
	info := RunInfo{ID: crashed, RegionCode: "320921000000"}
	p := &auth.Principal{UserID: 1, Username: "civil", Role: auth.CivilAffairs, Scope: "320921000000"}
	err = s.writeDoubts(ctx, p, &info, RuleSetInfo{}, Result{}, time.Second)
	if errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("late finish of a closed run: %v", err)
	}
	if r, _ := getRun(ctx, d.Reader(), crashed); r.Status != "failed" {
		t.Fatalf("closed run reopened: %s", r.Status)
	}
}
