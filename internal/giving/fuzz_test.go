package giving_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"sunshine/internal/disclosure"
	"sunshine/internal/errs"
	// the tests read like the package: they are outside it only because the demo they load imports it
	. "sunshine/internal/giving"
	"sunshine/internal/httpx"
)

// decodeOr decodes a body the way the routes do; a refused body is fine, a panic is not.
func decodeOr[T any](body []byte) (T, bool) {
	var v T
	return v, httpx.DecodeReader(bytes.NewReader(body), &v) == nil
}

// userErr fails unless err is nil or an error a user may see (never internal).
func userErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && errs.CodeOf(err) == errs.Internal {
		t.Fatalf("%s: internal error %v", what, err)
	}
}

func FuzzNeedInput(f *testing.F) {
	fx := newFixture(f)
	office := fx.office()
	f.Add([]byte(`{"region_code":"320921100201","title":"助学","kind":"money","target_yuan":"100","deadline":"2026-09-01"}`))
	f.Add([]byte(`{"region_code":"320921100201","title":"=1+1","kind":"goods","goods":"书包","deadline":"2026-09-01","household_id":1}`))
	f.Add([]byte(`{"region_code":"320921100000","title":"t","kind":"service","goods":"x","target_yuan":"-1","deadline":"9999-99-99"}`))
	f.Add([]byte(`{"region_code":"320921100201","title":"\u0000","kind":"money","target_yuan":"1e9","deadline":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := fx.on(t)
		in, ok := decodeOr[NeedInput](body)
		if !ok {
			return
		}
		n, err := fx.S.CreateNeed(fx.Ctx, office, in)
		userErr(t, "need", err)
		if err == nil && (utf8.RuneCountInString(n.Title) > MaxTitle || n.Title == "" || n.RegionCode != strings.TrimSpace(in.RegionCode) || n.TargetFen < 0) {
			t.Fatalf("accepted %+v from %s", n, body)
		}
	})
}

func FuzzDonationInput(f *testing.F) {
	fx := newFixture(f)
	office := fx.office()
	donor := fx.donor("person", "模糊测试")
	f.Add([]byte(`{"donor_id":1,"kind":"money","region_code":"320921100201","amount_yuan":"100.01"}`))
	f.Add([]byte(`{"donor_id":1,"kind":"goods","region_code":"320921000000","goods":"米","quantity":5,"value_yuan":"0"}`))
	f.Add([]byte(`{"donor_id":1,"kind":"money","region_code":"320921100201","amount_yuan":"0.001","received_on":"2026-02-30"}`))
	f.Add([]byte(`{"donor_id":1,"kind":"money","need_id":99,"pledge_id":-1,"amount_yuan":"1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := fx.on(t)
		in, ok := decodeOr[DonationInput](body)
		if !ok {
			return
		}
		in.DonorID = donor.ID
		d, err := fx.S.CreateDonation(fx.Ctx, office, in)
		userErr(t, "donation", err)
		if err != nil {
			return
		}
		if len(d.QueryKey) != QueryKeyLen || d.Kind == "money" && (d.FundID == nil || d.AmountFen <= 0) || d.Kind == "goods" && (d.FundID != nil || d.Quantity <= 0) {
			t.Fatalf("accepted %+v from %s", d, body)
		}
		if d.Kind == "money" && fx.count(`SELECT SUM(balance_fen) FROM ledger_balances WHERE fund_id = ?`, *d.FundID) != 0 {
			t.Fatal("the donation fund does not balance")
		}
	})
}

func FuzzDisburseInput(f *testing.F) {
	fx := newFixture(f)
	office := fx.office()
	donor := fx.donor("person", "模糊测试")
	d := fx.money(donor.ID, villageA, "100", nil)
	f.Add([]byte(`{"version":1,"lines":[{"household_id":1,"amount_yuan":"10"}]}`))
	f.Add([]byte(`{"version":1,"on_date":"2026-07-02","lines":[{"household_id":2,"amount_yuan":"99.99"},{"household_id":3,"amount_yuan":"0.01"}]}`))
	f.Add([]byte(`{"version":1,"lines":[{"household_id":2,"amount_yuan":"100.01"}]}`))
	f.Add([]byte(`{"version":-1,"lines":[]}`))
	hh := fx.households(villageA)
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := fx.on(t)
		in, ok := decodeOr[DisburseInput](body)
		if !ok {
			return
		}
		cur, err := fx.S.Donation(fx.Ctx, office, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if in.Version == 1 {
			in.Version = cur.Donation.Version
		}
		for i := range in.Lines {
			if k := in.Lines[i].HouseholdID; k > 0 && k <= int64(len(hh)) {
				in.Lines[i].HouseholdID = hh[k-1]
			}
		}
		_, err = fx.S.Disburse(fx.Ctx, office, d.ID, in)
		userErr(t, "disburse", err)
		if paid := fx.count(`SELECT COALESCE(SUM(amount_fen), 0) FROM giving_disbursements WHERE donation_id = ?`, d.ID); paid > d.AmountFen ||
			paid != fx.count(`SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE fund_id = ? AND kind = 'payment'`, *d.FundID) {
			t.Fatalf("paid %d of %d", paid, d.AmountFen)
		}
	})
}

