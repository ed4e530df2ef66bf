package selfquery

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/httpx"
)

// person is a seeded active member: ID number, name, household.
type person struct {
	id, name string
	hh       int64
}

func (f *fixture) person(village string, n int) person {
	f.t.Helper()
	var p person
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT m.id_number, m.name, m.household_id FROM members m
		WHERE m.region_code = ? AND m.active = 1 ORDER BY m.id LIMIT 1 OFFSET ?`, village, n).Scan(&p.id, &p.name, &p.hh); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// pay books a payment of yuan from the county's finance account into the person's passbook
// and returns the transfer's id.
func (f *fixture) pay(p person, village string, item int, yuan int64, on string) int64 {
	f.t.Helper()
	fs := &funds.Service{DB: f.DB}
	var fd funds.Fund
	var fid int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT id FROM funds WHERE code = 'SQ1'`).Scan(&fid); err == nil {
		fd, err = fs.Fund(f.Ctx, f.City, fid)
		if err != nil {
			f.t.Fatal(err)
		}
	} else {
		fd, err = fs.CreateFund(f.Ctx, f.City, funds.FundInput{Code: "SQ1", Name: "衔接推进乡村振兴补助资金", SourceLevel: "central",
			Category: "fiscal", Year: 2026, DocNo: "苏财农〔2026〕8号", AmountYuan: "100000", RegionCode: countyCode, ViaCity: false,
			ReceivedOn: "2026-01-10", Deadline: "2026-10-31",
			Items: []funds.ItemInput{{Code: "edu", Name: "雨露计划", Basis: "person", StandardYuan: "1500"},
				{Code: "house", Name: "危房改造", Basis: "household", StandardYuan: "20000"}}})
		if err != nil {
			f.t.Fatal(err)
		}
	}
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		book, err := funds.PassbookAccount(f.Ctx, tx, 0, funds.Payee{IDNumber: p.id, Name: p.name, RegionCode: village, HouseholdID: p.hh})
		if err != nil {
			return err
		}
		fin, err := funds.FinanceAccount(f.Ctx, tx, 0, countyCode)
		if err != nil {
			return err
		}
		var src int64
		if err := tx.QueryRowContext(f.Ctx, `SELECT id FROM ledger_accounts WHERE fund_id = ? AND kind = 'source'`, fd.ID).Scan(&src); err != nil {
			return err
		}
		po := funds.NewPoster(f.Ctx, tx, 0)
		if err := po.Post(funds.Posting{FundID: fd.ID, From: src, To: fin, AmountFen: yuan * 100, OnDate: on, Kind: "allocate", DocNo: "拨"}); err != nil {
			return err
		}
		if err := po.Post(funds.Posting{FundID: fd.ID, From: fin, To: book, AmountFen: yuan * 100, OnDate: on, Kind: "payment", DocNo: "发",
			ItemID: fd.Items[item].ID, Period: on[:7], AccountNo: "6228480000000000001", AccountHolder: p.name}); err != nil {
			return err
		}
		ids, err := po.Flush()
		if err == nil {
			id = ids[1]
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// solved is a fresh captcha token and its right answer.
func (f *fixture) solved() (string, string) {
	f.t.Helper()
	secret, err := f.S.installSecret(f.Ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := newChallenge(secret, f.Now)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.token, strconv.Itoa(c.answer)
}

func (f *fixture) router() *httpx.Router {
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.S.Routes(rt)
	return rt
}

// post sends a query body from a client address and returns the status and body.
func (f *fixture) post(rt *httpx.Router, addr, body string) (int, []byte) {
	f.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/api/v1/public/household-query", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	rt.Mux.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// ask queries a pair with a freshly solved captcha.
func (f *fixture) ask(rt *httpx.Router, addr, id, name string) (int, []byte) {
	tok, ans := f.solved()
	b, _ := json.Marshal(map[string]string{"id_number": id, "name": name, "captcha_token": tok, "captcha_answer": ans})
	return f.post(rt, addr, string(b))
}

func TestQueryFoundListsPayments(t *testing.T) {
	f := newFixture(t)
	p := f.person(villageA, 0)
	f.exec(`UPDATE helpers SET phone = '13812345678'`)
	f.pay(p, villageA, 0, 1500, "2026-03-01")
	rev := f.pay(p, villageA, 1, 20000, "2026-04-01")
	if _, err := (&funds.Service{DB: f.DB}).Reverse(f.Ctx, f.City, rev, funds.ReverseInput{Reason: "重复发放"}); err != nil {
		t.Fatal(err)
	}
	// Another household's payment must not show.
	f.pay(f.person(villageA, 1), villageA, 0, 1500, "2026-03-02")
	rt := f.router()
	code, body := f.ask(rt, "10.0.0.1", p.id, p.name)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var res struct {
		Found     bool   `json:"found"`
		IDNumber  string `json:"id_number"`
		Household struct {
			VillageName, TownName, Status, StatusLabel, HouseholdType, HouseholdTypeLabel string
			MembersCount                                                                  int `json:"members_count"`
		} `json:"household"`
		Helper   *Helper   `json:"helper"`
		TotalFen int64     `json:"total_fen"`
		Payments []Payment `json:"payments"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.IDNumber != p.id[:6]+"********"+p.id[14:] {
		t.Fatalf("found %v id %q", res.Found, res.IDNumber)
	}
	var hh map[string]any
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	_ = json.Unmarshal(raw["household"], &hh)
	if hh["village_name"] != "响水县第1村" || hh["town_name"] != "响水县陈家港镇" || hh["status_label"] != "在档" ||
		hh["household_type_label"] != "一般低收入户" || hh["members_count"] != float64(1) || hh["village_code"] != villageA {
		t.Fatalf("household %v", hh)
	}
	if res.Helper == nil || res.Helper.Name != "响水县第1村帮扶干部" || res.Helper.Phone != "138****5678" {
		t.Fatalf("helper %+v", res.Helper)
	}
	want := []Payment{
		{OnDate: "2026-04-01", FundName: "衔接推进乡村振兴补助资金", ItemName: "危房改造", Period: "2026-04", AmountFen: 2000000, Reversed: true},
		{OnDate: "2026-03-01", FundName: "衔接推进乡村振兴补助资金", ItemName: "雨露计划", Period: "2026-03", AmountFen: 150000},
	}
	if fmt.Sprint(res.Payments) != fmt.Sprint(want) || res.TotalFen != 150000 {
		t.Fatalf("payments %+v total %d", res.Payments, res.TotalFen)
	}
	for _, secret := range []string{p.id, "6228480000000000001", "13812345678"} {
		if bytes.Contains(body, []byte(secret)) {
			t.Fatalf("body reveals %s: %s", secret, body)
		}
	}
	// Audited with a public actor and the ID number masked.
	var actor, after, entity, region string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT actor_name, after_json, entity_id, region_code FROM audit_events
		WHERE action = 'household.self_query' ORDER BY seq DESC LIMIT 1`).Scan(&actor, &after, &entity, &region); err != nil {
		t.Fatal(err)
	}
	if actor != "公众(portal)" || entity != strconv.FormatInt(p.hh, 10) || region != villageA ||
		!strings.Contains(after, res.IDNumber) || strings.Contains(after, p.id) || !strings.Contains(after, `"found":true`) {
		t.Fatalf("audit %s %s %s %s", actor, entity, region, after)
	}
}

func TestMismatchesLookAlike(t *testing.T) {
	f := newFixture(t)
	p := f.person(villageA, 0)
	f.pay(p, villageA, 0, 1500, "2026-03-01")
	// An inactive member: right ID number and name, but no longer in the household.
	gone := f.Household(villageB, "registered")
	goneID := f.IDNumber(7)
	f.Member(gone, goneID, "王小明")
	f.exec(`UPDATE members SET active = 0 WHERE id_number = ?`, goneID)
	rt := f.router()
	cases := []struct{ name, id, who string }{
		{"wrong name", p.id, "李四"},
		{"name with a wrong character", p.id, p.name + "x"},
		{"unknown ID", f.IDNumber(1), p.name},
		{"inactive member", goneID, "王小明"},
		{"lowercase x and spaces still only the pair", " " + strings.ToLower(f.IDNumber(3)) + " ", "某人"},
	}
	var first []byte
	for i, c := range cases {
		code, body := f.ask(rt, fmt.Sprintf("10.0.1.%d", i), c.id, c.who)
		if code != 200 {
			t.Fatalf("%s: status %d %s", c.name, code, body)
		}
		if first == nil {
			first = body
		}
		if !bytes.Equal(body, first) || string(body) != "{\"found\":false}\n" {
			t.Fatalf("%s: body %q differs from %q", c.name, body, first)
		}
	}
	// The right pair still answers (the ID was asked about once).
	if code, body := f.ask(rt, "10.0.1.99", p.id, " "+p.name+" "); code != 200 || !bytes.Contains(body, []byte(`"found":true`)) {
		t.Fatalf("right pair: %d %s", code, body)
	}
	// Every query audited, found false, with the ID masked.
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT after_json, entity_id FROM audit_events WHERE action = 'household.self_query' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var after, entity string
		if err := rows.Scan(&after, &entity); err != nil {
			t.Fatal(err)
		}
		if n < len(cases) && (!strings.Contains(after, `"found":false`) || entity != "" || !strings.Contains(after, "********")) {
			t.Fatalf("audit %d: %s %q", n, after, entity)
		}
		for _, c := range cases {
			if id := strings.ToUpper(strings.TrimSpace(c.id)); strings.Contains(after, id) {
				t.Fatalf("audit reveals %s: %s", id, after)
			}
		}
		n++
	}
	if n != len(cases)+1 {
		t.Fatalf("%d audit rows, want %d", n, len(cases)+1)
	}
}

func TestCaptchaRefused(t *testing.T) {
	f := newFixture(t)
	p := f.person(villageA, 0)
	rt := f.router()
	body := func(tok, ans string) string {
		b, _ := json.Marshal(map[string]string{"id_number": p.id, "name": p.name, "captcha_token": tok, "captcha_answer": ans})
		return string(b)
	}
	expect := func(name string, code int, got []byte, wantCode int, field, msg string) {
		t.Helper()
		if code != wantCode || !bytes.Contains(got, []byte(`"`+field+`"`)) || !bytes.Contains(got, []byte(msg)) {
			t.Fatalf("%s: %d %s (want %d, %s, %s)", name, code, got, wantCode, field, msg)
		}
	}
	// Wrong answer, then the same token with the right answer: spent by the first attempt.
	tok, ans := f.solved()
	n, _ := strconv.Atoi(ans)
	code, got := f.post(rt, "10.0.2.1", body(tok, strconv.Itoa(n+1)))
	expect("wrong", code, got, 400, "captcha_answer", "验证码答案不正确")
	code, got = f.post(rt, "10.0.2.1", body(tok, ans))
	expect("after wrong", code, got, 400, "captcha_token", "已使用")
	// Reused after a success.
	tok, ans = f.solved()
	if code, got = f.post(rt, "10.0.2.2", body(tok, ans)); code != 200 {
		t.Fatalf("first use: %d %s", code, got)
	}
	code, got = f.post(rt, "10.0.2.2", body(tok, ans))
	expect("reused", code, got, 400, "captcha_token", "已使用")
	// Expired: five minutes after it was made.
	tok, ans = f.solved()
	f.Now = f.Now.Add(TokenTTL + time.Second)
	code, got = f.post(rt, "10.0.2.3", body(tok, ans))
	expect("expired", code, got, 400, "captcha_token", "已过期")
	// The right answer as a JSON number is accepted.
	tok, ans = f.solved()
	if code, got = f.post(rt, "10.0.2.3", `{"id_number":"`+p.id+`","name":"`+p.name+`","captcha_token":"`+tok+`","captcha_answer":`+ans+`}`); code != 200 {
		t.Fatalf("numeric answer: %d %s", code, got)
	}
	// Forgeries: a token signed for another answer, a later expiry on a real token, a token
	// signed with another secret, a malformed token.
	secret, _ := f.S.installSecret(f.Ctx)
	c, _ := newChallenge(secret, f.Now)
	forged, _ := parseToken(c.token)
	forged.mac = forged.sign(secret, strconv.Itoa(c.answer+1))
	code, got = f.post(rt, "10.0.2.4", body(c.token, strconv.Itoa(c.answer+1)))
	expect("changed answer", code, got, 400, "captcha_answer", "验证码答案不正确")
	c, _ = newChallenge(secret, f.Now)
	later, _ := parseToken(c.token)
	later.expiry += 3600
	code, got = f.post(rt, "10.0.2.4", body(later.String(), strconv.Itoa(c.answer)))
	expect("later expiry", code, got, 400, "captcha_answer", "验证码答案不正确")
	other, _ := newChallenge(bytes.Repeat([]byte{7}, 32), f.Now)
	code, got = f.post(rt, "10.0.2.5", body(other.token, strconv.Itoa(other.answer)))
	expect("other secret", code, got, 400, "captcha_answer", "验证码答案不正确")
	code, got = f.post(rt, "10.0.2.5", body("1."+tok, ans))
	expect("malformed", code, got, 400, "captcha_token", "验证码无效")
	// Refused captchas are not audited as queries.
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'household.self_query'`); n != 2 {
		t.Fatalf("%d queries audited, want 2", n)
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t)
	rt := f.router()
	// Per client: ClientPerHour queries (captcha failures count too), then 429.
	tok, ans := f.solved()
	n, _ := strconv.Atoi(ans)
	b, _ := json.Marshal(map[string]string{"id_number": f.IDNumber(0), "name": "张三", "captcha_token": tok, "captcha_answer": strconv.Itoa(n + 1)})
	if code, _ := f.post(rt, "10.0.3.1", string(b)); code != 400 {
		t.Fatalf("wrong captcha: %d", code)
	}
	for i := 1; i < ClientPerHour; i++ {
		if code, body := f.ask(rt, "10.0.3.1", f.IDNumber(i), "张三"); code != 200 {
			t.Fatalf("query %d: %d %s", i, code, body)
		}
	}
	code, body := f.ask(rt, "10.0.3.1", f.IDNumber(50), "张三")
	if code != 429 || !strings.Contains(string(body), "查询过于频繁") || !strings.Contains(string(body), "每个网络地址每小时最多查询 10 次") {
		t.Fatalf("over client limit: %d %s", code, body)
	}
	if code, _ := f.ask(rt, "10.0.3.2", f.IDNumber(50), "张三"); code != 200 {
		t.Fatalf("another client: %d", code)
	}
	// Per ID number, whoever asks: IDPerHour (the one above counted), then 429 for any client.
	for i := 1; i < IDPerHour; i++ {
		if code, body := f.ask(rt, fmt.Sprintf("10.0.4.%d", i), f.IDNumber(50), "张三"); code != 200 {
			t.Fatalf("id query %d: %d %s", i, code, body)
		}
	}
	code, body = f.ask(rt, "10.0.4.99", f.IDNumber(50), "李四")
	if code != 429 || !strings.Contains(string(body), "该身份证号查询过于频繁") {
		t.Fatalf("over ID limit: %d %s", code, body)
	}
	// The limiter stores no ID number and no address.
	var keys string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT `+concatKeys(f.DB)+` FROM selfquery_hits`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(keys, f.IDNumber(50)) || strings.Contains(keys, "10.0.") {
		t.Fatal("limiter stores raw keys")
	}
	// An hour later both are open again, and old hits are pruned.
	f.Now = f.Now.Add(time.Hour + 2*time.Minute)
	if code, body := f.ask(rt, "10.0.3.1", f.IDNumber(50), "张三"); code != 200 {
		t.Fatalf("an hour later: %d %s", code, body)
	}
	if n := f.count(`SELECT COUNT(*) FROM selfquery_hits`); n != 2 {
		t.Fatalf("%d hits after prune, want 2", n)
	}
}

func concatKeys(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return `COALESCE(string_agg(key_hash, ','), '')`
	}
	return `COALESCE(group_concat(key_hash, ','), '')`
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t)
	rt := f.router()
	p := f.person(villageA, 0)
	tok, ans := f.solved()
	send := func(ct, body string) (int, string) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/public/household-query", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		rt.Mux.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	good := func(id, name string) string {
		b, _ := json.Marshal(map[string]string{"id_number": id, "name": name, "captcha_token": tok, "captcha_answer": ans})
		return string(b)
	}
	for _, c := range []struct {
		name, ct, body string
		code           int
		has            string
	}{
		{"text body", "text/plain", good(p.id, p.name), 415, ""},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", BodyLimit) + `"}`, 413, ""},
		{"unknown field", "application/json", `{"idnumber":"x"}`, 400, "idnumber"},
		{"bad ID", "application/json", good("320921199001011234", p.name), 400, "id_number"},
		{"no name", "application/json", good(p.id, "  "), 400, "name"},
		{"long name", "application/json", good(p.id, strings.Repeat("张", 31)), 400, "name"},
		{"bad channel", "application/json", `{"id_number":"` + p.id + `","name":"a","captcha_token":"` + tok + `","captcha_answer":"1","channel":"web"}`, 400, "channel"},
		{"answer object", "application/json", `{"captcha_answer":{}}`, 400, ""},
	} {
		code, body := send(c.ct, c.body)
		if code != c.code || !strings.Contains(body, c.has) {
			t.Fatalf("%s: %d %s", c.name, code, body)
		}
	}
	// None of those spent the captcha: it still answers.
	if code, body := f.post(rt, "10.0.5.1", good(p.id, p.name)); code != 200 {
		t.Fatalf("after bad requests: %d %s", code, body)
	}
}

func TestCaptchaEndpoint(t *testing.T) {
	f := newFixture(t)
	rt := f.router()
	r := httptest.NewRequest(http.MethodGet, "/api/v1/public/captcha", nil)
	w := httptest.NewRecorder()
	rt.Mux.ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	var c Captcha
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	tok, ok := parseToken(c.Token)
	if !ok || tok.expiry != f.Now.Add(TokenTTL).Unix() || c.ExpiresAt != db.Time(f.Now.Add(TokenTTL)) {
		t.Fatalf("token %q ok %v expires %s", c.Token, ok, c.ExpiresAt)
	}
	const prefix = "data:image/svg+xml;base64,"
	if !strings.HasPrefix(c.Image, prefix) {
		t.Fatalf("image %.40s", c.Image)
	}
	svg, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.Image, prefix))
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed XML with no text nodes: the question is only paths.
	dec := xml.NewDecoder(bytes.NewReader(svg))
	paths := 0
	for {
		tk, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch x := tk.(type) {
		case xml.CharData:
			if strings.TrimSpace(string(x)) != "" {
				t.Fatalf("text in the image: %q", x)
			}
		case xml.StartElement:
			if x.Name.Local == "text" {
				t.Fatal("text element in the image")
			}
			if x.Name.Local == "path" {
				paths++
			}
		}
	}
	if paths < 6 {
		t.Fatalf("%d paths", paths)
	}
	// The installation secret is made once and shared by a second service on the database.
	other := &Service{DB: f.DB}
	s1, _ := f.S.installSecret(f.Ctx)
	s2, err := other.installSecret(f.Ctx)
	if err != nil || !bytes.Equal(s1, s2) || len(s1) != 32 {
		t.Fatalf("secrets differ: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM app_secrets WHERE name = 'install'`); n != 1 {
		t.Fatalf("%d secrets", n)
	}
}

