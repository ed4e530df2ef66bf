package funds_test

import (
	"strings"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
)

// A money donation enters the ledger through DonationFund: its own fund (category donation,
// source social) with the JZ item whose standard is the amount, allocated to the village's
// collective account or the town's or county's finance account; never more than the amount.
func TestDonationFund(t *testing.T) {
	f := newFixture(t)
	village, town := "320921100201", "320921100000"
	in := funds.DonationFundInput{ReceiptNo: "JZ2026-000001", DonorName: "爱心企业", AmountFen: 500001, RegionCode: village,
		ReceivedOn: "2026-05-01", Deadline: "2026-10-31", Purpose: "助学"}
	var out funds.DonationFundOut
	var acct, acct2, finance int64
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		var err error
		if out, err = funds.DonationFund(f.ctx, tx, 304, in); err != nil {
			return err
		}
		if acct, err = funds.DonationAccount(f.ctx, tx, 304, village); err != nil {
			return err
		}
		if acct2, err = funds.DonationAccount(f.ctx, tx, 304, village); err != nil {
			return err
		}
		if finance, err = funds.DonationAccount(f.ctx, tx, 304, town); err != nil {
			return err
		}
		post := funds.NewPoster(f.ctx, tx, 304)
		if err := post.Post(funds.Posting{FundID: out.FundID, From: out.SourceAccount, To: acct, AmountFen: 500001, OnDate: "2026-05-01", Kind: "allocate"}); err != nil {
			return err
		}
		if err := post.Post(funds.Posting{FundID: out.FundID, From: out.SourceAccount, To: acct, AmountFen: 1, OnDate: "2026-05-01", Kind: "allocate"}); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("allocating past the donation: %v", err)
		}
		_, err = post.Flush()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if acct != acct2 || acct == finance {
		t.Fatalf("accounts: village %d then %d, town finance %d", acct, acct2, finance)
	}
	var kind, region string
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT kind, region_code FROM ledger_accounts WHERE id = ?`, finance).Scan(&kind, &region); err != nil || kind != "finance" || region != town {
		t.Fatalf("town account %s %s (%v)", kind, region, err)
	}
	got, err := f.s.Fund(f.ctx, f.users["finance_city"], out.FundID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != "JZ-JZ2026-000001" || got.Category != "donation" || got.SourceLevel != "social" || got.AmountFen != 500001 ||
		got.RegionCode != village || got.Year != 2026 || len(got.Items) != 1 || got.Items[0].Code != funds.DonationItemCode ||
		got.Items[0].StandardFen != 500001 || got.Items[0].Basis != "household" || got.IssuedFen != 500001 || !strings.Contains(got.Name, "爱心企业") {
		t.Fatalf("fund %+v", got)
	}
	for _, c := range []struct {
		change func(*funds.DonationFundInput)
		code   errs.Code
		says   string
	}{
		{func(x *funds.DonationFundInput) {}, errs.Conflict, "已存在"},
		{func(x *funds.DonationFundInput) { x.ReceiptNo = strings.Repeat("Z", 40) }, errs.Invalid, "收据号"},
		{func(x *funds.DonationFundInput) { x.ReceiptNo, x.AmountFen = "JZ2026-000002", 0 }, errs.Invalid, "金额"},
		{func(x *funds.DonationFundInput) { x.ReceiptNo, x.Deadline = "JZ2026-000002", "2026-04-30" }, errs.Invalid, "期限"},
		{func(x *funds.DonationFundInput) { x.ReceiptNo, x.ReceivedOn = "JZ2026-000002", "26-5-1" }, errs.Invalid, "日期"},
	} {
		x := in
		c.change(&x)
		err := f.d.InTx(f.ctx, func(tx *db.Tx) error { _, err := funds.DonationFund(f.ctx, tx, 304, x); return err })
		if errs.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want %s %q", x, err, c.code, c.says)
		}
	}
	err = f.d.InTx(f.ctx, func(tx *db.Tx) error { _, err := funds.DonationAccount(f.ctx, tx, 304, "320921999999"); return err })
	if e, ok := errs.As(err); !ok || e.Fields["region_code"] == "" {
		t.Fatalf("unknown region: %v", err)
	}
}
