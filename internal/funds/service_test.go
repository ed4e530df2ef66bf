package funds_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
)

var tiny = demo.Scale{Name: "tiny", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 5}

const (
	city   = "320900000000"
	county = "320921000000"
	other  = "320922000000"
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	s     *funds.Service
	users map[string]*auth.Principal
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	if _, err := demo.Load(context.Background(), d, tiny); err != nil {
		t.Fatal(err)
	}
	d.Clock = func() time.Time { return time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC) }
	f := &fixture{t: t, ctx: context.Background(), d: d, s: &funds.Service{DB: d, Audit: &audit.Service{DB: d}}}
	mk := func(id int64, role auth.Role, scope string) *auth.Principal {
		return &auth.Principal{UserID: id, Username: fmt.Sprintf("%s_%s", role, scope), Name: string(role), Role: role, Scope: scope}
	}
	f.users = map[string]*auth.Principal{
		"finance":       mk(301, auth.Finance, county),
		"finance_city":  mk(302, auth.Finance, city),
		"finance_other": mk(303, auth.Finance, other),
		"office":        mk(304, auth.PovertyOffice, county),
		"auditor":       mk(305, auth.Auditor, county),
		"dept":          mk(306, auth.Department, county),
	}
	return f
}

func (f *fixture) fund(code, region string, amount string, viaCity bool, level string) funds.Fund {
	f.t.Helper()
	fd, err := f.s.CreateFund(f.ctx, f.users["finance_city"], funds.FundInput{Code: code, Name: "衔接推进乡村振兴补助资金 " + code,
		SourceLevel: level, Category: "fiscal", Year: 2026, DocNo: "苏财农〔2026〕8号", AmountYuan: amount, RegionCode: region,
		ViaCity: viaCity, ReceivedOn: "2026-01-10", Deadline: "2026-10-31",
		Items: []funds.ItemInput{{Code: "edu", Name: "雨露计划", Basis: "person", StandardYuan: "1500"}, {Code: "house", Name: "危房改造", Basis: "household", StandardYuan: "20000"}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return fd
}

// payee is a registered member of the county with a passbook account opened for them.
func (f *fixture) payee(n int) (account int64, household int64) {
	f.t.Helper()
	var id, name, region string
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT m.id_number, m.name, m.region_code, m.household_id FROM members m
		WHERE m.region_code LIKE '320921%' AND m.active = 1 ORDER BY m.id LIMIT 1 OFFSET ?`, n).Scan(&id, &name, &region, &household); err != nil {
		f.t.Fatal(err)
	}
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		var err error
		account, err = funds.PassbookAccount(f.ctx, tx, 1, funds.Payee{IDNumber: id, Name: name, RegionCode: region, HouseholdID: household})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return account, household
}

func (f *fixture) finance(region string) int64 {
	f.t.Helper()
	var id int64
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) (err error) { id, err = funds.FinanceAccount(f.ctx, tx, 1, region); return }); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) move(p string, fund, from, to int64, amount string, item int64) (funds.Transfer, error) {
	return f.s.Transfer(f.ctx, f.users[p], funds.TransferInput{FundID: fund, FromAccount: from, ToAccount: to, AmountYuan: amount,
		OnDate: "2026-02-01", DocNo: "拨付单", Purpose: "测试", ItemID: item, Period: "2026-02"})
}

func wantCode(t *testing.T, err error, code errs.Code, contains string) {
	t.Helper()
	if errs.CodeOf(err) != code || !strings.Contains(fmt.Sprint(err), contains) {
		t.Fatalf("got %v (%s), want %s containing %q", err, errs.CodeOf(err), code, contains)
	}
}

func TestFundValidation(t *testing.T) {
	f := newFixture(t)
	base := funds.FundInput{Code: "F1", Name: "资金", SourceLevel: "central", Category: "fiscal", Year: 2026, AmountYuan: "100",
		RegionCode: county, ReceivedOn: "2026-01-01", Deadline: "2026-12-31", Items: []funds.ItemInput{{Code: "a", Name: "a", Basis: "person", StandardYuan: "1"}}}
	cases := []struct {
		name  string
		edit  func(*funds.FundInput)
		field string
	}{
		{"three decimals", func(in *funds.FundInput) { in.AmountYuan = "1.234" }, "amount_yuan"},
		{"negative", func(in *funds.FundInput) { in.AmountYuan = "-5" }, "amount_yuan"},
		{"absurd", func(in *funds.FundInput) { in.AmountYuan = "99999999999" }, "amount_yuan"},
		{"zero", func(in *funds.FundInput) { in.AmountYuan = "0" }, "amount_yuan"},
		{"level", func(in *funds.FundInput) { in.SourceLevel = "moon" }, "source_level"},
		{"deadline before receipt", func(in *funds.FundInput) { in.Deadline = "2025-12-31" }, "deadline"},
		{"no items", func(in *funds.FundInput) { in.Items = nil }, "items"},
		{"item basis", func(in *funds.FundInput) { in.Items[0].Basis = "cow" }, "items[0].basis"},
		{"item standard", func(in *funds.FundInput) { in.Items[0].StandardYuan = "1.001" }, "items[0].standard_yuan"},
		{"bad code", func(in *funds.FundInput) { in.Code = "资金 1" }, "code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			in.Items = append([]funds.ItemInput(nil), base.Items...)
			c.edit(&in)
			_, err := f.s.CreateFund(f.ctx, f.users["finance"], in)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || e.Fields[c.field] == "" {
				t.Fatalf("got %v, want invalid naming %s", err, c.field)
			}
		})
	}
	if _, err := f.s.CreateFund(f.ctx, f.users["office"], base); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("poverty office created a fund: %v", err)
	}
	if _, err := f.s.CreateFund(f.ctx, f.users["finance_other"], base); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("other county created a fund here: %v", err)
	}
	fd, err := f.s.CreateFund(f.ctx, f.users["finance"], base)
	if err != nil {
		t.Fatal(err)
	}
	if fd.AmountFen != 10000 || len(fd.Items) != 1 || fd.SourceAccount == 0 || !fd.NeedsFiling {
		t.Fatalf("fund %+v", fd)
	}
	_, err = f.s.CreateFund(f.ctx, f.users["finance"], base)
	wantCode(t, err, errs.Conflict, "已存在")
}

func TestFilingOfFundsThatBypassTheCity(t *testing.T) {
	f := newFixture(t)
	direct := f.fund("CENTRAL-1", county, "500000", false, "central")
	via := f.fund("PROV-1", county, "500000", true, "province")
	list, err := f.s.Funds(f.ctx, f.users["finance"], funds.FundFilter{Unfiled: true})
	if err != nil || len(list) != 1 || list[0].ID != direct.ID {
		t.Fatalf("unfiled: %+v %v", list, err)
	}
	_, err = f.s.FileFund(f.ctx, f.users["finance"], via.ID, funds.FilingInput{FiledOn: "2026-01-12", DocNo: "响财报〔2026〕1号"})
	wantCode(t, err, errs.Conflict, "无需报备")
	_, err = f.s.FileFund(f.ctx, f.users["finance_other"], direct.ID, funds.FilingInput{FiledOn: "2026-01-12", DocNo: "x"})
	wantCode(t, err, errs.NotFound, "资金不存在")
	_, err = f.s.FileFund(f.ctx, f.users["finance"], direct.ID, funds.FilingInput{FiledOn: "2026-07-01", DocNo: "x"})
	wantCode(t, err, errs.Invalid, "filed_on")
	got, err := f.s.FileFund(f.ctx, f.users["finance"], direct.ID, funds.FilingInput{FiledOn: "2026-01-12", DocNo: "响财报〔2026〕1号"})
	if err != nil || got.NeedsFiling || got.FiledOn == nil || *got.FiledOn != "2026-01-12" {
		t.Fatalf("filed: %+v %v", got, err)
	}
	_, err = f.s.FileFund(f.ctx, f.users["finance"], direct.ID, funds.FilingInput{FiledOn: "2026-01-13", DocNo: "again"})
	wantCode(t, err, errs.Conflict, "已于 2026-01-12 报备")
	if list, _ := f.s.Funds(f.ctx, f.users["finance"], funds.FundFilter{Unfiled: true}); len(list) != 0 {
		t.Fatalf("still unfiled: %+v", list)
	}
	// The county reads the city's funds; the other county does not read this county's.
	f.fund("CITY-1", city, "100", true, "city")
	if list, _ := f.s.Funds(f.ctx, f.users["finance_other"], funds.FundFilter{}); len(list) != 1 || list[0].Code != "CITY-1" {
		t.Fatalf("other county sees %+v", list)
	}
}

func TestTransfersKeepTheLedgerWhole(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("F-2026-01", county, "1000", true, "province")
	cf := f.finance(county)
	pb, hh := f.payee(0)
	village, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "village", Name: "村集体", RegionCode: "320921100201"})
	if err != nil {
		t.Fatal(err)
	}
	item := fd.Items[0].ID

	// Money enters from the fund's source only, never beyond the fund's amount.
	_, err = f.move("finance", fd.ID, fd.SourceAccount, cf, "1000.01", 0)
	wantCode(t, err, errs.Conflict, "超出资金总额")
	alloc, err := f.move("finance", fd.ID, fd.SourceAccount, cf, "800", 0)
	if err != nil || alloc.Kind != "allocate" {
		t.Fatalf("allocate: %+v %v", alloc, err)
	}
	_, err = f.move("finance", fd.ID, fd.SourceAccount, pb, "1", item)
	wantCode(t, err, errs.Invalid, "不能直接拨到农户")
	// Over-drawn, three decimals, same account, payment without item or period.
	_, err = f.move("finance", fd.ID, cf, village.ID, "800.01", 0)
	wantCode(t, err, errs.Conflict, "余额不足")
	_, err = f.move("finance", fd.ID, cf, village.ID, "1.234", 0)
	wantCode(t, err, errs.Invalid, "amount_yuan")
	_, err = f.move("finance", fd.ID, cf, cf, "1", 0)
	wantCode(t, err, errs.Invalid, "同一账户")
	_, err = f.move("finance", fd.ID, cf, pb, "1", 0)
	wantCode(t, err, errs.Invalid, "item_id")
	// Another fund's item is refused.
	other := f.fund("F-2026-02", county, "10", true, "province")
	_, err = f.move("finance", fd.ID, cf, pb, "1", other.Items[0].ID)
	wantCode(t, err, errs.Invalid, "不属于该资金")
	// Someone else's county cannot move this county's money; a poverty office cannot move money.
	_, err = f.move("finance_other", fd.ID, cf, village.ID, "1", 0)
	wantCode(t, err, errs.NotFound, "fund_id")
	_, err = f.move("office", fd.ID, cf, village.ID, "1", 0)
	wantCode(t, err, errs.Forbidden, "fund.write")

	tr, err := f.move("finance", fd.ID, cf, village.ID, "300", 0)
	if err != nil {
		t.Fatal(err)
	}
	pay, err := f.move("finance", fd.ID, cf, pb, "500", item)
	if err != nil || pay.Kind != "payment" {
		t.Fatalf("payment: %+v %v", pay, err)
	}
	// A passbook's money leaves only by reversal.
	_, err = f.move("finance", fd.ID, pb, cf, "1", 0)
	wantCode(t, err, errs.Invalid, "冲销")
	checkInvariants(t, f.ctx, f.d)

	got, _ := f.s.Fund(f.ctx, f.users["auditor"], fd.ID)
	if got.IssuedFen != 80000 || got.PaidFen != 50000 {
		t.Fatalf("issued %d paid %d", got.IssuedFen, got.PaidFen)
	}
	// The department may read the ledger but not export ID numbers: the holder's is masked.
	acct, err := f.s.Account(f.ctx, f.users["dept"], pb)
	if err != nil || acct.BalanceFen != 50000 || acct.HouseholdID == nil || *acct.HouseholdID != hh || strings.Count(acct.IDNumber, "*") < 8 {
		t.Fatalf("passbook %+v %v", acct, err)
	}

	// Reversal: the original stays, the counter-transfer moves it back; never twice.
	_, err = f.s.Reverse(f.ctx, f.users["finance"], tr.ID, funds.ReverseInput{})
	wantCode(t, err, errs.Invalid, "reason")
	rev, err := f.s.Reverse(f.ctx, f.users["finance"], tr.ID, funds.ReverseInput{Reason: "拨错村"})
	if err != nil || rev.Kind != "reversal" || rev.ReversesID == nil || *rev.ReversesID != tr.ID || rev.FromAccount != village.ID {
		t.Fatalf("reverse: %+v %v", rev, err)
	}
	_, err = f.s.Reverse(f.ctx, f.users["finance"], tr.ID, funds.ReverseInput{Reason: "again"})
	wantCode(t, err, errs.Conflict, "已被冲销")
	_, err = f.s.Reverse(f.ctx, f.users["finance"], rev.ID, funds.ReverseInput{Reason: "again"})
	wantCode(t, err, errs.Conflict, "不能再冲销")
	orig, _ := f.s.TransferByID(f.ctx, f.users["auditor"], tr.ID)
	if orig.ReversedBy == nil || *orig.ReversedBy != rev.ID || orig.AmountFen != 30000 {
		t.Fatalf("original after reversal: %+v", orig)
	}
	// A reversal that would overdraw the receiver is refused: spend the village's money first.
	tr2, _ := f.move("finance", fd.ID, cf, village.ID, "100", 0)
	if _, err := f.move("finance", fd.ID, village.ID, cf, "100", 0); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Reverse(f.ctx, f.users["finance"], tr2.ID, funds.ReverseInput{Reason: "x"})
	wantCode(t, err, errs.Conflict, "无法冲销")
	checkInvariants(t, f.ctx, f.d)

	// Every write left its audit event.
	var n int
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT COUNT(*) FROM audit_events WHERE action IN ('ledger.transfer', 'ledger.reverse')`).Scan(&n)
	var m int
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT COUNT(*) FROM ledger_transfers`).Scan(&m)
	if n != m {
		t.Fatalf("%d audit events for %d transfers", n, m)
	}
	// Scope: the other county sees none of it.
	if l, _ := f.s.Transfers(f.ctx, f.users["finance_other"], funds.TransferFilter{Limit: 50}); len(l) != 0 {
		t.Fatalf("other county sees %d transfers", len(l))
	}
	if _, err := f.s.Account(f.ctx, f.users["finance_other"], pb); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county reads the passbook: %v", err)
	}
	l, _ := f.s.Transfers(f.ctx, f.users["auditor"], funds.TransferFilter{Limit: 50, Kind: "payment"})
	if len(l) != 1 || strings.Contains(l[0].AccountNo, "6") && len(l[0].AccountNo) > 4 && !strings.Contains(l[0].AccountNo, "*") {
		t.Fatalf("payments: %+v", l)
	}
}

// checkInvariants reads the whole ledger and checks what must always hold.
func checkInvariants(t *testing.T, ctx context.Context, d *db.DB) {
	t.Helper()
	q := d.Reader()
	// Balances equal the sum of transfers, per account and fund.
	rows, err := q.QueryContext(ctx, `SELECT b.account_id, b.fund_id, b.balance_fen,
		COALESCE((SELECT SUM(amount_fen) FROM ledger_transfers WHERE to_account = b.account_id AND fund_id = b.fund_id), 0) -
		COALESCE((SELECT SUM(amount_fen) FROM ledger_transfers WHERE from_account = b.account_id AND fund_id = b.fund_id), 0),
		a.kind, f.amount_fen
		FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id JOIN funds f ON f.id = b.fund_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sums := map[int64]int64{}
	for rows.Next() {
		var acct, fund, bal, flow, amount int64
		var kind string
		if err := rows.Scan(&acct, &fund, &bal, &flow, &kind, &amount); err != nil {
			t.Fatal(err)
		}
		if bal != flow {
			t.Errorf("account %d fund %d: balance %d, transfers sum %d", acct, fund, bal, flow)
		}
		if kind != "source" && bal < 0 {
			t.Errorf("account %d fund %d is negative: %d", acct, fund, bal)
		}
		if kind == "source" && bal < -amount {
			t.Errorf("fund %d issued %d of %d", fund, -bal, amount)
		}
		sums[fund] += bal
	}
	for fund, s := range sums {
		if s != 0 {
			t.Errorf("fund %d: balances sum to %d, want 0", fund, s)
		}
	}
	// Every transfer stays within its fund: money at a passbook came from the same fund's source.
	var stray int
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transfers t JOIN ledger_accounts a ON a.id IN (t.from_account, t.to_account)
		WHERE a.kind = 'source' AND a.fund_id <> t.fund_id`).Scan(&stray)
	if stray != 0 {
		t.Errorf("%d transfers touch another fund's source", stray)
	}
	var orphan int
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_balances b WHERE NOT EXISTS
		(SELECT 1 FROM ledger_transfers t WHERE t.fund_id = b.fund_id AND (t.to_account = b.account_id OR t.from_account = b.account_id))
		AND b.balance_fen <> 0`).Scan(&orphan)
	if orphan != 0 {
		t.Errorf("%d balances without transfers", orphan)
	}
}

// A department keeps to its own fund lines: its own donation fund and department account, not
// the finance office's money.
func TestDepartmentPaysOnlyFromItsOwnLines(t *testing.T) {
	f := newFixture(t)
	city := f.fund("F-CITY", county, "1000", true, "province")
	cf := f.finance(county)
	if _, err := f.move("finance", city.ID, city.SourceAccount, cf, "1000", 0); err != nil {
		t.Fatal(err)
	}
	pb, _ := f.payee(0)
	dept, err := f.s.OpenAccount(f.ctx, f.users["dept"], funds.AccountInput{Kind: "department", Name: "县红十字会", RegionCode: county})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.move("dept", city.ID, cf, pb, "10", city.Items[0].ID)
	wantCode(t, err, errs.Forbidden, "部门只能")
	_, err = f.move("dept", city.ID, city.SourceAccount, dept.ID, "10", 0)
	wantCode(t, err, errs.Forbidden, "部门只能") // not the department's fund
	own, err := f.s.CreateFund(f.ctx, f.users["dept"], funds.FundInput{Code: "RC-1", Name: "红十字会博爱助学捐赠", SourceLevel: "social",
		Category: "donation", Year: 2026, AmountYuan: "5000", RegionCode: county, ReceivedOn: "2026-01-15", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "zx", Name: "助学", Basis: "household", StandardYuan: "500"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.move("dept", own.ID, own.SourceAccount, dept.ID, "5000", 0); err != nil {
		t.Fatal(err)
	}
	pay, err := f.move("dept", own.ID, dept.ID, pb, "500", own.Items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := f.move("finance", city.ID, cf, dept.ID, "100", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Reverse(f.ctx, f.users["dept"], tr.ID, funds.ReverseInput{Reason: "退回"})
	wantCode(t, err, errs.Forbidden, "部门只能")
	if _, err := f.s.Reverse(f.ctx, f.users["dept"], pay.ID, funds.ReverseInput{Reason: "发错"}); err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, f.ctx, f.d)
}
