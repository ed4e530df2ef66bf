package giving_test

import (
	// the tests read like the package: they are outside it only because the demo they load imports it
	"strings"
	. "sunshine/internal/giving"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// fieldErr asserts err is an invalid-input error naming field.
func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid || e.Fields[field] == "" {
		t.Fatalf("want a field error on %s, got %v", field, err)
	}
}

func TestDonors(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	ent, err := f.S.CreateDonor(f.Ctx, office, DonorInput{Kind: "enterprise", Name: "<b>爱心</b>企业", CreditCode: "91320921ma1xyr1234",
		Phone: "13812345678", RegionCode: county})
	if err != nil {
		t.Fatal(err)
	}
	// stored as given, shown in full to an office that may export households
	if ent.Name != "<b>爱心</b>企业" || ent.PublicName != ent.Name || ent.CreditCode != "91320921MA1XYR1234" || ent.Phone != "13812345678" ||
		ent.RegionName == "" || ent.Version != 1 {
		t.Fatalf("enterprise %+v", ent)
	}
	person, err := f.S.CreateDonor(f.Ctx, office, DonorInput{Kind: "person", Name: "张三明", Phone: "13912345678", RegionCode: town})
	if err != nil {
		t.Fatal(err)
	}
	if person.PublicName != "张*明" {
		t.Fatalf("person public name %q", person.PublicName)
	}
	anon, err := f.S.CreateDonor(f.Ctx, office, DonorInput{Kind: "person", Anonymous: true, RegionCode: county})
	if err != nil || anon.PublicName != AnonymousName || anon.Name == "" {
		t.Fatalf("anonymous %+v %v", anon, err)
	}
	// a village cadre lacks household.export: the phone is masked
	cadre := f.user("village_cadre_" + villageA)
	list, err := f.S.Donors(f.Ctx, f.user("poverty_office_320921"), DonorFilter{Kind: "person"})
	if err != nil || len(list) != 2 {
		t.Fatalf("persons %d %v", len(list), err)
	}
	got, err := f.S.Donor(f.Ctx, f.user("department_320921"), person.ID)
	if err != nil || got.Phone != "139****5678" {
		t.Fatalf("a department sees %+v %v", got, err)
	}
	if _, err := f.S.Donor(f.Ctx, cadre, person.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a village cadre reads a town's donor: %v", err)
	}
	if _, err := f.S.Donor(f.Ctx, f.user("poverty_office_320922"), ent.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("the other county reads a donor: %v", err)
	}
	if l, err := f.S.Donors(f.Ctx, office, DonorFilter{Q: "爱心"}); err != nil || len(l) != 1 || l[0].ID != ent.ID {
		t.Fatalf("search: %v %v", l, err)
	}
	before := f.writes()
	for _, c := range []struct {
		in    DonorInput
		field string
	}{
		{DonorInput{Kind: "alien", Name: "x", RegionCode: county}, "kind"},
		{DonorInput{Kind: "person", Name: strings.Repeat("名", MaxName+1), RegionCode: county}, "name"},
		{DonorInput{Kind: "person", Name: "李四", Phone: "1381234567", RegionCode: county}, "phone"},
		{DonorInput{Kind: "person", Name: "李四", Phone: "23812345678", RegionCode: county}, "phone"},
		{DonorInput{Kind: "person", Name: "李四", CreditCode: "91320921MA1XYR1234", RegionCode: county}, "credit_code"},
		{DonorInput{Kind: "enterprise", Name: "某公司", CreditCode: "91320921MA1XYR123", RegionCode: county}, "credit_code"},
		{DonorInput{Kind: "organisation", Name: "某基金会", CreditCode: "91320921MA1XYR12O", RegionCode: county}, "credit_code"},
		{DonorInput{Kind: "person", Name: "李四", RegionCode: "320921999999"}, "region_code"},
		{DonorInput{Kind: "person", Name: "李四", RegionCode: "abc"}, "region_code"},
		{DonorInput{Kind: "enterprise", Name: "", CreditCode: "91320921MA1XYR1234", RegionCode: county}, "name"},
	} {
		_, err := f.S.CreateDonor(f.Ctx, office, c.in)
		fieldErr(t, err, c.field)
	}
	if _, err := f.S.CreateDonor(f.Ctx, office, DonorInput{Kind: "person", Name: strings.Repeat("名", MaxName), RegionCode: county}); err != nil {
		t.Fatalf("a name of %d characters: %v", MaxName, err)
	}
	after := f.writes()
	if _, err := f.S.CreateDonor(f.Ctx, f.user("poverty_office_320922"), DonorInput{Kind: "person", Name: "越权", RegionCode: county}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("registering in another county: %v", err)
	}
	if _, err := f.S.CreateDonor(f.Ctx, f.user("finance_320921"), DonorInput{Kind: "person", Name: "越权", RegionCode: county}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("finance registers a donor: %v", err)
	}
	if before == after || f.writes() != after {
		t.Fatalf("refusals wrote: %s → %s → %s", before, after, f.writes())
	}
}

