package funds_test

import (
	"strings"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
)

// An asset's income enters the ledger only through IncomeFund: its own fund with the SY item
// and source account, allocated like any fund; CreateFund refuses the category.
func TestIncomeFund(t *testing.T) {
	f := newFixture(t)
	village := "320921100201"
	in := funds.IncomeFundInput{AssetCode: "ZC2026-320921-0001", AssetName: "光伏电站", Year: 2026, AmountFen: 100001,
		RegionCode: village, ReceivedOn: "2026-05-01", Deadline: "2026-07-30", DocNo: "村收1号"}
	var out funds.IncomeFundOut
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		var err error
		if out, err = funds.IncomeFund(f.ctx, tx, 304, in); err != nil {
			return err
		}
		acct, err := tx.InsertID(f.ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('village', '第1村村集体', ?, 304, ?) RETURNING id`,
			village, db.Time(tx.Now))
		if err != nil {
			return err
		}
		post := funds.NewPoster(f.ctx, tx, 304)
		if err := post.Post(funds.Posting{FundID: out.FundID, From: out.SourceAccount, To: acct, AmountFen: 100001, OnDate: "2026-05-01", Kind: "allocate"}); err != nil {
			return err
		}
		// no more than the income
		if err := post.Post(funds.Posting{FundID: out.FundID, From: out.SourceAccount, To: acct, AmountFen: 1, OnDate: "2026-05-01", Kind: "allocate"}); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("allocating past the income: %v", err)
		}
		_, err = post.Flush()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Fund(f.ctx, f.users["finance_city"], out.FundID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != "SY-ZC2026-320921-0001-2026" || got.Name != "光伏电站2026年资产收益" || got.Category != "income" || got.SourceLevel != "village" ||
		got.AmountFen != 100001 || got.RegionCode != village || got.Deadline != "2026-07-30" || got.NeedsFiling || len(got.Items) != 1 ||
		got.Items[0].Code != funds.IncomeItemCode || got.Items[0].ID != out.ItemID || got.IssuedFen != 100001 {
		t.Fatalf("fund %+v", got)
	}
	var sum int64
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT SUM(balance_fen) FROM ledger_balances WHERE fund_id = ?`, out.FundID).Scan(&sum); err != nil || sum != 0 {
		t.Fatalf("balances sum to %d (%v)", sum, err)
	}

	for _, c := range []struct {
		change func(*funds.IncomeFundInput)
		code   errs.Code
		says   string
	}{
		{func(x *funds.IncomeFundInput) {}, errs.Conflict, "已存在"},
		{func(x *funds.IncomeFundInput) { x.AssetCode = strings.Repeat("Z", 40) }, errs.Invalid, "资产编码"},
		{func(x *funds.IncomeFundInput) { x.Year, x.AmountFen = 2025, 0 }, errs.Invalid, "金额"},
		{func(x *funds.IncomeFundInput) { x.Year, x.Deadline = 2025, "2026-04-30" }, errs.Invalid, "期限"},
	} {
		x := in
		c.change(&x)
		err := f.d.InTx(f.ctx, func(tx *db.Tx) error { _, err := funds.IncomeFund(f.ctx, tx, 304, x); return err })
		if errs.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want %s %q", x, err, c.code, c.says)
		}
	}
	_, err = f.s.CreateFund(f.ctx, f.users["finance"], funds.FundInput{Code: "X1", Name: "收益", SourceLevel: "county", Category: "income", Year: 2026,
		AmountYuan: "1", RegionCode: county, ReceivedOn: "2026-05-01", Deadline: "2026-06-01", Items: []funds.ItemInput{{Code: "a", Name: "a", Basis: "household", StandardYuan: "1"}}})
	if e, ok := errs.As(err); !ok || e.Fields["category"] == "" {
		t.Fatalf("CreateFund with category income: %v", err)
	}
}
