package payments_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/funds"
	"sunshine/internal/money"
	"sunshine/internal/payments"
	"sunshine/internal/tabular"
)

// fixture is a small demo city with one county fund allocated to the county's finance.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	d       *db.DB
	f       *funds.Service
	s       *payments.Service
	ex      *exchange.Service
	office  *auth.Principal
	fin     *auth.Principal
	other   *auth.Principal // finance of the neighbouring county
	fund    funds.Fund
	finance int64
}

func newFixture(t *testing.T, allocate string) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, d, demo.Scale{Name: "t", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 8}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	d.Clock = func() time.Time { return now }
	a := &audit.Service{DB: d}
	x := &fixture{t: t, ctx: ctx, d: d, f: &funds.Service{DB: d, Audit: a}, s: &payments.Service{DB: d, Audit: a}, ex: &exchange.Service{DB: d},
		office: &auth.Principal{UserID: 7, Name: "县农办", Role: auth.PovertyOffice, Scope: "320921000000"},
		fin:    &auth.Principal{UserID: 8, Name: "县财政", Role: auth.Finance, Scope: "320921000000"},
		other:  &auth.Principal{UserID: 9, Name: "邻县财政", Role: auth.Finance, Scope: "320922000000"}}
	x.ex.Register(payments.PaymentsKind())
	var err error
	x.fund, err = x.f.CreateFund(ctx, x.fin, funds.FundInput{Code: "DB-2026", Name: "低保补助", SourceLevel: "county", Category: "subsidy",
		Year: 2026, AmountYuan: "1000000", RegionCode: "320921000000", ReceivedOn: "2026-01-05", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "living", Name: "生活补助", Basis: "household", StandardYuan: "150.50"},
			{Code: "edu", Name: "教育补助", Basis: "person", StandardYuan: "100"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		x.finance, err = funds.FinanceAccount(ctx, tx, x.fin.UserID, "320921000000")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.f.Transfer(ctx, x.fin, funds.TransferInput{FundID: x.fund.ID, FromAccount: x.fund.SourceAccount, ToAccount: x.finance,
		AmountYuan: allocate, OnDate: "2026-01-06", Purpose: "拨付县财政"}); err != nil {
		t.Fatal(err)
	}
	return x
}

func (x *fixture) count(q string, args ...any) int64 {
	x.t.Helper()
	var n int64
	if err := x.d.Reader().QueryRowContext(x.ctx, q, args...).Scan(&n); err != nil {
		x.t.Fatal(err)
	}
	return n
}

// invariants: every fund's balances sum to zero, no account but a source is negative, every
// paid line has its transfer, and the audit chain verifies.
func (x *fixture) invariants() {
	x.t.Helper()
	if n := x.count(`SELECT COUNT(*) FROM (SELECT fund_id FROM ledger_balances GROUP BY fund_id HAVING SUM(balance_fen) <> 0) s`); n != 0 {
		x.t.Fatalf("%d funds whose balances do not sum to zero", n)
	}
	if n := x.count(`SELECT COUNT(*) FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.kind <> 'source' AND b.balance_fen < 0`); n != 0 {
		x.t.Fatalf("%d negative balances", n)
	}
	if n := x.count(`SELECT COUNT(*) FROM plan_lines l LEFT JOIN ledger_transfers t ON t.id = l.transfer_id
		WHERE l.status = 'paid' AND (t.id IS NULL OR t.amount_fen <> l.amount_fen OR t.ref <> 'line:' || l.id)`); n != 0 {
		x.t.Fatalf("%d paid lines without their transfer", n)
	}
	if r, err := audit.Verify(x.ctx, x.d.Reader()); err != nil || !r.OK {
		x.t.Fatalf("audit: %+v %v", r, err)
	}
}

func (x *fixture) lines(plan int64) []payments.Line {
	x.t.Helper()
	ls, err := x.s.Lines(x.ctx, x.fin, payments.LineFilter{PlanID: plan, Limit: 200})
	if err != nil {
		x.t.Fatal(err)
	}
	return ls
}

// returnFile answers a batch: every line as the bank file gave it, with status per line_no.
func (x *fixture) returnFile(b payments.Batch, status func(no int) string) string {
	x.t.Helper()
	var file bytes.Buffer
	if err := x.s.BatchFile(x.ctx, x.fin, b.ID, "csv", &file); err != nil {
		x.t.Fatal(err)
	}
	r, err := tabular.Open(&file, "b.csv", tabular.Schema{Columns: []tabular.Column{{Name: "batch_ref"}, {Name: "line_no"}, {Name: "account_no"},
		{Name: "account_holder"}, {Name: "amount_yuan"}}}, tabular.Options{})
	if err != nil {
		x.t.Fatal(err)
	}
	defer r.Close()
	var out strings.Builder
	out.WriteString("批次号,序号,银行账号,户名,金额(元),状态,原因\n")
	for no := 1; ; no++ {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			x.t.Fatal(err)
		}
		fmt.Fprintf(&out, "%s,%s,%s,%s,%s,%s,%s\n", row.Get("batch_ref"), row.Get("line_no"), row.Get("account_no"), row.Get("account_holder"),
			row.Get("amount_yuan"), status(no), map[bool]string{true: "账户已冻结", false: ""}[status(no) == "failed"])
	}
	return out.String()
}

