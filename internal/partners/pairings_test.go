package partners

import (
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func (f *fixture) deputy(kind, level, name string) Deputy {
	f.t.Helper()
	d, err := f.S.CreateDeputy(f.Ctx, f.office(), DeputyInput{Kind: kind, Level: level, Name: name, Phone: "13700003333", Unit: "县人民医院", RegionCode: countyCode})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func TestDeputies(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	for _, lv := range DeputyLevels {
		region := countyCode
		if lv == "town" {
			region = townA
		}
		if _, err := f.S.CreateDeputy(f.Ctx, office, DeputyInput{Kind: "npc", Level: lv, Name: "代表" + lv, RegionCode: region}); err != nil {
			t.Fatalf("%s: %v", lv, err)
		}
	}
	for _, c := range []struct {
		name  string
		in    DeputyInput
		code  errs.Code
		field string
	}{
		{"cppcc has no town", DeputyInput{Kind: "cppcc", Level: "town", Name: "委员", RegionCode: townA}, errs.Invalid, "level"},
		{"town deputy at county", DeputyInput{Kind: "npc", Level: "town", Name: "代表", RegionCode: countyCode}, errs.Invalid, "region_code"},
		{"kind", DeputyInput{Kind: "party", Level: "city", Name: "x", RegionCode: countyCode}, errs.Invalid, "kind"},
		{"level", DeputyInput{Kind: "npc", Level: "village", Name: "x", RegionCode: countyCode}, errs.Invalid, "level"},
		{"phone", DeputyInput{Kind: "npc", Level: "city", Name: "x", Phone: "1234", RegionCode: countyCode}, errs.Invalid, "phone"},
		{"region out of scope", DeputyInput{Kind: "npc", Level: "city", Name: "x", RegionCode: otherCode}, errs.Forbidden, ""},
	} {
		_, err := f.S.CreateDeputy(f.Ctx, office, c.in)
		e, _ := errs.As(err)
		if errs.CodeOf(err) != c.code || c.field != "" && (e == nil || e.Fields[c.field] == "") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM partner_deputies`); n != 5 {
		t.Fatalf("%d deputies", n)
	}
	list, err := f.S.Deputies(f.Ctx, office, Filter{Level: "town"})
	if err != nil || len(list) != 1 || list[0].RegionName != "陈家港镇" {
		t.Fatalf("%+v %v", list, err)
	}
	cppcc := f.deputy("cppcc", "county", "政协委员甲")
	if list, _ := f.S.Deputies(f.Ctx, office, Filter{Kind: "cppcc"}); len(list) != 1 || list[0].ID != cppcc.ID {
		t.Fatalf("cppcc list %+v", list)
	}
}

func TestPairings(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	d := f.deputy("npc", "province", "王建国")
	// one deputy, several villages
	var ids []int64
	for _, v := range []string{villageA, villageB} {
		pr, err := f.S.CreatePairing(f.Ctx, office, PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: v, Since: "2026-01-10",
			Commitment: "每季度走访一次"})
		if err != nil {
			t.Fatal(err)
		}
		if pr.DeputyName != "王建国" || pr.DeputyLevel != "province" || pr.Status != "active" || pr.Until != nil {
			t.Fatalf("pairing %+v", pr)
		}
		ids = append(ids, pr.ID)
	}
	got, err := f.S.Deputy(f.Ctx, office, d.ID)
	if err != nil || len(got.Villages) != 2 || got.Villages[0].VillageCode != villageA {
		t.Fatalf("deputy villages %+v %v", got, err)
	}
	// the same deputy with the same village again: 409, nothing written
	_, err = f.S.CreatePairing(f.Ctx, office, PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: villageA, Since: "2026-02-01"})
	wantCode(t, err, "conflict")
	if e, _ := errs.As(err); e.Message == "" || e.Fields["village_code"] == "" {
		t.Fatalf("unclear duplicate refusal: %v", err)
	}
	ent := PairingInput{Kind: "enterprise", Enterprise: "江苏某某食品有限公司", CreditCode: firmCode(9), Contact: "赵四海", Phone: "13600004444",
		VillageCode: villageA, Since: "2026-03-01", Commitment: "收购农产品, 吸纳务工", PledgedYuan: "50000"}
	ep, err := f.S.CreatePairing(f.Ctx, office, ent)
	if err != nil || ep.PledgedFen != 5_000_000 || ep.DeputyID != nil {
		t.Fatalf("enterprise %+v %v", ep, err)
	}
	wantCode(t, func() error { _, err := f.S.CreatePairing(f.Ctx, office, ent); return err }(), "conflict")
	for _, c := range []struct {
		name  string
		in    PairingInput
		code  errs.Code
		field string
	}{
		{"deputy missing", PairingInput{Kind: "deputy", VillageCode: villageA2, Since: "2026-01-01"}, errs.Invalid, "deputy_id"},
		{"deputy with enterprise fields", PairingInput{Kind: "deputy", DeputyID: &d.ID, Enterprise: "x", VillageCode: villageA2, Since: "2026-01-01"}, errs.Invalid, "enterprise"},
		{"unknown deputy", PairingInput{Kind: "deputy", DeputyID: ptr(int64(999)), VillageCode: villageA2, Since: "2026-01-01"}, errs.NotFound, "deputy_id"},
		{"town, not village", PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: townA, Since: "2026-01-01"}, errs.Invalid, "village_code"},
		{"future", PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: villageA2, Since: "2027-01-01"}, errs.Invalid, "since"},
		{"credit code", PairingInput{Kind: "enterprise", Enterprise: "x", CreditCode: "91320921MA0000011X1", VillageCode: villageA2, Since: "2026-01-01"}, errs.Invalid, "credit_code"},
		{"pledge", PairingInput{Kind: "enterprise", Enterprise: "x", CreditCode: firmCode(3), VillageCode: villageA2, Since: "2026-01-01", PledgedYuan: "1.234"}, errs.Invalid, "pledged_yuan"},
		{"other county", PairingInput{Kind: "enterprise", Enterprise: "x", CreditCode: firmCode(3), VillageCode: villageOth, Since: "2026-01-01"}, errs.Forbidden, ""},
	} {
		_, err := f.S.CreatePairing(f.Ctx, office, c.in)
		e, _ := errs.As(err)
		if errs.CodeOf(err) != c.code || c.field != "" && (e == nil || e.Fields[c.field] == "") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM partner_pairings`); n != 3 {
		t.Fatalf("refusals wrote: %d pairings", n)
	}

	// activities: appended, within the pairing's time, value adds to delivered
	a, err := f.S.AddActivity(f.Ctx, office, ep.ID, ActivityInput{OnDate: "2026-04-01", Title: "收购大米", Content: "收购 20 吨", ValueYuan: "12000.50", People: 12})
	if err != nil || a.ValueFen != 1_200_050 {
		t.Fatalf("activity %+v %v", a, err)
	}
	_, err = f.S.AddActivity(f.Ctx, office, ep.ID, ActivityInput{OnDate: "2026-02-01", Title: "早于结对"})
	if e, _ := errs.As(err); e == nil || e.Fields["on_date"] == "" {
		t.Fatalf("activity before the pairing: %v", err)
	}
	detail, err := f.S.PairingDetail(f.Ctx, office, ep.ID)
	if err != nil || detail.DeliveredFen != 1_200_050 || detail.Activities != 1 || len(detail.Items) != 1 || detail.Phone != "13600004444" {
		t.Fatalf("detail %+v %v", detail, err)
	}
	if got, _ := f.S.Pairing(f.Ctx, f.as(auth.VillageCadre, villageA), ep.ID); got.Phone != "136****4444" {
		t.Fatalf("cadre sees phone %q", got.Phone)
	}

	// ending keeps the pairing; a new pairing with the village is possible afterwards
	_, err = f.S.EndPairing(f.Ctx, office, ep.ID, PairingEnd{Version: 1, Until: "2026-03-31"})
	if e, _ := errs.As(err); e == nil || e.Fields["until"] == "" {
		t.Fatalf("end before the last activity: %v", err)
	}
	ended, err := f.S.EndPairing(f.Ctx, office, ep.ID, PairingEnd{Version: 1, Until: "2026-06-30"})
	if err != nil || ended.Status != "ended" || ended.Until == nil || *ended.Until != "2026-06-30" || ended.Version != 2 {
		t.Fatalf("ended %+v %v", ended, err)
	}
	wantCode(t, func() error {
		_, err := f.S.EndPairing(f.Ctx, office, ep.ID, PairingEnd{Version: 2, Until: "2026-07-01"})
		return err
	}(), "conflict")
	_, err = f.S.AddActivity(f.Ctx, office, ep.ID, ActivityInput{OnDate: "2026-07-01", Title: "结束后"})
	if e, _ := errs.As(err); e == nil || e.Fields["on_date"] == "" {
		t.Fatalf("activity after the end: %v", err)
	}
	if _, err := f.S.CreatePairing(f.Ctx, office, ent); err != nil {
		t.Fatalf("pairing again after the end: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM partner_pairings WHERE credit_code = ?`, firmCode(9)); n != 2 {
		t.Fatalf("%d enterprise pairings kept", n)
	}
	list, err := f.S.Pairings(f.Ctx, office, Filter{Kind: "enterprise", Status: "ended"})
	if err != nil || len(list) != 1 || list[0].ID != ep.ID {
		t.Fatalf("ended list %+v %v", list, err)
	}
	list, err = f.S.Pairings(f.Ctx, office, Filter{Q: "王建"})
	if err != nil || len(list) != 2 {
		t.Fatalf("search by deputy %+v %v", list, err)
	}
	// another county sees nothing and reaches nothing
	other := f.as(auth.PovertyOffice, otherCode)
	if l, _ := f.S.Pairings(f.Ctx, other, Filter{}); len(l) != 0 {
		t.Fatalf("other county lists %d pairings", len(l))
	}
	wantCode(t, func() error {
		_, err := f.S.AddActivity(f.Ctx, other, ids[0], ActivityInput{OnDate: "2026-07-01", Title: "越权"})
		return err
	}(), "not_found")
	wantCode(t, func() error {
		_, err := f.S.EndPairing(f.Ctx, other, ids[0], PairingEnd{Version: 1, Until: "2026-07-01"})
		return err
	}(), "not_found")
	wantCode(t, func() error {
		_, err := f.S.AddActivity(f.Ctx, f.as(auth.Auditor, countyCode), ids[0], ActivityInput{OnDate: "2026-07-01", Title: "x"})
		return err
	}(), "forbidden")
	if n := f.audits("pairing.end"); n != 1 {
		t.Fatalf("%d end events", n)
	}
}

func ptr[T any](v T) *T { return &v }