func TestNeedLifecycle(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	hh := f.households(villageA)
	other := f.households(villageB)
	n := f.need(hh[0], "1000.01")
	if n.Status != "open" || n.TargetFen != 100001 || n.Code != "XY-"+villageA+"-1" || n.HouseholdID == nil || *n.HouseholdID != hh[0] ||
		n.HeadName == "" || n.PublishedOn != "2026-07-15" {
		t.Fatalf("need %+v", n)
	}
	before := f.writes()
	for _, c := range []struct {
		in    NeedInput
		field string
	}{
		{NeedInput{RegionCode: town, Title: "t", Kind: "money", TargetYuan: "1", Deadline: "2026-09-01"}, "region_code"},
		{NeedInput{RegionCode: villageA, HouseholdID: &other[0], Title: "t", Kind: "money", TargetYuan: "1", Deadline: "2026-09-01"}, "household_id"},
		{NeedInput{RegionCode: villageA, HouseholdID: ptrTo(f.unregistered(villageA)), Title: "t", Kind: "money", TargetYuan: "1", Deadline: "2026-09-01"}, "household_id"},
		{NeedInput{RegionCode: villageA, Title: strings.Repeat("题", MaxTitle+1), Kind: "money", TargetYuan: "1", Deadline: "2026-09-01"}, "title"},
		{NeedInput{RegionCode: villageA, Title: "t", Content: strings.Repeat("文", MaxContent+1), Kind: "money", TargetYuan: "1", Deadline: "2026-09-01"}, "content"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "money", Deadline: "2026-09-01"}, "target_yuan"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "money", TargetYuan: "1.001", Deadline: "2026-09-01"}, "target_yuan"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "goods", Deadline: "2026-09-01"}, "goods"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "wish", Deadline: "2026-09-01"}, "kind"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "money", TargetYuan: "1", Deadline: "2026-07-14"}, "deadline"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "money", TargetYuan: "1", Deadline: "2026/09/01"}, "deadline"},
		{NeedInput{RegionCode: villageA, Title: "t", Kind: "money", TargetYuan: "1"}, "deadline"},
	} {
		_, err := f.S.CreateNeed(f.Ctx, office, c.in)
		fieldErr(t, err, c.field)
	}
	if _, err := f.S.CreateNeed(f.Ctx, f.user("poverty_office_320922"), NeedInput{RegionCode: villageA, Title: "t", Kind: "money", TargetYuan: "1",
		Deadline: "2026-09-01"}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("publishing in another county: %v", err)
	}
	if f.writes() != before {
		t.Fatalf("refused needs wrote: %s → %s", before, f.writes())
	}
	// goods need, no household, title of exactly 40 characters
	g, err := f.S.CreateNeed(f.Ctx, f.user("village_cadre_"+villageA), NeedInput{RegionCode: villageA, Title: strings.Repeat("书", MaxTitle),
		Kind: "goods", Goods: "书包 1 个", Deadline: "2026-08-01"})
	if err != nil || g.HouseholdID != nil || g.TargetFen != 0 {
		t.Fatalf("goods need %+v %v", g, err)
	}
	// a pledge moves it to pledged, cancelling it back to open
	donor := f.donor("person", "王五")
	pl, err := f.S.CreatePledge(f.Ctx, office, PledgeInput{DonorID: donor.ID, NeedID: &n.ID, Kind: "money", AmountYuan: "500"})
	if err != nil || pl.RegionCode != villageA || pl.Channel != "console" || pl.Status != "pledged" {
		t.Fatalf("pledge %+v %v", pl, err)
	}
	if got, _ := f.S.Need(f.Ctx, office, n.ID); got.Status != "pledged" || got.PledgedFen != 50000 {
		t.Fatalf("after pledge %+v", got)
	}
	_, err = f.S.CreatePledge(f.Ctx, office, PledgeInput{DonorID: donor.ID, NeedID: &n.ID, Kind: "goods", Goods: "书"})
	fieldErr(t, err, "kind")
	_, err = f.S.CreatePledge(f.Ctx, office, PledgeInput{DonorID: donor.ID, Kind: "money", AmountYuan: "5"})
	fieldErr(t, err, "region_code")
	if _, err := f.S.CancelPledge(f.Ctx, office, pl.ID, ReasonInput{Version: pl.Version + 1, Reason: "改主意"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("stale cancel: %v", err)
	}
	_, err = f.S.CancelPledge(f.Ctx, office, pl.ID, ReasonInput{Version: pl.Version})
	fieldErr(t, err, "reason")
	c, err := f.S.CancelPledge(f.Ctx, office, pl.ID, ReasonInput{Version: pl.Version, Reason: "捐赠人改为直接捐款"})
	if err != nil || c.Status != "cancelled" || c.CancelReason == "" {
		t.Fatalf("cancel %+v %v", c, err)
	}
	got, _ := f.S.Need(f.Ctx, office, n.ID)
	if got.Status != "open" || got.PledgedFen != 0 {
		t.Fatalf("after cancel %+v", got)
	}
	// closing by hand, with a reason and the current version
	if _, err := f.S.CloseNeed(f.Ctx, office, n.ID, ReasonInput{Version: got.Version - 1, Reason: "已由民政救助"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("stale close: %v", err)
	}
	cl, err := f.S.CloseNeed(f.Ctx, office, n.ID, ReasonInput{Version: got.Version, Reason: "已由民政救助"})
	if err != nil || cl.Status != "closed" || cl.CloseReason != "已由民政救助" {
		t.Fatalf("close %+v %v", cl, err)
	}
	if _, err := f.S.CreatePledge(f.Ctx, office, PledgeInput{DonorID: donor.ID, NeedID: &n.ID, Kind: "money", AmountYuan: "5"}); err == nil {
		t.Fatal("a closed need took a pledge")
	}
	if l, err := f.S.Needs(f.Ctx, office, NeedFilter{Region: villageA, Status: "closed"}); err != nil || len(l) != 1 {
		t.Fatalf("closed needs %v %v", l, err)
	}
	if _, err := f.S.Needs(f.Ctx, f.user("poverty_office_320922"), NeedFilter{Region: villageA}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("listing another county: %v", err)
	}
	if l, _ := f.S.Needs(f.Ctx, f.user("poverty_office_320922"), NeedFilter{}); len(l) != 0 {
		t.Fatalf("the other county lists %d needs", len(l))
	}
	if _, err := f.S.Needs(f.Ctx, f.user("helper_320921"), NeedFilter{}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a helper lists needs: %v", err)
	}
}

func ptrTo(n int64) *int64 { return &n }

var _ = auth.SocialRead
