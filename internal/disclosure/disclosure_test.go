package disclosure

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
)

// ---- set-up ----

// handler is the public API of f.S behind the app's router.
func (f *fixture) handler() http.Handler {
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.S.Routes(rt)
	return rt.Mux
}

// get calls a public GET and returns the status and body.
func (f *fixture) get(h http.Handler, path string) (int, []byte) {
	f.t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w.Code, w.Body.Bytes()
}

// post sends a public JSON POST from the client address addr.
func (f *fixture) post(h http.Handler, path, addr string, body any) (int, []byte) {
	f.t.Helper()
	b, _ := json.Marshal(body)
	r := httptest.NewRequest("POST", path, strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = addr
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

func decodeAs[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// id inserts a row and returns its id.
func (f *fixture) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) { id, err = tx.InsertID(f.Ctx, q, args...); return err }); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// ledger is the seeded money: payments of one fund to passbooks.
type ledger struct {
	fund, item, source int64
	books              map[int64]int64 // household → passbook account
}

// seedLedger books, for fund F (2026) item "补贴" and its second item: 1000 fen in 2026 to each
// household of village A (item 1), 500 fen in 2025 to the first (item 2), 700 fen in 2026 to
// the second that was reversed, and 3000 fen in 2026 to the first household of the other
// county. Each payment carries the payee's full account number, which must never be shown.
func (f *fixture) seedLedger() ledger {
	now := db.Time(f.Now)
	l := ledger{books: map[int64]int64{}}
	l.fund = f.id(`INSERT INTO funds (code, name, source_level, category, year, amount_fen, region_code, received_on, deadline,
		created_by, created_at) VALUES ('F2026', '产业发展补助资金', 'province', 'fiscal', 2026, 100000000, ?, '2026-01-10', '2026-12-31', 1, ?) RETURNING id`,
		countyCode, now)
	l.item = f.id(`INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, 'I1', '产业奖补', 'household', 1000) RETURNING id`, l.fund)
	item2 := f.id(`INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, 'I2', '教育资助', 'household', 500) RETURNING id`, l.fund)
	l.source = f.id(`INSERT INTO ledger_accounts (kind, name, region_code, fund_id, created_by, created_at)
		VALUES ('source', '来源', ?, ?, 1, ?) RETURNING id`, countyCode, l.fund, now)
	book := func(hh int64) int64 {
		var idn, region, acct string
		if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT head_id_number, region_code, account_no FROM households WHERE id = ?`, hh).
			Scan(&idn, &region, &acct); err != nil {
			f.t.Fatal(err)
		}
		id := f.id(`INSERT INTO ledger_accounts (kind, name, region_code, household_id, id_number, created_by, created_at)
			VALUES ('passbook', ?, ?, ?, ?, 1, ?) RETURNING id`, "一折通"+acct, region, hh, idn, now)
		l.books[hh] = id
		return id
	}
	pay := func(hh, item, amount int64, on string) int64 {
		var region, acct, head string
		_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT region_code, account_no, head_name FROM households WHERE id = ?`, hh).Scan(&region, &acct, &head)
		return f.id(`INSERT INTO ledger_transfers (fund_id, from_account, to_account, amount_fen, on_date, kind, item_id, account_no,
			account_holder, region_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, 'payment', ?, ?, ?, ?, 1, ?) RETURNING id`,
			l.fund, l.source, l.books[hh], amount, on, item, acct, head, region, now)
	}
	a := f.Households(villageA)
	for _, hh := range a {
		book(hh)
		pay(hh, l.item, 1000, "2026-03-01")
	}
	pay(a[0], item2, 500, "2025-06-01")
	t := pay(a[1], l.item, 700, "2026-04-01")
	f.exec(`INSERT INTO ledger_transfers (fund_id, from_account, to_account, amount_fen, on_date, kind, reverses_id, region_code,
		created_by, created_at) VALUES (?, ?, ?, 700, '2026-04-05', 'reversal', ?, ?, 1, ?)`, l.fund, l.books[a[1]], l.source, t, countyCode, now)
	o := f.Households(villageOth)[0]
	book(o)
	pay(o, l.item, 3000, "2026-03-01")
	return l
}