func TestPlanBatchReconcile(t *testing.T) {
	x := newFixture(t, "500000")
	ctx, s := x.ctx, x.s
	item := x.fund.Items[0]

	// Bad plans.
	for name, in := range map[string]payments.PlanInput{
		"period":       {FundID: x.fund.ID, ItemID: item.ID, Period: "2026-13", RegionCode: "320921000000", Title: "x"},
		"title":        {FundID: x.fund.ID, ItemID: item.ID, Period: "2026-01", RegionCode: "320921000000"},
		"type":         {FundID: x.fund.ID, ItemID: item.ID, Period: "2026-01", RegionCode: "320921000000", Title: "x", Rule: payments.Rule{HouseholdTypes: []string{"rich"}}},
		"foreign item": {FundID: x.fund.ID, ItemID: 999999, Period: "2026-01", RegionCode: "320921000000", Title: "x"},
	} {
		if _, err := s.CreatePlan(ctx, x.office, in); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: 999999, ItemID: item.ID, Period: "2026-01", RegionCode: "320921000000", Title: "x"}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("unknown fund: %v", err)
	}
	if _, err := s.CreatePlan(ctx, x.other, payments.PlanInput{FundID: x.fund.ID, ItemID: item.ID, Period: "2026-01", RegionCode: "320921000000", Title: "x"}); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("finance drafting a plan: %v", err)
	}

	// A plan for every registered household; one has no bank account and is skipped.
	if _, err := x.d.Reader().QueryContext(ctx, `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	var noAcct int64
	if err := x.d.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx, `UPDATE households SET account_no = '' WHERE id = (SELECT MIN(id) FROM households
			WHERE region_code LIKE '320921%' AND status = 'registered') RETURNING id`).Scan(&noAcct)
	}); err != nil {
		t.Fatal(err)
	}
	registered := x.count(`SELECT COUNT(*) FROM households WHERE region_code LIKE '320921%' AND status = 'registered'`)
	np, err := s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: x.fund.ID, ItemID: item.ID, Period: "2026-05", RegionCode: "320921000000", Title: "五月生活补助"})
	if err != nil {
		t.Fatal(err)
	}
	p := np.Plan
	if int64(p.Lines) != registered-1 || p.TotalFen != int64(p.Lines)*15050 || len(np.Skipped) != 1 || np.Skipped[0].HouseholdID != noAcct || p.Status != "draft" {
		t.Fatalf("plan: %d lines (registered %d), total %d, skipped %+v, %s", p.Lines, registered, p.TotalFen, np.Skipped, p.Status)
	}
	ls := x.lines(p.ID)
	if len(ls) != p.Lines || !strings.Contains(ls[0].PayeeIDNumber, "*") || !strings.Contains(ls[0].AccountNo, "*") || ls[0].HouseholdID == nil {
		t.Fatalf("lines masked and linked: %+v", ls[0])
	}
	// Per person: standard × living members.
	npp, err := s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: x.fund.ID, ItemID: x.fund.Items[1].ID, Period: "2026", RegionCode: "320921000000", Title: "教育补助"})
	if err != nil {
		t.Fatal(err)
	}
	pp := npp.Plan
	if members := x.count(`SELECT COUNT(*) FROM members m JOIN households h ON h.id = m.household_id WHERE h.region_code LIKE '320921%'
		AND h.status = 'registered' AND h.id <> ? AND m.active = 1 AND m.deceased_on IS NULL`, noAcct); pp.TotalFen != members*10000 {
		t.Fatalf("per-person total %d, want %d members × 100 元", pp.TotalFen, members)
	}

	// Submit, then approval: stale version, wrong role, and two at once with one winner.
	if _, err := s.Submit(ctx, x.office, p.ID, payments.VersionInput{Version: p.Version + 1}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("stale submit: %v", err)
	}
	if _, err := s.Approve(ctx, x.fin, p.ID, payments.VersionInput{Version: p.Version}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("approving a draft: %v", err)
	}
	p, err = s.Submit(ctx, x.office, p.ID, payments.VersionInput{Version: p.Version})
	if err != nil || p.Status != "submitted" {
		t.Fatalf("submit: %+v %v", p, err)
	}
	if _, err := s.Approve(ctx, x.office, p.ID, payments.VersionInput{Version: p.Version}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("office approving: %v", err)
	}
	if _, err := s.Approve(ctx, x.other, p.ID, payments.VersionInput{Version: p.Version}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county approving: %v", err)
	}
	if _, err := s.CreateBatch(ctx, x.fin, p.ID); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("batch before approval: %v", err)
	}
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = s.Approve(ctx, x.fin, p.ID, payments.VersionInput{Version: p.Version})
		}()
	}
	wg.Wait()
	if (results[0] == nil) == (results[1] == nil) {
		t.Fatalf("concurrent approvals: %v / %v, want exactly one winner", results[0], results[1])
	}
	for _, err := range results {
		if err != nil && errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("losing approval: %v, want conflict", err)
		}
	}
	if n := x.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'plan.approve' AND entity_id = ?`, fmt.Sprint(p.ID)); n != 1 {
		t.Fatalf("%d approval events", n)
	}
	if _, err := s.ImportLines(ctx, x.office, p.ID, strings.NewReader("身份证号,姓名,金额(元),银行账号\n"), "x.csv"); err == nil {
		t.Fatal("lines of an approved plan replaced")
	}

	// The batch and its bank file.
	b, err := s.CreateBatch(ctx, x.fin, p.ID)
	if err != nil || b.Lines != p.Lines || b.TotalFen != p.TotalFen || b.BatchRef != fmt.Sprintf("PB%d-1", p.ID) {
		t.Fatalf("batch: %+v %v", b, err)
	}
	if _, err := s.CreateBatch(ctx, x.fin, p.ID); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second batch with nothing pending: %v", err)
	}
	if pl, _ := s.Plan(ctx, x.fin, p.ID); pl.Status != "paying" {
		t.Fatalf("plan after batch: %s", pl.Status)
	}
	var xlsx bytes.Buffer
	if err := s.BatchFile(ctx, x.fin, b.ID, "xlsx", &xlsx); err != nil || xlsx.Len() < 100 {
		t.Fatalf("xlsx bank file: %d bytes, %v", xlsx.Len(), err)
	}
	if err := s.BatchFile(ctx, x.other, b.ID, "csv", io.Discard); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county's bank file: %v", err)
	}
	good := x.returnFile(b, func(no int) string {
		if no == 2 {
			return "failed"
		}
		return "success"
	})

	// Bad return files: every wrong row named, nothing booked.
	transfers := x.count(`SELECT COUNT(*) FROM ledger_transfers`)
	lines := strings.Split(strings.TrimSpace(good), "\n")
	swap := func(i, field int, v string) string {
		out := append([]string(nil), lines...)
		f := strings.Split(out[i], ",")
		f[field] = v
		out[i] = strings.Join(f, ",")
		return strings.Join(out, "\n") + "\n"
	}
	bad := map[string]struct{ file, column string }{
		"other batch":   {swap(1, 0, "PB999-1"), "batch_ref"},
		"unknown line":  {swap(1, 1, "9999"), "line_no"},
		"line twice":    {good + lines[1] + "\n", "line_no"},
		"amount":        {swap(1, 4, "1.00"), "amount_yuan"},
		"three decimal": {swap(1, 4, "150.505"), "amount_yuan"},
		"account":       {swap(1, 2, "6228000000000000001"), "account_no"},
		"status":        {swap(1, 5, "maybe"), "status"},
		"missing line":  {strings.Join(lines[:len(lines)-1], "\n") + "\n", "line_no"},
	}
	for name, c := range bad {
		rep, err := s.Reconcile(ctx, x.fin, b.ID, strings.NewReader(c.file), "ret.csv")
		if err != nil || rep.Committed || len(rep.Rejected) == 0 || rep.Rejected[0].Column != c.column || rep.Rejected[0].Reason == "" {
			t.Errorf("%s: %+v %v, want rejected on %s", name, rep, err, c.column)
		}
	}
	if n := x.count(`SELECT COUNT(*) FROM ledger_transfers`); n != transfers {
		t.Fatalf("a rejected return booked %d transfers", n-transfers)
	}
	if _, err := s.Reconcile(ctx, x.other, b.ID, strings.NewReader(good), "ret.csv"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county reconciling: %v", err)
	}

	// The good return: paid lines booked to passbooks, the failed one queued for re-issue.
	rep, err := s.Reconcile(ctx, x.fin, b.ID, strings.NewReader(good), "ret.csv")
	if err != nil || !rep.Committed || rep.Paid != p.Lines-1 || rep.Failed != 1 || rep.PaidFen != p.TotalFen-15050 {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	if _, err := s.Reconcile(ctx, x.fin, b.ID, strings.NewReader(good), "ret.csv"); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second return of the same batch: %v", err)
	}
	if n := x.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'payment' AND ref LIKE 'line:%'`); n != int64(p.Lines-1) {
		t.Fatalf("%d payment transfers", n)
	}
	if n := x.count(`SELECT COUNT(*) FROM ledger_accounts a JOIN plan_lines l ON l.payee_id_number = a.id_number AND l.household_id = a.household_id
		WHERE a.kind = 'passbook' AND l.plan_id = ? AND l.status = 'paid'`, p.ID); n != int64(p.Lines-1) {
		t.Fatalf("%d passbooks linked to their households", n)
	}
	if bal := x.count(`SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, x.finance, x.fund.ID); bal != 50_000_000-rep.PaidFen {
		t.Fatalf("payer balance %d", bal)
	}
	queue, err := s.Reissues(ctx, x.fin, payments.LineFilter{Limit: 50})
	if err != nil || len(queue) != 1 || queue[0].FailReason != "账户已冻结" || queue[0].Status != "failed" {
		t.Fatalf("re-issue queue: %+v %v", queue, err)
	}
	if q, _ := s.Reissues(ctx, x.other, payments.LineFilter{Limit: 50}); len(q) != 0 {
		t.Fatalf("other county sees %d re-issues", len(q))
	}
	pl, _ := s.Plan(ctx, x.fin, p.ID)
	if pl.Status != "paying" || pl.PaidLines != p.Lines-1 || pl.FailedLines != 1 || pl.PaidFen != rep.PaidFen {
		t.Fatalf("plan after return: %+v", pl)
	}
	x.invariants()

	// Re-issue to a corrected account, pay it in a second batch: the plan is done.
	if _, err := s.Reissue(ctx, x.fin, queue[0].ID, payments.ReissueInput{AccountNo: "12ab", Note: "更正"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("re-issue to a bad account: %v", err)
	}
	l, err := s.Reissue(ctx, x.fin, queue[0].ID, payments.ReissueInput{AccountNo: "6228 4800 1234 5678", Note: "户主提供新账号"})
	if err != nil || l.Status != "reissue" || !strings.HasSuffix(l.AccountNo, "5678") {
		t.Fatalf("re-issue: %+v %v", l, err)
	}
	if _, err := s.Reissue(ctx, x.fin, l.ID, payments.ReissueInput{Note: "again"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("re-issue twice: %v", err)
	}
	b2, err := s.CreateBatch(ctx, x.fin, p.ID)
	if err != nil || b2.Lines != 1 || b2.BatchRef != fmt.Sprintf("PB%d-2", p.ID) {
		t.Fatalf("second batch: %+v %v", b2, err)
	}
	ok := x.returnFile(b2, func(int) string { return "成功" })
	if !strings.Contains(ok, "6228480012345678") {
		t.Fatalf("second batch does not pay the corrected account: %s", ok)
	}
	// The first batch's return does not fit the second batch.
	if rep, _ := s.Reconcile(ctx, x.fin, b2.ID, strings.NewReader(good), "ret.csv"); rep.Committed || rep.Rejected[0].Column != "batch_ref" {
		t.Fatalf("first return against second batch: %+v", rep)
	}
	if rep, err := s.Reconcile(ctx, x.fin, b2.ID, strings.NewReader(ok), "ret.csv"); err != nil || rep.Paid != 1 {
		t.Fatalf("second return: %+v %v", rep, err)
	}
	if pl, _ := s.Plan(ctx, x.fin, p.ID); pl.Status != "done" || pl.PaidFen != pl.TotalFen {
		t.Fatalf("plan after all paid: %+v", pl)
	}
	if bs, _ := s.Batches(ctx, x.fin, payments.BatchFilter{PlanID: p.ID}); len(bs) != 2 || bs[0].Status != "reconciled" {
		t.Fatalf("batches: %+v", bs)
	}
	x.invariants()

	// Rejected plans go back to the office; cancel drops a line and finishes the plan.
	pp, _ = s.Submit(ctx, x.office, pp.ID, payments.VersionInput{Version: pp.Version})
	if _, err := s.Reject(ctx, x.fin, pp.ID, payments.VersionInput{Version: pp.Version}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("reject without reason: %v", err)
	}
	pp, err = s.Reject(ctx, x.fin, pp.ID, payments.VersionInput{Version: pp.Version, Reason: "名单需复核"})
	if err != nil || pp.Status != "rejected" || pp.Note != "名单需复核" {
		t.Fatalf("reject: %+v %v", pp, err)
	}
	pp, _ = s.Submit(ctx, x.office, pp.ID, payments.VersionInput{Version: pp.Version})
	if pp, err = s.Approve(ctx, x.fin, pp.ID, payments.VersionInput{Version: pp.Version}); err != nil {
		t.Fatal(err)
	}
	for _, l := range x.lines(pp.ID) {
		if _, err := s.Cancel(ctx, x.fin, l.ID, payments.CancelInput{Reason: "改由其他渠道发放"}); err != nil {
			t.Fatal(err)
		}
	}
	if pl, _ := s.Plan(ctx, x.fin, pp.ID); pl.Status != "done" {
		t.Fatalf("plan with every line cancelled: %s", pl.Status)
	}
	x.invariants()
}

func TestReconcileOverdrawnBooksNothing(t *testing.T) {
	x := newFixture(t, "300") // two households' worth at 150.50 元
	ctx, s := x.ctx, x.s
	np, err := s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: x.fund.ID, ItemID: x.fund.Items[0].ID, Period: "2026-05", RegionCode: "320921000000", Title: "超支"})
	if err != nil || np.Lines < 3 {
		t.Fatalf("plan: %+v %v", np, err)
	}
	p := np.Plan
	p, _ = s.Submit(ctx, x.office, p.ID, payments.VersionInput{Version: p.Version})
	if _, err := s.Approve(ctx, x.fin, p.ID, payments.VersionInput{Version: p.Version}); err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBatch(ctx, x.fin, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := x.count(`SELECT COUNT(*) FROM ledger_transfers`)
	_, err = s.Reconcile(ctx, x.fin, b.ID, strings.NewReader(x.returnFile(b, func(int) string { return "success" })), "ret.csv")
	if errs.CodeOf(err) != errs.Conflict || !strings.Contains(err.Error(), "余额不足") {
		t.Fatalf("overdrawn return: %v", err)
	}
	if n := x.count(`SELECT COUNT(*) FROM ledger_transfers`); n != before {
		t.Fatalf("overdrawn return booked %d transfers", n-before)
	}
	if n := x.count(`SELECT COUNT(*) FROM plan_lines WHERE plan_id = ? AND status <> 'sent'`, p.ID); n != 0 {
		t.Fatalf("%d lines changed by a failed return", n)
	}
	if bt, _ := s.Batch(ctx, x.fin, b.ID); bt.Status != "sent" {
		t.Fatalf("batch %s after a failed return", bt.Status)
	}
	// Failing all but one line fits the balance.
	rep, err := s.Reconcile(ctx, x.fin, b.ID, strings.NewReader(x.returnFile(b, func(no int) string {
		if no == 1 {
			return "success"
		}
		return "failed"
	})), "ret.csv")
	if err != nil || rep.Paid != 1 {
		t.Fatalf("return within the balance: %+v %v", rep, err)
	}
	x.invariants()
}

