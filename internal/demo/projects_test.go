package demo_test

import (
	"context"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/funds"
	"sunshine/internal/projects"
)

// The projects demo on the small demo city after the funds demo: every count of its summary
// is what the database holds, each county has the portfolio the demo promises (a completed
// project with a distributed income, a 90-day-old undistributed income, an idle asset, an
// overdue project, a failed one with approved 容错, applications at every review level),
// the stages were signed in order on past dates by the right levels, the money reached the
// projects' accounts, and a second run does nothing.
func TestProjectsDemo(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	d.Clock = func() time.Time { return now }
	if _, err := demo.Load(ctx, d, demo.Small); err != nil {
		t.Fatal(err)
	}
	a := &audit.Service{DB: d}
	if _, err := demo.Funds(ctx, &funds.Service{DB: d, Audit: a}); err != nil {
		t.Fatal(err)
	}
	s := &projects.Service{DB: d, Audit: a}
	sum, err := demo.Projects(ctx, s, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary %+v", sum)
	if !d.Clock().Equal(now) {
		t.Fatalf("the demo left the clock at %s", d.Clock())
	}
	counties := len(demo.Small.Counties)
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
		{"projects", sum.Projects, `SELECT COUNT(*) FROM projects`},
		{"completed", sum.Completed, `SELECT COUNT(*) FROM projects WHERE status = 'completed' AND stage = 9`},
		{"failed", sum.Failed, `SELECT COUNT(*) FROM projects WHERE status = 'failed'`},
		{"overdue", sum.Overdue, `SELECT COUNT(*) FROM projects WHERE status = 'active' AND stage_due < '2026-11-20'`},
		{"signatures", sum.Signatures, `SELECT COUNT(*) FROM project_stages WHERE actual_end IS NOT NULL AND signed_by IS NOT NULL`},
		{"documents", sum.Documents, `SELECT COUNT(*) FROM project_documents`},
		{"beneficiaries", sum.Beneficiaries, `SELECT COUNT(*) FROM project_beneficiaries`},
		{"rejected", sum.Rejected, `SELECT COUNT(*) FROM project_beneficiaries WHERE status = 'rejected'`},
		{"plans", sum.Plans, `SELECT COUNT(*) FROM village_plans`},
		{"risks", sum.Risks, `SELECT COUNT(*) FROM project_risks`},
		{"open risks", sum.OpenRisks, `SELECT COUNT(*) FROM project_risks WHERE status = 'open'`},
		{"tolerances", sum.Tolerances, `SELECT COUNT(*) FROM project_tolerances WHERE status = 'approved'`},
		{"assets", sum.Assets, `SELECT COUNT(*) FROM assets`},
		{"idle assets", sum.IdleAssets, `SELECT COUNT(*) FROM assets WHERE status = 'idle'`},
		{"incomes", sum.Incomes, `SELECT COUNT(*) FROM asset_incomes`},
		{"distributed", sum.Distributed, `SELECT COUNT(*) FROM asset_incomes WHERE status = 'distributed'`},
		{"transfers", sum.Transfers, `SELECT COUNT(*) FROM ledger_transfers t JOIN funds f ON f.id = t.fund_id WHERE f.code LIKE 'XM-%'`},
	} {
		if n := count(c.q); n != c.got {
			t.Errorf("%s: summary %d, database %d", c.name, c.got, n)
		}
	}
	// per county: eight projects of the three kinds and the promised cases
	if sum.Projects != 8*counties || sum.Completed != counties || sum.Failed != counties || sum.Tolerances != counties ||
		sum.Overdue < counties || sum.Assets != 3*counties || sum.IdleAssets != counties || sum.Incomes != 2*counties ||
		sum.Distributed != counties || sum.Plans != 3*counties || sum.Rejected != counties || sum.OpenRisks == 0 || sum.OpenRisks == sum.Risks {
		t.Fatalf("summary %+v", sum)
	}
	if n := count(`SELECT COUNT(DISTINCT kind) FROM projects`); n != 3 {
		t.Errorf("%d project kinds", n)
	}
	if n := count(`SELECT COUNT(*) FROM projects WHERE kind = 'village' AND subkind = 'land_share' AND budget_fen = 200000000`); n != counties {
		t.Errorf("%d land share projects of 2,000,000 yuan", n)
	}
	if n := count(`SELECT COUNT(*) FROM projects WHERE kind = 'village' AND subkind <> 'land_share' AND budget_fen = 60000000`); n < 3*counties {
		t.Errorf("%d village projects of 600,000 yuan", n)
	}
	// applications wait at every level
	for _, st := range []string{"applied", "village", "town", "approved", "rejected"} {
		if n := count(`SELECT COUNT(*) FROM project_beneficiaries b JOIN projects p ON p.id = b.project_id WHERE p.kind = 'household' AND b.status = ?`, st); n != counties {
			t.Errorf("%d household applications %s", n, st)
		}
	}
	// plans: received, filed and awaiting, returned
	for _, st := range []string{"received", "filed", "returned"} {
		if n := count(`SELECT COUNT(*) FROM village_plans WHERE status = ?`, st); n != counties {
			t.Errorf("%d plans %s", n, st)
		}
	}
	if n := count(`SELECT COUNT(*) FROM projects WHERE plan_id IS NOT NULL`); n != counties {
		t.Errorf("%d projects linked to a plan", n)
	}
	// a recorded income older than 90 days, not distributed
	if n := count(`SELECT COUNT(*) FROM asset_incomes WHERE status = 'recorded' AND received_on < '2026-08-22'`); n != counties {
		t.Errorf("%d incomes waiting over 90 days", n)
	}
	// the distributed income reached passbooks in full
	if n := count(`SELECT COUNT(*) FROM asset_incomes i WHERE i.status = 'distributed' AND i.amount_fen <>
		(SELECT SUM(x.amount_fen) FROM asset_distributions x WHERE x.income_id = i.id AND x.transfer_id IS NOT NULL)`); n != 0 {
		t.Errorf("%d distributed incomes not paid in full", n)
	}
	// the failed project's tolerance names two people
	var people string
	if err := d.Reader().QueryRowContext(ctx, `SELECT people_json FROM project_tolerances WHERE status = 'approved' ORDER BY id LIMIT 1`).Scan(&people); err != nil {
		t.Fatal(err)
	}
	if ok, err := projects.Exempted(ctx, d.Reader(), firstFailed(t, d), "王志刚"); err != nil || !ok {
		t.Errorf("exempted: %v %v (%s)", ok, err, people)
	}
	// history: stages signed in order, on past dates, each after it began; the Gantt has more
	// than one date
	if n := count(`SELECT COUNT(*) FROM project_stages WHERE actual_end > '2026-11-20' OR actual_end < actual_start`); n != 0 {
		t.Errorf("%d stages signed in the future or before they began", n)
	}
	if n := count(`SELECT COUNT(*) FROM project_stages a JOIN project_stages b ON b.project_id = a.project_id AND b.stage = a.stage + 1
		WHERE b.actual_end IS NOT NULL AND (a.actual_end IS NULL OR b.actual_end < a.actual_end)`); n != 0 {
		t.Errorf("%d stages signed out of order", n)
	}
	if n := count(`SELECT COUNT(DISTINCT actual_end) FROM project_stages WHERE actual_end IS NOT NULL`); n < 20 {
		t.Errorf("only %d distinct sign-off dates", n)
	}
	// each stage was signed by its rule's role (the evaluation by finance) at the right level
	if n := count(`SELECT COUNT(*) FROM project_stages WHERE stage = 7 AND signed_by IS NOT NULL AND signed_role <> 'finance'`); n != 0 {
		t.Errorf("%d evaluations not signed by finance", n)
	}
	if n := count(`SELECT COUNT(*) FROM project_stages s JOIN projects p ON p.id = s.project_id
		WHERE s.stage = 0 AND s.signed_by IS NOT NULL AND p.kind = 'village' AND s.signed_role <> 'village_cadre'`); n != 0 {
		t.Errorf("%d village research stages not signed by the village cadre", n)
	}
	// money reached the projects: the land share project received 1,800,000 and spent 1,700,000
	office := &auth.Principal{UserID: 1, Role: auth.PovertyOffice, Scope: "320900000000", Root: true}
	list, err := s.Projects(ctx, office, projects.ProjectFilter{Stage: -1, Kind: "village", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var funded int
	for _, p := range list {
		if p.Subkind == "land_share" && (p.ReceivedFen != 180000000 || p.SpentFen != 170000000) {
			t.Errorf("land share project %s received %d spent %d", p.Code, p.ReceivedFen, p.SpentFen)
		}
		if p.ReceivedFen > 0 {
			funded++
		}
	}
	if funded < 3*counties {
		t.Errorf("%d village projects funded", funded)
	}
	res, err := audit.Verify(ctx, d.Reader())
	if err != nil || !res.OK {
		t.Fatalf("audit after the projects demo: %+v %v", res, err)
	}
	again, err := demo.Projects(ctx, s, d)
	if err != nil || again.Projects != 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}
}

func firstFailed(t *testing.T, d *db.DB) int64 {
	var id int64
	if err := d.Reader().QueryRowContext(context.Background(), `SELECT id FROM projects WHERE status = 'failed' ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
