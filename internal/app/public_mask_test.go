package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/disclosure"
	"sunshine/internal/funds"
	"sunshine/internal/httpx"
	"sunshine/internal/idcard"
	"sunshine/internal/mask"
	"sunshine/internal/oversight"
	"sunshine/internal/regioncode"
)

// The public masking scan (issue 9): every public GET route of the router is called with
// sample values for its parameters across the small demo city (every part loaded, as
// `sunshine demo` does), and every answer, JSON or CSV, is searched for any ID number, phone
// or account number stored anywhere in the database, and for anything shaped like an ID
// number or a mobile number. The public POST routes that can be triggered safely are called
// too and their receipts searched. A new public route whose parameter the table below does
// not know fails the test until it is added.

// newDemoHarness is the harness over the small demo with every part loaded (loadDemo: the
// registry, cross-checks, funds, projects, giving, partners, oversight).
func newDemoHarness(t *testing.T) *harness {
	t.Helper()
	d := dbtest.Open(t)
	a := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if d.Dialect == db.Postgres { // as open does with --data: the dataset files' directory
		a.Crosscheck.Dir = t.TempDir()
		a.Oversight.Dir = a.Crosscheck.Dir
	}
	if err := loadDemo(context.Background(), a, "small", io.Discard); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &harness{t: t, app: a, srv: srv}
}

// ---- the routes and their sample values ----

// paramRe finds a pattern's path parameters.
var paramRe = regexp.MustCompile(`\{([a-z_]+)\.{0,3}\}`)

// publicSamples are the values tried for each path parameter: keyed "pattern|name" where a
// name means something else on one route, else by name.
type publicSamples map[string][]string

func (p publicSamples) of(pattern, name string) ([]string, bool) {
	if v, ok := p[pattern+"|"+name]; ok {
		return v, true
	}
	v, ok := p[name]
	return v, ok
}