// procedure opens a procedure of kind on the household at step 2 and returns its id.
func (f *fixture) procedure(hh int64, kind, status string) int64 {
	var region string
	_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT region_code FROM households WHERE id = ?`, hh).Scan(&region)
	return f.id(`INSERT INTO procedures (household_id, region_code, kind, def_version, status, step, step_role, step_level,
		started_by, started_at, updated_at) VALUES (?, ?, ?, 1, ?, 2, 'village_cadre', 'village', 1, ?, ?) RETURNING id`,
		hh, region, kind, status, db.Time(f.Now.Add(-60*24*time.Hour)), db.Time(f.Now))
}

// notice publishes a notice of the procedure's step 2 from starts to ends (relative to f.Now).
// Its title and body name the head in full with the ID number, phone and account, as a cadre
// might write them.
func (f *fixture) notice(proc int64, starts, ends time.Duration) int64 {
	var head, idn, acct, region string
	_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT h.head_name, h.head_id_number, h.account_no, p.region_code FROM procedures p
		JOIN households h ON h.id = p.household_id WHERE p.id = ?`, proc).Scan(&head, &idn, &acct, &region)
	return f.id(`INSERT INTO publicity_notices (procedure_id, step, region_code, title, body, starts_at, ends_at, created_by, created_at)
		VALUES (?, 2, ?, ?, ?, ?, ?, 1, ?) RETURNING id`, proc, region, "关于"+head+"户纳入的公示",
		"拟对"+head+"(身份证 "+idn+",电话 13912345678,账号 "+acct+")户办理纳入。公示期 7 天。",
		db.Time(f.Now.Add(starts)), db.Time(f.Now.Add(ends)), db.Time(f.Now.Add(starts)))
}

// countingQ counts the queries run through it.
type countingQ struct {
	q db.Queryer
	n atomic.Int64
}

func (c *countingQ) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.q.QueryContext(ctx, q, args...)
}

func (c *countingQ) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.q.QueryRowContext(ctx, q, args...)
}

func (c *countingQ) Dialect() db.Dialect { return c.q.Dialect() }

// ---- tests ----

