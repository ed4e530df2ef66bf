package giving_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"sunshine/internal/errs"
	// the tests read like the package: they are outside it only because the demo they load imports it
	. "sunshine/internal/giving"
	"sunshine/internal/registry"
	"sunshine/internal/selfquery"
)

// Goods for a goods need: deliveries with a signed receipt hand the quantity to the household;
// more than the quantity is refused; the need is fulfilled when all is delivered.
func TestGoodsDeliveries(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	hh := f.households(villageA)
	n, err := f.S.CreateNeed(f.Ctx, office, NeedInput{RegionCode: villageA, HouseholdID: &hh[2], Title: "冬衣", Kind: "goods", Goods: "棉衣 2 件",
		TargetYuan: "300", Deadline: "2026-12-01"})
	if err != nil {
		t.Fatal(err)
	}
	donor := f.donor("person", "孙七")
	d, err := f.S.CreateDonation(f.Ctx, office, DonationInput{DonorID: donor.ID, NeedID: &n.ID, Kind: "goods", Goods: "棉衣", Quantity: 2, ValueYuan: "300"})
	if err != nil || d.FundID != nil || d.ValueFen != 30000 || d.ReceivedOn != "2026-07-15" {
		t.Fatalf("goods donation %+v %v", d, err)
	}
	if _, err := f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: d.Version, Lines: []DisburseLine{{HouseholdID: hh[2], AmountYuan: "1"}}}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("disbursing goods as money: %v", err)
	}
	a, data, err := registry.ReadFile("签收单.txt", strings.NewReader("签收 棉衣 1 件"), registry.MaxAttachment)
	if err != nil {
		t.Fatal(err)
	}
	before := f.writes()
	for _, c := range []struct {
		in    DeliveryInput
		field string
	}{
		{DeliveryInput{HouseholdID: hh[2], Quantity: 3, SignedBy: "户主"}, "quantity"},
		{DeliveryInput{HouseholdID: hh[2], Quantity: 0, SignedBy: "户主"}, "quantity"},
		{DeliveryInput{HouseholdID: hh[3], Quantity: 1, SignedBy: "户主"}, "household_id"},
		{DeliveryInput{HouseholdID: hh[2], Quantity: 1}, "signed_by"},
		{DeliveryInput{HouseholdID: hh[2], Quantity: 1, SignedBy: "户主", DeliveredOn: "2026-07-16"}, "delivered_on"},
	} {
		_, err := f.S.CreateDelivery(f.Ctx, office, d.ID, c.in, &a, data)
		fieldErr(t, err, c.field)
	}
	if got := f.writes(); got != before {
		t.Fatalf("refused deliveries wrote: %s → %s", before, got)
	}
	dl, err := f.S.CreateDelivery(f.Ctx, office, d.ID, DeliveryInput{HouseholdID: hh[2], Quantity: 1, SignedBy: "王小二"}, &a, data)
	if err != nil || dl.ReceiptSHA256 != a.SHA256 || dl.HeadName == "" {
		t.Fatalf("delivery %+v %v", dl, err)
	}
	got, _ := f.S.Need(f.Ctx, office, n.ID)
	if got.Status != "pledged" || got.DonatedFen != 15000 {
		t.Fatalf("need after half %+v", got)
	}
	ra, rdata, err := f.S.DeliveryReceipt(f.Ctx, f.user("auditor_320921"), d.ID, dl.ID)
	if err != nil || string(rdata) != "签收 棉衣 1 件" || ra.SHA256 != a.SHA256 {
		t.Fatalf("receipt %+v %q %v", ra, rdata, err)
	}
	if _, _, err := f.S.DeliveryReceipt(f.Ctx, f.user("auditor_320922"), d.ID, dl.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("the other county reads the receipt: %v", err)
	}
	if _, err := f.S.CreateDelivery(f.Ctx, office, d.ID, DeliveryInput{HouseholdID: hh[2], Quantity: 2, SignedBy: "王小二"}, nil, nil); err == nil {
		t.Fatal("delivered past the quantity")
	}
	if _, err := f.S.CreateDelivery(f.Ctx, office, d.ID, DeliveryInput{HouseholdID: hh[2], Quantity: 1, SignedBy: "王小二"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = f.S.Need(f.Ctx, office, n.ID)
	if got.Status != "fulfilled" || got.DonatedFen != 30000 {
		t.Fatalf("need after all %+v", got)
	}
	tr, err := f.S.Donation(f.Ctx, office, d.ID)
	if err != nil || tr.Donation.DeliveredQty != 2 || len(tr.Deliveries) != 2 || tr.Donation.Households != 1 {
		t.Fatalf("trace %+v %v", tr, err)
	}
}

var (
	idNumber = regexp.MustCompile(`\d{17}[\dX]`)
	phone    = regexp.MustCompile(`(^|\D)1\d{10}(\D|$)`)
	account  = regexp.MustCompile(`\d{15,}`) // bank accounts; region codes have 12 digits
)

// The public sees needs and donations masked, traces its own donation with the receipt's key
// (a wrong key or receipt answers exactly alike), is limited per client, and pledges only
// behind a captcha.
func TestPublic(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	hh := f.households(villageA)
	n := f.need(hh[0], "500")
	person, err := f.S.CreateDonor(f.Ctx, office, DonorInput{Kind: "person", Name: "钱多多", Phone: "13700001111", RegionCode: county})
	if err != nil {
		t.Fatal(err)
	}
	d := f.money(person.ID, villageA, "500", &n.ID)
	if _, err := f.S.Disburse(f.Ctx, office, d.ID, DisburseInput{Version: d.Version, Lines: []DisburseLine{{HouseholdID: hh[0], AmountYuan: "500"}}}); err != nil {
		t.Fatal(err)
	}
	// a formula in a title is neutralised in the CSV
	if _, err := f.S.CreateNeed(f.Ctx, office, NeedInput{RegionCode: villageB, Title: "=HYPERLINK(\"x\")", Kind: "goods", Goods: "@书", Deadline: "2026-09-01"}); err != nil {
		t.Fatal(err)
	}
	clean := func(what string, b []byte) {
		t.Helper()
		for _, re := range []*regexp.Regexp{idNumber, phone, account} {
			if m := re.Find(b); m != nil {
				t.Errorf("%s shows %s: %.300s", what, m, b)
			}
		}
		if bytes.Contains(b, []byte(`"household_id"`)) || bytes.Contains(b, []byte("钱多多")) || bytes.Contains(b, []byte("query_key")) {
			t.Errorf("%s shows a household id, the donor's name or a key: %.400s", what, b)
		}
	}
	b, err := f.S.PublicNeedsJSON(f.Ctx, county, "")
	if err != nil {
		t.Fatal(err)
	}
	clean("public needs", b)
	var needs struct{ Items []Need }
	if err := json.Unmarshal(b, &needs); err != nil || len(needs.Items) != 2 || needs.Items[0].Status != "open" || needs.Items[1].Status != "fulfilled" ||
		!strings.Contains(needs.Items[1].HeadName, "*") {
		t.Fatalf("public needs %s %v", b, err)
	}
	if _, err := f.S.PublicNeedsJSON(f.Ctx, "320921999999", ""); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown region: %v", err)
	}
	b, err = f.S.PublicDonationsJSON(f.Ctx, villageA)
	if err != nil {
		t.Fatal(err)
	}
	clean("public donations", b)
	var pd PublicDonations
	if err := json.Unmarshal(b, &pd); err != nil || len(pd.Items) != 1 || pd.Items[0].DonorName != "钱*多" || pd.Items[0].AccountID != nil ||
		pd.Summary.DisbursedFen != 50000 || pd.Summary.Households != 1 {
		t.Fatalf("public donations %s %v", b, err)
	}
	// the donor's trace
	tr, err := f.S.PublicTrace(f.Ctx, "client-1", strings.ToLower(d.ReceiptNo), strings.ToLower(d.QueryKey))
	if err != nil || len(tr.Reached) != 1 || tr.Reached[0].AmountFen != 50000 || tr.Reached[0].TransferID != 0 {
		t.Fatalf("trace %+v %v", tr, err)
	}
	b, _ = json.Marshal(tr)
	clean("trace", b)
	wrongKey := strings.Repeat("A", QueryKeyLen)
	if wrongKey == d.QueryKey {
		wrongKey = strings.Repeat("B", QueryKeyLen)
	}
	_, e1 := f.S.PublicTrace(f.Ctx, "client-1", d.ReceiptNo, wrongKey)
	_, e2 := f.S.PublicTrace(f.Ctx, "client-1", "JZ2026-999999", d.QueryKey)
	_, e3 := f.S.PublicTrace(f.Ctx, "client-1", d.ReceiptNo, "short")
	if errs.CodeOf(e1) != errs.NotFound || e1.Error() != e2.Error() || e2.Error() != e3.Error() {
		t.Fatalf("wrong key %v, wrong receipt %v, short key %v", e1, e2, e3)
	}
	for i := 4; i < TracePerHour; i++ {
		_, _ = f.S.PublicTrace(f.Ctx, "client-1", d.ReceiptNo, wrongKey)
	}
	if _, err := f.S.PublicTrace(f.Ctx, "client-1", d.ReceiptNo, d.QueryKey); errs.CodeOf(err) != errs.Throttled {
		t.Fatalf("trace past the limit: %v", err)
	}
	if _, err := f.S.PublicTrace(f.Ctx, "client-2", d.ReceiptNo, d.QueryKey); err != nil {
		t.Fatalf("another client: %v", err)
	}
	// the open data
	var csv bytes.Buffer
	if err := f.S.NeedsCSV(f.Ctx, &csv, county); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(csv.Bytes(), []byte("\xef\xbb\xbf心愿编号,")) || !strings.Contains(csv.String(), `"'=HYPERLINK(""x"")"`) ||
		!strings.Contains(csv.String(), ",'@书,") {
		t.Fatalf("needs.csv %s", csv.String())
	}
	clean("needs.csv", csv.Bytes())
	csv.Reset()
	if err := f.S.DonationsCSV(f.Ctx, &csv, county); err != nil || !strings.Contains(csv.String(), "收据号") || !strings.Contains(csv.String(), d.ReceiptNo) {
		t.Fatalf("donations.csv %s %v", csv.String(), err)
	}
	clean("donations.csv", csv.Bytes())

	// a public pledge: captcha required, limited per client
	open, err := f.S.CreateNeed(f.Ctx, office, NeedInput{RegionCode: villageA, HouseholdID: &hh[1], Title: "学习用品", Kind: "goods", Goods: "文具一套",
		Deadline: "2026-09-01"})
	if err != nil {
		t.Fatal(err)
	}
	sq := &selfquery.Service{DB: f.DB}
	captcha := func() (string, string) {
		c, ans, err := sq.NewCaptchaWithAnswer(f.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c.Token, ans
	}
	before := f.writes()
	tok, ans := captcha()
	in := PublicPledgeInput{Name: "周八", Phone: "13600002222", NeedID: open.ID, Kind: "goods", Goods: "文具一套", CaptchaToken: tok, CaptchaAnswer: selfquery.Answer(ans + "1")}
	if _, err := f.S.PublicPledge(f.Ctx, "pc-1", in); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("wrong captcha: %v", err)
	}
	in.CaptchaAnswer = selfquery.Answer(ans)
	if _, err := f.S.PublicPledge(f.Ctx, "pc-1", in); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("a spent captcha: %v", err)
	}
	in.CaptchaToken, in.CaptchaAnswer = "", ""
	fieldErr(t, func() error { _, err := f.S.PublicPledge(f.Ctx, "pc-1", in); return err }(), "captcha_token")
	if got := f.writes(); got != before {
		t.Fatalf("refused pledges wrote: %s → %s", before, got)
	}
	tok, ans = captcha()
	in.CaptchaToken, in.CaptchaAnswer = tok, selfquery.Answer(ans)
	rc, err := f.S.PublicPledge(f.Ctx, "pc-1", in)
	if err != nil || rc.PledgeID == 0 || rc.NeedTitle != "学习用品" {
		t.Fatalf("public pledge %+v %v", rc, err)
	}
	pl, err := f.S.Pledges(f.Ctx, office, PledgeFilter{Need: open.ID})
	if err != nil || len(pl) != 1 || pl[0].Channel != "portal" || pl[0].DonorName != "周八" {
		t.Fatalf("portal pledge %+v %v", pl, err)
	}
	if got, _ := f.S.Need(f.Ctx, office, open.ID); got.Status != "pledged" {
		t.Fatalf("need after a public pledge: %s", got.Status)
	}
	for i := 3; i < PledgePerHour; i++ { // two refused attempts and one pledge counted so far
		tok, ans = captcha()
		in.CaptchaToken, in.CaptchaAnswer = tok, selfquery.Answer(ans)
		if _, err := f.S.PublicPledge(f.Ctx, "pc-1", in); err != nil {
			t.Fatalf("pledge %d: %v", i, err)
		}
	}
	tok, ans = captcha()
	in.CaptchaToken, in.CaptchaAnswer = tok, selfquery.Answer(ans)
	if _, err := f.S.PublicPledge(f.Ctx, "pc-1", in); errs.CodeOf(err) != errs.Throttled {
		t.Fatalf("pledge past the limit: %v", err)
	}
	in.NeedID, in.Kind = n.ID, "money" // fulfilled
	in.AmountYuan, in.Goods = "10", ""
	if _, err := f.S.PublicPledge(f.Ctx, "pc-2", in); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("pledging a fulfilled need: %v", err)
	}
}
