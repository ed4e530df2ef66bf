package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/funds"
	"sunshine/internal/money"
	"sunshine/internal/payments"
)

// paymentIDs are direct-payment objects of one county the scope tests aim at.
type paymentIDs struct {
	fund, item, paying, draft, batch, failedLine int64
}

// paymentsFixture registers a county fund of its own, allocates it to the county's finance,
// drafts, approves and pays a plan for the county's dibao households (the first line failed
// by the bank), and leaves a second plan in draft.
func (h *harness) paymentsFixture(county string) paymentIDs {
	h.t.Helper()
	ctx := context.Background()
	fin, office := h.principal("finance_"+county), h.principal("poverty_office_"+county)
	region := county + "000000"
	f, err := h.app.Funds.CreateFund(ctx, fin, funds.FundInput{Code: "P-" + county, Name: "低保户生活补助", SourceLevel: "county",
		Category: "subsidy", Year: 2026, AmountYuan: "1000000", RegionCode: region, ReceivedOn: "2026-01-05", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "living", Name: "生活补助", Basis: "household", StandardYuan: "100"}}})
	if err != nil {
		h.t.Fatal("fixture fund: ", err)
	}
	x := paymentIDs{fund: f.ID, item: f.Items[0].ID}
	var finance int64
	if err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		finance, err = funds.FinanceAccount(ctx, tx, fin.UserID, region)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Funds.Transfer(ctx, fin, funds.TransferInput{FundID: f.ID, FromAccount: f.SourceAccount, ToAccount: finance,
		AmountYuan: "500000", OnDate: "2026-01-06", Purpose: "拨付"}); err != nil {
		h.t.Fatal("fixture allocation: ", err)
	}
	plan := func(title string) payments.Plan {
		p, err := h.app.Payments.CreatePlan(ctx, office, payments.PlanInput{FundID: f.ID, ItemID: x.item, Period: "2026-01",
			RegionCode: region, Title: title, Rule: payments.Rule{HouseholdTypes: []string{"dibao"}}})
		if err != nil || p.Lines == 0 {
			h.t.Fatalf("fixture plan: %d lines, %v", p.Lines, err)
		}
		return p.Plan
	}
	p := plan("一月低保补助")
	x.paying = p.ID
	if p, err = h.app.Payments.Submit(ctx, office, p.ID, payments.VersionInput{Version: p.Version}); err != nil {
		h.t.Fatal("fixture submit: ", err)
	}
	if _, err = h.app.Payments.Approve(ctx, fin, p.ID, payments.VersionInput{Version: p.Version}); err != nil {
		h.t.Fatal("fixture approve: ", err)
	}
	b, err := h.app.Payments.CreateBatch(ctx, fin, p.ID)
	if err != nil {
		h.t.Fatal("fixture batch: ", err)
	}
	x.batch = b.ID
	var ret strings.Builder
	ret.WriteString("batch_ref,line_no,account_no,account_holder,amount_yuan,status,reason\n")
	rows, err := h.app.DB.Reader().QueryContext(ctx, `SELECT line_no, plan_line_id, account_no, account_holder, amount_fen FROM payment_batch_lines
		WHERE batch_id = ? ORDER BY line_no`, b.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	for rows.Next() {
		var no int
		var line, fen int64
		var acct, holder string
		if err := rows.Scan(&no, &line, &acct, &holder, &fen); err != nil {
			h.t.Fatal(err)
		}
		status := "success"
		if no == 1 {
			status, x.failedLine = "failed", line
		}
		fmt.Fprintf(&ret, "%s,%d,%s,%s,%s,%s,账户已销户\n", b.BatchRef, no, acct, holder, money.FormatPlain(fen), status)
	}
	rows.Close()
	rep, err := h.app.Payments.Reconcile(ctx, fin, b.ID, strings.NewReader(ret.String()), "return.csv")
	if err != nil || !rep.Committed {
		h.t.Fatalf("fixture reconcile: %+v %v", rep, err)
	}
	x.draft = plan("二月低保补助").ID
	return x
}