func TestRegionPageStats(t *testing.T) {
	f := newFixture(t)
	f.seedLedger()
	a := f.Households(villageA)
	// One more member in the first household; one household of village A exited this year
	// (policy until 2030), one the year before; one applying (counted nowhere).
	f.Member(a[0], f.IDNumber(1), "王小明")
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2026-05-01', policy_until = '2030-12-31' WHERE id = ?`, a[4])
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2025-05-01', policy_until = '2025-12-31' WHERE id = ?`, a[3])
	f.Household(villageA, "applying")
	// Projects: one past the tender (counted), one before it, one failed.
	acct := f.id(`INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('project', 'P', ?, 1, ?) RETURNING id`,
		villageA, db.Time(f.Now))
	for i, p := range []struct {
		stage  int
		status string
	}{{5, "active"}, {2, "active"}, {6, "failed"}} {
		f.exec(`INSERT INTO projects (code, name, kind, region_code, year, budget_fen, implementer, stage, stage_since, status, account_id,
			created_by, created_at, updated_at) VALUES (?, '项目', 'village', ?, 2026, ?, '镇政府', ?, '2026-01-01', ?, ?, 1, ?, ?)`,
			fmt.Sprintf("P%d", i), villageA, int64(1000000*(i+1)), p.stage, p.status, acct, db.Time(f.Now), db.Time(f.Now))
	}

	page, err := f.S.RegionPage(f.Ctx, villageA)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Year: 2026, Households: 3, People: 4, ExitedYear: 1, Helpers: 1,
		PaidYearFen: 5000, PaidTotalFen: 5500, Projects: 1, ProjectBudgetFen: 1000000}
	if page.Stats != want {
		t.Errorf("village stats %+v, want %+v", page.Stats, want)
	}
	if page.Name != "响水县第1村" || page.Level != "village" || len(page.Children) != 0 {
		t.Errorf("village page %+v", page)
	}
	if len(page.Path) != 3 || page.Path[0].Code != cityCode || page.Path[2].Code != "320921100000" {
		t.Errorf("path %+v", page.Path)
	}

	// The county: the same figures again counted directly, and its one town as child.
	county, err := f.S.RegionPage(f.Ctx, countyCode)
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	st.Year = 2026
	q := f.DB.Reader()
	_ = q.QueryRowContext(f.Ctx, `SELECT COUNT(*), SUM(members_count) FROM households WHERE region_code LIKE '320921%' AND status = 'registered'`).
		Scan(&st.Households, &st.People)
	st.ExitedYear = f.count(`SELECT COUNT(*) FROM households WHERE region_code LIKE '320921%' AND status = 'exited' AND exited_on >= '2026-01-01'`)
	st.Helpers = f.count(`SELECT COUNT(DISTINCT a.helper_id) FROM assignments a JOIN households h ON h.id = a.household_id
		WHERE h.region_code LIKE '320921%' AND a.to_date IS NULL`)
	st.PaidTotalFen = f.count(`SELECT SUM(amount_fen) FROM ledger_transfers WHERE kind = 'payment' AND region_code LIKE '320921%'`) -
		f.count(`SELECT SUM(amount_fen) FROM ledger_transfers WHERE kind = 'reversal'`)
	st.PaidYearFen = st.PaidTotalFen - 500
	st.Projects, st.ProjectBudgetFen = 1, 1000000
	if county.Stats != st {
		t.Errorf("county stats %+v, want (counted directly) %+v", county.Stats, st)
	}
	if st.Households != 8 || st.Helpers != 2 {
		t.Errorf("direct counts look wrong: %+v", st)
	}
	if len(county.Children) != 1 || county.Children[0].Code != "320921100000" {
		t.Errorf("county children %+v", county.Children)
	}
}

func TestFunds(t *testing.T) {
	f := newFixture(t)
	l := f.seedLedger()
	fp, err := f.S.Funds(f.Ctx, villageA)
	if err != nil {
		t.Fatal(err)
	}
	if fp.PaidFen != 5500 || fp.PaidYearFen != 5000 || fp.Households != 5 || len(fp.Funds) != 1 {
		t.Fatalf("village funds %+v", fp)
	}
	fu := fp.Funds[0]
	if fu.FundID != l.fund || fu.Name != "产业发展补助资金" || len(fu.Items) != 2 {
		t.Fatalf("fund %+v", fu)
	}
	// Item 1: five households, 1000 each this year (the reversed 700 counts nowhere).
	if it := fu.Items[0]; it.ItemName != "产业奖补" || it.Households != 5 || it.HouseholdsYear != 5 || it.PaidFen != 5000 || it.PaidYearFen != 5000 {
		t.Errorf("item 1 %+v", it)
	}
	if it := fu.Items[1]; it.ItemName != "教育资助" || it.Households != 1 || it.HouseholdsYear != 0 || it.PaidFen != 500 || it.PaidYearFen != 0 {
		t.Errorf("item 2 %+v", it)
	}
	// The other county's payment is in its own page only; the city sees both.
	city, err := f.S.Funds(f.Ctx, cityCode)
	if err != nil {
		t.Fatal(err)
	}
	if city.PaidFen != 8500 || city.Households != 6 {
		t.Errorf("city funds %+v", city)
	}
	empty, err := f.S.Funds(f.Ctx, villageB)
	if err != nil || empty.PaidFen != 0 || len(empty.Funds) != 0 {
		t.Errorf("village B funds %+v %v", empty, err)
	}
}