// strings reads one column of a query.
func queryStrings(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.Reader().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// sampleRegions are the city, every county, three towns and the villages where there is most
// to see: the first two, and those with projects, notices, payments, needs or donations.
func sampleRegions(t *testing.T, d *db.DB) []string {
	t.Helper()
	out := queryStrings(t, d, `SELECT code FROM regions WHERE level IN ('city', 'county') ORDER BY code`)
	out = append(out, queryStrings(t, d, `SELECT code FROM regions WHERE level = 'town' ORDER BY code LIMIT 3`)...)
	out = append(out, queryStrings(t, d, `SELECT code FROM regions WHERE level = 'village' ORDER BY code LIMIT 2`)...)
	for _, q := range []string{
		`SELECT MIN(region_code) FROM projects WHERE stage >= 4`,
		`SELECT MAX(region_code) FROM projects WHERE stage >= 4`,
		`SELECT MIN(region_code) FROM publicity_notices`,
		`SELECT MAX(region_code) FROM publicity_notices`,
		`SELECT MIN(region_code) FROM ledger_transfers WHERE kind = 'payment' AND region_code LIKE '%' AND LENGTH(region_code) = 12`,
		`SELECT MIN(region_code) FROM giving_needs`,
		`SELECT MIN(region_code) FROM giving_donations`,
		`SELECT MIN(village_code) FROM partner_pairings`,
	} {
		var c *string
		if err := d.Reader().QueryRowContext(context.Background(), q).Scan(&c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if c != nil && *c != "" && !slices.Contains(out, *c) {
			out = append(out, *c)
		}
	}
	return out
}

func demoSamples(t *testing.T, d *db.DB) (publicSamples, []string) {
	regions := sampleRegions(t, d)
	var tracking []string
	for _, c := range queryStrings(t, d, `SELECT tracking_code FROM complaints ORDER BY id LIMIT 5`) {
		tracking = append(tracking, oversight.FormatTrackingCode(c))
	}
	if len(tracking) == 0 {
		t.Fatal("the demo has no complaints")
	}
	receipts := append(queryStrings(t, d, `SELECT receipt_no FROM giving_donations ORDER BY id LIMIT 3`), "JZ2026-999999")
	return publicSamples{
		"code":                                  regions, // region pages, the social forces' page
		"/api/v1/public/complaints/{code}|code": append(tracking, "TS-2222-3333-4444"),
		"receipt":                               receipts, // asked with a wrong key (publicQueries)
	}, regions
}

// publicQueries are the query strings tried on a route: with path parameters the route is
// about one thing (a wrong key for a donor's receipt); without, it is a list or a file, tried
// bare and for every sample region.
func publicQueries(pattern string, hasParams bool, regions []string) []string {
	if pattern == "/api/v1/public/donations/{receipt}" {
		return []string{"key=ABCD2345", ""}
	}
	if hasParams {
		return []string{"limit=200"}
	}
	out := []string{""}
	for _, r := range regions {
		out = append(out, "region="+r+"&limit=200")
	}
	return out
}

// noAnswer are the public GET routes the walk cannot get a 200 from (a donor's own view needs
// the key printed on the receipt).
var noAnswer = map[string]bool{"/api/v1/public/donations/{receipt}": true}

func expand(pattern string, samples publicSamples) ([]string, error) {
	paths := []string{pattern}
	for _, m := range paramRe.FindAllStringSubmatch(pattern, -1) {
		vals, ok := samples.of(pattern, m[1])
		if !ok || len(vals) == 0 {
			return nil, fmt.Errorf("no sample values for {%s}: add them to demoSamples", m[1])
		}
		var next []string
		for _, p := range paths {
			for _, v := range vals {
				next = append(next, strings.Replace(p, m[0], v, 1))
			}
		}
		paths = next
	}
	return paths, nil
}

// ---- the public POST routes that can be triggered safely ----

// publicPosts builds, for each public POST route, a request whose answer echoes what was sent:
// full numbers go in, and must not come back.
func publicPosts(t *testing.T, h *harness, full fullPerson) map[string]func() (string, any) {
	d := h.app.DB
	return map[string]func() (string, any){
		// Sign-in is public too; a wrong password answers without a session.
		"/api/v1/auth/login": func() (string, any) {
			return "/api/v1/auth/login", map[string]any{"username": "poverty_office_320921", "password": full.id}
		},
		"/api/v1/field/login": func() (string, any) {
			return "/api/v1/field/login", map[string]any{"username": "helper_320921", "password": full.phone, "device": full.id}
		},
		"/api/v1/public/notices/{id}/objections": func() (string, any) {
			return fmt.Sprintf("/api/v1/public/notices/%d/objections", openNotice(t, h)),
				map[string]any{"content": "户主身份证 " + full.id + ",电话 " + full.phone + ",账号 " + full.account, "contact": full.phone}
		},
		"/api/v1/public/complaints": func() (string, any) {
			return "/api/v1/public/complaints", map[string]any{"channel": "portal", "anonymous": false, "name": full.name,
				"phone": full.phone, "category": "funds", "region_code": full.village, "subject": "反映 " + full.phone,
				"content": "身份证 " + full.id + " 账号 " + full.account}
		},
		"/api/v1/public/complaints/{code}/rating": func() (string, any) {
			code := queryStrings(t, d, `SELECT tracking_code FROM complaints WHERE replied_at IS NOT NULL AND satisfaction = '' ORDER BY id LIMIT 1`)
			if len(code) == 0 {
				code = queryStrings(t, d, `SELECT tracking_code FROM complaints ORDER BY id LIMIT 1`)
			}
			return "/api/v1/public/complaints/" + oversight.FormatTrackingCode(code[0]) + "/rating", map[string]any{"satisfaction": "satisfied"}
		},
		"/api/v1/public/household-query": func() (string, any) {
			c, ans, err := h.app.SelfQuery.NewCaptchaWithAnswer(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return "/api/v1/public/household-query", map[string]any{"id_number": full.id, "name": full.name,
				"captcha_token": c.Token, "captcha_answer": ans}
		},
		"/api/v1/public/pledges": func() (string, any) {
			c, ans, err := h.app.SelfQuery.NewCaptchaWithAnswer(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var need int64
			if ids := queryStrings(t, d, `SELECT CAST(id AS TEXT) FROM giving_needs WHERE status = 'open' AND kind = 'money' ORDER BY id LIMIT 1`); len(ids) > 0 {
				fmt.Sscan(ids[0], &need)
			} else { // a village publishes one
				st, b := h.login("poverty_office_320921").do("POST", "/api/v1/needs", map[string]any{"region_code": full.village,
					"title": "助学书包", "content": "为在读学生购置书包", "kind": "money", "target_yuan": "300",
					"deadline": time.Now().AddDate(0, 2, 0).Format("2006-01-02")})
				if st != 201 {
					t.Fatalf("need: %d %s", st, b)
				}
				need = decode[struct {
					ID int64 `json:"id"`
				}](t, b).ID
			}
			return "/api/v1/public/pledges", map[string]any{"name": full.name, "phone": full.phone, "anonymous": false, "need_id": need,
				"kind": "money", "amount_yuan": "100.00", "goods": "", "captcha_token": c.Token, "captcha_answer": ans}
		},
	}
}

// fullPerson is a registered household head with everything that must stay private.
type fullPerson struct{ id, name, phone, account, village string }

func demoPerson(t *testing.T, d *db.DB) fullPerson {
	t.Helper()
	var p fullPerson
	if err := d.Reader().QueryRowContext(context.Background(), `SELECT h.head_id_number, m.name, h.phone, h.account_no, h.region_code
		FROM households h JOIN members m ON m.household_id = h.id AND m.id_number = h.head_id_number AND m.active = 1
		WHERE h.status = 'registered' AND h.phone <> '' AND h.account_no <> ''
		AND EXISTS (SELECT 1 FROM ledger_accounts a JOIN ledger_transfers x ON x.to_account = a.id WHERE a.household_id = h.id)
		ORDER BY h.id LIMIT 1`).Scan(&p.id, &p.name, &p.phone, &p.account, &p.village); err != nil {
		t.Fatal("a paid household with a phone and an account: ", err)
	}
	return p
}

// openNotice is a notice in its objection period: the demo's, or one published on an open
// procedure for the test.
func openNotice(t *testing.T, h *harness) int64 {
	t.Helper()
	st, b := h.anon().do("GET", "/api/v1/public/regions/320900000000", nil)
	if st != 200 {
		t.Fatalf("city page: %d %s", st, b)
	}
	page := decode[struct {
		Notices []struct {
			ID     int64  `json:"id"`
			Period string `json:"period"`
		} `json:"notices"`
	}](t, b)
	for _, n := range page.Notices {
		if n.Period == "open" {
			return n.ID
		}
	}
	return plantOpenNotice(t, h)
}

// plantOpenNotice gives the registry fixture's open procedure a notice that runs for years
// (as TestPublicDisclosure does).
func plantOpenNotice(t *testing.T, h *harness) int64 {
	t.Helper()
	reg := h.registryFixture("320921")
	var notice int64
	if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT id FROM publicity_notices WHERE procedure_id = ?`, reg.procedure).Scan(&notice); err != nil {
		t.Fatal(err)
	}
	if err := h.app.DB.InTx(t.Context(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(t.Context(), `UPDATE publicity_notices SET ends_at = '2999-01-01T00:00:00.000000Z' WHERE id = ?`, notice)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return notice
}

// checkOpenFile checks what every open data file is: UTF-8 with a BOM and a Chinese header.
func checkOpenFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) || !utf8.Valid(b) {
		t.Errorf("GET %s: not UTF-8 with a BOM: %.40q", path, b)
		return
	}
	header, _, _ := strings.Cut(string(b[3:]), "\n")
	if !strings.ContainsFunc(header, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("GET %s: header %q is not Chinese", path, header)
	}
}

// ---- the test ----

func TestPublicMasking(t *testing.T) {
	h := newDemoHarness(t)
	d := h.app.DB
	sec := loadSecrets(t, d)
	// The schema search found the columns it is there for, and they hold values.
	for _, c := range []string{"households.head_id_number", "households.phone", "households.account_no", "members.id_number",
		"helpers.id_number", "helpers.phone", "ledger_transfers.account_no", "ledger_accounts.id_number", "complaints.complainant_phone",
		"objections.contact", "giving_donors.phone", "partner_providers.phone", "partner_deputies.phone", "partner_pairings.phone",
		"partner_entrepreneurs.phone"} {
		if !sec.columns[c] {
			t.Errorf("column %s not searched", c)
		}
	}
	kinds := map[string]int{}
	for _, where := range sec.digits {
		kinds[strings.SplitN(where, " in ", 2)[0]]++
	}
	if kinds["ID number"] < 1000 || kinds["phone"] < 100 || kinds["account"] < 100 {
		t.Fatalf("too few secrets to look for: %v", kinds)
	}
	t.Logf("searching for %v stored numbers (+%d other values)", kinds, len(sec.other))
	full := demoPerson(t, d)

	t.Run("the scanner catches leaks", func(t *testing.T) {
		phone := queryStrings(t, d, `SELECT phone FROM helpers WHERE phone <> '' ORDER BY id LIMIT 1`)[0]
		madeUpID := idcard.Make("110101", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), 451, idcard.Male)
		for _, bad := range []string{
			`{"head":"` + full.id + `"}`,
			"户主,电话\r\n张*明," + phone + "\r\n",
			`{"note":"转入 ` + full.account + ` 号账户"}`,
			`{"body":"x` + strings.ToLower(full.id) + `y"}`,
			`{"id":"` + madeUpID + `"}`,
			`{"phone":"13912345670"}`,
		} {
			if len(sec.scan([]byte(bad))) == 0 {
				t.Errorf("scanner misses %s", bad)
			}
		}
		for _, good := range []string{idcard.Mask(full.id), mask.Phone(phone), funds.MaskAccount(full.account), `{"paid_fen":123456789,"code":"320921100201"}`} {
			if f := sec.scan([]byte(good)); len(f) != 0 {
				t.Errorf("scanner flags the masked %s: %v", good, f)
			}
		}
		// A cadre types the head's full ID number, phone and account into a notice: the scanner
		// sees them in the stored text, and the public page and file show them masked.
		n := openNotice(t, h)
		raw := "拟纳入" + full.name + "户(身份证 " + full.id + ",电话 " + full.phone + ",账号 " + full.account + ")"
		if err := d.InTx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.ExecContext(context.Background(), `UPDATE publicity_notices SET body = ? WHERE id = ?`, raw, n)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(sec.scan([]byte(raw))) < 3 {
			t.Fatalf("scanner finds %v in %s", sec.scan([]byte(raw)), raw)
		}
		region := queryStrings(t, d, `SELECT region_code FROM publicity_notices WHERE id = ?`, n)[0]
		for c := region; c != ""; c = regioncode.Parent(c) {
			h.app.Disclosure.Cache.Forget("region|" + c)
		}
		st, b := h.anon().do("GET", "/api/v1/public/regions/"+region, nil)
		if st != 200 || !strings.Contains(string(b), idcard.Mask(full.id)) {
			t.Fatalf("page with the planted notice: %d %s", st, b)
		}
		if f := sec.scan(b); len(f) != 0 {
			t.Errorf("the page shows %v", f)
		}
		st, b = h.anon().do("GET", "/api/v1/public/open/notices.csv?region="+region, nil)
		if st != 200 || !strings.Contains(string(b), idcard.Mask(full.id)) {
			t.Fatalf("notices file: %d %s", st, b)
		}
		if f := sec.scan(b); len(f) != 0 {
			t.Errorf("the notices file shows %v", f)
		}
	})

	samples, regions := demoSamples(t, d)
	c := h.anon()
	problems, routes, calls := walkPublicGETs(t, h, sec, samples, regions)
	for _, p := range problems {
		t.Error(p)
	}
	if routes < 10 {
		t.Fatalf("only %d public GET routes", routes)
	}
	t.Logf("%d public GET routes, %d calls", routes, calls)

	// The open data catalogue lists every public file the router serves, and nothing else.
	st, b := c.do("GET", "/api/v1/public/open", nil)
	if st != 200 {
		t.Fatalf("catalogue: %d %s", st, b)
	}
	h.conforms("GET", "/api/v1/public/open", st, b)
	listed := map[string]bool{}
	for _, ds := range decode[disclosure.Catalogue](t, b).Datasets {
		listed[ds.URL] = true
	}
	for _, r := range h.app.Router.Routes {
		if r.Public && r.Method == "GET" && strings.HasPrefix(r.Pattern, "/api/v1/public/open/") {
			if !listed[r.Pattern] {
				t.Errorf("GET %s is not in the open data catalogue (disclosure.Datasets)", r.Pattern)
			}
			delete(listed, r.Pattern)
		}
	}
	for u := range listed {
		t.Errorf("the catalogue lists %s, which no public route serves", u)
	}

	posts := publicPosts(t, h, full)
	// These must answer with their receipt, so there is an echo to search.
	answers := map[string]bool{"/api/v1/public/notices/{id}/objections": true, "/api/v1/public/complaints": true,
		"/api/v1/public/household-query": true, "/api/v1/public/pledges": true}
	for _, r := range h.app.Router.Routes {
		if !r.Public || r.Method != "POST" {
			continue
		}
		build, ok := posts[r.Pattern]
		if !ok {
			t.Errorf("POST %s: no request in publicPosts to trigger it", r.Pattern)
			continue
		}
		path, body := build()
		st, b := c.do("POST", path, body)
		if st >= 500 || answers[r.Pattern] && st/100 != 2 {
			t.Errorf("POST %s: %d %s", path, st, b)
		}
		if f := sec.scan(b); len(f) != 0 {
			t.Errorf("POST %s (%d) shows %v: %s", path, st, f, b)
		}
		var v map[string]any
		if json.Unmarshal(b, &v) != nil {
			t.Errorf("POST %s: not JSON: %s", path, b)
		}
		t.Logf("POST %s: %d %.160s", path, st, b)
	}

	// The walk itself fails on a route that leaks, one whose parameter it has no samples for,
	// and one that breaks (routes added to this app only, after everything above).
	t.Run("the walk catches a leaking route", func(t *testing.T) {
		h.app.Router.HandlePublic("GET /api/v1/public/zz-leak/{code}", func(w http.ResponseWriter, r *http.Request) error {
			httpx.Write(w, http.StatusOK, map[string]string{"region": r.PathValue("code"), "head_phone": full.phone})
			return nil
		})
		h.app.Router.HandlePublic("GET /api/v1/public/zz-unknown/{serial}", func(w http.ResponseWriter, r *http.Request) error { return nil })
		h.app.Router.HandlePublic("GET /api/v1/public/zz-broken", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("boom")
		})
		problems, _, _ := walkPublicGETs(t, h, sec, samples, regions)
		for _, w := range [][2]string{ // the start of a problem, and what it must name
			{"GET /api/v1/public/zz-leak/" + regions[0] + "?limit=200 (200) shows [", full.phone},
			{"GET /api/v1/public/zz-unknown/{serial}: no sample values for {serial}", ""},
			{"GET /api/v1/public/zz-broken: 500", ""},
		} {
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, w[0]) && strings.Contains(p, w[1]) }) {
				t.Errorf("the walk does not report %q; it reports %q", w, problems)
			}
		}
	})
}