// paymentsTargets are the direct-payment routes aimed at county's objects.
func (h *harness) paymentsTargets(county string, _ registryIDs) map[string]target {
	x := h.paymentsFixture(county)
	plan, draft := fmt.Sprintf("/api/v1/plans/%d", x.paying), fmt.Sprintf("/api/v1/plans/%d", x.draft)
	batch, line := fmt.Sprintf("/api/v1/batches/%d", x.batch), fmt.Sprintf("/api/v1/plan-lines/%d", x.failedLine)
	return map[string]target{
		"GET /api/v1/plans":                    {path: "/api/v1/plans"},
		"POST /api/v1/plans":                   {path: "/api/v1/plans", body: map[string]any{"fund_id": x.fund, "item_id": x.item, "period": "2026-03", "region_code": county + "000000", "title": "越权", "rule": map[string]any{}}},
		"GET /api/v1/plans/{id}":               {path: plan},
		"GET /api/v1/plans/{id}/lines":         {path: plan + "/lines"},
		"POST /api/v1/plans/{id}/lines":        {path: draft + "/lines"},
		"POST /api/v1/plans/{id}/submit":       {path: draft + "/submit", body: map[string]any{"version": 1}},
		"POST /api/v1/plans/{id}/approve":      {path: draft + "/approve", body: map[string]any{"version": 1}},
		"POST /api/v1/plans/{id}/reject":       {path: draft + "/reject", body: map[string]any{"version": 1, "reason": "越权"}},
		"POST /api/v1/plans/{id}/batches":      {path: plan + "/batches"},
		"GET /api/v1/batches":                  {path: "/api/v1/batches"},
		"GET /api/v1/batches/{id}":             {path: batch},
		"GET /api/v1/batches/{id}/file":        {path: batch + "/file"},
		"POST /api/v1/batches/{id}/return":     {path: batch + "/return"},
		"GET /api/v1/payments/reissue":         {path: "/api/v1/payments/reissue"},
		"POST /api/v1/plan-lines/{id}/reissue": {path: line + "/reissue", body: map[string]any{"note": "越权"}},
		"POST /api/v1/plan-lines/{id}/cancel":  {path: line + "/cancel", body: map[string]any{"reason": "越权"}},
	}
}