func TestHouseholdsMaskedAndPaged(t *testing.T) {
	f := newFixture(t)
	a := f.Households(villageA)
	f.exec(`UPDATE households SET head_name = '欧阳小明' WHERE id = ?`, a[0])
	f.exec(`UPDATE households SET head_name = '李明' WHERE id = ?`, a[1])
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2026-05-01', policy_until = '2030-12-31' WHERE id = ?`, a[2])
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2024-05-01', policy_until = '2025-12-31' WHERE id = ?`, a[3])
	f.exec(`UPDATE households SET status = 'removed' WHERE id = ?`, a[4])
	h := f.handler()
	st, b := f.get(h, "/api/v1/public/regions/"+villageA+"/households")
	if st != 200 {
		t.Fatalf("%d %s", st, b)
	}
	l := decodeAs[HouseholdList](t, b)
	if len(l.Items) != 3 || l.Next != nil {
		t.Fatalf("village A: %s", b)
	}
	if l.Items[0].HeadName != "欧**明" || l.Items[1].HeadName != "李*" || l.Items[2].HeadName != "户*3" {
		t.Errorf("masked names %+v", l.Items)
	}
	if l.Items[2].Status != "exited" || l.Items[0].Status != "registered" || l.Items[0].TypeLabel != "一般低收入户" ||
		l.Items[0].MembersCount != 1 || l.Items[0].HelperName != "响********部" || l.Items[0].VillageName != "响水县第1村" {
		t.Errorf("household fields %+v", l.Items)
	}
	// The town pages through both villages, two at a time, in village then id order.
	var all []Household
	path := "/api/v1/public/regions/320921100000/households?limit=2"
	for pages := 0; path != ""; pages++ {
		st, b := f.get(h, path)
		if st != 200 || pages > 10 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		l := decodeAs[HouseholdList](t, b)
		all = append(all, l.Items...)
		path = ""
		if l.Next != nil {
			path = "/api/v1/public/regions/320921100000/households?limit=2&after=" + *l.Next
		}
	}
	if len(all) != 8 || all[0].VillageCode != villageA || all[7].VillageCode != villageB {
		t.Errorf("town pages: %d households %+v", len(all), all)
	}
}

var (
	reIDNumber = regexp.MustCompile(`[0-9]{17}[0-9Xx]`)
	rePhone    = regexp.MustCompile(`(^|[^0-9])1[0-9]{10}([^0-9]|$)`)
	reAccount  = regexp.MustCompile(`[0-9]{16,19}`)
)

