package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/funds"
)

// fundIDs are ledger objects of one county the scope tests aim at.
type fundIDs struct {
	fund, item, finance, village, passbook, transfer, payment int64
}

// fundsFixture registers a county fund as the county's finance office, allocates it to the
// county's finance account, moves some to a village account and pays a member's passbook.
func (h *harness) fundsFixture(county string, reg registryIDs) fundIDs {
	h.t.Helper()
	ctx := context.Background()
	fin := h.principal("finance_" + county)
	region := county + "000000"
	f, err := h.app.Funds.CreateFund(ctx, fin, funds.FundInput{Code: "F-" + county, Name: "县级衔接资金", SourceLevel: "county",
		Category: "fiscal", Year: 2026, DocNo: "财农〔2026〕1号", AmountYuan: "100000", RegionCode: region, ReceivedOn: "2026-01-05",
		Deadline: "2026-12-31", Items: []funds.ItemInput{{Code: "edu", Name: "教育补助", Basis: "person", StandardYuan: "500"}}})
	if err != nil {
		h.t.Fatal("fixture fund: ", err)
	}
	x := fundIDs{fund: f.ID, item: f.Items[0].ID}
	var idNo, name, village string
	if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT id_number, name, region_code FROM members WHERE id = ?`, reg.member).Scan(&idNo, &name, &village); err != nil {
		h.t.Fatal(err)
	}
	if err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if x.finance, err = funds.FinanceAccount(ctx, tx, fin.UserID, region); err != nil {
			return err
		}
		x.passbook, err = funds.PassbookAccount(ctx, tx, fin.UserID, funds.Payee{IDNumber: idNo, Name: name, RegionCode: village, HouseholdID: reg.household})
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	v, err := h.app.Funds.OpenAccount(ctx, fin, funds.AccountInput{Kind: "village", Name: "村集体账户", RegionCode: village})
	if err != nil {
		h.t.Fatal("fixture account: ", err)
	}
	x.village = v.ID
	move := func(from, to int64, amount string, item int64) int64 {
		t, err := h.app.Funds.Transfer(ctx, fin, funds.TransferInput{FundID: f.ID, FromAccount: from, ToAccount: to, AmountYuan: amount,
			OnDate: "2026-01-06", Purpose: "测试", ItemID: item, Period: "2026"})
		if err != nil {
			h.t.Fatalf("fixture transfer %d→%d: %v", from, to, err)
		}
		return t.ID
	}
	move(f.SourceAccount, x.finance, "50000", 0)
	x.transfer = move(x.finance, x.village, "1000", 0)
	x.payment = move(x.finance, x.passbook, "500", x.item)
	return x
}

// fundsTargets are the fund and ledger routes aimed at county's objects.
func (h *harness) fundsTargets(county string, reg registryIDs) map[string]target {
	x := h.fundsFixture(county, reg)
	return map[string]target{
		"GET /api/v1/funds":                          {path: "/api/v1/funds"},
		"POST /api/v1/funds":                         {path: "/api/v1/funds", body: map[string]any{"code": "X-" + county, "name": "越权", "source_level": "county", "category": "fiscal", "year": 2026, "amount_yuan": "1", "region_code": county + "000000", "received_on": "2026-01-01", "deadline": "2026-12-31", "items": []any{map[string]any{"code": "a", "name": "a", "basis": "household", "standard_yuan": "1"}}}},
		"GET /api/v1/funds/{id}":                     {path: fmt.Sprintf("/api/v1/funds/%d", x.fund)},
		"POST /api/v1/funds/{id}/filing":             {path: fmt.Sprintf("/api/v1/funds/%d/filing", x.fund), body: map[string]any{"filed_on": "2026-01-02", "doc_no": "越权"}},
		"GET /api/v1/ledger/accounts":                {path: "/api/v1/ledger/accounts"},
		"POST /api/v1/ledger/accounts":               {path: "/api/v1/ledger/accounts", body: map[string]any{"kind": "village", "name": "越权", "region_code": county + "100201"}},
		"GET /api/v1/ledger/accounts/{id}":           {path: fmt.Sprintf("/api/v1/ledger/accounts/%d", x.passbook)},
		"GET /api/v1/ledger/transfers":               {path: "/api/v1/ledger/transfers"},
		"POST /api/v1/ledger/transfers":              {path: "/api/v1/ledger/transfers", body: map[string]any{"fund_id": x.fund, "from_account": x.finance, "to_account": x.village, "amount_yuan": "1", "on_date": "2026-01-07", "purpose": "越权"}, ownLines: true},
		"GET /api/v1/ledger/transfers/{id}":          {path: fmt.Sprintf("/api/v1/ledger/transfers/%d", x.payment)},
		"POST /api/v1/ledger/transfers/{id}/reverse": {path: fmt.Sprintf("/api/v1/ledger/transfers/%d/reverse", x.transfer), body: map[string]any{"reason": "越权"}, ownLines: true},
		"GET /api/v1/funds/{id}/trace":               {path: fmt.Sprintf("/api/v1/funds/%d/trace", x.fund)},
		"GET /api/v1/funds/{id}/progress":            {path: fmt.Sprintf("/api/v1/funds/%d/progress?level=town", x.fund)},
		"GET /api/v1/households/{id}/statement":      {path: fmt.Sprintf("/api/v1/households/%d/statement", reg.household)},
		"GET /api/v1/ledger/idle":                    {path: "/api/v1/ledger/idle?min_days=0&region=" + county + "000000"},
		"GET /api/v1/funds/evaluation":               {path: "/api/v1/funds/evaluation?year=2026&region=" + county + "000000"},
		"GET /api/v1/funds/evaluation/export":        {path: "/api/v1/funds/evaluation/export?year=2026&format=csv&region=" + county + "000000"},
	}
}

// Over HTTP: a county's finance office registers a fund, allocates and pays; answers match
// openapi.json; bad input gets 400 naming the field; a reversal shows on both transfers.
func TestFundsOverHTTP(t *testing.T) {
	h := newHarness(t)
	reg := h.registryFixture("320921")
	x := h.fundsFixture("320921", reg)
	fin := h.login("finance_320921")
	check := func(method, path string, body any, want int) []byte {
		t.Helper()
		st, b := fin.do(method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, path, st, b)
		return b
	}
	check("GET", "/api/v1/funds", nil, 200)
	check("GET", fmt.Sprintf("/api/v1/funds/%d", x.fund), nil, 200)
	check("GET", "/api/v1/ledger/accounts?kind=passbook", nil, 200)
	check("GET", fmt.Sprintf("/api/v1/ledger/accounts/%d", x.passbook), nil, 200)
	check("GET", fmt.Sprintf("/api/v1/ledger/transfers?fund=%d", x.fund), nil, 200)
	b := check("POST", "/api/v1/ledger/transfers", map[string]any{"fund_id": x.fund, "from_account": x.finance, "to_account": x.village,
		"amount_yuan": "1.234", "on_date": "2026-01-07", "purpose": "拨付"}, 400)
	if !strings.Contains(string(b), `"amount_yuan"`) {
		t.Fatalf("error does not name the field: %s", b)
	}
	b = check("POST", "/api/v1/ledger/transfers", map[string]any{"fund_id": x.fund, "from_account": x.finance, "to_account": x.village,
		"amount_yuan": "999999", "on_date": "2026-01-07", "purpose": "拨付"}, 409)
	if !strings.Contains(string(b), "余额不足") {
		t.Fatalf("overdraw: %s", b)
	}
	b = check("POST", fmt.Sprintf("/api/v1/ledger/transfers/%d/reverse", x.transfer), map[string]any{"reason": "拨错"}, 201)
	rev := decode[funds.Transfer](t, b)
	b = check("GET", fmt.Sprintf("/api/v1/ledger/transfers/%d", x.transfer), nil, 200)
	if orig := decode[funds.Transfer](t, b); orig.ReversedBy == nil || *orig.ReversedBy != rev.ID {
		t.Fatalf("original not marked reversed: %s", b)
	}
	b = check("GET", fmt.Sprintf("/api/v1/ledger/transfers/%d", x.payment), nil, 200)
	if tr := decode[funds.Transfer](t, b); tr.Kind != "payment" || tr.ItemName != "教育补助" {
		t.Fatalf("payment: %s", b)
	}
	check("POST", "/api/v1/ledger/accounts", map[string]any{"kind": "enterprise", "name": "扶贫车间", "region_code": "320921100201"}, 201)
	b = check("POST", "/api/v1/funds", map[string]any{"code": "C-2026", "name": "中央衔接资金", "source_level": "central", "category": "fiscal",
		"year": 2026, "amount_yuan": "1,000,000.00", "region_code": "320921000000", "via_city": false, "received_on": "2026-02-01",
		"deadline": "2026-11-30", "items": []any{map[string]any{"code": "jy", "name": "产业奖补", "basis": "household", "standard_yuan": "2000"}}}, 201)
	fd := decode[funds.Fund](t, b)
	if !fd.NeedsFiling || fd.AmountFen != 100000000 {
		t.Fatalf("fund: %s", b)
	}
	check("POST", fmt.Sprintf("/api/v1/funds/%d/filing", fd.ID), map[string]any{"filed_on": "2026-02-02", "doc_no": "响财报〔2026〕3号"}, 200)
	// A department reads the ledger with passbook holders' ID numbers masked.
	st, b := h.login("department_320921").do("GET", fmt.Sprintf("/api/v1/ledger/accounts/%d", x.passbook), nil)
	if st != 200 || !strings.Contains(string(b), "****") {
		t.Fatalf("department reads passbook: %d %s", st, b)
	}
}