// Direct payment from the command line: a payments file imported (and again, unchanged), a
// plan's bank batch written, a wrong return refused with its rows named, the right one booked.
func TestPaymentsCommandLine(t *testing.T) {
	url := dbtest.URL(t)
	dbFlag := "--db=" + url
	t.Setenv("SUNSHINE_DATA", t.TempDir())
	if code, out := runCLI(t, "", "demo", dbFlag, "--scale", "small"); code != 0 {
		t.Fatalf("demo: %d %s", code, out)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	a := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	root := cli()
	f, err := a.Funds.CreateFund(ctx, root, funds.FundInput{Code: "CLI-1", Name: "生活补助", SourceLevel: "county", Category: "subsidy", Year: 2026,
		AmountYuan: "10000000", RegionCode: "320921000000", ReceivedOn: "2026-01-05", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "living", Name: "生活补助", Basis: "household", StandardYuan: "100"}}})
	if err != nil {
		t.Fatal(err)
	}
	var finance int64
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		finance, err = funds.FinanceAccount(ctx, tx, 0, "320921000000")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Funds.Transfer(ctx, root, funds.TransferInput{FundID: f.ID, FromAccount: f.SourceAccount, ToAccount: finance, AmountYuan: "5000000",
		OnDate: "2026-01-06", Purpose: "拨付"}); err != nil {
		t.Fatal(err)
	}
	np, err := a.Payments.CreatePlan(ctx, root, payments.PlanInput{FundID: f.ID, ItemID: f.Items[0].ID, Period: "2026-01", RegionCode: "320921000000",
		Title: "一月", Rule: payments.Rule{HouseholdTypes: []string{"dibao"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := np.Plan
	p, _ = a.Payments.Submit(ctx, root, p.ID, payments.VersionInput{Version: p.Version})
	if _, err := a.Payments.Approve(ctx, root, p.ID, payments.VersionInput{Version: p.Version}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	dir := t.TempDir()
	pay := filepath.Join(dir, "payments.csv")
	if err := os.WriteFile(pay, []byte("支付流水号,资金编码,项目编码,发放期间,身份证号,姓名,银行账号,金额(元),发放日期,区划代码\n"+
		"EXT-1,CLI-1,living,2026-01,110101199003074514,张三,6228000000000001,88.00,2026-01-20,320921000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := runCLI(t, "", "import", "payments", pay, dbFlag); code != 0 || !strings.Contains(out, "1 inserted") {
		t.Fatalf("import payments: %d %s", code, out)
	}
	if code, out := runCLI(t, "", "import", "payments", pay, dbFlag); code != 0 || !strings.Contains(out, "0 inserted") {
		t.Fatalf("import payments again: %d %s", code, out)
	}
	bank := filepath.Join(dir, "bank.csv")
	code, out := runCLI(t, "", "payments", "batch", "--plan", fmt.Sprint(p.ID), "--out", bank, dbFlag)
	ref := fmt.Sprintf("PB%d-1", p.ID)
	if code != 0 || !strings.Contains(out, ref) {
		t.Fatalf("payments batch: %d %s", code, out)
	}
	file, _ := os.ReadFile(bank)
	rows := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(file), "\ufeff")), "\r\n")
	if len(rows) != p.Lines+1 || !strings.HasPrefix(rows[0], "batch_ref,line_no,account_no") {
		t.Fatalf("bank file: %d rows for %d lines: %.200s", len(rows), p.Lines, file)
	}
	var ret strings.Builder
	ret.WriteString("batch_ref,line_no,account_no,account_holder,amount_yuan,status,reason\n")
	for _, r := range rows[1:] {
		c := strings.Split(r, ",")
		fmt.Fprintf(&ret, "%s,%s,%s,%s,%s,success,\n", c[0], c[1], c[2], c[3], c[4])
	}
	wrong := filepath.Join(dir, "wrong.csv")
	_ = os.WriteFile(wrong, []byte(ret.String()+strings.SplitN(ret.String(), "\n", 3)[1]+"\n"), 0o600) // first line twice
	if code, out := runCLI(t, "", "payments", "reconcile", "--batch", ref, wrong, dbFlag); code != 1 || !strings.Contains(out, "line_no") {
		t.Fatalf("wrong return: %d %s", code, out)
	}
	right := filepath.Join(dir, "right.csv")
	_ = os.WriteFile(right, []byte(ret.String()), 0o600)
	if code, out := runCLI(t, "", "payments", "reconcile", "--batch", ref, right, dbFlag); code != 0 || !strings.Contains(out, fmt.Sprintf("paid %d", p.Lines)) {
		t.Fatalf("reconcile: %d %s", code, out)
	}
	if code, out := runCLI(t, "", "payments", "batch", "--plan", fmt.Sprint(p.ID), dbFlag); code != 1 {
		t.Fatalf("batch with nothing pending: %d %s", code, out)
	}
}

// The direct-payment answers conform to openapi.json, over HTTP as the county's finance office.
func TestPaymentsMatchOpenAPI(t *testing.T) {
	h := newHarness(t)
	reg := h.registryFixture("320921")
	x := h.paymentsFixture("320921")
	_ = reg
	fin := h.login("finance_320921")
	for _, path := range []string{"/api/v1/plans?limit=5", fmt.Sprintf("/api/v1/plans/%d", x.paying), fmt.Sprintf("/api/v1/plans/%d/lines?limit=3", x.paying),
		fmt.Sprintf("/api/v1/plans/%d/lines?status=failed", x.paying), "/api/v1/batches", fmt.Sprintf("/api/v1/batches/%d", x.batch), "/api/v1/payments/reissue"} {
		st, body := fin.do("GET", path, nil)
		if st != 200 {
			t.Errorf("GET %s: %d %s", path, st, body)
		}
		h.conforms("GET", path, st, body)
	}
	office := h.login("poverty_office_320921")
	st, body := office.do("POST", "/api/v1/plans", map[string]any{"fund_id": x.fund, "item_id": x.item, "period": "2026-04",
		"region_code": "320921000000", "title": "四月", "rule": map[string]any{"household_types": []string{"dibao", "tekun"}}})
	if st != 201 || !strings.Contains(string(body), `"skipped"`) {
		t.Fatalf("create plan over HTTP: %d %s", st, body)
	}
	h.conforms("POST", "/api/v1/plans", st, body)
	path := fmt.Sprintf("/api/v1/plan-lines/%d/reissue", x.failedLine)
	st, body = fin.do("POST", path, map[string]any{"note": "户主提供新账号", "account_no": "6228480012345678"})
	if st != 200 || !strings.Contains(string(body), `"reissue"`) || strings.Contains(string(body), "6228480012345678") {
		t.Fatalf("reissue over HTTP: %d %s", st, body)
	}
	h.conforms("POST", path, st, body)
	path = fmt.Sprintf("/api/v1/plans/%d/batches", x.paying)
	st, body = fin.do("POST", path, nil)
	if st != 201 {
		t.Fatalf("batch over HTTP: %d %s", st, body)
	}
	h.conforms("POST", path, st, body)
	path = fmt.Sprintf("/api/v1/batches/%d/file?format=csv", x.batch)
	if st, body := fin.do("GET", path, nil); st != 200 || !strings.HasPrefix(strings.TrimPrefix(string(body), "\ufeff"), "batch_ref,line_no") {
		t.Fatalf("bank file over HTTP: %d %.100s", st, body)
	}
	// A JSON body where the return file belongs.
	if st, body := fin.do("POST", fmt.Sprintf("/api/v1/batches/%d/return", x.batch), map[string]any{}); st != 415 {
		t.Fatalf("return without multipart: %d %s", st, body)
	}
}

// The payments kind imports with fund.write and exports with fund.read (TestExchangeKindPermissions).
func init() { wantActions["payments"] = [2]auth.Action{auth.FundWrite, auth.FundRead} }