// Every public answer of every region, scanned for ID numbers, phones, account numbers and
// the full names of the heads, members and helpers.
func TestNoPublicAnswerLeaks(t *testing.T) {
	f := newFixture(t)
	f.seedLedger()
	f.exec(`UPDATE households SET phone = '13812345678', address = '幸福路1号'`)
	a := f.Households(villageA)
	f.Member(a[0], f.IDNumber(7), "欧阳小明")
	f.exec(`UPDATE households SET head_name = '欧阳小明' WHERE id = ?`, a[0])
	f.exec(`UPDATE helpers SET phone = '13987654321'`)
	open := f.notice(f.procedure(a[0], "registration", "open"), -24*time.Hour, 6*24*time.Hour)
	f.notice(f.procedure(a[1], "exit", "done"), -20*24*time.Hour, -13*24*time.Hour)
	h := f.handler()
	var answers [][]byte
	scan := func(path string) {
		st, b := f.get(h, path)
		if st != 200 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		answers = append(answers, b)
	}
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT code, level FROM regions ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	var regions [][2]string
	for rows.Next() {
		var c, l string
		_ = rows.Scan(&c, &l)
		regions = append(regions, [2]string{c, l})
	}
	rows.Close()
	for _, r := range regions {
		scan("/api/v1/public/regions/" + r[0])
		scan("/api/v1/public/regions/" + r[0] + "/funds")
		if r[1] == "town" || r[1] == "village" {
			scan("/api/v1/public/regions/" + r[0] + "/households?limit=200")
		}
	}
	st, b := f.post(h, fmt.Sprintf("/api/v1/public/notices/%d/objections", open), "192.0.2.1:1234",
		map[string]any{"content": "户主有车辆 13812345678", "contact": "13812345678"})
	if st != 201 {
		t.Fatalf("objection: %d %s", st, b)
	}
	answers = append(answers, b)
	// What must not appear: every full name of a person, ID number, phone, account.
	var secrets []string
	for _, q := range []string{`SELECT head_name FROM households`, `SELECT name FROM members`, `SELECT name FROM helpers`,
		`SELECT head_id_number FROM households`, `SELECT id_number FROM members`, `SELECT id_number FROM helpers`,
		`SELECT phone FROM households WHERE phone <> ''`, `SELECT account_no FROM households WHERE account_no <> ''`} {
		rows, err := f.DB.Reader().QueryContext(f.Ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			secrets = append(secrets, s)
		}
		rows.Close()
	}
	if len(secrets) < 60 {
		t.Fatalf("only %d secrets to look for", len(secrets))
	}
	sawNotice := false
	for _, b := range answers {
		s := string(b)
		for _, re := range []*regexp.Regexp{reIDNumber, rePhone, reAccount} {
			if m := re.FindString(s); m != "" {
				t.Errorf("answer contains %q (%s): %.300s", m, re, s)
			}
		}
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				t.Errorf("answer contains %q: %.300s", sec, s)
			}
		}
		sawNotice = sawNotice || strings.Contains(s, "关于欧**明户纳入的公示")
	}
	if !sawNotice {
		t.Error("the open notice (masked) is on no page")
	}
}

func TestNoticesWindow(t *testing.T) {
	f := newFixture(t)
	a := f.Households(villageA)
	b := f.Households(villageB)
	day := 24 * time.Hour
	open := f.notice(f.procedure(a[0], "registration", "open"), -2*day, 5*day)
	ended := f.notice(f.procedure(a[1], "exit", "done"), -17*day, -10*day)
	f.notice(f.procedure(a[2], "exit", "done"), -47*day, -40*day) // ended too long ago
	f.notice(f.procedure(a[3], "exit", "open"), day, 8*day)       // not started
	// Superseded: the step was signed after the notice went up (and the period not over).
	sp := f.procedure(b[0], "removal", "open")
	superseded := f.notice(sp, -3*day, 4*day)
	f.exec(`INSERT INTO procedure_signatures (procedure_id, step, step_key, decision, opinion, user_id, user_name, role, at)
		VALUES (?, 2, 'x', 'reject', '退回', 1, 'x', 'x', ?)`, sp, db.Time(f.Now.Add(-day)))
	f.id(`INSERT INTO objections (notice_id, procedure_id, region_code, content, lodged_by, lodged_at) VALUES (?, ?, ?, '有异议', 5, ?) RETURNING id`,
		open, f.count(`SELECT procedure_id FROM publicity_notices WHERE id = ?`, open), villageA, db.Time(f.Now))

	page, err := f.S.RegionPage(f.Ctx, "320921100000")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]Notice{}
	var order []int64
	for _, n := range page.Notices {
		got[n.ID] = n
		order = append(order, n.ID)
	}
	if len(got) != 3 || order[0] != open {
		t.Fatalf("town notices %v, want open %d first then %d and %d", order, open, superseded, ended)
	}
	if n := got[open]; n.Period != PeriodOpen || n.Objections != 1 || n.Unanswered != 1 || n.Kind != "registration" || n.KindLabel != "纳入" {
		t.Errorf("open notice %+v", n)
	}
	if n := got[ended]; n.Period != PeriodClosed || n.KindLabel != "脱贫退出" {
		t.Errorf("ended notice %+v", n)
	}
	if n := got[superseded]; n.Period != PeriodClosed {
		t.Errorf("superseded notice %+v", n)
	}
	// Village B's page shows only its own.
	vb, _ := f.S.RegionPage(f.Ctx, villageB)
	if len(vb.Notices) != 1 || vb.Notices[0].ID != superseded {
		t.Errorf("village B notices %+v", vb.Notices)
	}
	// Thirty days after the end the notice is gone.
	f.Now = f.Now.Add(21 * day)
	vt, _ := f.S.RegionPage(f.Ctx, villageA)
	for _, n := range vt.Notices {
		if n.ID == ended {
			t.Errorf("notice ended 31 days ago still shown")
		}
	}
}

