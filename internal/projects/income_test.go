package projects

import (
	"fmt"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func TestRecordIncome(t *testing.T) {
	f := newFixture(t)
	a := newAsset(f, villageA, 3)
	office := f.County(auth.PovertyOffice)

	// refused: out of scope, a role without project.write, bad input
	_, err := f.S.RecordIncome(f.Ctx, f.Other(auth.PovertyOffice), a.ID, IncomeInput{Year: 2026, AmountYuan: "100"})
	wantCode(t, err, errs.NotFound, "资产不存在")
	_, err = f.S.RecordIncome(f.Ctx, f.County(auth.Finance), a.ID, IncomeInput{Year: 2026, AmountYuan: "100"})
	wantCode(t, err, errs.Forbidden, "无权")
	_, err = f.S.RecordIncome(f.Ctx, office, a.ID, IncomeInput{Year: 2027, AmountYuan: "100"})
	wantField(t, err, "year", "未来")
	_, err = f.S.RecordIncome(f.Ctx, office, a.ID, IncomeInput{Year: 2026, AmountYuan: "1.001"})
	if e, ok := errs.As(err); !ok || e.Fields["amount_yuan"] == "" {
		t.Fatalf("three decimals: %v", err)
	}
	_, err = f.S.RecordIncome(f.Ctx, office, a.ID, IncomeInput{Year: 2026, AmountYuan: "100", ReceivedOn: "2026-07-16"})
	wantField(t, err, "received_on", "晚于今天")
	if n := f.count(`SELECT COUNT(*) FROM funds`); n != 0 {
		t.Fatalf("%d funds written by refused calls", n)
	}

	inc, err := f.S.RecordIncome(f.Ctx, f.Village(villageA), a.ID, IncomeInput{Year: 2026, AmountYuan: "12,345.67", ReceivedOn: "2026-07-01", DocNo: "村收〔2026〕3号"})
	if err != nil {
		t.Fatal(err)
	}
	if inc.AmountFen != 1234567 || inc.Status != "recorded" || inc.FundCode != "SY-"+a.Code+"-2026" || inc.DaysWaiting != 14 || inc.Version != 1 {
		t.Fatalf("income %+v", inc)
	}
	var code, name, level, category, region, deadline string
	var amount int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT code, name, source_level, category, region_code, deadline, amount_fen FROM funds WHERE id = ?`, inc.FundID).
		Scan(&code, &name, &level, &category, &region, &deadline, &amount); err != nil {
		t.Fatal(err)
	}
	if name != a.Name+"2026年资产收益" || level != "village" || category != "income" || region != villageA || deadline != "2026-09-29" || amount != 1234567 {
		t.Fatalf("fund %s %s %s %s %s %s %d", code, name, level, category, region, deadline, amount)
	}
	if n := f.count(`SELECT COUNT(*) FROM fund_items WHERE fund_id = ? AND code = 'SY' AND basis = 'household' AND standard_fen = 1234567`, inc.FundID); n != 1 {
		t.Fatalf("%d SY items", n)
	}
	// the allocation: source → the asset's account, and the fund's balances sum to zero
	if n := f.count(`SELECT COUNT(*) FROM ledger_transfers t JOIN ledger_accounts s ON s.id = t.from_account
		WHERE t.fund_id = ? AND t.kind = 'allocate' AND s.kind = 'source' AND t.to_account = ? AND t.amount_fen = 1234567 AND t.on_date = '2026-07-01'`,
		inc.FundID, *a.AccountID); n != 1 {
		t.Fatalf("%d allocations", n)
	}
	if bal := f.count(`SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, *a.AccountID, inc.FundID); bal != 1234567 {
		t.Fatalf("asset account balance %d", bal)
	}
	if sum := f.count(`SELECT SUM(balance_fen) FROM ledger_balances WHERE fund_id = ?`, inc.FundID); sum != 0 {
		t.Fatalf("fund balances sum to %d", sum)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'asset.income' AND entity_type = 'asset_income' AND entity_id = ?`, fmt.Sprint(inc.ID)); n != 1 {
		t.Fatalf("%d audit events", n)
	}

	// once per asset and year
	_, err = f.S.RecordIncome(f.Ctx, office, a.ID, IncomeInput{Year: 2026, AmountYuan: "1"})
	wantCode(t, err, errs.Conflict, "已登记")
	prev, err := f.S.RecordIncome(f.Ctx, office, a.ID, IncomeInput{Year: 2025, AmountYuan: "1"})
	if err != nil || prev.ReceivedOn != "2026-07-15" {
		t.Fatalf("2025 income %+v %v", prev, err)
	}
	d, err := f.S.Asset(f.Ctx, office, a.ID)
	if err != nil || len(d.Incomes) != 2 || d.Incomes[0].Year != 2026 || d.UndistributedFen != 1234567+100 {
		t.Fatalf("asset incomes %+v %v", d, err)
	}
}
