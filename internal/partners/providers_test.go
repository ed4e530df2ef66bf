package partners

import (
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func firmInput(n int) ProviderInput {
	return ProviderInput{Kind: "law_firm", Name: "江苏响水律师事务所", ContactPerson: "张明华", Phone: "13800001111",
		CreditCode: firmCode(n), RegionCode: countyCode, Services: []string{"法律咨询", "法律援助"}}
}

func TestProviders(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	firm, err := f.S.CreateProvider(f.Ctx, office, firmInput(1))
	if err != nil {
		t.Fatal(err)
	}
	if firm.Status != "active" || firm.Version != 1 || firm.RegionName != "响水县" || firm.Phone != "13800001111" || len(firm.Services) != 2 {
		t.Fatalf("firm %+v", firm)
	}
	// lower case credit codes are taken in capitals; volunteers need none
	in := firmInput(2)
	in.Kind, in.CreditCode = "accounting_firm", strings.ToLower(firmCode(2))
	if acc, err := f.S.CreateProvider(f.Ctx, office, in); err != nil || acc.CreditCode != firmCode(2) {
		t.Fatalf("%+v %v", acc, err)
	}
	vol, err := f.S.CreateProvider(f.Ctx, office, ProviderInput{Kind: "volunteer", Name: "李小红", Phone: "13900002222",
		RegionCode: villageA, Services: []string{"助学辅导"}})
	if err != nil {
		t.Fatal(err)
	}
	// the village cadre sees phones masked (no household.export)
	cadre := f.as(auth.VillageCadre, villageA)
	got, err := f.S.Provider(f.Ctx, cadre, vol.ID)
	if err != nil || got.Phone != "139****2222" {
		t.Fatalf("cadre reads %+v %v", got, err)
	}
	if _, err := f.S.Provider(f.Ctx, cadre, firm.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a village cadre reads the county's firm: %v", err)
	}
	list, err := f.S.Providers(f.Ctx, office, Filter{Kind: "law_firm"})
	if err != nil || len(list) != 1 || list[0].ID != firm.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	list, err = f.S.Providers(f.Ctx, office, Filter{Region: villageA, Q: "小"})
	if err != nil || len(list) != 1 || list[0].ID != vol.ID {
		t.Fatalf("list by region and q %+v %v", list, err)
	}
	list, err = f.S.Providers(f.Ctx, office, Filter{Limit: 1})
	if err != nil || len(list) != 2 {
		t.Fatalf("a page of 1 reads 2 rows (the next one tells there is more): %d %v", len(list), err)
	}
	if _, err := f.S.Providers(f.Ctx, f.as(auth.PovertyOffice, otherCode), Filter{Region: countyCode}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("another county lists ours: %v", err)
	}
	if l, _ := f.S.Providers(f.Ctx, f.as(auth.PovertyOffice, otherCode), Filter{}); len(l) != 0 {
		t.Fatalf("another county sees %d providers", len(l))
	}

	// update: services, status, phone; a stale version loses
	svc := []string{"法律咨询"}
	st := "inactive"
	up, err := f.S.UpdateProvider(f.Ctx, office, firm.ID, ProviderUpdate{Version: 1, Services: &svc, Status: &st})
	if err != nil || up.Version != 2 || up.Status != "inactive" || len(up.Services) != 1 || up.Phone != "13800001111" {
		t.Fatalf("update %+v %v", up, err)
	}
	wantCode(t, func() error {
		_, err := f.S.UpdateProvider(f.Ctx, office, firm.ID, ProviderUpdate{Version: 1, Status: &st})
		return err
	}(), "conflict")
	bad := "12345"
	err = func() error {
		_, err := f.S.UpdateProvider(f.Ctx, office, firm.ID, ProviderUpdate{Version: 2, Phone: &bad})
		return err
	}()
	if e, ok := errs.As(err); !ok || e.Fields["phone"] == "" {
		t.Fatalf("bad phone: %v", err)
	}
	if n := f.audits("provider.update"); n != 1 {
		t.Fatalf("%d update events", n)
	}
}

func TestProviderRefusals(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	long := []string{}
	for i := 0; i < 11; i++ {
		long = append(long, "服务"+string(rune('甲'+i)))
	}
	for _, c := range []struct {
		name  string
		p     *auth.Principal
		in    func(*ProviderInput)
		code  errs.Code
		field string
	}{
		{"kind", office, func(in *ProviderInput) { in.Kind = "bank" }, errs.Invalid, "kind"},
		{"name", office, func(in *ProviderInput) { in.Name = " " }, errs.Invalid, "name"},
		{"phone 10 digits", office, func(in *ProviderInput) { in.Phone = "1380000111" }, errs.Invalid, "phone"},
		{"phone landline", office, func(in *ProviderInput) { in.Phone = "0515-8888888" }, errs.Invalid, "phone"},
		{"credit check digit", office, func(in *ProviderInput) { in.CreditCode = in.CreditCode[:17] + "Y" }, errs.Invalid, "credit_code"},
		{"credit missing", office, func(in *ProviderInput) { in.CreditCode = "" }, errs.Invalid, "credit_code"},
		{"volunteer with credit code", office, func(in *ProviderInput) { in.Kind = "volunteer" }, errs.Invalid, "credit_code"},
		{"firm without contact", office, func(in *ProviderInput) { in.ContactPerson = "" }, errs.Invalid, "contact_person"},
		{"11 services", office, func(in *ProviderInput) { in.Services = long }, errs.Invalid, "services"},
		{"service too long", office, func(in *ProviderInput) {
			in.Services = []string{"一二三四五六七八九十一二三四五六七八九十一"}
		}, errs.Invalid, "services[0]"},
		{"service repeated", office, func(in *ProviderInput) { in.Services = []string{"法律咨询", "法律咨询"} }, errs.Invalid, "services[1]"},
		{"region unknown", office, func(in *ProviderInput) { in.RegionCode = "320921999000" }, errs.Invalid, "region_code"},
		{"region province", f.as(auth.PovertyOffice, "320000000000"), func(in *ProviderInput) { in.RegionCode = "320000000000" }, errs.Invalid, "region_code"},
		{"region city from a county", office, func(in *ProviderInput) { in.RegionCode = cityCode }, errs.Forbidden, ""},
		{"region out of scope", office, func(in *ProviderInput) { in.RegionCode = otherCode }, errs.Forbidden, ""},
		{"role", f.as(auth.Auditor, countyCode), func(*ProviderInput) {}, errs.Forbidden, ""},
	} {
		in := firmInput(7)
		c.in(&in)
		_, err := f.S.CreateProvider(f.Ctx, c.p, in)
		e, _ := errs.As(err)
		if errs.CodeOf(err) != c.code || c.field != "" && (e == nil || e.Fields[c.field] == "") {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.code, c.field)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM partner_providers`); n != 0 {
		t.Fatalf("refusals wrote %d providers", n)
	}
	if _, err := f.S.CreateProvider(f.Ctx, office, firmInput(1)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error { _, err := f.S.CreateProvider(f.Ctx, office, firmInput(1)); return err }(), "conflict")
	if n := f.audits("provider.create"); n != 1 {
		t.Fatalf("%d create events", n)
	}
}

func TestServiceRecords(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	firm, err := f.S.CreateProvider(f.Ctx, office, firmInput(1))
	if err != nil {
		t.Fatal(err)
	}
	hh := f.household(villageA)
	rec, err := f.S.AddService(f.Ctx, office, firm.ID, ServiceInput{RegionCode: villageA, HouseholdID: &hh, ServedOn: "2026-07-01",
		Service: "法律咨询", Content: "土地承包纠纷咨询 <b>", Hours: 1.5, People: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hours != 1.5 || rec.HeadName == "" || rec.RegionName != "港东村" || rec.Content != "土地承包纠纷咨询 <b>" {
		t.Fatalf("record %+v", rec)
	}
	if _, err := f.S.AddService(f.Ctx, office, firm.ID, ServiceInput{RegionCode: villageB, ServedOn: "2026-07-02", Service: "法律援助",
		Hours: 24, People: 30}); err != nil {
		t.Fatal(err)
	}
	got, err := f.S.Provider(f.Ctx, office, firm.ID)
	if err != nil || got.ServiceCount != 2 || got.ServiceHours != 25.5 || got.LastServedOn == nil || *got.LastServedOn != "2026-07-02" {
		t.Fatalf("totals %+v %v", got, err)
	}
	list, err := f.S.Services(f.Ctx, office, firm.ID)
	if err != nil || len(list) != 2 || list[0].ServedOn != "2026-07-02" {
		t.Fatalf("list %+v %v", list, err)
	}
	other := f.household(villageA2)
	for _, c := range []struct {
		name  string
		in    ServiceInput
		code  errs.Code
		field string
	}{
		{"hours 0", ServiceInput{Hours: 0}, errs.Invalid, "hours"},
		{"hours 24.5", ServiceInput{Hours: 24.5}, errs.Invalid, "hours"},
		{"hours 3 decimals", ServiceInput{Hours: 1.255}, errs.Invalid, "hours"},
		{"people 0", ServiceInput{People: -1}, errs.Invalid, "people"},
		{"future", ServiceInput{ServedOn: "2026-07-16"}, errs.Invalid, "served_on"},
		{"bad date", ServiceInput{ServedOn: "2026-02-30"}, errs.Invalid, "served_on"},
		{"service not offered", ServiceInput{Service: "财务审计"}, errs.Invalid, "service"},
		{"town, not village", ServiceInput{RegionCode: townA}, errs.Invalid, "region_code"},
		{"household of another village", ServiceInput{HouseholdID: &other}, errs.Invalid, "household_id"},
		{"village of another county", ServiceInput{RegionCode: villageOth}, errs.Forbidden, ""},
	} {
		in := ServiceInput{RegionCode: villageA, ServedOn: "2026-07-03", Service: "法律咨询", Hours: 2, People: 1}
		if c.in.Hours != 0 || c.name == "hours 0" {
			in.Hours = c.in.Hours
		}
		if c.in.People != 0 {
			in.People = c.in.People
		}
		if c.in.ServedOn != "" {
			in.ServedOn = c.in.ServedOn
		}
		if c.in.Service != "" {
			in.Service = c.in.Service
		}
		if c.in.RegionCode != "" {
			in.RegionCode = c.in.RegionCode
		}
		in.HouseholdID = c.in.HouseholdID
		_, err := f.S.AddService(f.Ctx, office, firm.ID, in)
		e, _ := errs.As(err)
		if errs.CodeOf(err) != c.code || c.field != "" && (e == nil || e.Fields[c.field] == "") {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.code, c.field)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM partner_services`); n != 2 {
		t.Fatalf("refusals wrote: %d records", n)
	}
	st := "inactive"
	if _, err := f.S.UpdateProvider(f.Ctx, office, firm.ID, ProviderUpdate{Version: 1, Status: &st}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error {
		_, err := f.S.AddService(f.Ctx, office, firm.ID, ServiceInput{RegionCode: villageA, ServedOn: "2026-07-03", Service: "法律咨询", Hours: 1, People: 1})
		return err
	}(), "conflict")
	// a village provider cannot serve another village
	vol, err := f.S.CreateProvider(f.Ctx, office, ProviderInput{Kind: "volunteer", Name: "王芳", Phone: "13900002222", RegionCode: villageA})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.S.AddService(f.Ctx, office, vol.ID, ServiceInput{RegionCode: villageA2, ServedOn: "2026-07-03", Service: "助学", Hours: 1, People: 1})
	if e, ok := errs.As(err); !ok || e.Fields["region_code"] == "" {
		t.Fatalf("volunteer outside their village: %v", err)
	}
	if n := f.audits("provider.service"); n != 2 {
		t.Fatalf("%d service events", n)
	}
}
