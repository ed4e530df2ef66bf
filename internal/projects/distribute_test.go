package projects

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/money"
)

// incomeOf records an income of yuan for the asset (received 2026-07-01).
func incomeOf(f *fixture, asset int64, yuan string) Income {
	f.t.Helper()
	in, err := f.S.RecordIncome(f.Ctx, f.County(auth.PovertyOffice), asset, IncomeInput{Year: 2026, AmountYuan: yuan, ReceivedOn: "2026-07-01"})
	if err != nil {
		f.t.Fatal(err)
	}
	return in
}

// linesOf turns a proposal into distribution lines.
func linesOf(p Proposal) []DistributeLine {
	out := make([]DistributeLine, len(p.Lines))
	for i, l := range p.Lines {
		out[i] = DistributeLine{HouseholdID: l.HouseholdID, AmountYuan: money.FormatPlain(l.AmountFen)}
	}
	return out
}

func TestProposalSplitsExactly(t *testing.T) {
	f := newFixture(t)
	a := newAsset(f, villageA, 3)
	inc := incomeOf(f, a.ID, "1000.01")
	p, err := f.S.Proposal(f.Ctx, f.County(auth.Auditor), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Lines) != 3 || p.AmountFen != 100001 {
		t.Fatalf("proposal %+v", p)
	}
	var sum int64
	for i, want := range []int64{33334, 33334, 33333} {
		if p.Lines[i].AmountFen != want || p.Lines[i].HouseholdID != a.Entitled[i].HouseholdID {
			t.Fatalf("line %d: %+v, want %d", i, p.Lines[i], want)
		}
		sum += p.Lines[i].AmountFen
	}
	if sum != inc.AmountFen {
		t.Fatalf("sum %d of %d", sum, inc.AmountFen)
	}
	_, err = f.S.Proposal(f.Ctx, f.Other(auth.Auditor), inc.ID)
	wantCode(t, err, errs.NotFound, "不存在")

	// weights, remainders to the largest share first, the unpayable left out and named
	lines := []ProposalLine{{HouseholdID: 1, Share: 1}, {HouseholdID: 2, Share: 3}, {HouseholdID: 3, Share: 3}}
	split(10, lines)
	if lines[0].AmountFen != 1 || lines[1].AmountFen != 5 || lines[2].AmountFen != 4 {
		t.Fatalf("split %+v", lines)
	}
	hh := a.Entitled[1].HouseholdID
	f.exec(`UPDATE households SET account_no = '' WHERE id = ?`, hh)
	p, err = f.S.Proposal(f.Ctx, f.County(auth.Auditor), inc.ID)
	if err != nil || len(p.Lines) != 2 || len(p.NotPayable) != 1 || p.NotPayable[0].HouseholdID != hh || p.Lines[0].AmountFen+p.Lines[1].AmountFen != 100001 {
		t.Fatalf("proposal with an unpayable household %+v %v", p, err)
	}
}