func TestCache(t *testing.T) {
	f := newFixture(t)
	cq := &countingQ{q: f.DB.Reader()}
	f.S.Reader = cq
	b1, err := f.S.RegionPageJSON(f.Ctx, villageA)
	if err != nil {
		t.Fatal(err)
	}
	n1 := cq.n.Load()
	if n1 == 0 {
		t.Fatal("the first call ran no query")
	}
	// A new household: the cached answer is served, without a query, until the TTL passes.
	f.exec(`UPDATE households SET status = 'removed' WHERE id = ?`, f.Households(villageA)[0])
	f.Now = f.Now.Add(CacheTTL - time.Second)
	b2, err := f.S.RegionPageJSON(f.Ctx, villageA)
	if err != nil || string(b2) != string(b1) || cq.n.Load() != n1 {
		t.Fatalf("second call: %d queries after %d, same answer %v, %v", cq.n.Load(), n1, string(b2) == string(b1), err)
	}
	f.Now = f.Now.Add(2 * time.Second)
	b3, err := f.S.RegionPageJSON(f.Ctx, villageA)
	if err != nil || cq.n.Load() == n1 || decodeAs[RegionPage](t, b3).Stats.Households != 4 {
		t.Fatalf("after the TTL: %s %v", b3, err)
	}
	// A surge on one page runs its queries once.
	f.S.Cache.Forget("region|" + villageB)
	fills := f.S.Cache.Fills()
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.S.RegionPageJSON(f.Ctx, villageB); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if d := f.S.Cache.Fills() - fills; d != 1 {
		t.Errorf("50 concurrent clients ran %d fills, want 1", d)
	}
	// Unknown regions are cached too (a loop on a missing code stays off the database).
	n := cq.n.Load()
	for i := 0; i < 3; i++ {
		if _, err := f.S.RegionPageJSON(f.Ctx, "320921100299"); err == nil {
			t.Fatal("unknown region answered")
		}
	}
	if d := cq.n.Load() - n; d != 1 {
		t.Errorf("three asks for an unknown region ran %d queries, want 1", d)
	}
	// The cache is bounded, least recently used out first.
	c := NewCache(time.Minute, 3, func() time.Time { return f.Now })
	for i := 0; i < 5; i++ {
		k := fmt.Sprint(i)
		_, _ = c.Get(f.Ctx, k, func(context.Context) ([]byte, error) { return []byte(k), nil })
	}
	if c.Len() != 3 {
		t.Errorf("cache holds %d, want 3", c.Len())
	}
	if v, _ := c.Get(f.Ctx, "0", func(context.Context) ([]byte, error) { return []byte("refilled"), nil }); string(v) != "refilled" {
		t.Errorf("oldest entry not evicted: %s", v)
	}
}

