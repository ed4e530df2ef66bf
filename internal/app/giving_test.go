package app

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"sunshine/internal/funds"
	"sunshine/internal/giving"
)

var (
	givingIDNumber = regexp.MustCompile(`\d{17}[\dX]`)
	givingPhone    = regexp.MustCompile(`(^|\D)1\d{10}(\D|$)`)
	givingAccount  = regexp.MustCompile(`\d{15,}`) // bank accounts; region codes have 12 digits
)

// The donation platform over HTTP: the county office records a donation for a need and pays
// it to the household (the statement shows it with its path back to the JZ fund), the public
// sees masked lists and open data, the donor traces the donation with the receipt's key (a
// wrong receipt or key answers byte for byte the same), and pledges behind the captcha.
func TestGivingHTTP(t *testing.T) {
	h := newHarness(t)
	o := h.givingFixture("320921")
	office := h.login("poverty_office_320921")
	check := func(c *client, method, path string, body any, want int) []byte {
		t.Helper()
		st, b := c.do(method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, strings.Split(path, "?")[0], st, b)
		return b
	}
	for _, path := range []string{"/api/v1/social/summary", "/api/v1/donors?kind=enterprise&q=范围", fmt.Sprintf("/api/v1/donors/%d", o.donor),
		"/api/v1/needs?status=pledged&limit=1", fmt.Sprintf("/api/v1/needs/%d", o.need), fmt.Sprintf("/api/v1/pledges?need=%d", o.need),
		"/api/v1/donations?kind=money", fmt.Sprintf("/api/v1/donations/%d", o.goods)} {
		check(office, "GET", path, nil, 200)
	}
	// a money donation for the need, with its key once
	d := decode[giving.Donation](t, check(office, "POST", "/api/v1/donations", map[string]any{"donor_id": o.donor, "need_id": o.need,
		"pledge_id": o.pledge, "kind": "money", "amount_yuan": "100"}, 201))
	if len(d.QueryKey) != giving.QueryKeyLen || d.FundCode != "JZ-"+d.ReceiptNo {
		t.Fatalf("donation %+v", d)
	}
	tr := decode[giving.DonationTrace](t, check(office, "POST", fmt.Sprintf("/api/v1/donations/%d/disburse", d.ID), map[string]any{"version": d.Version,
		"lines": []any{map[string]any{"household_id": o.household, "amount_yuan": "100"}}}, 200))
	if tr.Donation.DisbursedFen != 10000 || tr.Donation.QueryKey != "" || len(tr.Reached) != 1 || tr.Reached[0].TransferID == 0 {
		t.Fatalf("disbursed %+v", tr)
	}
	if n := decode[giving.Need](t, check(office, "GET", fmt.Sprintf("/api/v1/needs/%d", o.need), nil, 200)); n.Status != "fulfilled" {
		t.Fatalf("need %+v", n)
	}
	check(office, "POST", fmt.Sprintf("/api/v1/donations/%d/disburse", d.ID), map[string]any{"version": d.Version,
		"lines": []any{map[string]any{"household_id": o.household, "amount_yuan": "1"}}}, 409)
	st := decode[funds.Statement](t, check(office, "GET", fmt.Sprintf("/api/v1/households/%d/statement", o.household), nil, 200))
	found := false
	for _, e := range st.Entries {
		if e.FundCode == d.FundCode && e.AmountFen == 10000 && len(e.Path) > 0 && e.Path[0].Kind == "source" {
			found = true
		}
	}
	if !found {
		t.Fatalf("statement without the JZ payment: %+v", st.Entries)
	}
	if st, b := office.do("GET", fmt.Sprintf("/api/v1/donations/%d/deliveries/%d/receipt", o.goods, o.delivery), nil); st != 200 || string(b) != "签收大米 2 袋" {
		t.Fatalf("receipt: %d %s", st, b)
	}

	// the public
	anon := h.anon()
	masked := func(what string, b []byte) {
		t.Helper()
		for _, re := range []*regexp.Regexp{givingIDNumber, givingPhone, givingAccount} {
			if m := re.Find(b); m != nil {
				t.Errorf("%s shows %s: %.300s", what, m, b)
			}
		}
		if bytes.Contains(b, []byte(`"household_id"`)) || bytes.Contains(b, []byte(`"query_key"`)) || bytes.Contains(b, []byte(`"transfer_id"`)) {
			t.Errorf("%s shows an id or a key: %.300s", what, b)
		}
	}
	for _, path := range []string{"/api/v1/public/needs?region=320921000000", "/api/v1/public/needs?status=fulfilled", "/api/v1/public/donations?region=" + o.village} {
		masked(path, check(anon, "GET", path, nil, 200))
	}
	check(anon, "GET", "/api/v1/public/needs?region=320921999999", nil, 404)
	b := check(anon, "GET", fmt.Sprintf("/api/v1/public/donations/%s?key=%s", d.ReceiptNo, d.QueryKey), nil, 200)
	masked("trace", b)
	if pt := decode[giving.DonationTrace](t, b); len(pt.Reached) != 1 || pt.Reached[0].AmountFen != 10000 || !strings.Contains(pt.Reached[0].HeadName, "*") {
		t.Fatalf("public trace %s", b)
	}
	wrong := strings.Repeat("A", giving.QueryKeyLen)
	if wrong == d.QueryKey {
		wrong = strings.Repeat("B", giving.QueryKeyLen)
	}
	s1, b1 := anon.do("GET", fmt.Sprintf("/api/v1/public/donations/%s?key=%s", d.ReceiptNo, wrong), nil)
	s2, b2 := anon.do("GET", fmt.Sprintf("/api/v1/public/donations/%s?key=%s", "JZ2026-999999", d.QueryKey), nil)
	if s1 != 404 || s2 != 404 || !bytes.Equal(b1, b2) {
		t.Fatalf("wrong key %d %s / wrong receipt %d %s", s1, b1, s2, b2)
	}
	h.conforms("GET", "/api/v1/public/donations/"+d.ReceiptNo, s1, b1)
	for _, c := range []struct{ path, head string }{{"/api/v1/public/open/needs.csv?region=320921000000", "\xef\xbb\xbf心愿编号,"},
		{"/api/v1/public/open/donations.csv", "\xef\xbb\xbf收据号,"}} {
		st, b := anon.do("GET", c.path, nil)
		if st != 200 || !bytes.HasPrefix(b, []byte(c.head)) {
			t.Fatalf("%s: %d %.100s", c.path, st, b)
		}
		masked(c.path, b)
	}
	// a public pledge behind the captcha
	open := decode[giving.Need](t, check(office, "POST", "/api/v1/needs", map[string]any{"region_code": o.village, "title": "公众认捐测试",
		"kind": "goods", "goods": "文具", "deadline": h.app.DB.Clock().AddDate(0, 1, 0).Format("2006-01-02")}, 201))
	c, ans, err := h.app.SelfQuery.NewCaptchaWithAnswer(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"name": "热心人", "phone": "13600002222", "need_id": open.ID, "kind": "goods", "goods": "文具", "captcha_token": c.Token, "captcha_answer": ans + "9"}
	check(anon, "POST", "/api/v1/public/pledges", in, 400)
	c, ans, _ = h.app.SelfQuery.NewCaptchaWithAnswer(t.Context())
	in["captcha_token"], in["captcha_answer"] = c.Token, ans
	rc := decode[giving.PublicPledgeReceipt](t, check(anon, "POST", "/api/v1/public/pledges", in, 201))
	if rc.PledgeID == 0 || rc.NeedTitle != "公众认捐测试" {
		t.Fatalf("receipt %+v", rc)
	}
	// the trace is limited per client
	for i := 3; i < giving.TracePerHour; i++ {
		anon.do("GET", fmt.Sprintf("/api/v1/public/donations/%s?key=%s", d.ReceiptNo, wrong), nil)
	}
	check(anon, "GET", fmt.Sprintf("/api/v1/public/donations/%s?key=%s", d.ReceiptNo, d.QueryKey), nil, 429)
	// roles: finance reads, may not write; a helper may not read
	check(h.login("finance_320921"), "GET", "/api/v1/donations", nil, 200)
	check(h.login("finance_320921"), "POST", "/api/v1/donors", map[string]any{"kind": "person", "name": "x", "region_code": o.village}, 403)
	check(h.login("helper_320921"), "GET", "/api/v1/needs", nil, 403)
	check(h.login("poverty_office_320922"), "GET", fmt.Sprintf("/api/v1/donations/%d", d.ID), nil, 404)
}
