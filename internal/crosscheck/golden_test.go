package crosscheck

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_run.json")

// The run is on 2025-06-30 (Shanghai).
var goldenAt = time.Date(2025, 6, 30, 10, 0, 0, 0, db.Shanghai)

type fxMember struct {
	key, name string
	active    bool
}

type fxHousehold struct {
	no, status, reg, exit, until string
	members                      []fxMember
}

// goldenRegistry: each household plants one case or a near-miss.
var goldenRegistry = []fxHousehold{
	{"H01", "registered", "2021-03-01", "", "", []fxMember{{"A1", "张三", true}, {"A2", "李四", true}, {"A3", "张三丰", true}, {"U1", "张离开", false}}},
	{"H02", "exited", "2020-01-01", "2023-12-31", "2099-12-31", []fxMember{{"B1", "赵一", true}, {"B2", "赵二", true}}},
	{"H03", "registered", "2019-05-01", "", "", []fxMember{{"C1", "钱一", true}, {"C2", "钱二", true}}},
	{"H04", "registered", "2019-05-01", "", "", []fxMember{{"D1", "孙一", true}, {"D2", "孙二", true}}},
	{"H05", "registered", "2019-05-01", "", "", []fxMember{{"E1", "李一", true}}},
	{"H06", "registered", "2019-05-01", "", "", []fxMember{{"F1", "周一", true}, {"F2", "周二", true}}},
	{"H07", "registered", "2019-05-01", "", "", []fxMember{{"G1", "吴一", true}, {"G2", "吴二", true}}},
	{"H08", "registered", "2020-06-01", "", "", []fxMember{{"K1", "郑一", true}, {"K2", "郑二", true}}},
	{"H09", "registered", "2019-05-01", "", "", []fxMember{{"M1", "王一", true}, {"M2", "王二", true}}},
	{"H10", "registered", "2019-05-01", "", "", []fxMember{{"N1", "冯一", true}, {"N2", "冯二", true}}},
	{"H11", "registered", "2019-05-01", "", "", []fxMember{{"W1", "陈一", true}, {"W2", "陈二", true}}},
	{"H12", "registered", "2019-05-01", "", "", []fxMember{{"P1", "褚一", true}, {"P2", "褚二", true}}},
	{"H13", "registered", "2019-05-01", "", "", []fxMember{{"Q1", "卫一", true}, {"Q2", "卫二", true}}},
	{"H14", "registered", "2019-05-01", "", "", []fxMember{{"R1", "蒋一", true}, {"R2", "蒋二", true}}},
	{"H15", "applying", "", "", "", []fxMember{{"S1", "沈一", true}}},
	{"H16", "removed", "2019-05-01", "", "", []fxMember{{"T1", "韩一", true}}},
	{"H17", "exited", "2016-01-01", "2018-12-31", "2020-12-31", []fxMember{{"V1", "杨一", true}}},
}

// Expected findings (household, rule, member key; "" for the household)
// and near-misses that must not be raised.
var goldenExpect = [][3]string{
	{"H01", "vehicle", "A1"}, {"H01", "name_mismatch", "A3"},
	{"H02", "social_insurance", "B2"},
	{"H04", "financial_assets", ""},
	{"H06", "residential_property", ""},
	{"H07", "business", "G1"}, {"H07", "nonresidential_property", ""},
	{"H08", "public_employee", "K2"},
	{"H09", "deceased", "M1"},
	{"H10", "tax_income", ""},
	{"H12", "housing_fund", "P1"},
	{"H13", "farm_machinery", "Q1"},
	{"H14", "cadre_relative", "R1"},
	{"H15", "vehicle", "S1"},
}

// fxID gives every fixture key a distinct valid ID number; outsiders (not
// in the registry) come from another county.
func fxID(key string) string {
	n := 0
	for _, c := range key {
		n = n*131 + int(c)
	}
	return idcard.Make("320921", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%20000), n%499, idcard.Sex(n%2))
}

func outsiderID(i int) string {
	return idcard.Make("110105", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/400), i%400, idcard.Sex(i%2))
}