func TestImportLines(t *testing.T) {
	x := newFixture(t, "1000")
	ctx, s := x.ctx, x.s
	p, err := s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: x.fund.ID, ItemID: x.fund.Items[0].ID, Period: "2026-05", RegionCode: "320921000000", Title: "导入"})
	if err != nil {
		t.Fatal(err)
	}
	var member, name string
	if err := x.d.Reader().QueryRowContext(ctx, `SELECT id_number, name FROM members WHERE region_code LIKE '320921%' AND active = 1 ORDER BY id LIMIT 1`).Scan(&member, &name); err != nil {
		t.Fatal(err)
	}
	var abroad string // a member of the other county
	if err := x.d.Reader().QueryRowContext(ctx, `SELECT id_number FROM members WHERE region_code LIKE '320922%' AND active = 1 LIMIT 1`).Scan(&abroad); err != nil {
		t.Fatal(err)
	}
	stranger := "110101199003074514" // a valid number that is nobody in the registry
	good := "身份证号,姓名,金额（元）,开户行,银行账号,户名\n" + member + "," + name + ",\"1,200.50\",农商行,6228 0000 0000 0001,\n" + stranger + ",张三,80,,6228000000000002,张三\n"
	rep, err := s.ImportLines(ctx, x.office, p.ID, strings.NewReader(good), "lines.csv")
	if err != nil || !rep.Committed || rep.Lines != 2 || rep.TotalFen != 128050 {
		t.Fatalf("import lines: %+v %v", rep, err)
	}
	if pl, _ := s.Plan(ctx, x.office, p.ID); !strings.HasPrefix(pl.Source, "import:") || len(pl.Source) != len("import:")+16 || pl.Status != "draft" {
		t.Fatalf("imported plan source %q, status %s", pl.Source, pl.Status)
	}
	ls := x.lines(p.ID)
	if len(ls) != 2 || ls[0].HouseholdID == nil || ls[1].HouseholdID != nil || ls[1].RegionCode != "320921000000" || ls[0].AccountHolder != name {
		t.Fatalf("lines: %+v", ls)
	}
	pl, _ := s.Plan(ctx, x.office, p.ID)
	for name, c := range map[string]struct{ row, column string }{
		"three decimals": {member + ",甲,1.005,,6228000000000001,", "amount_yuan"},
		"negative":       {member + ",甲,-5,,6228000000000001,", "amount_yuan"},
		"absurd":         {member + ",甲,99999999,,6228000000000001,", "amount_yuan"},
		"id":             {"110101199003074515,甲,5,,6228000000000001,", "id_number"},
		"account":        {member + ",甲,5,,62-28x,", "account_no"},
		"name":           {member + ",,5,,6228000000000001,", "name"},
		"out of region":  {abroad + ",甲,5,,6228000000000001,", "id_number"},
	} {
		rep, err := s.ImportLines(ctx, x.office, p.ID, strings.NewReader("id_number,name,amount_yuan,bank,account_no,account_holder\n"+c.row+"\n"), "bad.csv")
		if err != nil || rep.Committed || len(rep.Rejected) != 1 || rep.Rejected[0].Column != c.column || rep.Rejected[0].Line != 2 {
			t.Errorf("%s: %+v %v, want line 2 %s", name, rep, err, c.column)
		}
	}
	dup := "id_number,name,amount_yuan,account_no\n" + stranger + ",甲,5,6228000000000001\n" + stranger + ",甲,5,6228000000000001\n"
	if rep, _ := s.ImportLines(ctx, x.office, p.ID, strings.NewReader(dup), "dup.csv"); rep.Committed || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 {
		t.Fatalf("duplicate payee: %+v", rep)
	}
	if after, _ := s.Plan(ctx, x.office, p.ID); after.Lines != 2 || after.Version != pl.Version {
		t.Fatalf("a rejected file changed the plan: %+v", after)
	}
	if _, err := s.ImportLines(ctx, x.fin, p.ID, strings.NewReader(good), "lines.csv"); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("finance importing lines: %v", err)
	}
	x.invariants()
}