// Every question the generator can ask draws with known glyphs and the answer fits.
func TestChallengeShapes(t *testing.T) {
	secret := bytes.Repeat([]byte{1}, 32)
	now := time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)
	for range 500 {
		c, err := newChallenge(secret, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.question {
			if glyphs[r] == nil {
				t.Fatalf("no glyph for %q in %s", r, c.question)
			}
		}
		var a, b int
		var op rune
		if _, err := fmt.Sscanf(c.question, "%d%c%d=?", &a, &op, &b); err != nil {
			t.Fatalf("%s: %v", c.question, err)
		}
		want := map[rune]int{'+': a + b, '-': a - b, 'x': a * b}[op]
		if c.answer != want || c.answer < 0 || c.answer > 99 {
			t.Fatalf("%s answer %d", c.question, c.answer)
		}
		tok, ok := parseToken(c.token)
		if !ok || tok.sign(secret, strconv.Itoa(c.answer)) != tok.mac {
			t.Fatalf("token %s", c.token)
		}
	}
}

// A burst from one client cannot slip past the limit together.
func TestLimitHoldsUnderBurst(t *testing.T) {
	f := newFixture(t)
	rt := f.router()
	type req struct{ tok, ans string }
	reqs := make([]req, 3*ClientPerHour)
	for i := range reqs {
		reqs[i].tok, reqs[i].ans = f.solved()
	}
	codes := make(chan int, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(map[string]string{"id_number": f.IDNumber(i), "name": "张三", "captcha_token": r.tok, "captcha_answer": r.ans})
			code, _ := f.post(rt, "10.0.6.1", string(b))
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[200] != ClientPerHour || got[429] != len(reqs)-ClientPerHour {
		t.Fatalf("statuses %v, want %d × 200 and the rest 429", got, ClientPerHour)
	}
}

// The exported helper for other packages' tests gives a captcha whose answer passes.
func TestNewCaptchaWithAnswer(t *testing.T) {
	f := newFixture(t)
	p := f.person(villageB, 2)
	c, ans, err := f.S.NewCaptchaWithAnswer(f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"id_number": p.id, "name": p.name, "captcha_token": c.Token, "captcha_answer": ans, "channel": "kiosk"})
	if code, body := f.post(f.router(), "10.0.7.1", string(b)); code != 200 || !bytes.Contains(body, []byte(`"found":true`)) {
		t.Fatalf("%d %s", code, body)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE actor_name = '公众(kiosk)' AND entity_id = ?`, strconv.FormatInt(p.hh, 10)); n != 1 {
		t.Fatalf("%d kiosk audit rows", n)
	}
}