// A refused distribution writes nothing: no transfer, no row, no audit event, status kept.
func TestDistributeRefusals(t *testing.T) {
	f := newFixture(t)
	hh := f.Households(villageA)
	a := newAsset(f, villageA, 3)
	inc := incomeOf(f, a.ID, "1000.01")
	finance := f.County(auth.Finance)
	events := f.count(`SELECT COUNT(*) FROM audit_events`)
	transfers := f.count(`SELECT COUNT(*) FROM ledger_transfers`)
	good := func() DistributeInput {
		return DistributeInput{Version: inc.Version, OnDate: "2026-07-10", Lines: []DistributeLine{
			{HouseholdID: hh[0], AmountYuan: "333.34"}, {HouseholdID: hh[1], AmountYuan: "333.34"}, {HouseholdID: hh[2], AmountYuan: "333.33"}}}
	}

	in := good()
	in.Lines[2].AmountYuan = "333.32"
	_, err := f.S.Distribute(f.Ctx, finance, inc.ID, in)
	wantField(t, err, "lines", "1,000.00")
	if !strings.Contains(err.Error(), "1,000.01") {
		t.Fatalf("error does not name the income: %v", err)
	}

	in = good()
	in.Lines[1].HouseholdID = hh[4]
	_, err = f.S.Distribute(f.Ctx, finance, inc.ID, in)
	wantField(t, err, "lines[1].household_id", "不是该资产的收益对象")

	in = good()
	in.Lines[2].HouseholdID = hh[0]
	_, err = f.S.Distribute(f.Ctx, finance, inc.ID, in)
	wantField(t, err, "lines[2].household_id", "重复")

	in = good()
	in.Lines[0].AmountYuan = "0"
	_, err = f.S.Distribute(f.Ctx, finance, inc.ID, in)
	wantField(t, err, "lines[0].amount_yuan", "大于 0")

	in = good()
	in.OnDate = "2026-06-30"
	_, err = f.S.Distribute(f.Ctx, finance, inc.ID, in)
	wantField(t, err, "on_date", "不能早于")

	f.exec(`UPDATE households SET account_no = '' WHERE id = ?`, hh[1])
	_, err = f.S.Distribute(f.Ctx, finance, inc.ID, good())
	wantField(t, err, "lines[1].household_id", "没有一折通账号")
	f.exec(`UPDATE households SET account_no = '6228480000000000002' WHERE id = ?`, hh[1])

	// who: the village cadre and discipline hold project.sign but do not distribute; an
	// auditor has no project.sign; another county does not see the income
	_, err = f.S.Distribute(f.Ctx, f.Village(villageA), inc.ID, good())
	wantCode(t, err, errs.Forbidden, "扶贫办或财政")
	_, err = f.S.Distribute(f.Ctx, f.County(auth.Discipline), inc.ID, good())
	wantCode(t, err, errs.Forbidden, "扶贫办或财政")
	_, err = f.S.Distribute(f.Ctx, f.County(auth.Auditor), inc.ID, good())
	wantCode(t, err, errs.Forbidden, "无权")
	_, err = f.S.Distribute(f.Ctx, f.Other(auth.Finance), inc.ID, good())
	wantCode(t, err, errs.NotFound, "不存在")
	in = good()
	in.Version = 7
	_, err = f.S.Distribute(f.Ctx, finance, inc.ID, in)
	wantCode(t, err, errs.Conflict, "已被他人修改")

	if n := f.count(`SELECT COUNT(*) FROM ledger_transfers`); n != transfers {
		t.Fatalf("refused distributions wrote %d transfers", n-transfers)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events`); n != events {
		t.Fatalf("refused distributions wrote %d audit events", n-events)
	}
	if n := f.count(`SELECT COUNT(*) FROM asset_distributions`) + f.count(`SELECT COUNT(*) FROM ledger_accounts WHERE kind = 'passbook'`); n != 0 {
		t.Fatalf("refused distributions wrote %d rows", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM asset_incomes WHERE id = ? AND status = 'recorded' AND version = 1 AND distributed_on IS NULL`, inc.ID); n != 1 {
		t.Fatal("income changed by refused distributions")
	}
}