func FuzzPublicPledgeInput(f *testing.F) {
	fx := newFixture(f)
	hh := fx.households(villageA)
	n := fx.need(hh[0], "100")
	// no limit here (it is tested elsewhere): every input reaches the captcha
	fx.S.PledgeLimiter = disclosure.NewLimiter(nil)
	fx.S.PledgeLimiter.PerHour, fx.S.PledgeLimiter.PerDay = 1<<30, 1<<30
	f.Add([]byte(`{"name":"张三","phone":"13800001111","need_id":1,"kind":"money","amount_yuan":"10","captcha_token":"1.AAAA.BBBB","captcha_answer":"3"}`))
	f.Add([]byte(`{"anonymous":true,"phone":"13800001111","need_id":1,"kind":"money","amount_yuan":"10","captcha_token":"x","captcha_answer":12}`))
	f.Add([]byte(`{"name":"<script>","phone":"1","need_id":-5,"kind":"goods","goods":"=cmd","captcha_token":"","captcha_answer":""}`))
	before := fx.writes()
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := fx.on(t)
		in, ok := decodeOr[PublicPledgeInput](body)
		if !ok {
			return
		}
		if in.NeedID == 1 {
			in.NeedID = n.ID
		}
		_, err := fx.S.PublicPledge(fx.Ctx, string(body), in)
		if err == nil {
			t.Fatalf("a pledge without a solved captcha: %s", body)
		}
		userErr(t, "public pledge", err)
		if got := fx.writes(); got != before {
			t.Fatalf("a refused pledge wrote: %s", got)
		}
	})
}

// The multipart delivery form: its fields are read by ParseDeliveryForm; whatever they hold,
// nothing is delivered past the quantity.
func FuzzDeliveryForm(f *testing.F) {
	fx := newFixture(f)
	office := fx.office()
	donor := fx.donor("person", "模糊测试")
	d, err := fx.S.CreateDonation(fx.Ctx, office, DonationInput{DonorID: donor.ID, Kind: "goods", RegionCode: villageA, Goods: "米", Quantity: 3})
	if err != nil {
		f.Fatal(err)
	}
	hh := fx.households(villageA)
	f.Add("1", "1", "2026-07-15", "户主")
	f.Add("2", "5", "", "")
	f.Add("-1", "0", "2026-13-01", strings.Repeat("名", 40))
	f.Add("1x", "9223372036854775807", "2026-07-01", "=1+1")
	f.Fuzz(func(t *testing.T, household, quantity, on, signer string) {
		fx := fx.on(t)
		vals := map[string]string{"household_id": household, "quantity": quantity, "delivered_on": on, "signed_by": signer}
		in, err := ParseDeliveryForm(func(k string) string { return vals[k] })
		userErr(t, "form", err)
		if err != nil {
			return
		}
		if in.HouseholdID > 0 && in.HouseholdID <= int64(len(hh)) {
			in.HouseholdID = hh[in.HouseholdID-1]
		}
		_, err = fx.S.CreateDelivery(fx.Ctx, office, d.ID, in, nil, nil)
		userErr(t, "delivery", err)
		if got := fx.count(`SELECT COALESCE(SUM(quantity), 0) FROM giving_deliveries WHERE donation_id = ?`, d.ID); got > d.Quantity {
			t.Fatalf("delivered %d of %d", got, d.Quantity)
		}
	})
}