func TestObjections(t *testing.T) {
	f := newFixture(t)
	a := f.Households(villageA)
	day := 24 * time.Hour
	proc := f.procedure(a[0], "registration", "open")
	open := f.notice(proc, -day, 6*day)
	closed := f.notice(f.procedure(a[1], "exit", "open"), -9*day, -2*day)
	h := f.handler()
	path := fmt.Sprintf("/api/v1/public/notices/%d/objections", open)
	// The page is cached before the objection; lodging it refreshes the count.
	if p, _ := f.S.RegionPageJSON(f.Ctx, villageA); !strings.Contains(string(p), `"objections":0`) {
		t.Fatalf("page %s", p)
	}
	html := `<script>alert("x")</script> 该户家中有轿车`
	st, b := f.post(h, path, "198.51.100.7:5000", map[string]any{"content": html, "contact": "张先生 13812345678"})
	if st != 201 {
		t.Fatalf("objection: %d %s", st, b)
	}
	r := decodeAs[ObjectionReceipt](t, b)
	if r.NoticeID != open || r.Contact != "张先生********5678" || strings.Contains(string(b), "13812345678") {
		t.Errorf("receipt %s", b)
	}
	var content, contact string
	var by int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT content, contact, lodged_by FROM objections WHERE id = ?`, r.ID).Scan(&content, &contact, &by); err != nil {
		t.Fatal(err)
	}
	if content != html || contact != "张先生 13812345678" || by != 0 {
		t.Errorf("stored %q %q by %d", content, contact, by)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'procedure.objection' AND actor_name = '公众(门户)' AND after_json NOT LIKE '%13812345678%'`); n != 1 {
		t.Errorf("audit events: %d", n)
	}
	if p, _ := f.S.RegionPageJSON(f.Ctx, villageA); !strings.Contains(string(p), `"objections":1`) {
		t.Errorf("page after the objection %s", p)
	}
	// Closed, unknown, malformed, empty, too long, unknown fields.
	for _, c := range []struct {
		path string
		body any
		want int
	}{
		{fmt.Sprintf("/api/v1/public/notices/%d/objections", closed), map[string]any{"content": "异议"}, 409},
		{"/api/v1/public/notices/999999/objections", map[string]any{"content": "异议"}, 404},
		{"/api/v1/public/notices/abc/objections", map[string]any{"content": "异议"}, 400},
		{path, map[string]any{"content": "  "}, 400},
		{path, map[string]any{"content": strings.Repeat("异", MaxObjection+1)}, 400},
		{path, map[string]any{"content": "异议", "contact": strings.Repeat("1", MaxContact+1)}, 400},
		{path, map[string]any{"content": "异议", "name": "x"}, 400},
	} {
		if st, b := f.post(h, c.path, "203.0.113.9:1", c.body); st != c.want {
			t.Errorf("%s %v: %d %s, want %d", c.path, c.body, st, b, c.want)
		}
	}
	if st, _ := f.post(h, path, "203.0.113.9:1", map[string]any{"content": strings.Repeat("异", MaxObjection)}); st != 201 {
		t.Errorf("1000 characters refused: %d", st)
	}
	// The rate limit: ObjectionsPerHour from one client, then 429; another client is not held up;
	// an hour later the first may object again.
	for i := 0; i < ObjectionsPerHour+1; i++ {
		st, b := f.post(h, path, "192.0.2.50:"+fmt.Sprint(1000+i), map[string]any{"content": fmt.Sprintf("第%d条", i)})
		want := 201
		if i == ObjectionsPerHour {
			want = 429
		}
		if st != want {
			t.Fatalf("objection %d: %d %s, want %d", i, st, b, want)
		}
	}
	if st, _ := f.post(h, path, "192.0.2.51:1", map[string]any{"content": "另一人"}); st != 201 {
		t.Errorf("another client: %d", st)
	}
	f.Now = f.Now.Add(time.Hour)
	if st, b := f.post(h, path, "192.0.2.50:1", map[string]any{"content": "一小时后"}); st != 201 {
		t.Errorf("an hour later: %d %s", st, b)
	}
	if n := f.count(`SELECT COUNT(*) FROM objections WHERE notice_id = ?`, open); n != 1+1+ObjectionsPerHour+2 {
		t.Errorf("%d objections stored", n)
	}
}

