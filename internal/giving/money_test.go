package giving_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	// the tests read like the package: they are outside it only because the demo they load imports it
	. "sunshine/internal/giving"
)

// A money donation for a need enters the ledger as its own fund, is disbursed to the need's
// household's passbook, fulfils the need and its pledge, and shows on the household statement
// with its path back to the JZ fund.
func TestMoneyDonation(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	hh := f.households(villageA)
	n := f.need(hh[0], "800")
	donor := f.donor("enterprise", "阳光农业有限公司")
	pl, err := f.S.CreatePledge(f.Ctx, office, PledgeInput{DonorID: donor.ID, NeedID: &n.ID, Kind: "money", AmountYuan: "800", DueOn: "2026-08-01"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.S.CreateDonation(f.Ctx, office, DonationInput{DonorID: donor.ID, PledgeID: &pl.ID, Kind: "money", AmountYuan: "1000.01",
		ReceivedOn: "2026-07-10", Purpose: "助学"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.QueryKey) != QueryKeyLen || strings.ContainsAny(d.QueryKey, "01OIL") || d.ReceiptNo != "JZ2026-000001" || d.RegionCode != villageA ||
		d.NeedID == nil || *d.NeedID != n.ID || d.AmountFen != 100001 || d.FundID == nil || d.FundCode != "JZ-JZ2026-000001" || d.AccountID == nil {
		t.Fatalf("donation %+v", d)
	}
	if f.count(`SELECT COUNT(*) FROM giving_donations WHERE key_hash LIKE ?`, "%"+d.QueryKey+"%") != 0 {
		t.Fatal("the query key is stored in clear")
	}
	if f.count(`SELECT COUNT(*) FROM audit_events WHERE after_json LIKE ?`, "%"+d.QueryKey+"%") != 0 {
		t.Fatal("the query key is in the audit trail")
	}
	fs := &funds.Service{DB: f.DB, Audit: f.S.Audit}
	fund, err := fs.Fund(f.Ctx, f.user("finance_320921"), *d.FundID)
	if err != nil || fund.Category != "donation" || fund.SourceLevel != "social" || fund.IssuedFen != 100001 || fund.Items[0].Code != "JZ" {
		t.Fatalf("fund %+v %v", fund, err)
	}
	if got, _ := f.S.Donation(f.Ctx, office, d.ID); got.Donation.QueryKey != "" {
		t.Fatal("the query key is shown again")
	}
	// refusals write nothing
	tr, _ := f.S.Donation(f.Ctx, office, d.ID)
	v := tr.Donation.Version
	before := f.writes()
	other := f.need(hh[1], "100") // another need's household
	before = f.writes()
	for _, c := range []struct {
		name string
		in   DisburseInput
		code errs.Code
		says string
	}{
		{"over the amount", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1000.02"}}}, errs.Invalid, "超过"},
		{"other village", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: f.households(villageB)[0], AmountYuan: "1"}}}, errs.Invalid, "不在受捐区划"},
		{"other need's household", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: *other.HouseholdID, AmountYuan: "1"}}}, errs.Invalid, "定向"},
		{"unregistered", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: f.unregistered(villageA), AmountYuan: "1"}}}, errs.Invalid, ""},
		{"stale", DisburseInput{Version: v + 5, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1"}}}, errs.Conflict, "刷新"},
		{"zero", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "0"}}}, errs.Invalid, "大于 0"},
		{"negative", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "-5"}}}, errs.Invalid, ""},
		{"fraction of a fen", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1.001"}}}, errs.Invalid, ""},
		{"duplicate", DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1"}, {HouseholdID: hh[0], AmountYuan: "1"}}}, errs.Invalid, "重复"},
		{"no lines", DisburseInput{Version: v}, errs.Invalid, ""},
		{"future", DisburseInput{Version: v, OnDate: "2026-07-16", Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1"}}}, errs.Invalid, ""},
		{"before receipt", DisburseInput{Version: v, OnDate: "2026-07-09", Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1"}}}, errs.Invalid, ""},
	} {
		_, err := f.S.Disburse(f.Ctx, office, d.ID, c.in)
		if errs.CodeOf(err) != c.code || !strings.Contains(fmt.Sprint(err), c.says) {
			t.Errorf("%s: %v, want %s %q", c.name, err, c.code, c.says)
		}
		if got := f.writes(); got != before {
			t.Fatalf("%s wrote: %s → %s", c.name, before, got)
		}
	}
	if _, err := f.S.Disburse(f.Ctx, f.user("poverty_office_320922"), d.ID, DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1"}}}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("the other county disburses: %v", err)
	}
	if _, err := f.S.Disburse(f.Ctx, f.user("finance_320921"), d.ID, DisburseInput{Version: v, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "1"}}}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("finance disburses: %v", err)
	}
	if got := f.writes(); got != before {
		t.Fatalf("refusals wrote: %s → %s", before, got)
	}
	// part, then the rest reaching the target: the need and its pledge are fulfilled
	tr, err = f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: v, OnDate: "2026-07-12", Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "300"}}})
	if err != nil || tr.Donation.DisbursedFen != 30000 || len(tr.Reached) != 1 || tr.Reached[0].TransferID == 0 || tr.Reached[0].HouseholdID != hh[0] {
		t.Fatalf("disburse %+v %v", tr, err)
	}
	if got, _ := f.S.Need(f.Ctx, office, n.ID); got.Status != "pledged" || got.DonatedFen != 30000 {
		t.Fatalf("need after part %+v", got)
	}
	tr, err = f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: tr.Donation.Version, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "500"}}})
	if err != nil || tr.Donation.DisbursedFen != 80000 || tr.Donation.Households != 1 {
		t.Fatalf("disburse rest %+v %v", tr, err)
	}
	got, _ := f.S.Need(f.Ctx, office, n.ID)
	if got.Status != "fulfilled" || got.FulfilledOn == nil || *got.FulfilledOn != "2026-07-15" {
		t.Fatalf("need %+v", got)
	}
	if p, _ := f.S.Pledges(f.Ctx, office, PledgeFilter{Need: n.ID}); len(p) != 1 || p[0].Status != "fulfilled" || p[0].DonationID == nil {
		t.Fatalf("pledges %+v", p)
	}
	// what is left can still not be overspent
	if _, err := f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: tr.Donation.Version, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "200.02"}}}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("overspending the rest: %v", err)
	}
	// the household statement shows both payments with their way back to the JZ fund
	st, err := fs.Statement(f.Ctx, f.user("poverty_office_320921"), hh[0])
	if err != nil {
		t.Fatal(err)
	}
	var jz int
	for _, e := range st.Entries {
		if e.FundCode != d.FundCode {
			continue
		}
		jz++
		if e.ItemName != "社会捐赠" || len(e.Path) == 0 || e.Path[0].Kind != "source" || e.Path[len(e.Path)-1].AccountID != *d.AccountID {
			t.Errorf("statement entry %+v", e)
		}
	}
	if jz != 2 {
		t.Fatalf("statement has %d JZ payments: %+v", jz, st.Entries)
	}
	sum, err := f.S.Summary(f.Ctx, office, "")
	if err != nil || sum.Donations != 1 || sum.DisbursedFen != 80000 || sum.Households != 1 || sum.NeedsFulfilled != 1 || sum.Donors != 1 {
		t.Fatalf("summary %+v %v", sum, err)
	}
	if _, err := f.S.Summary(f.Ctx, f.user("poverty_office_320922"), county); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("summary of another county: %v", err)
	}
}

