package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"sunshine/internal/disclosure"
	"sunshine/internal/idcard"
	"sunshine/internal/oversight"
	"sunshine/internal/selfquery"
)

// Abuse of the public API through the whole handler (middleware included), from many client
// addresses. What the packages already test is not repeated here:
//   - selfquery: wrong pairs of every kind answer byte for byte alike (TestMismatchesLookAlike),
//     the per-client and per-ID limits and their pruning (TestRateLimits, TestLimitHoldsUnderBurst),
//     captcha forgeries (TestCaptchaRefused), bad bodies (TestBadRequests, FuzzQueryBody);
//   - oversight: a parallel burst of complaints stores exactly the hourly limit (TestPublicComplaintBurst),
//     floods by day and hour (TestPublicComplaintFloods), 413/415/400 on its routes
//     (TestComplaintHTTPErrors), HTML kept as text in the console (app TestPublicComplaints);
//   - disclosure: objections' HTML stored as given and their rate limit (TestObjections).

// public calls the whole handler as the client at addr (the limits key on the address).
type public struct {
	t testing.TB
	h http.Handler
}

// The harness's server already holds the handler (Handler registers metrics, so it is built once).
func newPublic(t testing.TB, h *harness) *public { return &public{t: t, h: h.srv.Config.Handler} }

func (p *public) call(method, path, addr, contentType string, body io.Reader) *httptest.ResponseRecorder {
	p.t.Helper()
	r := httptest.NewRequest(method, path, body)
	r.RemoteAddr = addr + ":40000"
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	return w
}

func (p *public) post(path, addr string, v any) *httptest.ResponseRecorder {
	p.t.Helper()
	b, _ := json.Marshal(v)
	return p.call("POST", path, addr, "application/json", bytes.NewReader(b))
}