func TestLimiterDay(t *testing.T) {
	now := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(func() time.Time { return now })
	n := 0
	for i := 0; i < 48; i++ { // one attempt every 30 minutes for a day
		if l.Allow("c") {
			n++
		}
		now = now.Add(30 * time.Minute)
	}
	if n != ObjectionsPerDay {
		t.Errorf("%d allowed in a day, want %d", n, ObjectionsPerDay)
	}
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t)
	h := f.handler()
	for _, c := range []struct {
		path string
		want int
	}{
		{"/api/v1/public/regions/320921100299", 404},
		{"/api/v1/public/regions/320921100299/funds", 404},
		{"/api/v1/public/regions/320921100299/households", 404},
		{"/api/v1/public/regions/320900000000", 200},
		{"/api/v1/public/regions/32092110020", 400},
		{"/api/v1/public/regions/abcdefghijkl", 400},
		{"/api/v1/public/regions/000000000000", 400},
		{"/api/v1/public/regions/abc/funds", 400},
		{"/api/v1/public/regions/abc/households", 400},
		{"/api/v1/public/regions/" + countyCode + "/households", 400}, // a county: too many to list
		{"/api/v1/public/regions/" + villageA + "/households?limit=0", 400},
		{"/api/v1/public/regions/" + villageA + "/households?limit=201", 400},
		{"/api/v1/public/regions/" + villageA + "/households?after=x", 400},
		{"/api/v1/public/regions/" + villageA + "/households?after=320921100201-0", 400},
		{"/api/v1/public/regions/" + villageA + "/households?after=320921100201-1", 200},
	} {
		st, b := f.get(h, c.path)
		if st != c.want {
			t.Errorf("%s: %d %s, want %d", c.path, st, b, c.want)
		}
		if st != 200 {
			var e httpx.ErrorBody
			if json.Unmarshal(b, &e) != nil || e.Message == "" {
				t.Errorf("%s: error body %s", c.path, b)
			}
		}
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"关于张三明户的公示":              "关于张*明户的公示",
		"电话13812345678。":         "电话138****5678。",
		"身份证320921195001010012":  "身份证320921********0012",
		"身份证32092119500101001X号": "身份证320921********001X号",
		"账号6228480000000000012":  "账号***************0012",
		"户号1234567":              "户号*****67",
		"2026 年 7 月 15 日,公示 7 天": "2026 年 7 月 15 日,公示 7 天",
	} {
		if got := Scrub(in, "张三明"); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": "", "张": "*", "李明": "李*", "张三明": "张*明", "欧阳小明": "欧**明"} {
		if got := mask.Name(in); got != want {
			t.Errorf("mask.Name(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": "", "13812345678": "138****5678", "wx: zhangsan": "w**********n", "1234567": "*******"} {
		if got := MaskContact(in); got != want {
			t.Errorf("MaskContact(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever a notice says, no ID number, phone or account survives Scrub.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{"电话13812345678", "320921195001010012", "6228480000000000012", "张三明 1381234567800", "１３８"} {
		f.Add(s, "张三明")
	}
	f.Add("王小王小王", "王小王")
	f.Fuzz(func(t *testing.T, s, name string) {
		out := Scrub(s, name)
		for _, re := range []*regexp.Regexp{reIDNumber, rePhone, reAccount} {
			if m := re.FindString(out); m != "" {
				t.Fatalf("Scrub(%q) = %q keeps %q", s, out, m)
			}
		}
		if n := strings.TrimSpace(name); len([]rune(n)) >= 2 && !strings.ContainsAny(n, "*0123456789") && strings.Contains(out, n) {
			t.Fatalf("Scrub(%q, %q) = %q keeps the name", s, name, out)
		}
	})
}

// The households cursor comes from outside: malformed ones are a 400, good ones round-trip.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "320921100201-1", "320921100201-0", "x-1", "320921100201-01", "320921100201--1", "320921100201-9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		if s != "" && c.String() != s {
			t.Fatalf("cursor %q read as %q", s, c.String())
		}
	})
}
