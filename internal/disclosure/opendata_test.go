package disclosure

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
	"sunshine/internal/money"
	"sunshine/internal/projects"
)

// openGet downloads an open data file and checks what every file carries: text/csv, a BOM,
// an attachment with a Chinese file name, nosniff. It returns the rows, header first.
func (f *fixture) openGet(path string, wantName string) [][]string {
	f.t.Helper()
	w := httptest.NewRecorder()
	f.handler().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	if w.Code != 200 {
		f.t.Fatalf("%s: %d %s", path, w.Code, w.Body)
	}
	h := w.Header()
	if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		f.t.Errorf("%s: content type %q", path, ct)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Cache-Control"), "public, max-age=") {
		f.t.Errorf("%s: headers %v", path, h)
	}
	disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || !strings.Contains(params["filename"], wantName) || !strings.HasSuffix(params["filename"], ".csv") {
		f.t.Errorf("%s: disposition %q → %q %v %v", path, h.Get("Content-Disposition"), disp, params, err)
	}
	if !strings.Contains(h.Get("Content-Disposition"), `filename="`) {
		f.t.Errorf("%s: no ASCII fallback name: %q", path, h.Get("Content-Disposition"))
	}
	b := w.Body.Bytes()
	if n, _ := strconv.Atoi(h.Get("Content-Length")); n != len(b) {
		f.t.Errorf("%s: length %s, body %d", path, h.Get("Content-Length"), len(b))
	}
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) || !utf8.Valid(b) {
		f.t.Fatalf("%s: no BOM or not UTF-8: %.40q", path, b)
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		f.t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestOpenHouseholds(t *testing.T) {
	f := newFixture(t)
	a := f.Households(villageA)
	f.exec(`UPDATE households SET phone = '13812345678', address = '幸福路1号'`)
	f.exec(`UPDATE households SET head_name = '欧阳小明', household_type = 'dibao' WHERE id = ?`, a[0])
	// Exited, still in the policy period: listed; exited before, or removed: not.
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2026-01-01', policy_until = '2030-12-31' WHERE id = ?`, a[1])
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2020-01-01', policy_until = '2025-12-31' WHERE id = ?`, a[2])
	f.exec(`UPDATE households SET status = 'removed' WHERE id = ?`, a[3])
	rows := f.openGet("/api/v1/public/open/households.csv?region="+villageA, "响水县第1村-建档立卡户(脱敏)-2026-07-15")
	want := []string{"户主", "村", "村代码", "户类型", "状态", "家庭人数", "帮扶责任人"}
	if strings.Join(rows[0], ",") != strings.Join(want, ",") {
		t.Fatalf("header %v", rows[0])
	}
	if len(rows) != 1+3 {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	if got := strings.Join(rows[1], ","); got != "欧**明,响水县第1村,"+villageA+",低保户,在档,1,"+mask.Name("响水县第1村帮扶干部") {
		t.Errorf("first row %s", got)
	}
	if rows[2][4] != "已脱贫(政策延续期)" || rows[2][0] != mask.Name("户主2") {
		t.Errorf("second row %v", rows[2])
	}
	// The file and the JSON list agree row for row.
	list, err := f.S.Households(f.Ctx, villageA, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range list.Items {
		if r := rows[i+1]; r[0] != x.HeadName || r[1] != x.VillageName || r[3] != x.TypeLabel || r[6] != x.HelperName {
			t.Errorf("row %d %v, JSON %+v", i, r, x)
		}
	}
	// A town: both villages, in order.
	town := f.openGet("/api/v1/public/open/households.csv?region=320921100000", "响水县陈家港镇-建档立卡户")
	if len(town) != 1+3+5 || town[1][2] != villageA || town[len(town)-1][2] != villageB {
		t.Errorf("town: %d rows %v", len(town), town)
	}
	body := fmt.Sprint(town)
	for _, leak := range []string{"欧阳小明", "13812345678", "幸福路", "6228", "户主1,"} {
		if strings.Contains(body, leak) {
			t.Errorf("file shows %q", leak)
		}
	}
}

// More households than one keyset page: every one is written once, in order.
func TestOpenHouseholdsPages(t *testing.T) {
	f := newFixture(t)
	n := openPage + 7
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		for i := 0; i < n; i++ {
			if _, err := tx.ExecContext(f.Ctx, `INSERT INTO households (household_no, region_code, head_name, head_id_number, household_type,
				status, registered_on, members_count, created_at, updated_at) VALUES (?, ?, ?, ?, 'general', 'registered', '2025-01-01', 2, ?, ?)`,
				fmt.Sprintf("P%05d", i), villageB, fmt.Sprintf("王%d", i), f.IDNumber(9000+i), now, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows := f.openGet("/api/v1/public/open/households.csv?region=320921100000", "建档立卡户")
	if len(rows) != 1+5+5+n {
		t.Fatalf("%d rows, want %d", len(rows), 1+10+n)
	}
	for i, r := range rows[1+5+5:] {
		if r[2] != villageB || r[5] != "2" || r[0] != mask.Name(fmt.Sprintf("王%d", i)) {
			t.Fatalf("row %d: %v", i, r)
		}
	}
	if rows[len(rows)-1][0] != mask.Name(fmt.Sprintf("王%d", n-1)) {
		t.Errorf("last row %v", rows[len(rows)-1])
	}
}

func TestOpenFunds(t *testing.T) {
	f := newFixture(t)
	f.seedLedger()
	rows := f.openGet("/api/v1/public/open/funds.csv?region="+villageA, "响水县第1村-资金使用")
	want := [][]string{
		{"资金编号", "资金名称", "资金类别", "资金来源", "资金年度", "补贴项目", "受益户数(累计)", "发放金额(元,累计)", "受益户数(本年)", "发放金额(元,本年)", "统计年度"},
		{"F2026", "产业发展补助资金", "财政专项扶贫资金", "省级", "2026", "产业奖补", "5", "50.00", "5", "50.00", "2026"},
		{"F2026", "产业发展补助资金", "财政专项扶贫资金", "省级", "2026", "教育资助", "1", "5.00", "0", "0.00", "2026"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("village A:\n%v\nwant\n%v", rows, want)
	}
	// The county: the other county's payment is not in it; the JSON page says the same.
	rows = f.openGet("/api/v1/public/open/funds.csv?region="+countyCode, "响水县-资金使用")
	page, err := f.S.Funds(f.Ctx, countyCode)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, r := range rows[1:] {
		fen, err := money.ParseYuan(r[7])
		if err != nil {
			t.Fatal(err)
		}
		sum += fen
	}
	if sum != page.PaidFen || sum != 5500 {
		t.Errorf("county file adds up to %d, page %d", sum, page.PaidFen)
	}
	if rows := f.openGet("/api/v1/public/open/funds.csv?region="+otherCode, "滨海县"); len(rows) != 2 || rows[1][7] != "30.00" {
		t.Errorf("other county %v", rows)
	}
}

func TestOpenNotices(t *testing.T) {
	f := newFixture(t)
	a := f.Households(villageA)
	open := f.notice(f.procedure(a[0], "registration", "open"), -24*time.Hour, 6*24*time.Hour)
	f.notice(f.procedure(a[1], "exit", "done"), -20*24*time.Hour, -13*24*time.Hour)
	// A notice written to attack a spreadsheet: its cells must not start a formula.
	evil := f.id(`INSERT INTO publicity_notices (procedure_id, step, region_code, title, body, starts_at, ends_at, created_by, created_at)
		VALUES (?, 2, ?, '=HYPERLINK("http://x","点我")', '@SUM(1+1)', ?, ?, 1, ?) RETURNING id`,
		f.procedure(a[2], "removal", "done"), villageA, db.Time(f.Now.Add(-10*24*time.Hour)), db.Time(f.Now.Add(-5*24*time.Hour)), db.Time(f.Now))
	rows := f.openGet("/api/v1/public/open/notices.csv?region="+villageA, "公示公告")
	if len(rows) != 4 {
		t.Fatalf("%d rows %v", len(rows), rows)
	}
	first := rows[1]
	if first[0] != strconv.FormatInt(open, 10) || first[1] != "纳入" || first[8] != "公示中" || first[4] != "关于户*1户纳入的公示" ||
		first[6] != "2026-07-14 10:00" || first[7] != "2026-07-21 10:00" {
		t.Errorf("open notice %v", first)
	}
	body := fmt.Sprint(rows)
	var idn, acct string
	_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT head_id_number, account_no FROM households WHERE id = ?`, a[0]).Scan(&idn, &acct)
	for _, leak := range []string{idn, acct, "13912345678", "户主1户"} {
		if strings.Contains(body, leak) {
			t.Errorf("notices file shows %q: %s", leak, body)
		}
	}
	var sawEvil bool
	for _, r := range rows[1:] {
		if r[0] == strconv.FormatInt(evil, 10) {
			sawEvil = true
			if r[4] != `'=HYPERLINK("http://x","点我")` || r[5] != "'@SUM(1+1)" || r[1] != "核销" || r[8] != "已结束" {
				t.Errorf("formula not neutralised: %v", r)
			}
		}
	}
	if !sawEvil {
		t.Error("the ended notice is missing")
	}
	// The city's file holds the village's notices too.
	if rows := f.openGet("/api/v1/public/open/notices.csv?region="+cityCode, "盐城市"); len(rows) != 4 {
		t.Errorf("city: %d rows", len(rows))
	}
}

func TestOpenProjects(t *testing.T) {
	f := newFixture(t)
	now := db.Time(f.Now)
	project := func(code, name string, stage int, status, region string) {
		acct := f.id(`INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('project', ?, ?, 1, ?) RETURNING id`,
			name, region, now)
		f.id(`INSERT INTO projects (code, name, kind, subkind, region_code, year, budget_fen, implementer, scale, stage, stage_since, status,
			account_id, created_by, created_at, updated_at) VALUES (?, ?, 'village', 'property', ?, 2026, 1234567, '村股份经济合作社', '厂房 800㎡', ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			code, name, region, stage, now, status, acct, now, now)
	}
	project("XM-1", "标准厂房", projects.Approval, "active", villageA)          // not yet public
	project("XM-2", "光伏电站", projects.Tender, "active", villageA)            // public
	project("XM-3", "-冷库", projects.Implementation, "failed", villageB)     // public, failed, starts with '-'
	project("XM-4", "他县的项目", projects.Implementation, "active", villageOth) // another county
	rows := f.openGet("/api/v1/public/open/projects.csv?region="+countyCode, "响水县-扶贫项目")
	if len(rows) != 3 {
		t.Fatalf("%d rows %v", len(rows), rows)
	}
	if got := strings.Join(rows[1], "|"); got != "XM-3|'-冷库|村集体经济|物业经营型|"+villageB+"|响水县第2村|2026|厂房 800㎡|村股份经济合作社|||12345.67|0.00|容错/失败|0" {
		t.Errorf("row %s", got)
	}
	if rows[2][0] != "XM-2" || rows[2][13] != "招标" {
		t.Errorf("row %v", rows[2])
	}
	// The JSON list shows the same projects in the same order.
	ps := &projects.Service{DB: f.DB}
	list, err := ps.PublicProjects(f.Ctx, countyCode, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Code != "XM-3" || list[1].Code != "XM-2" || list[0].StageLabel != rows[1][13] || list[1].StageLabel != rows[2][13] {
		t.Errorf("JSON %+v", list)
	}
}

func TestOpenBadRegions(t *testing.T) {
	f := newFixture(t)
	cq := &countingQ{q: f.DB.Reader()}
	f.S.Reader = cq
	h := f.handler()
	for _, c := range []struct{ path, msg string }{
		{"/api/v1/public/open/households.csv", "请指定区划"},
		{"/api/v1/public/open/households.csv?region=", "请指定区划"},
		{"/api/v1/public/open/households.csv?region=abc", "12 位数字"},
		{"/api/v1/public/open/households.csv?region=" + villageA + "&region=" + villageB, "只能指定一个"},
		{"/api/v1/public/open/households.csv?region=" + countyCode, "按乡镇、村发布"},
		{"/api/v1/public/open/funds.csv?region=320921100299", "区划不存在"},
		{"/api/v1/public/open/notices.csv?region=000000000000", "12 位数字"},
		{"/api/v1/public/open/projects.csv?region=320000000000", "按市、县(区)、乡镇、村发布"},
	} {
		st, b := f.get(h, c.path)
		e := decodeAs[httpx.ErrorBody](t, b)
		if st != 400 || e.Code != errs.Invalid || e.Fields["region"] == "" || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: %d %s", c.path, st, b)
		}
	}
	// An unknown region is looked up once, then answered from the cache.
	before := cq.n.Load()
	for i := 0; i < 5; i++ {
		if st, _ := f.get(h, "/api/v1/public/open/funds.csv?region=320921100299"); st != 400 {
			t.Fatal(st)
		}
	}
	if n := cq.n.Load() - before; n != 0 {
		t.Errorf("%d queries for a cached unknown region", n)
	}
	// A cache-buster is ignored, and a file is filled once while cached.
	fills := f.S.Cache.Fills()
	for i := 0; i < 3; i++ {
		if st, b := f.get(h, fmt.Sprintf("/api/v1/public/open/households.csv?region=%s&_=%d", villageA, i)); st != 200 {
			t.Fatalf("%d %s", st, b)
		}
	}
	if n := f.S.Cache.Fills() - fills; n != 1 {
		t.Errorf("%d fills", n)
	}
}

func TestCatalogue(t *testing.T) {
	f := newFixture(t)
	w := httptest.NewRecorder()
	f.handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/public/open", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	c := decodeAs[Catalogue](t, w.Body.Bytes())
	names := map[string]bool{}
	for _, d := range c.Datasets {
		if names[d.Name] || d.Title == "" || d.Description == "" || len(d.Levels) == 0 || d.Format != "csv" ||
			!strings.HasPrefix(d.URL, "/api/v1/public/open/") || !strings.HasSuffix(d.URL, ".csv") {
			t.Errorf("dataset %+v", d)
		}
		names[d.Name] = true
		if set, ok := openSets[d.Name]; ok && (set.title != d.Title || fmt.Sprint(set.levels) != fmt.Sprint(d.Levels)) {
			t.Errorf("%s: catalogue says %s %v, the file %s %v", d.Name, d.Title, d.Levels, set.title, set.levels)
		}
	}
	for _, n := range []string{"households", "projects", "funds", "notices", "needs", "donations", "forces"} {
		if !names[n] {
			t.Errorf("%s not listed", n)
		}
	}
	for n := range openSets {
		if !names[n] {
			t.Errorf("file %s not in the catalogue", n)
		}
	}
	if !json.Valid(catalogueJSON) {
		t.Error("catalogue is not JSON")
	}
}

func TestAttachment(t *testing.T) {
	for _, name := range []string{"响水县第1村-建档立卡户(脱敏)-2026-07-15.csv", `a"b;c,d%e f.csv`, "plain.csv"} {
		h := Attachment("x-1.csv", name)
		_, params, err := mime.ParseMediaType(h)
		if err != nil || params["filename"] != name {
			t.Errorf("%q → %q: %v %v", name, h, params, err)
		}
	}
	if h := Attachment("a\"\r\nb.csv", "x"); strings.ContainsAny(h, "\r\n") || !strings.HasPrefix(h, `attachment; filename="a___b.csv"`) {
		t.Errorf("ascii %q", h)
	}
}

// The query parser answers a region code or a 400 naming region, never anything else.
func FuzzOpenQuery(f *testing.F) {
	for _, s := range []string{"region=320921100201", "region=", "", "region=320921100201&region=320921100202", "region=%20320921100201%20",
		"region=abc", "region=000000000000", "region=32092110020１", "_=1&region=320900000000", "region=%zz", "region;x=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		code, err := ParseOpenQuery(q)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || e.Code != errs.Invalid || e.Fields["region"] == "" {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if len(code) != 12 || strings.Trim(code, "0123456789") != "" || len(q["region"]) != 1 {
			t.Fatalf("%q: accepted %q", raw, code)
		}
	})
}

// Whatever a region's name holds, the header stays one line of ASCII and decodes back.
func FuzzAttachment(f *testing.F) {
	for _, s := range []string{"响水县-建档立卡户.csv", "a\r\nb", `"';%`, "\x00\xff", ""} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, ascii, name string) {
		h := Attachment(ascii, name)
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] > 0x7e {
				t.Fatalf("%q: byte %x", h, h[i])
			}
		}
		if !utf8.ValidString(name) || name == "" {
			return
		}
		if _, params, err := mime.ParseMediaType(h); err != nil || params["filename"] != name {
			t.Fatalf("%q → %q: %v %v", name, h, params, err)
		}
	})
}