// Enumerating ID numbers through the own-household query: whatever is wrong about a pair, the
// answer (status, headers, body) is the same; a client is stopped at its hourly limit, and an
// ID number is stopped at its own limit whichever clients ask, the right pair included.
func TestPublicQueryEnumeration(t *testing.T) {
	h := newHarness(t)
	p := newPublic(t, h)
	var id, name string
	if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT id_number, name FROM members WHERE active = 1 ORDER BY id LIMIT 1`).
		Scan(&id, &name); err != nil {
		t.Fatal(err)
	}
	ask := func(addr, id, name string) *httptest.ResponseRecorder {
		c, ans, err := h.app.SelfQuery.NewCaptchaWithAnswer(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return p.post("/api/v1/public/household-query", addr, map[string]any{"id_number": id, "name": name,
			"captcha_token": c.Token, "captcha_answer": ans})
	}
	same := func(what string, a, b *httptest.ResponseRecorder) {
		t.Helper()
		for _, k := range []string{"Content-Type", "Content-Length", "Cache-Control", "X-Content-Type-Options"} {
			if a.Header().Get(k) != b.Header().Get(k) {
				t.Errorf("%s: %s %q vs %q", what, k, a.Header().Get(k), b.Header().Get(k))
			}
		}
		if a.Code != b.Code || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Errorf("%s: %d %s vs %d %s", what, a.Code, a.Body, b.Code, b.Body)
		}
	}
	// One client walks through ID numbers (a script would): all alike, then 429.
	var first *httptest.ResponseRecorder
	for i := 0; i < selfquery.ClientPerHour; i++ {
		who, n := "张三", idcard.Make("320921", mustDate(1950+i, 1+i%12, 1+i), 100+i, idcard.Sex(i%2))
		if i == 3 {
			n, who = id, name+"x" // a registered ID number with a wrong name
		}
		w := ask("198.51.100.1", n, who)
		if w.Code != 200 || w.Body.String() != "{\"found\":false}\n" {
			t.Fatalf("wrong pair %d: %d %s", i, w.Code, w.Body)
		}
		if first == nil {
			first = w
		}
		same(fmt.Sprintf("wrong pair %d", i), first, w)
	}
	over := ask("198.51.100.1", id, name)
	if over.Code != 429 {
		t.Fatalf("over the client limit, the right pair: %d %s", over.Code, over.Body)
	}
	same("429 for an unknown ID", over, ask("198.51.100.1", idcard.Make("320921", mustDate(1971, 5, 5), 7, idcard.Female), "李四"))
	// Many clients on one ID number: IDPerHour answers (one was asked above), then 429 for
	// everyone, the right pair too; another ID number is not held up.
	for i := 1; i < selfquery.IDPerHour; i++ {
		if w := ask(fmt.Sprintf("203.0.113.%d", i), id, fmt.Sprintf("王%d", i)); w.Code != 200 {
			t.Fatalf("ID asked by client %d: %d %s", i, w.Code, w.Body)
		}
	}
	w := ask("203.0.113.99", id, name)
	if w.Code != 429 || !strings.Contains(w.Body.String(), "该身份证号查询过于频繁") || strings.Contains(w.Body.String(), "found") {
		t.Fatalf("over the ID limit: %d %s", w.Code, w.Body)
	}
	if w := ask("203.0.113.99", idcard.Make("320921", mustDate(1966, 6, 6), 66, idcard.Male), name); w.Code != 200 {
		t.Errorf("another ID from the same client: %d %s", w.Code, w.Body)
	}
}

// Scripted floods in parallel through the handler: objections and complaints from one address
// store exactly their hourly limits, the rest are 429, none fails; another address goes through.
func TestPublicFloodsInParallel(t *testing.T) {
	h := newHarness(t)
	p := newPublic(t, h)
	notice := plantOpenNotice(t, h)
	flood := func(what string, limit int, send func(i int) *httptest.ResponseRecorder, stored func() int) {
		t.Helper()
		const n = 16
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = send(i).Code
			}()
		}
		wg.Wait()
		ok, throttled := 0, 0
		for i, c := range codes {
			switch c {
			case 201:
				ok++
			case 429:
				throttled++
			default:
				t.Errorf("%s %d: status %d", what, i, c)
			}
		}
		if ok != limit || throttled != n-limit || stored() != limit {
			t.Errorf("%s: %d accepted, %d throttled, %d stored; want %d accepted", what, ok, throttled, stored(), limit)
		}
	}
	count := func(q string, args ...any) func() int {
		return func() int {
			var n int
			if err := h.app.DB.Reader().QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	path := fmt.Sprintf("/api/v1/public/notices/%d/objections", notice)
	flood("objections", disclosure.ObjectionsPerHour, func(i int) *httptest.ResponseRecorder {
		return p.post(path, "192.0.2.10", map[string]any{"content": fmt.Sprintf("脚本异议第%d条", i)})
	}, count(`SELECT COUNT(*) FROM objections WHERE notice_id = ? AND lodged_by = 0`, notice))
	flood("complaints", oversight.PublicPerHour, func(i int) *httptest.ResponseRecorder {
		return p.post("/api/v1/public/complaints", "192.0.2.11", map[string]any{"channel": "kiosk", "anonymous": true, "category": "funds",
			"region_code": "320921100201", "subject": "脚本举报", "content": fmt.Sprintf("脚本举报内容第%d条", i)})
	}, count(`SELECT COUNT(*) FROM complaints WHERE channel = 'kiosk'`))
	if w := p.post(path, "192.0.2.12", map[string]any{"content": "另一个地址的异议"}); w.Code != 201 {
		t.Errorf("another address: %d %s", w.Code, w.Body)
	}
}

// Markup typed into public and published text is kept as the text it is: stored as given,
// answered inside JSON strings (escaped, application/json, nosniff) or CSV cells (text/csv,
// nosniff, an attachment), never as HTML.
func TestPublicMarkupStaysText(t *testing.T) {
	h := newHarness(t)
	p := newPublic(t, h)
	script, img := `<script>alert(1)</script>`, `"><img src=x onerror=alert(document.cookie)>`
	isJSON := func(what string, w *httptest.ResponseRecorder) {
		t.Helper()
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: served as %q, nosniff %q", what, ct, w.Header().Get("X-Content-Type-Options"))
		}
		if b := w.Body.String(); strings.Contains(b, "<script") || strings.Contains(b, "<img") {
			t.Errorf("%s: markup unescaped in %s", what, b)
		}
	}
	stored := func(q string, args ...any) string {
		var s string
		if err := h.app.DB.Reader().QueryRowContext(t.Context(), q, args...).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A complaint: the subject comes back on the tracking page.
	w := p.post("/api/v1/public/complaints", "192.0.2.20", map[string]any{"channel": "portal", "anonymous": true, "category": "funds",
		"region_code": "320921100201", "subject": img, "content": script + " 低保金被克扣"})
	if w.Code != 201 {
		t.Fatalf("complaint: %d %s", w.Code, w.Body)
	}
	isJSON("complaint receipt", w)
	code := decode[oversight.LodgeResult](t, w.Body.Bytes()).TrackingCode
	if s := stored(`SELECT content FROM complaints WHERE subject = ?`, img); s != script+" 低保金被克扣" {
		t.Errorf("complaint stored as %q", s)
	}
	w = p.call("GET", "/api/v1/public/complaints/"+code, "192.0.2.20", "", nil)
	isJSON("tracking page", w)
	if v := decode[oversight.PublicComplaint](t, w.Body.Bytes()); v.Subject != img {
		t.Errorf("tracking page subject %q", v.Subject)
	}
	// An objection.
	notice := plantOpenNotice(t, h)
	w = p.post(fmt.Sprintf("/api/v1/public/notices/%d/objections", notice), "192.0.2.21", map[string]any{"content": script + img, "contact": img})
	if w.Code != 201 {
		t.Fatalf("objection: %d %s", w.Code, w.Body)
	}
	isJSON("objection receipt", w)
	if s := stored(`SELECT content FROM objections WHERE notice_id = ? AND lodged_by = 0`, notice); s != script+img {
		t.Errorf("objection stored as %q", s)
	}
	// A need (微心愿) a village publishes: the public list and the open data file.
	office := h.login("poverty_office_320921")
	st, b := office.do("POST", "/api/v1/needs", map[string]any{"region_code": "320921100201", "title": script, "content": img + " 书包",
		"kind": "goods", "goods": "书包 1 个", "target_yuan": "0", "deadline": time.Now().AddDate(0, 2, 0).Format("2006-01-02")})
	if st != 201 {
		t.Fatalf("need: %d %s", st, b)
	}
	if s := stored(`SELECT content FROM giving_needs WHERE title = ?`, script); s != img+" 书包" {
		t.Errorf("need stored as %q", s)
	}
	w = p.call("GET", "/api/v1/public/needs?region=320921100201", "192.0.2.22", "", nil)
	if w.Code != 200 {
		t.Fatalf("public needs: %d %s", w.Code, w.Body)
	}
	isJSON("public needs", w)
	var needs struct {
		Items []struct{ Title, Content string } `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &needs); err != nil || len(needs.Items) == 0 || needs.Items[0].Title != script || needs.Items[0].Content != img+" 书包" {
		t.Errorf("public needs %s (%v)", w.Body, err)
	}
	w = p.call("GET", "/api/v1/public/open/needs.csv?region=320921100201", "192.0.2.22", "", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || w.Header().Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") || !strings.Contains(w.Body.String(), script) {
		t.Errorf("needs file: %d %v %.300s", w.Code, w.Header(), w.Body)
	}
}

func mustDate(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// publicPostPath fills a public POST route's path parameters with something that exists.
func publicPostPath(t *testing.T, h *harness, pattern string, notice int64, tracking string) string {
	t.Helper()
	path := strings.Replace(pattern, "{id}", fmt.Sprint(notice), 1)
	path = strings.Replace(path, "{code}", tracking, 1)
	if paramRe.MatchString(path) {
		t.Fatalf("POST %s: no value for its parameters in publicPostPath", pattern)
	}
	return path
}

// Oversized bodies are refused with 413 on every public POST route, whether the client
// announces the size or streams it; unknown fields and garbage are 400; nothing is a 5xx.
func TestPublicBodiesRefused(t *testing.T) {
	h := newHarness(t)
	p := newPublic(t, h)
	notice := plantOpenNotice(t, h)
	w := p.post("/api/v1/public/complaints", "192.0.2.30", map[string]any{"channel": "portal", "anonymous": true, "category": "funds",
		"region_code": "320921100201", "subject": "主题", "content": "用来评价的举报"})
	if w.Code != 201 {
		t.Fatalf("complaint: %d %s", w.Code, w.Body)
	}
	tracking := decode[oversight.LodgeResult](t, w.Body.Bytes()).TrackingCode
	huge := `{"content":"` + strings.Repeat("长", 1<<20) + `"}` // 3 MB
	rng := rand.New(rand.NewPCG(9, 9))
	addr := 0
	next := func() string { addr++; return fmt.Sprintf("10.9.%d.%d", addr/250, addr%250+1) }
	n := 0
	for _, r := range h.app.Router.Routes {
		if !r.Public || r.Method != "POST" {
			continue
		}
		n++
		path := publicPostPath(t, h, r.Pattern, notice, tracking)
		if w := p.call("POST", path, next(), "application/json", strings.NewReader(huge)); w.Code != 413 {
			t.Errorf("POST %s with 3 MB: %d %.200s", path, w.Code, w.Body)
		}
		// Streamed: no Content-Length, so only reading stops it.
		req := httptest.NewRequest("POST", path, io.MultiReader(strings.NewReader(huge)))
		req.ContentLength = -1
		req.RemoteAddr = next() + ":1"
		req.Header.Set("Content-Type", "application/json")
		sw := httptest.NewRecorder()
		p.h.ServeHTTP(sw, req)
		if sw.Code != 413 {
			t.Errorf("POST %s streaming 3 MB: %d %.200s", path, sw.Code, sw.Body)
		}
		for _, c := range []struct {
			body string
			want int
		}{
			{`{"content":"异议","nonsense":1}`, 400},
			{`{"password":"x","username":"y","is_admin":true}`, 400},
			{`not json at all`, 400},
			{`{"content":`, 400},
			{`{"content":"a"}{"content":"b"}`, 400},
			{`[1,2,3]`, 400},
			{"\x00\xff\xfe garbage", 400},
			{``, 400},
		} {
			if w := p.call("POST", path, next(), "application/json", strings.NewReader(c.body)); w.Code != c.want {
				t.Errorf("POST %s %q: %d %.200s, want %d", path, c.body, w.Code, w.Body, c.want)
			} else if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				t.Errorf("POST %s %q: error served as %q", path, c.body, w.Header().Get("Content-Type"))
			}
		}
		if w := p.call("POST", path, next(), "text/html", strings.NewReader(`{"content":"x"}`)); w.Code != 415 {
			t.Errorf("POST %s as text/html: %d %.200s", path, w.Code, w.Body)
		}
		// Random bytes and random JSON-ish text: a 4xx, never a 5xx.
		const alphabet = "{}[]\":,0123456789.-abcdeftruenull \\u\x00\xff长"
		for i := 0; i < 20; i++ {
			b := make([]byte, rng.IntN(300))
			for j := range b {
				b[j] = alphabet[rng.IntN(len(alphabet))]
			}
			if w := p.call("POST", path, next(), "application/json", bytes.NewReader(b)); w.Code >= 500 || w.Code < 400 {
				t.Errorf("POST %s %q: %d %.200s", path, b, w.Code, w.Body)
			}
		}
	}
	if n < 6 {
		t.Errorf("only %d public POST routes walked", n)
	}
}