func seedGolden(t testing.TB, d *db.DB) {
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		for _, r := range [][]any{
			{"320900000000", "盐城市", "city", nil}, {"320921000000", "响水县", "county", "320900000000"},
			{"320921100000", "响水镇", "town", "320921000000"}, {"320921100201", "张集村", "village", "320921100000"},
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				r[0], r[1], r[2], r[3], now, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO income_lines (year, region_code, line_fen, created_at, updated_at) VALUES (2024, '320900000000', 1000000, ?, ?), (2023, '320900000000', 900000, ?, ?)`,
			now, now, now, now); err != nil {
			return err
		}
		for _, h := range goldenRegistry {
			active := 0
			for _, m := range h.members {
				if m.active {
					active++
				}
			}
			nul := func(s string) any {
				if s == "" {
					return nil
				}
				return s
			}
			var hid int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO households (household_no, region_code, head_name, head_id_number, household_type, status,
				registered_on, exited_on, policy_until, members_count, created_at, updated_at) VALUES (?, '320921100201', ?, ?, 'general', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				h.no, h.members[0].name, fxID(h.members[0].key), h.status, nul(h.reg), nul(h.exit), nul(h.until), active, now, now).Scan(&hid); err != nil {
				return err
			}
			for i, m := range h.members {
				rel := "child"
				if i == 0 {
					rel = "head"
				}
				act, left := 1, any(nil)
				if !m.active {
					act, left = 0, "2022-01-01"
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO members (household_id, region_code, id_number, name, relation, sex, birth_date, active, left_on, created_at, updated_at)
					VALUES (?, '320921100201', ?, ?, ?, 'male', '1960-01-01', ?, ?, ?, ?)`, hid, fxID(m.key), m.name, rel, act, left, now, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type fxFile struct {
	name   string
	kind   Kind
	enc    string // utf8 | bom | gbk | xlsx | raw (body as is)
	header []string
	rows   [][]string
	raw    string // extra lines appended as is (CSV only)
	asOf   string
}

// r builds a row: the first cell is a fixture key (or "!" + literal ID).
func r(key string, rest ...string) []string {
	id := key
	if strings.HasPrefix(key, "!") {
		id = key[1:]
	} else if strings.HasPrefix(key, "X") {
		var n int
		fmt.Sscanf(key[1:], "%d", &n)
		id = outsiderID(n)
	} else {
		id = fxID(key)
	}
	return append([]string{id}, rest...)
}

func noise(n int, cols int) [][]string {
	var out [][]string
	for i := 0; i < n; i++ {
		row := []string{outsiderID(1000 + i), "路人" + fmt.Sprint(i)}
		for len(row) < cols {
			row = append(row, "")
		}
		out = append(out, row)
	}
	return out
}

func goldenFiles() []fxFile {
	veh := fxFile{name: "vehicle.csv", kind: KindVehicle, enc: "gbk",
		header: []string{"身份证号码", "所有人", "号牌号码", "车辆类型", "初次登记日期", "价值(元)"},
		rows: [][]string{
			r("A1", "张三", "苏J·12345", "小型轿车", "2024-05-01", "86000"),
			r("A2", "李四", "苏J·M6789", "普通二轮摩托车", "2023-01-01", "8000"),
			r("S1", "沈一", "苏J·A0001", "小型普通客车", "2025/3/2", "120,000.00"),
			r("T1", "韩一", "苏J·T0001", "小型轿车", "2020-01-01", "50000"),
			r("U1", "张离开", "苏J·U0001", "小型轿车", "2020-01-01", "50000"),
			r("X1", "路人甲", "京A·00001", "小型轿车", "2020-01-01", "300000"),
		},
		raw: "3.20921E+17,某人,苏J·9,小型轿车,2020-01-01,1\n" + fxID("A2") + ",李四,苏J·2,小型轿车\n"}
	veh.rows = append(veh.rows, noise(20, 6)...)
	farm := fxFile{name: "farm.csv", kind: KindFarmMachinery, enc: "utf8",
		header: []string{"id_number", "name", "machine_type", "registered_on", "value_yuan"},
		rows: [][]string{
			r("Q1", "卫一", "联合收割机", "2022-04-01", "180000"),
			r("Q2", "卫二", "手扶拖拉机", "2021-04-01", "20000"),
		}}
	social := fxFile{name: "social.csv", kind: KindSocialInsur, enc: "bom",
		header: []string{"公民身份号码", "姓名", "险种", "参保单位", "缴费基数", "缴费起始年月", "缴费终止年月"},
		rows: [][]string{
			r("B1", "赵一", "企业职工基本养老保险", "响水某厂", "4000", "2024-03", ""),
			r("B2", "赵二", "职工基本医疗保险", "盐城某公司", "3500", "2022-01", "2022-12"),
			r("A3", "张三丰", "城乡居民基本医疗保险", "", "", "2021-01", ""),
			r("A2", "李四", "职工基本养老保险", "某厂", "3000", "2018-01", "2021-03-20"), // overlaps 20 days: within the grace
			r("A1", "张三", "职工基本养老保险", "某厂", "3000", "2021-13", ""),           // bad month: rejected
		}}
	social.rows = append(social.rows, noise(5, 7)...)
	fund := fxFile{name: "fund.xlsx", kind: KindHousingFund, enc: "xlsx",
		header: []string{"身份证号", "职工姓名", "单位名称", "月缴存额", "账户余额", "截至日期"},
		rows: [][]string{
			r("P1", "褚一", "响水县某局", "800", "12000", "2025-05-31"),
			r("P2", "褚二", "原单位", "0", "5000", "2025-05-31"),
			r("X2", "路人乙", "某单位", "1200", "30000", "2025-05-31"),
		}}
	tax := fxFile{name: "tax.csv", kind: KindTax, enc: "utf8",
		header: []string{"身份证号", "纳税人姓名", "纳税年度", "应纳税所得额", "已缴税额"},
		rows: [][]string{
			r("N1", "冯一", "2024", "60000", "1800"),
			r("N2", "冯二", "2024", "20000", "0"),
			r("N1", "冯一", "2023", "5000", "0"),
			r("W1", "陈一", "2024", "15000", "0"),
			r("A3", "张小三", "2024", "1000", "0"),
		}}
	estate := fxFile{name: "estate.csv", kind: KindRealEstate, enc: "utf8",
		header: []string{"身份证号", "权利人", "不动产权证号", "坐落", "用途", "建筑面积", "登记日期"},
		rows: [][]string{
			r("E1", "李一", "苏(2020)响水县不动产权第0000001号", "响水县张集村 1 号", "住宅", "120.5", "2020-01-01"),
			r("F1", "周一", "苏(2019)响水县不动产权第0000002号", "响水县城, 幸福路 2 号", "成套住宅", "89", "2019-06-01"),
			r("F2", "周二", "苏(2019)响水县不动产权第0000002号", "响水县城, 幸福路 2 号", "成套住宅", "89", "2019-06-01"),
			r("F1", "周一", "苏(2023)响水县不动产权第0000003号", "盐城市\n开发区 3 号", "住宅", "100.25", "2023-02-01"),
			r("G1", "吴一", "苏(2022)响水县不动产权第0000004号", "响水县城 \"金港\" 车库 5 号", "车库", "15", "2022-08-08"),
		}}
	estate.rows = append(estate.rows, noise(5, 7)...)
	deposit := fxFile{name: "deposit.csv", kind: KindDeposit, enc: "utf8", asOf: "2025-05-31",
		header: []string{"身份证号", "姓名", "开户行", "存款余额", "余额日期"},
		rows: [][]string{
			r("C1", "钱一", "工商银行", "20000.00", ""),
			r("C2", "钱二", "农业银行", "10,000", ""), // with C2's 8,000 of securities: 19,000 a head, just under 19,440
			r("D1", "孙一", "工商银行", "100000", "2024-12-31"),
			r("D1", "孙一", "工商银行", "30000", "2025-05-31"),
		}}
	sec := fxFile{name: "securities.csv", kind: KindSecurities, enc: "gbk",
		header: []string{"证件号码", "投资者姓名", "证券公司", "市值", "市值日期"},
		rows: [][]string{
			r("D2", "孙二", "华泰证券", "10000", "2025-05-30"),
			r("C2", "钱二", "东吴证券", "8000.00", "2025-05-30"),
		}}
	biz := fxFile{name: "business.csv", kind: KindBusiness, enc: "utf8",
		header: []string{"身份证号", "姓名", "企业名称", "统一社会信用代码", "职务", "注册资本(万元)"},
		rows: [][]string{
			r("G1", "吴一", "响水某某商贸有限公司", "91320921MA1XXXXX0X", "法定代表人", "50"),
			r("G2", "吴二", "响水某某农业有限公司", "91320921MA1YYYYY0Y", "股东", "5"),
			r("G1", "吴一", "吴一便利店", "92320921MA1ZZZZZ0Z", "个体工商户经营者", "100"),
		}}
	pe := fxFile{name: "public.csv", kind: KindPublicEmployee, enc: "utf8",
		header: []string{"身份证号", "姓名", "工作单位", "职务", "入职日期", "离职日期"},
		rows: [][]string{
			r("K1", "郑一", "响水县某局", "科员", "2010-07-01", "2018-12-31"),
			r("K2", "郑二", "响水县某小学", "教师", "2015-09-01", ""),
		}}
	death := fxFile{name: "death.csv", kind: KindDeath, enc: "utf8",
		header: []string{"身份证号", "姓名", "死亡日期"},
		rows: [][]string{
			r("M1", "王一", "2025年1月10日"),
			r("X3", "路人丙", "2024-01-01"),
		}}
	cadre := fxFile{name: "cadre.csv", kind: KindCadreRelative, enc: "utf8",
		header: []string{"亲属身份证号", "亲属姓名", "干部身份证号", "干部姓名", "干部职务", "与干部关系"},
		rows: [][]string{
			r("R1", "蒋一", outsiderID(7), "王五", "响水镇镇长", "配偶"),
			r("R2", "蒋二", outsiderID(7), "王五", "响水镇镇长", "姻亲"),
		}}
	return []fxFile{veh, farm, social, fund, tax, estate, deposit, sec, biz, pe, death, cadre}
}

func csvCell(v string) string {
	if strings.ContainsAny(v, ",\"\n") {
		return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return v
}

func writeFixture(t testing.TB, dir string, f fxFile) string {
	p := filepath.Join(dir, f.name)
	if f.enc == "xlsx" {
		var buf bytes.Buffer
		w, err := tabular.NewXLSXWriter(&buf, "Sheet1", f.header)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range f.rows {
			if err := w.Write(row); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvCell(c))
		}
		b.WriteString("\r\n")
	}
	line(f.header)
	for _, row := range f.rows {
		line(row)
	}
	b.WriteString(f.raw)
	data := []byte(b.String())
	switch f.enc {
	case "bom":
		data = append([]byte(bomUTF8), data...)
	case "gbk":
		var err error
		if data, err = simplifiedchinese.GBK.NewEncoder().Bytes(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// goldenView is the golden file's form of a run: IDs replaced by
// household numbers and fixture keys, so it reads the same on both
// databases.
type goldenView struct {
	Doubts  []goldenDoubt  `json:"doubts"`
	Reports []goldenReport `json:"reports"`
}

type goldenDoubt struct {
	Household   string     `json:"household"`
	Member      string     `json:"member,omitempty"`
	Rule        string     `json:"rule"`
	DataError   bool       `json:"data_error,omitempty"`
	Explanation string     `json:"explanation"`
	Evidence    []Evidence `json:"evidence"`
	Hash        string     `json:"evidence_hash"`
}

type goldenReport struct {
	File string `json:"file"`
	ScanReport
}

func runGolden(t *testing.T, d *db.DB, dir string, files []fxFile, order []int) (Result, map[int64]string, map[int64]string) {
	ctx := context.Background()
	snap, err := LoadSnapshot(ctx, d.Reader())
	if err != nil {
		t.Fatal(err)
	}
	snap.At = goldenAt
	var dfs []DatasetFile
	for _, i := range order {
		f := files[i]
		df := DatasetFile{ID: int64(i + 1), Kind: f.kind, Path: writeFixture(t, dir, f)}
		if f.asOf != "" {
			df.AsOf, _ = time.Parse(time.DateOnly, f.asOf)
		}
		dfs = append(dfs, df)
	}
	var last Progress
	res, err := Run(ctx, snap, dfs, DefaultRules(), func(p Progress) {
		if p.RowsRead < last.RowsRead || p.BytesRead < last.BytesRead {
			t.Errorf("progress went back: %+v after %+v", p, last)
		}
		last = p
	})
	if err != nil {
		t.Fatal(err)
	}
	if !last.Done || last.BytesRead != last.TotalBytes || last.RowsRead != res.Rows {
		t.Errorf("final progress %+v, result rows %d", last, res.Rows)
	}
	households, members := map[int64]string{}, map[int64]string{}
	rows, err := d.Reader().QueryContext(ctx, `SELECT h.id, h.household_no, m.id, m.id_number FROM households h JOIN members m ON m.household_id = h.id`)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, h := range goldenRegistry {
		for _, m := range h.members {
			byID[fxID(m.key)] = m.key
		}
	}
	for rows.Next() {
		var hid, mid int64
		var no, idn string
		if err := rows.Scan(&hid, &no, &mid, &idn); err != nil {
			t.Fatal(err)
		}
		households[hid], members[mid] = no, byID[idn]
	}
	rows.Close()
	return res, households, members
}

func TestGoldenRun(t *testing.T) {
	d := dbtest.Open(t)
	seedGolden(t, d)
	files := goldenFiles()
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	res, households, members := runGolden(t, d, t.TempDir(), files, order)

	var view goldenView
	var got [][3]string
	for _, x := range res.Doubts {
		g := goldenDoubt{Household: households[x.HouseholdID], Member: members[x.MemberID], Rule: x.RuleKey, DataError: x.DataError,
			Explanation: x.Explanation, Evidence: x.Evidence, Hash: x.EvidenceHash}
		view.Doubts = append(view.Doubts, g)
		got = append(got, [3]string{g.Household, g.Rule, g.Member})
		if x.RegionCode != "320921100201" {
			t.Errorf("doubt %v: region %q", got[len(got)-1], x.RegionCode)
		}
		if strings.Contains(x.Explanation, "{") {
			t.Errorf("doubt %v: unfilled template %q", got[len(got)-1], x.Explanation)
		}
		if x.MemberID != 0 && !strings.Contains(x.Explanation, "********") {
			t.Errorf("doubt %v: ID number not masked in %q", got[len(got)-1], x.Explanation)
		}
	}
	// The planted cases, and nothing else: every near-miss stays silent.
	want := slices.Clone(goldenExpect)
	sortTriples(want)
	sortTriples(got)
	if !slices.Equal(got, want) {
		t.Errorf("doubts:\n got %v\nwant %v", got, want)
	}
	for i, f := range files {
		view.Reports = append(view.Reports, goldenReport{File: f.name, ScanReport: res.Reports[i]})
	}
	// Rejected rows: the vehicle file's Excel-mangled ID and short row, the
	// social-insurance file's impossible month (a matched row).
	if rep := res.Reports[0]; rep.Rejected != 2 || rep.Encoding != "gb18030" || rep.Errors[0].Code != codeBadID || rep.Errors[1].Code != codeColumns {
		t.Errorf("vehicle report: %+v", rep)
	}
	if rep := res.Reports[2]; rep.Rejected != 1 || rep.Errors[0].Column != "period_from" || rep.Encoding != "utf-8" {
		t.Errorf("social insurance report: %+v", rep)
	}
	if rep := res.Reports[3]; rep.Format != "xlsx" || rep.Matched != 2 || rep.Rows != 3 {
		t.Errorf("housing fund report: %+v", rep)
	}
	if rep := res.Reports[5]; rep.Rows != 10 || rep.Rejected != 0 || rep.Matched != 5 {
		t.Errorf("real estate report (quoted, multi-line): %+v", rep)
	}
	out, err := json.MarshalIndent(view, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	golden := filepath.Join("testdata", "golden_run.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want2, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(out, want2) {
		t.Errorf("run differs from %s (run with -update after checking the change):\n%s", golden, firstDiff(string(want2), string(out)))
	}

	// The same evidence in another order, in other files, gives the same
	// hashes: that is what keeps an explained doubt from coming back.
	rev := make([]int, len(files))
	for i := range rev {
		rev[i] = len(files) - 1 - i
	}
	for i := range files {
		slices.Reverse(files[i].rows)
	}
	res2, _, _ := runGolden(t, d, t.TempDir(), files, rev)
	if len(res2.Doubts) != len(res.Doubts) {
		t.Fatalf("reordered run: %d doubts, want %d", len(res2.Doubts), len(res.Doubts))
	}
	for i := range res.Doubts {
		if res.Doubts[i].EvidenceHash != res2.Doubts[i].EvidenceHash {
			t.Errorf("doubt %d (%s): hash changed with row order", i, res.Doubts[i].RuleKey)
		}
	}
	// Changed evidence changes the hash.
	files[0].rows = slices.Clone(files[0].rows)
	for i, row := range files[0].rows {
		if row[1] == "张三" {
			files[0].rows[i] = slices.Clone(row)
			files[0].rows[i][5] = "96000"
		}
	}
	vehicleHash := func(res Result, households map[int64]string) string {
		for _, x := range res.Doubts {
			if households[x.HouseholdID] == "H01" && x.RuleKey == "vehicle" {
				return x.EvidenceHash
			}
		}
		t.Fatal("no vehicle doubt for H01")
		return ""
	}
	res3, households3, _ := runGolden(t, d, t.TempDir(), files, order)
	if vehicleHash(res3, households3) == vehicleHash(res, households) {
		t.Error("changed vehicle value kept the evidence hash")
	}
}

func sortTriples(s [][3]string) {
	slices.SortFunc(s, func(a, b [3]string) int { return strings.Compare(a[0]+a[1]+a[2], b[0]+b[1]+b[2]) })
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}