func TestImportPayments(t *testing.T) {
	x := newFixture(t, "5000")
	ctx := x.ctx
	var member, name, village string
	var household int64
	if err := x.d.Reader().QueryRowContext(ctx, `SELECT id_number, name, region_code, household_id FROM members WHERE region_code LIKE '320921%' AND active = 1 ORDER BY id LIMIT 1`).
		Scan(&member, &name, &village, &household); err != nil {
		t.Fatal(err)
	}
	stranger := "110101199003074514"
	head := "payment_ref,fund_code,item_code,period,payee_id_number,payee_name,bank,account_no,account_holder,amount_yuan,paid_on,region_code\n"
	good := head +
		"SYS-1,DB-2026,living,2026-05," + member + "," + name + ",农商行,6228000000000001,," + "150.50,2026-05-20," + village + "\n" +
		"SYS-2,DB-2026,edu,2026," + stranger + ",张三,,6228000000000002,张三,\"1,000\",2026/05/21,320921000000\n"
	imp := func(file string, validOnly bool) (exchange.Report, error) {
		return x.ex.Import(ctx, x.fin, "payments", strings.NewReader(file), "payments.csv", exchange.Options{ValidOnly: validOnly})
	}
	rep, err := imp(good, false)
	if err != nil || rep.Inserted != 2 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	var hh *int64
	if err := x.d.Reader().QueryRowContext(ctx, `SELECT household_id FROM ledger_accounts WHERE kind = 'passbook' AND id_number = ?`, member).Scan(&hh); err != nil || hh == nil || *hh != household {
		t.Fatalf("member's passbook household %v %v", hh, err)
	}
	if err := x.d.Reader().QueryRowContext(ctx, `SELECT household_id FROM ledger_accounts WHERE kind = 'passbook' AND id_number = ?`, stranger).Scan(&hh); err != nil || hh != nil {
		t.Fatalf("unregistered payee's passbook household %v %v", hh, err)
	}
	if bal := x.count(`SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, x.finance, x.fund.ID); bal != 500000-15050-100000 {
		t.Fatalf("payer balance %d", bal)
	}
	// The same file again changes nothing.
	if rep, err := imp(good, false); err != nil || rep.Unchanged != 2 || rep.Inserted != 0 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	// The export reads back unchanged.
	var out bytes.Buffer
	if err := x.ex.Export(ctx, x.fin, "payments", "csv", &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "SYS-2") || !strings.Contains(out.String(), "农商行") {
		t.Fatalf("export: %s", out.String())
	}
	if rep, err := x.ex.Import(ctx, x.fin, "payments", bytes.NewReader(out.Bytes()), "export.csv", exchange.Options{}); err != nil || rep.Unchanged != 2 {
		t.Fatalf("export read back: %+v %v", rep, err)
	}
	var other bytes.Buffer
	if err := x.ex.Export(ctx, x.other, "payments", "csv", &other); err != nil || strings.Contains(other.String(), "SYS-") {
		t.Fatalf("other county's export: %v %s", err, other.String())
	}

	before := x.count(`SELECT COUNT(*) FROM ledger_transfers`)
	row := func(ref, fund, item, period, amount, paid, region string) string {
		return ref + "," + fund + "," + item + "," + period + "," + member + "," + name + ",,6228000000000001,," + amount + "," + paid + "," + region + "\n"
	}
	bad := map[string]struct{ row, column string }{
		"unknown fund":   {row("B-1", "NOPE", "living", "2026-05", "1", "2026-05-20", village), "fund_code"},
		"unknown item":   {row("B-1", "DB-2026", "nope", "2026-05", "1", "2026-05-20", village), "item_code"},
		"three decimals": {row("B-1", "DB-2026", "living", "2026-05", "1.001", "2026-05-20", village), "amount_yuan"},
		"negative":       {row("B-1", "DB-2026", "living", "2026-05", "-1", "2026-05-20", village), "amount_yuan"},
		"absurd":         {row("B-1", "DB-2026", "living", "2026-05", "1000000000", "2026-05-20", village), "amount_yuan"},
		"period":         {row("B-1", "DB-2026", "living", "2026-5", "1", "2026-05-20", village), "period"},
		"overdrawn":      {row("B-1", "DB-2026", "living", "2026-05", "5000", "2026-05-20", village), "amount_yuan"},
		"future":         {row("B-1", "DB-2026", "living", "2026-05", "1", "2027-01-01", village), "paid_on"},
		"before fund":    {row("B-1", "DB-2026", "living", "2026-05", "1", "2025-12-31", village), "paid_on"},
		"out of scope":   {row("B-1", "DB-2026", "living", "2026-05", "1", "2026-05-20", "320922000000"), "region_code"},
		"reserved ref":   {row("line:1", "DB-2026", "living", "2026-05", "1", "2026-05-20", village), "payment_ref"},
		"ref twice":      {row("B-1", "DB-2026", "living", "2026-05", "1", "2026-05-20", village) + row("B-1", "DB-2026", "living", "2026-05", "1", "2026-05-20", village), "payment_ref"},
		"overdrawn sum":  {row("B-1", "DB-2026", "living", "2026-05", "2000", "2026-05-20", village) + row("B-2", "DB-2026", "living", "2026-05", "2000", "2026-05-20", village), "amount_yuan"},
	}
	for name, c := range bad {
		rep, err := imp(head+c.row, false)
		if err == nil || rep.Committed || len(rep.Rejected) != 1 || rep.Rejected[0].Column != c.column {
			t.Errorf("%s: %+v %v, want one row rejected on %s", name, rep, err, c.column)
		}
	}
	if n := x.count(`SELECT COUNT(*) FROM ledger_transfers`); n != before {
		t.Fatalf("rejected files booked %d transfers", n-before)
	}
	// Valid rows only: the good row is booked, the overdrawn one is not.
	rep, err = imp(head+row("V-1", "DB-2026", "living", "2026-05", "100", "2026-05-20", village)+row("V-2", "DB-2026", "living", "2026-05", "5000", "2026-05-20", village), true)
	if err != nil || rep.Inserted != 1 || rep.RejectedTotal != 1 {
		t.Fatalf("valid only: %+v %v", rep, err)
	}
	if _, err := x.ex.Import(ctx, x.office, "payments", strings.NewReader(good), "p.csv", exchange.Options{}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("office importing payments: %v", err)
	}
	x.invariants()
	_ = money.FormatYuan
}

// Random sequences of plan, batch, return, re-issue, cancel and import operations, right and
// wrong, keep the ledger and the plans consistent after every step.
func TestRandomOperationsKeepInvariants(t *testing.T) {
	x := newFixture(t, "3000")
	ctx, s := x.ctx, x.s
	rng := rand.New(rand.NewPCG(6, uint64(time.Now().UnixNano()%1000)))
	var plans []int64
	var batches []payments.Batch
	var member, village string
	if err := x.d.Reader().QueryRowContext(ctx, `SELECT id_number, region_code FROM members WHERE region_code LIKE '320921%' AND active = 1 LIMIT 1`).Scan(&member, &village); err != nil {
		t.Fatal(err)
	}
	pick := func(ids []int64) int64 {
		if len(ids) == 0 {
			return 0
		}
		return ids[max(0, len(ids)-1-rng.IntN(3))] // mostly the newest plans, so they get somewhere
	}
	ops := map[string]int{}
	for step := 0; step < 150; step++ {
		var op string
		var err error
		switch rng.IntN(9) {
		case 0:
			if len(plans) > 0 && rng.IntN(3) > 0 {
				continue // fewer plans, further along
			}
			op = "plan"
			types := [][]string{nil, {"dibao"}, {"tekun", "general"}}[rng.IntN(3)]
			var p payments.NewPlan
			p, err = s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: x.fund.ID, ItemID: x.fund.Items[rng.IntN(2)].ID, Period: "2026-05",
				RegionCode: []string{"320921000000", "320921100000"}[rng.IntN(2)], Title: "随机", Rule: payments.Rule{HouseholdTypes: types}})
			if err == nil {
				plans = append(plans, p.ID)
			}
		case 1, 2:
			// Move the newest plan one step on: submit, approve or reject (sometimes with a
			// stale version).
			p, e := s.Plan(ctx, x.fin, pick(plans))
			if e != nil {
				continue
			}
			v := payments.VersionInput{Version: p.Version + rng.IntN(6)/5}
			switch p.Status {
			case "draft", "rejected":
				op = "submit"
				_, err = s.Submit(ctx, x.office, p.ID, v)
			case "submitted":
				op = "approve/reject"
				if rng.IntN(4) == 0 {
					v.Reason = "复核"
					_, err = s.Reject(ctx, x.fin, p.ID, v)
				} else {
					_, err = s.Approve(ctx, x.fin, p.ID, v)
				}
			default:
				continue
			}
		case 3:
			op = "batch"
			var b payments.Batch
			if b, err = s.CreateBatch(ctx, x.fin, pick(plans)); err == nil {
				batches = append(batches, b)
			}
		case 4, 5:
			op = "return"
			if len(batches) == 0 {
				continue
			}
			b := batches[rng.IntN(len(batches))]
			if bt, _ := s.Batch(ctx, x.fin, b.ID); bt.Status != "sent" {
				continue
			}
			file := x.returnFile(b, func(int) string { return []string{"success", "success", "failed"}[rng.IntN(3)] })
			if rng.IntN(4) == 0 { // corrupt one row
				rows := strings.Split(file, "\n")
				i := 1 + rng.IntN(len(rows)-2)
				rows[i] = strings.Replace(rows[i], ",", ",9", 1+rng.IntN(4))
				file = strings.Join(rows, "\n")
			}
			var rep payments.ReconcileReport
			rep, err = s.Reconcile(ctx, x.fin, b.ID, strings.NewReader(file), "r.csv")
			if err == nil && !rep.Committed && len(rep.Rejected) == 0 {
				t.Fatalf("uncommitted return without rejected rows: %+v", rep)
			}
		case 6:
			op = "reissue/cancel"
			q, _ := s.Reissues(ctx, x.fin, payments.LineFilter{Limit: 50})
			if len(q) == 0 {
				continue
			}
			l := q[rng.IntN(len(q))]
			if rng.IntN(2) == 0 {
				_, err = s.Reissue(ctx, x.fin, l.ID, payments.ReissueInput{Note: "再次发放"})
			} else {
				_, err = s.Cancel(ctx, x.fin, l.ID, payments.CancelInput{Reason: "放弃"})
			}
		case 7, 8:
			op = "import"
			amount := []string{"10", "200.5", "5000", "1.001"}[rng.IntN(4)]
			file := "payment_ref,fund_code,item_code,period,payee_id_number,payee_name,account_no,amount_yuan,paid_on,region_code\n" +
				fmt.Sprintf("R-%d,DB-2026,living,2026-05,%s,甲,6228000000000001,%s,2026-05-20,%s\n", step, member, amount, village)
			_, err = x.ex.Import(ctx, x.fin, "payments", strings.NewReader(file), "p.csv", exchange.Options{})
		}
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("step %d %s: not a user error: %v", step, op, err)
			}
			ops[op+" refused"]++
		} else {
			ops[op]++
		}
		x.invariants()
		// Plans agree with their lines, batches with theirs.
		if n := x.count(`SELECT COUNT(*) FROM distribution_plans p WHERE p.lines <> (SELECT COUNT(*) FROM plan_lines l WHERE l.plan_id = p.id)
			OR p.total_fen <> (SELECT COALESCE(SUM(amount_fen), 0) FROM plan_lines l WHERE l.plan_id = p.id)`); n != 0 {
			t.Fatalf("step %d %s: %d plans disagree with their lines", step, op, n)
		}
		if n := x.count(`SELECT COUNT(*) FROM payment_batches b WHERE b.status = 'reconciled' AND (b.paid_fen <> (SELECT COALESCE(SUM(amount_fen), 0)
			FROM payment_batch_lines bl WHERE bl.batch_id = b.id AND bl.status = 'paid') OR EXISTS (SELECT 1 FROM payment_batch_lines bl WHERE bl.batch_id = b.id AND bl.status = 'sent'))`); n != 0 {
			t.Fatalf("step %d %s: %d reconciled batches disagree with their lines", step, op, n)
		}
		if n := x.count(`SELECT COUNT(*) FROM plan_lines l JOIN distribution_plans p ON p.id = l.plan_id
			WHERE l.status IN ('sent', 'paid', 'failed', 'reissue') AND p.status NOT IN ('paying', 'done')
			OR p.status = 'done' AND l.status NOT IN ('paid', 'cancelled')
			OR l.status = 'sent' AND NOT EXISTS (SELECT 1 FROM payment_batches b WHERE b.id = l.batch_id AND b.status = 'sent')`); n != 0 {
			t.Fatalf("step %d %s: %d lines in a status their plan or batch does not allow", step, op, n)
		}
	}
	t.Logf("operations: %v", ops)
}

// Two finance officers approve the same plan at the same moment, on plans in a row: exactly
// one approval wins each time, the other gets a conflict.
func TestConcurrentApprovals(t *testing.T) {
	x := newFixture(t, "1000")
	ctx, s := x.ctx, x.s
	// Two pooled write connections, so neither approval waits for a connection to be dialled.
	var warm sync.WaitGroup
	for range 2 {
		warm.Add(1)
		go func() {
			defer warm.Done()
			_ = x.d.InTx(ctx, func(tx *db.Tx) error { time.Sleep(50 * time.Millisecond); return nil })
		}()
	}
	warm.Wait()
	for round := 0; round < 6; round++ {
		np, err := s.CreatePlan(ctx, x.office, payments.PlanInput{FundID: x.fund.ID, ItemID: x.fund.Items[0].ID, Period: "2026-05",
			RegionCode: "320921000000", Title: fmt.Sprintf("第 %d 轮", round)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Submit(ctx, x.office, np.ID, payments.VersionInput{Version: np.Version})
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, results[i] = s.Approve(ctx, x.fin, p.ID, payments.VersionInput{Version: p.Version})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range results {
			if err == nil {
				won++
			} else if errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("round %d: losing approval %v, want conflict", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d approvals won (%v / %v), want exactly one", round, won, results[0], results[1])
		}
		if n := x.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'plan.approve' AND entity_id = ?`, fmt.Sprint(p.ID)); n != 1 {
			t.Fatalf("round %d: %d approval events", round, n)
		}
	}
}