// A general donation to the town is disbursed across villages; donations refuse bad input
// with nothing written.
func TestGeneralDonation(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	donor := f.donor("organisation", "县慈善总会")
	before := f.writes()
	for _, c := range []struct {
		in    DonationInput
		field string
	}{
		{DonationInput{DonorID: donor.ID, Kind: "cash", RegionCode: town, AmountYuan: "1"}, "kind"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town}, "amount_yuan"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town, AmountYuan: "0"}, "amount_yuan"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town, AmountYuan: "abc"}, "amount_yuan"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town, AmountYuan: "10000000000.01"}, "amount_yuan"},
		{DonationInput{DonorID: donor.ID, Kind: "money", AmountYuan: "1"}, "region_code"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: "320921999999", AmountYuan: "1"}, "region_code"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town, AmountYuan: "1", ReceivedOn: "2026-07-16"}, "received_on"},
		{DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town, AmountYuan: "1", Purpose: strings.Repeat("用", MaxPurpose+1)}, "purpose"},
		{DonationInput{DonorID: donor.ID, Kind: "goods", RegionCode: town, Goods: "大米", Quantity: 0}, "quantity"},
		{DonationInput{DonorID: donor.ID, Kind: "goods", RegionCode: town, Quantity: 3}, "goods"},
		{DonationInput{Kind: "money", RegionCode: town, AmountYuan: "1"}, "donor_id"},
	} {
		_, err := f.S.CreateDonation(f.Ctx, office, c.in)
		fieldErr(t, err, c.field)
	}
	if _, err := f.S.CreateDonation(f.Ctx, office, DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: "320900000000", AmountYuan: "1"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a county office gives to the city: %v", err)
	}
	if _, err := f.S.CreateDonation(f.Ctx, f.user("poverty_office_320922"), DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: town, AmountYuan: "1"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("the other county records a donation of this county's donor: %v", err)
	}
	if _, err := f.S.CreateDonation(f.Ctx, f.user("poverty_office_320922"), DonationInput{DonorID: donor.ID, Kind: "money", RegionCode: "320922100000", AmountYuan: "1"}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("the other county gives this county's donor's money: %v", err)
	}
	if got := f.writes(); got != before {
		t.Fatalf("refused donations wrote: %s → %s", before, got)
	}
	d := f.money(donor.ID, town, "1000", nil)
	a, b := f.households(villageA), f.households(villageB)
	lines := []DisburseLine{{HouseholdID: a[0], AmountYuan: "100"}, {HouseholdID: a[1], AmountYuan: "100.5"}, {HouseholdID: b[0], AmountYuan: "99.5"}}
	tr, err := f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: d.Version, Lines: lines})
	if err != nil || tr.Donation.DisbursedFen != 30000 || tr.Donation.Households != 3 || len(tr.Reached) != 3 {
		t.Fatalf("general %+v %v", tr, err)
	}
	var kind string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT kind FROM ledger_accounts WHERE id = ?`, *d.AccountID).Scan(&kind); err != nil || kind != "finance" {
		t.Fatalf("a town's donation went to a %s account (%v)", kind, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM ledger_transfers WHERE fund_id = ? AND kind = 'payment' AND period = '2026-07'`, *d.FundID); n != 3 {
		t.Fatalf("%d payments", n)
	}
}

// Two disbursements of the same donation at the same moment: one wins, the other is refused;
// nothing is overspent.
func TestDisburseRace(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	donor := f.donor("person", "赵六")
	d := f.money(donor.ID, villageA, "100", nil)
	hh := f.households(villageA)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errsOut := make([]error, 2)
	for i := range errsOut {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errsOut[i] = f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: d.Version,
				Lines: []DisburseLine{{HouseholdID: hh[i], AmountYuan: "60"}}})
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
		t.Fatalf("%d disbursements won: %v", won, errsOut)
	}
	if sum := f.count(`SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE fund_id = ? AND kind = 'payment'`, *d.FundID); sum != 6000 {
		t.Fatalf("paid %d", sum)
	}
	if n := f.count(`SELECT COUNT(*) FROM giving_disbursements WHERE donation_id = ?`, d.ID); n != 1 {
		t.Fatalf("%d disbursement rows", n)
	}
	if bal := f.count(`SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, *d.AccountID, *d.FundID); bal != 4000 {
		t.Fatalf("balance %d", bal)
	}
}

var _ = auth.SocialRead