func TestDistribute(t *testing.T) {
	f := newFixture(t)
	hh := f.Households(villageA)
	a := newAsset(f, villageA, 3)
	inc := incomeOf(f, a.ID, "1000.01")
	p, err := f.S.Proposal(f.Ctx, f.County(auth.PovertyOffice), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := DistributeInput{Version: inc.Version, Lines: linesOf(p)}
	out, err := f.S.Distribute(f.Ctx, f.Town(auth.Finance), inc.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "distributed" || out.DistributedOn == nil || *out.DistributedOn != "2026-07-15" || out.Version != 2 || len(out.Lines) != 3 {
		t.Fatalf("distributed %+v", out)
	}
	for i, l := range out.Lines {
		if l.HouseholdID != hh[i] || l.TransferID == nil || l.AmountFen != p.Lines[i].AmountFen || !strings.Contains(l.PayeeIDNumber, "********") {
			t.Fatalf("line %d %+v", i, l)
		}
		var kind, item, period, acctNo, holder, ref string
		var from, amount int64
		if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT t.kind, i.code, t.period, t.account_no, t.account_holder, t.ref, t.from_account, t.amount_fen
			FROM ledger_transfers t JOIN fund_items i ON i.id = t.item_id WHERE t.id = ? AND t.fund_id = ?`, *l.TransferID, inc.FundID).
			Scan(&kind, &item, &period, &acctNo, &holder, &ref, &from, &amount); err != nil {
			t.Fatal(err)
		}
		if kind != "payment" || item != "SY" || period != "2026" || acctNo == "" || holder != l.HouseholdHead || from != *a.AccountID ||
			amount != l.AmountFen || ref != fmt.Sprintf("asset-income-%d-%d", inc.ID, hh[i]) {
			t.Fatalf("transfer %s %s %s %s %s %s %d %d", kind, item, period, acctNo, holder, ref, from, amount)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM asset_distributions d JOIN ledger_transfers t ON t.id = d.transfer_id AND t.amount_fen = d.amount_fen WHERE d.income_id = ?`, inc.ID); n != 3 {
		t.Fatalf("%d distribution rows", n)
	}
	if bal := f.count(`SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, *a.AccountID, inc.FundID); bal != 0 {
		t.Fatalf("asset account keeps %d", bal)
	}
	if sum := f.count(`SELECT SUM(balance_fen) FROM ledger_balances WHERE fund_id = ?`, inc.FundID); sum != 0 {
		t.Fatalf("fund balances sum to %d", sum)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'asset.distribute' AND entity_id = ?`, fmt.Sprint(inc.ID)); n != 1 {
		t.Fatalf("%d audit events", n)
	}

	// the household statement (资金到户) shows the payment with its fund, from the asset
	fs := &funds.Service{DB: f.DB}
	st, err := fs.Statement(f.Ctx, f.County(auth.PovertyOffice), hh[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Entries) != 1 || st.TotalFen != 33334 {
		t.Fatalf("statement %+v", st)
	}
	e := st.Entries[0]
	if e.FundID != inc.FundID || e.FundCode != inc.FundCode || e.ItemName != "资产收益分配" || e.Period != "2026" || e.TransferID != *out.Lines[0].TransferID {
		t.Fatalf("statement entry %+v", e)
	}
	if len(e.Path) != 2 || e.Path[0].Kind != "source" || e.Path[1].AccountID != *a.AccountID {
		t.Fatalf("path %+v", e.Path)
	}

	// twice: conflict, nothing more written
	_, err = f.S.Distribute(f.Ctx, f.County(auth.PovertyOffice), inc.ID, in)
	wantCode(t, err, errs.Conflict, "不能重复分配")
	in.Version = out.Version
	_, err = f.S.Distribute(f.Ctx, f.County(auth.PovertyOffice), inc.ID, in)
	wantCode(t, err, errs.Conflict, "不能重复分配")
	if n := f.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'payment'`); n != 3 {
		t.Fatalf("%d payments", n)
	}
	d, err := f.S.Asset(f.Ctx, f.County(auth.Auditor), a.ID)
	if err != nil || d.UndistributedFen != 0 || d.Incomes[0].Status != "distributed" || len(d.Incomes[0].Lines) != 3 || d.Incomes[0].DaysWaiting != 0 {
		t.Fatalf("asset after distribution %+v %v", d, err)
	}
}

// Two distributions of one income at once: exactly one is booked.
func TestDistributeConcurrent(t *testing.T) {
	f := newFixture(t)
	a := newAsset(f, villageA, 3)
	inc := incomeOf(f, a.ID, "999.99")
	p, err := f.S.Proposal(f.Ctx, f.County(auth.PovertyOffice), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := DistributeInput{Version: inc.Version, Lines: linesOf(p)}
	who := []*auth.Principal{f.County(auth.PovertyOffice), f.County(auth.Finance)}
	errsOut := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range who {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errsOut[i] = f.S.Distribute(f.Ctx, who[i], inc.ID, in)
		}(i)
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errsOut {
		switch {
		case err == nil:
			won++
		case errs.CodeOf(err) != errs.Conflict:
			t.Fatalf("loser: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d distributions won: %v", won, errsOut)
	}
	if n := f.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'payment' AND fund_id = ?`, inc.FundID); n != 3 {
		t.Fatalf("%d payments", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM asset_distributions WHERE income_id = ?`, inc.ID); n != 3 {
		t.Fatalf("%d distribution rows", n)
	}
}

// A long distribution goes through the poster's bulk path: every line still gets its own
// transfer id.
func TestDistributeMany(t *testing.T) {
	f := newFixture(t)
	var hh []int64
	for i := 0; i < 70; i++ {
		h := f.Household(villageB, "registered")
		f.exec(`UPDATE households SET account_no = ? WHERE id = ?`, fmt.Sprintf("62284899%011d", i), h)
		hh = append(hh, h)
	}
	proj := insertAcceptedProject(f, villageB, hh)
	a, err := f.S.CreateAsset(f.Ctx, f.County(auth.PovertyOffice), assetInput(proj, villageB))
	if err != nil {
		t.Fatal(err)
	}
	inc := incomeOf(f, a.ID, "7000.69")
	p, err := f.S.Proposal(f.Ctx, f.County(auth.Finance), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.S.Distribute(f.Ctx, f.County(auth.Finance), inc.ID, DistributeInput{Version: inc.Version, Lines: linesOf(p)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Lines) != 70 {
		t.Fatalf("%d lines", len(out.Lines))
	}
	if n := f.count(`SELECT COUNT(DISTINCT d.transfer_id) FROM asset_distributions d JOIN ledger_transfers t ON t.id = d.transfer_id
		AND t.amount_fen = d.amount_fen AND t.ref = 'asset-income-' || CAST(d.income_id AS TEXT) || '-' || CAST(d.household_id AS TEXT)
		WHERE d.income_id = ?`, inc.ID); n != 70 {
		t.Fatalf("%d distributions matched to their transfer", n)
	}
	if sum := f.count(`SELECT SUM(amount_fen) FROM ledger_transfers WHERE fund_id = ? AND kind = 'payment'`, inc.FundID); sum != 700069 {
		t.Fatalf("paid %d", sum)
	}
}
