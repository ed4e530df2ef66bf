package partners

import (
	"sync"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func TestEntrepreneurs(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	e, err := f.S.CreateEntrepreneur(f.Ctx, office, EntrepreneurInput{Name: "陈志强", Phone: "13512345678", HometownCode: villageA,
		WorksIn: "上海", Company: "上海某食品公司", Industry: "农产品加工", Capital: true, CapitalYuan: "2000000", Notes: "有意回乡"})
	if err != nil || !e.Capital || e.Project || e.CapitalFen != 200_000_000 || e.HometownName != "港东村" {
		t.Fatalf("%+v %v", e, err)
	}
	if _, err := f.S.CreateEntrepreneur(f.Ctx, office, EntrepreneurInput{Name: "周敏", HometownCode: townB, WorksIn: "苏州", Technology: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		in    EntrepreneurInput
		code  errs.Code
		field string
	}{
		{"hometown county", EntrepreneurInput{Name: "x", HometownCode: countyCode, WorksIn: "上海"}, errs.Invalid, "hometown_code"},
		{"works_in", EntrepreneurInput{Name: "x", HometownCode: villageA}, errs.Invalid, "works_in"},
		{"capital without willingness", EntrepreneurInput{Name: "x", HometownCode: villageA, WorksIn: "上海", CapitalYuan: "10"}, errs.Invalid, "capital_yuan"},
		{"phone", EntrepreneurInput{Name: "x", Phone: "23512345678", HometownCode: villageA, WorksIn: "上海"}, errs.Invalid, "phone"},
		{"other county", EntrepreneurInput{Name: "x", HometownCode: villageOth, WorksIn: "上海"}, errs.Forbidden, ""},
	} {
		_, err := f.S.CreateEntrepreneur(f.Ctx, office, c.in)
		ee, _ := errs.As(err)
		if errs.CodeOf(err) != c.code || c.field != "" && (ee == nil || ee.Fields[c.field] == "") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM partner_entrepreneurs`); n != 2 {
		t.Fatalf("%d entrepreneurs", n)
	}
	for w, want := range map[string]int{"capital": 1, "technology": 1, "project": 0, "": 2} {
		l, err := f.S.Entrepreneurs(f.Ctx, office, Filter{Willing: w})
		if err != nil || len(l) != want {
			t.Errorf("willing %q: %d %v", w, len(l), err)
		}
	}
	wantCode(t, func() error { _, err := f.S.Entrepreneurs(f.Ctx, office, Filter{Willing: "land"}); return err }(), "invalid")
	if got, _ := f.S.Entrepreneur(f.Ctx, f.as(auth.Finance, countyCode), e.ID); got.Phone != "13512345678" {
		t.Fatalf("finance (household.export) sees %q", got.Phone)
	}
	if got, _ := f.S.Entrepreneur(f.Ctx, f.as(auth.Department, countyCode), e.ID); got.Phone != "135****5678" {
		t.Fatalf("department sees %q", got.Phone)
	}
}

func TestSuggestionsAndMatches(t *testing.T) {
	f := newFixture(t)
	office := f.office()
	sameTown := f.project("港西村光伏电站", "village", villageA2, "发电收益归村集体")
	otherTown := f.project("尖北村光伏电站", "village", villageB, "发电收益归村集体")
	household := f.project("到户养殖扶持", "household", villageB, "")
	failed := f.project("港东村食品加工厂", "carrier", villageA, "农产品加工务工")
	done := f.project("港东村农机服务", "village", villageA, "")
	outside := f.project("淮南村光伏", "village", villageOth, "")
	f.exec(`UPDATE projects SET status = 'failed' WHERE id = ?`, failed)
	f.exec(`UPDATE projects SET status = 'completed', stage = 9 WHERE id = ?`, done)
	e, err := f.S.CreateEntrepreneur(f.Ctx, office, EntrepreneurInput{Name: "陈志强", HometownCode: villageA, WorksIn: "上海",
		Industry: "光伏", Capital: true})
	if err != nil {
		t.Fatal(err)
	}
	sug, err := f.S.Suggestions(f.Ctx, office, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	score := map[int64]int{}
	for _, s := range sug {
		score[s.ProjectID] = s.Score
	}
	if len(sug) != 3 || sug[0].ProjectID != sameTown || score[sameTown] != 7 || score[otherTown] != 6 || score[household] != 2 {
		t.Fatalf("suggestions %+v", sug)
	}
	if sug[0].Stage != "调研" || sug[0].RegionName != "港西村" || len(sug[0].Reasons) != 3 {
		t.Fatalf("first suggestion %+v", sug[0])
	}
	for _, id := range []int64{failed, done, outside} {
		if _, ok := score[id]; ok {
			t.Fatalf("project %d suggested", id)
		}
	}
	// the city sees the other county's project too (same willingness and industry, no locality)
	city := f.as(auth.PovertyOffice, cityCode)
	if cs, _ := f.S.Suggestions(f.Ctx, city, e.ID); len(cs) != 4 {
		t.Fatalf("city suggestions %d", len(cs))
	}
	// flipping the willingness changes the score
	f.exec(`UPDATE partner_entrepreneurs SET capital = 0 WHERE id = ?`, e.ID)
	sug2, _ := f.S.Suggestions(f.Ctx, office, e.ID)
	if len(sug2) == 0 || sug2[0].ProjectID != sameTown || sug2[0].Score != 5 {
		t.Fatalf("without capital %+v", sug2)
	}
	f.exec(`UPDATE partner_entrepreneurs SET capital = 1 WHERE id = ?`, e.ID)

	// recording matches
	m, err := f.S.CreateMatch(f.Ctx, office, e.ID, MatchInput{ProjectID: sameTown, Note: "已电话联系"})
	if err != nil || m.Status != "proposed" || m.Score != 7 || m.ProjectName != "港西村光伏电站" || m.Version != 1 {
		t.Fatalf("match %+v %v", m, err)
	}
	wantCode(t, func() error {
		_, err := f.S.CreateMatch(f.Ctx, office, e.ID, MatchInput{ProjectID: sameTown})
		return err
	}(), "conflict")
	wantCode(t, func() error {
		_, err := f.S.CreateMatch(f.Ctx, office, e.ID, MatchInput{ProjectID: outside})
		return err
	}(), "not_found")
	wantCode(t, func() error {
		_, err := f.S.CreateMatch(f.Ctx, office, e.ID, MatchInput{ProjectID: failed})
		return err
	}(), "invalid")
	wantCode(t, func() error { _, err := f.S.CreateMatch(f.Ctx, office, e.ID, MatchInput{ProjectID: done}); return err }(), "invalid")
	wantCode(t, func() error {
		_, err := f.S.CreateMatch(f.Ctx, f.as(auth.PovertyOffice, otherCode), e.ID, MatchInput{ProjectID: outside})
		return err
	}(), "not_found")
	if n := f.count(`SELECT COUNT(*) FROM partner_matches`); n != 1 {
		t.Fatalf("refusals wrote: %d matches", n)
	}
	if got, _ := f.S.Suggestions(f.Ctx, office, e.ID); !got[0].Matched {
		t.Fatalf("the matched project is not marked: %+v", got[0])
	}
	if got, _ := f.S.Entrepreneur(f.Ctx, office, e.ID); got.Matches != 1 {
		t.Fatalf("matches count %d", got.Matches)
	}

	// moving it: proposed → contacted → agreed; no skipping, no way back
	_, err = f.S.UpdateMatch(f.Ctx, office, m.ID, MatchUpdate{Version: 1, Status: "agreed"})
	if ee, _ := errs.As(err); ee == nil || ee.Fields["status"] == "" {
		t.Fatalf("skipping contacted: %v", err)
	}
	// two updates of one version at once: exactly one wins
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = f.S.UpdateMatch(f.Ctx, office, m.ID, MatchUpdate{Version: 1, Status: "contacted", Note: []string{"甲", "乙"}[i]})
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, err := range results {
		switch errs.CodeOf(err) {
		case "":
			won++
		case errs.Conflict:
			lost++
		default:
			t.Fatalf("concurrent update: %v", err)
		}
	}
	if won != 1 || lost != 1 {
		t.Fatalf("won %d, lost %d", won, lost)
	}
	if v := f.count(`SELECT version FROM partner_matches WHERE id = ?`, m.ID); v != 2 {
		t.Fatalf("version %d after one update", v)
	}
	agreed, err := f.S.UpdateMatch(f.Ctx, office, m.ID, MatchUpdate{Version: 2, Status: "agreed"})
	if err != nil || agreed.Status != "agreed" || agreed.Note == "" || agreed.Version != 3 {
		t.Fatalf("agreed %+v %v", agreed, err)
	}
	wantCode(t, func() error {
		_, err := f.S.UpdateMatch(f.Ctx, office, m.ID, MatchUpdate{Version: 3, Status: "declined"})
		return err
	}(), "conflict")
	wantCode(t, func() error {
		_, err := f.S.UpdateMatch(f.Ctx, f.as(auth.PovertyOffice, otherCode), m.ID, MatchUpdate{Version: 3, Status: "declined"})
		return err
	}(), "not_found")
	wantCode(t, func() error {
		_, err := f.S.UpdateMatch(f.Ctx, f.as(auth.Auditor, countyCode), m.ID, MatchUpdate{Version: 3})
		return err
	}(), "forbidden")
	ms, err := f.S.Matches(f.Ctx, office, e.ID)
	if err != nil || len(ms) != 1 || ms[0].Status != "agreed" || len(ms[0].Reasons) != 3 {
		t.Fatalf("matches %+v %v", ms, err)
	}
	if n := f.audits("match.update"); n != 2 {
		t.Fatalf("%d match update events", n)
	}
	if n := f.audits("match.create"); n != 1 {
		t.Fatalf("%d match create events", n)
	}
}
