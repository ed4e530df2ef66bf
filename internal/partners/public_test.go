package partners

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// mobileRe finds an 11-digit mobile number not part of a longer number (region codes are 12).
var mobileRe = regexp.MustCompile(`(^|[^0-9])1[0-9]{10}([^0-9]|$)`)

// seedForces fills county 320921 with one of everything, with phones and names to hide.
func seedForces(t *testing.T, f *fixture) {
	t.Helper()
	office := f.office()
	firm, err := f.S.CreateProvider(f.Ctx, office, firmInput(1))
	if err != nil {
		t.Fatal(err)
	}
	vol, err := f.S.CreateProvider(f.Ctx, office, ProviderInput{Kind: "volunteer", Name: "李小红", Phone: "13900002222", RegionCode: villageA,
		Services: []string{"助学辅导"}})
	if err != nil {
		t.Fatal(err)
	}
	hh := f.household(villageA)
	for _, r := range []struct {
		pid  int64
		svc  string
		hh   *int64
		date string
	}{{firm.ID, "法律咨询", &hh, "2026-07-01"}, {vol.ID, "助学辅导", nil, "2026-07-02"}} {
		if _, err := f.S.AddService(f.Ctx, office, r.pid, ServiceInput{RegionCode: villageA, HouseholdID: r.hh, ServedOn: r.date, Service: r.svc,
			Content: "联系电话 13912345678 户主张三", Hours: 2, People: 1}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := f.S.CreateDeputy(f.Ctx, office, DeputyInput{Kind: "npc", Level: "city", Name: "王建国", Phone: "13700003333", RegionCode: countyCode})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.S.CreatePairing(f.Ctx, office, PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: villageA, Since: "2026-01-01"}); err != nil {
		t.Fatal(err)
	}
	ep, err := f.S.CreatePairing(f.Ctx, office, PairingInput{Kind: "enterprise", Enterprise: "=HYPERLINK(\"x\")食品公司", CreditCode: firmCode(5),
		Contact: "赵四海", Phone: "13600004444", VillageCode: villageA, Since: "2026-02-01", Commitment: "收购农产品", PledgedYuan: "100000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.S.AddActivity(f.Ctx, f.office(), ep.ID, ActivityInput{OnDate: "2026-07-03", Title: "收购大米", Content: "联系 13600004444",
		ValueYuan: "8000", People: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.S.CreateEntrepreneur(f.Ctx, office, EntrepreneurInput{Name: "陈志强", Phone: "13512345678", HometownCode: villageA,
		WorksIn: "上海", Capital: true, Project: true}); err != nil {
		t.Fatal(err)
	}
}

func TestForcesPage(t *testing.T) {
	f := newFixture(t)
	seedForces(t, f)
	for _, code := range []string{countyCode, townA, villageA} {
		b, err := f.S.ForcesPageJSON(f.Ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		body := string(b)
		if m := mobileRe.FindString(body); m != "" {
			t.Fatalf("%s: a phone number in the public page: %q", code, m)
		}
		for _, leak := range []string{"李小红", "赵四海", "张明华", "household_id", "陈志强", "户主", "张三", "phone\":\"1"} {
			if strings.Contains(body, leak) {
				t.Fatalf("%s: %q leaks: %s", code, leak, body)
			}
		}
		var pg ForcesPage
		if err := json.Unmarshal(b, &pg); err != nil {
			t.Fatal(err)
		}
		if len(pg.Firms) != 1 || pg.Firms[0].ContactPerson != "张*华" || pg.Firms[0].Name != "江苏响水律师事务所" || pg.Volunteers != 1 ||
			pg.ServiceRecords != 2 || pg.ServiceHours != 4 || len(pg.Deputies) != 1 || pg.Deputies[0].DeputyName != "王建国" ||
			len(pg.Enterprises) != 1 || pg.Enterprises[0].DeliveredFen != 800_000 || pg.Enterprises[0].Contact != "赵*海" ||
			pg.Entrepreneurs != (ForcesCounts{Total: 1, Capital: 1, Project: 1}) || len(pg.Recent) != 3 {
			t.Fatalf("%s: page %s", code, b)
		}
		if pg.Recent[0].Title != "收购大米" || pg.Recent[0].Content != "" || pg.Recent[1].Title != "助学辅导(志愿者 李*红)" {
			t.Fatalf("%s: recent %+v", code, pg.Recent)
		}
	}
	// the other village of the town has the county's firm but no volunteer, pair or record
	pg, err := f.S.ForcesPage(f.Ctx, villageA2)
	if err != nil || len(pg.Firms) != 1 || pg.Volunteers != 0 || pg.ServiceRecords != 0 || len(pg.Deputies) != 0 || len(pg.Recent) != 0 {
		t.Fatalf("village A2: %+v %v", pg, err)
	}
	// a firm serving the whole city shows on every page of it
	city := f.as(auth.PovertyOffice, cityCode)
	in := firmInput(8)
	in.Name, in.RegionCode = "盐城市会计师事务所", cityCode
	if _, err := f.S.CreateProvider(f.Ctx, city, in); err != nil {
		t.Fatal(err)
	}
	if pg, err := f.S.ForcesPage(f.Ctx, villageA2); err != nil || len(pg.Firms) != 2 {
		t.Fatalf("city firm on a village page: %+v %v", pg.Firms, err)
	}
	if pg, err := f.S.ForcesPage(f.Ctx, villageOth); err != nil || len(pg.Firms) != 1 || pg.Firms[0].Name != "盐城市会计师事务所" {
		t.Fatalf("other county's village page: %+v %v", pg.Firms, err)
	}
	for code, want := range map[string]errs.Code{"320921999999": errs.NotFound, cityCode: errs.Invalid, "abc": errs.Invalid} {
		if _, err := f.S.ForcesPageJSON(f.Ctx, code); errs.CodeOf(err) != want {
			t.Errorf("%s: %v, want %s", code, err, want)
		}
	}
}

// The page is cached: a change shows once the cache time has passed.
func TestForcesPageCached(t *testing.T) {
	f := newFixture(t)
	seedForces(t, f)
	first, err := f.S.ForcesPageJSON(f.Ctx, villageA)
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE partner_providers SET status = 'inactive' WHERE kind = 'volunteer'`)
	again, _ := f.S.ForcesPageJSON(f.Ctx, villageA)
	if !bytes.Equal(first, again) || f.S.Cache.Fills() != 1 {
		t.Fatalf("not served from the cache (%d fills)", f.S.Cache.Fills())
	}
	f.Now = f.Now.Add(31 * time.Second)
	later, _ := f.S.ForcesPageJSON(f.Ctx, villageA)
	if bytes.Equal(first, later) || !strings.Contains(string(later), `"volunteers":0`) {
		t.Fatalf("stale after the cache time: %s", later)
	}
}

func TestForcesCSV(t *testing.T) {
	f := newFixture(t)
	seedForces(t, f)
	b, err := f.S.ForcesCSV(f.Ctx, countyCode)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF类别,名称,统一社会信用代码")) {
		t.Fatalf("no BOM or header: %q", b[:40])
	}
	if m := mobileRe.Find(b); m != nil {
		t.Fatalf("a phone in the CSV: %q", m)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[1:]
	text := strings.Join(func() []string {
		var out []string
		for _, r := range rows {
			out = append(out, strings.Join(r, "|"))
		}
		return out
	}(), "\n")
	if len(rows) != 3 || !strings.Contains(text, "律师事务所|江苏响水律师事务所|"+firmCode(1)) || !strings.Contains(text, "人大代表结对|王建国") ||
		!strings.Contains(text, "村企结对|'=HYPERLINK") || !strings.Contains(text, "|100000.00|8000.00|1") || strings.Contains(text, "李小红") {
		t.Fatalf("csv rows:\n%s", text)
	}
	if _, err := f.S.ForcesCSV(f.Ctx, "320921999999"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown region: %v", err)
	}
	if _, err := f.S.ForcesCSV(f.Ctx, ""); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("no region: %v", err)
	}
}
