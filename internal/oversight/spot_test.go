package oversight

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
	"sunshine/internal/regioncode"
)

func wantSpotErr(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if field != "" {
		if _, ok := e.Fields[field]; !ok {
			t.Fatalf("got %v, want field %s", err, field)
		}
	}
}

func (f *fixture) spotPlan(p *auth.Principal, in SpotPlanInput) SpotPlan {
	f.t.Helper()
	pl, err := f.S.CreateSpotPlan(f.Ctx, p, in)
	if err != nil {
		f.t.Fatalf("create plan: %v", err)
	}
	return pl
}

func householdPlan(title string, sample int, pool ...int64) SpotPlanInput {
	return SpotPlanInput{Title: title, RegionCode: countyCode, TargetKind: SpotHousehold,
		Filter: SpotFilter{Status: "registered"}, SampleSize: sample, InspectorsPerTarget: 1, InspectorIDs: pool}
}

// The inspector pool: active users holding spot.write or alert.read whose scope covers the
// region, and nobody else.
func TestSpotInspectorCandidates(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	f.exec(`UPDATE users SET disabled = 1 WHERE username = 'auditor_320921'`)
	list, err := f.S.SpotInspectors(f.Ctx, office, villageA)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range list {
		var u string
		if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT username FROM users WHERE id = ?`, c.UserID).Scan(&u); err != nil {
			t.Fatal(err)
		}
		names[u] = true
		if c.RoleLabel == "" || !regioncode.Within(villageA, c.ScopeCode) {
			t.Errorf("candidate %+v", c)
		}
	}
	for _, want := range []string{"poverty_office_320921", "discipline_320921", "discipline_city", "finance_320921", "village_cadre_320921100201"} {
		if !names[want] {
			t.Errorf("%s missing from the pool candidates", want)
		}
	}
	for _, not := range []string{"admin" /* runs the system */, "auditor_320921" /* disabled */, "helper_320921" /* no alert.read */, "participant_320921",
		"discipline_320922" /* other county */, "village_cadre_320921100202" /* other village */} {
		if names[not] {
			t.Errorf("%s must not be a candidate", not)
		}
	}
	if _, err := f.S.SpotInspectors(f.Ctx, office, villageOth); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("other county: %v", err)
	}
	if _, err := f.S.SpotInspectors(f.Ctx, f.County(auth.Finance), countyCode); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("finance lacks spot.write: %v", err)
	}
}

// A plan from creation to close: committed seed, one draw, findings by the right people, and a
// draw anyone can repeat (in Go from the stored seed and population, and with the Node script).
func TestSpotPlanLifecycle(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	auditor, disc := f.County(auth.Auditor), f.County(auth.Discipline)
	for i := 0; i < 6; i++ {
		f.Household(villageA, "registered")
	}
	f.Household(villageOth, "registered")
	f.Household(villageB, "exited")
	pl := f.spotPlan(office, householdPlan("2026年第三季度农户抽查", 4, disc.UserID, auditor.UserID))

	// Committed: the seed stays secret, everywhere.
	var seed string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT seed FROM spot_plans WHERE id = ?`, pl.ID).Scan(&seed); err != nil {
		t.Fatal(err)
	}
	raw, _ := hex.DecodeString(seed)
	if len(raw) != SeedSize || SeedHash(raw) != pl.SeedHash {
		t.Fatalf("seed %q does not match seed_hash %s", seed, pl.SeedHash)
	}
	got, err := f.S.SpotPlan(f.Ctx, auditor, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if got.Seed != nil || !strings.Contains(string(b), `"seed":null`) || strings.Contains(string(b), seed) || len(got.Targets) != 0 {
		t.Fatalf("committed plan reveals its seed or targets: %s", b)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE after_json LIKE ? OR before_json LIKE ?`, "%"+seed+"%", "%"+seed+"%"); n != 0 {
		t.Fatalf("the seed is in %d audit events before the draw", n)
	}
	if _, err := f.S.VerifySpotPlan(f.Ctx, auditor, pl.ID); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("verify before the draw: %v", err)
	}
	// Population: the county's registered households, sorted, matching the published hash.
	pop, err := f.S.SpotPopulationOf(f.Ctx, auditor, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := f.count(`SELECT COUNT(*) FROM households WHERE region_code LIKE '320921%' AND status = 'registered'`)
	if int64(pop.Count) != want || pl.PopulationCount != pop.Count || !slices.IsSorted(pop.IDs) || PopulationHash(pop.IDs) != pl.PopulationHash {
		t.Fatalf("population %d ids (plan says %d), want %d; hash %s vs %s", pop.Count, pl.PopulationCount, want, PopulationHash(pop.IDs), pl.PopulationHash)
	}
	if pl.Inspectors[0].UserID > pl.Inspectors[1].UserID || pl.Status != SpotCommitted {
		t.Errorf("pool not sorted by user id / status: %+v", pl)
	}
	// Read rights: other county cannot see it; finance (alert.read) of the county can.
	if _, err := f.S.SpotPlan(f.Ctx, f.Other(auth.Auditor), pl.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("other county reads the plan: %v", err)
	}
	if _, err := f.S.SpotPlan(f.Ctx, f.County(auth.Finance), pl.ID); err != nil {
		t.Errorf("finance (alert.read): %v", err)
	}
	if _, err := f.S.DrawSpotPlan(f.Ctx, f.County(auth.Finance), pl.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("finance draws: %v", err)
	}
	if _, err := f.S.DrawSpotPlan(f.Ctx, f.Other(auth.PovertyOffice), pl.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("other county draws: %v", err)
	}

	// The draw: seed revealed, the sample is Draw over the stored population.
	drawn, err := f.S.DrawSpotPlan(f.Ctx, auditor, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if drawn.Status != SpotDrawn || drawn.Seed == nil || *drawn.Seed != seed || drawn.DrawnAt == nil || len(drawn.Targets) != 4 {
		t.Fatalf("drawn plan %+v", drawn)
	}
	sample := DrawTargets(raw, pop.IDs, 4)
	for i, tg := range drawn.Targets {
		if tg.Pos != i || tg.TargetID != sample[i] || len(tg.Inspectors) != 1 || tg.Result != "" {
			t.Errorf("target %d: %+v, want id %d", i, tg, sample[i])
		}
		if ins := DrawInspectors(raw, []int64{pl.Inspectors[0].UserID, pl.Inspectors[1].UserID}, 1, i); tg.Inspectors[0].UserID != ins[0] {
			t.Errorf("target %d inspector %d, want %d", i, tg.Inspectors[0].UserID, ins[0])
		}
		var no, head, region string
		if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT household_no, head_name, region_code FROM households WHERE id = ?`, tg.TargetID).Scan(&no, &head, &region); err != nil {
			t.Fatal(err)
		}
		if tg.Label != no+" "+mask.Name(head) || strings.Contains(tg.Label, head) || tg.RegionCode != region {
			t.Errorf("label %q region %s, household %s %s %s", tg.Label, tg.RegionCode, no, head, region)
		}
	}
	if _, err := f.S.DrawSpotPlan(f.Ctx, office, pl.ID); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("second draw: %v", err)
	}
	v, err := f.S.VerifySpotPlan(f.Ctx, f.County(auth.Finance), pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.SeedMatchesHash || !v.PopulationMatchesHash || !v.SampleMatches || !v.InspectorsMatch || !slices.Equal(v.Recomputed, sample) {
		t.Errorf("verify %+v", v)
	}

	// Lists never carry the seed, even after the draw.
	list, err := f.S.SpotPlans(f.Ctx, auditor, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	lb, _ := json.Marshal(list)
	if len(list) != 1 || strings.Contains(string(lb), seed) || list[0].Seed != nil || list[0].PopulationCount != pop.Count {
		t.Errorf("list: %s", lb)
	}
	if other, err := f.S.SpotPlans(f.Ctx, f.Other(auth.Auditor), "", 0, 10); err != nil || len(other) != 0 {
		t.Errorf("other county's list: %v %v", other, err)
	}

	// The Node script repeats it from what the API published.
	dir := t.TempDir()
	pb, _ := json.Marshal(drawn)
	popb, _ := json.Marshal(pop)
	_ = os.WriteFile(filepath.Join(dir, "plan.json"), pb, 0o644)
	_ = os.WriteFile(filepath.Join(dir, "population.json"), popb, 0o644)
	out, code := runNode(t, filepath.Join(dir, "plan.json"), filepath.Join(dir, "population.json"))
	var nv struct {
		Sample                []int64 `json:"sample"`
		SeedMatchesHash       bool    `json:"seed_matches_hash"`
		PopulationMatchesHash bool    `json:"population_matches_hash"`
		SampleMatches         bool    `json:"sample_matches"`
		InspectorsMatch       bool    `json:"inspectors_match"`
	}
	if err := json.Unmarshal(out, &nv); err != nil || code != 0 || !slices.Equal(nv.Sample, sample) || !nv.SeedMatchesHash ||
		!nv.PopulationMatchesHash || !nv.SampleMatches || !nv.InspectorsMatch {
		t.Errorf("node: exit %d %s (%v)", code, out, err)
	}

	// Findings: only the target's inspector or the creator.
	tg := drawn.Targets[0]
	insp, outsider := auditor, disc
	if tg.Inspectors[0].UserID == disc.UserID {
		insp, outsider = disc, auditor
	}
	if _, err := f.S.RecordSpotFinding(f.Ctx, outsider, pl.ID, 0, SpotFindingInput{Result: SpotOK}); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("a pool member not drawn for the target records: %v", err)
	}
	_, err = f.S.RecordSpotFinding(f.Ctx, insp, pl.ID, 0, SpotFindingInput{Result: SpotProblem, Finding: "少"})
	wantSpotErr(t, err, errs.Invalid, "finding")
	_, err = f.S.RecordSpotFinding(f.Ctx, insp, pl.ID, 0, SpotFindingInput{Result: "maybe"})
	wantSpotErr(t, err, errs.Invalid, "result")
	if _, err := f.S.RecordSpotFinding(f.Ctx, insp, pl.ID, 9, SpotFindingInput{Result: SpotOK}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("position 9: %v", err)
	}
	after, err := f.S.RecordSpotFinding(f.Ctx, insp, pl.ID, 0, SpotFindingInput{Result: SpotProblem, Finding: "家中无人,邻居称已外出务工半年"})
	if err != nil {
		t.Fatal(err)
	}
	if r := after.Targets[0]; r.Result != SpotProblem || r.RecordedBy == nil || *r.RecordedBy != insp.UserID || r.RecordedAt == nil || after.Problems != 1 || after.Recorded != 1 {
		t.Errorf("after finding: %+v", after)
	}
	if _, err := f.S.RecordSpotFinding(f.Ctx, office, pl.ID, 1, SpotFindingInput{Result: SpotOK}); err != nil {
		t.Errorf("the creator records: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'spot_plan' AND entity_id = ? AND action = 'spot.finding'`, spotItoa(pl.ID)); n != 2 {
		t.Errorf("%d spot.finding events, want 2", n)
	}

	// Close: final.
	if _, err := f.S.CloseSpotPlan(f.Ctx, office, pl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.S.CloseSpotPlan(f.Ctx, office, pl.ID); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("close twice: %v", err)
	}
	if _, err := f.S.RecordSpotFinding(f.Ctx, insp, pl.ID, 2, SpotFindingInput{Result: SpotOK}); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("finding after close: %v", err)
	}
	for _, a := range []string{"spot.plan", "spot.draw", "spot.close"} {
		if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'spot_plan' AND entity_id = ? AND action = ?`, spotItoa(pl.ID), a); n != 1 {
			t.Errorf("%d %s events", n, a)
		}
	}

	// Tampering with a stored target is caught by verify.
	f.exec(`UPDATE spot_targets SET target_id = target_id + 1000000 WHERE plan_id = ? AND pos = 0`, pl.ID)
	if v, err := f.S.VerifySpotPlan(f.Ctx, auditor, pl.ID); err != nil || v.SampleMatches {
		t.Errorf("tampered sample verifies: %+v %v", v, err)
	}
}

func spotItoa(n int64) string { return strconv.FormatInt(n, 10) }

// Every plan has its own random seed; a closed or committed plan refuses what it must.
func TestSpotSeedsDiffer(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	for i := 0; i < 8; i++ {
		f.Household(villageB, "registered")
	}
	in := householdPlan("抽查", 3, office.UserID)
	a, b := f.spotPlan(office, in), f.spotPlan(office, in)
	if a.SeedHash == b.SeedHash || a.PopulationHash != b.PopulationHash {
		t.Errorf("two plans: seed hashes %s %s, population hashes %s %s", a.SeedHash, b.SeedHash, a.PopulationHash, b.PopulationHash)
	}
	if _, err := f.S.CloseSpotPlan(f.Ctx, office, a.ID); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("close before draw: %v", err)
	}
	if _, err := f.S.RecordSpotFinding(f.Ctx, office, a.ID, 0, SpotFindingInput{Result: SpotOK}); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("finding before draw: %v", err)
	}
	da, err := f.S.DrawSpotPlan(f.Ctx, office, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	dbb, err := f.S.DrawSpotPlan(f.Ctx, office, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(p SpotPlan) (out []int64) {
		for _, t := range p.Targets {
			out = append(out, t.TargetID)
		}
		return
	}
	// Same population, different seeds: with 3 of at least 10 the chance of the same ordered sample is at most 1/720.
	if *da.Seed == *dbb.Seed || slices.Equal(ids(da), ids(dbb)) {
		t.Errorf("same seed or sample: %v %v", ids(da), ids(dbb))
	}
	// Paging: newest first.
	list, err := f.S.SpotPlans(f.Ctx, office, countyCode, 0, 1)
	if err != nil || len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("page 1: %v %v", list, err)
	}
	list, err = f.S.SpotPlans(f.Ctx, office, countyCode, b.ID, 5)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("page 2: %v %v", list, err)
	}
}

func TestSpotPlanValidation(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	regs := f.count(`SELECT COUNT(*) FROM households WHERE region_code LIKE '320921%' AND status = 'registered'`)
	f.exec(`UPDATE users SET disabled = 1 WHERE username = 'auditor_city'`)
	uid := func(name string) int64 { return f.user(name).UserID }
	cases := []struct {
		name  string
		edit  func(*SpotPlanInput)
		code  errs.Code
		field string
	}{
		{"sample above population", func(in *SpotPlanInput) { in.SampleSize = int(regs) + 1 }, errs.Invalid, "sample_size"},
		{"sample zero", func(in *SpotPlanInput) { in.SampleSize = 0 }, errs.Invalid, "sample_size"},
		{"more inspectors per target than the pool", func(in *SpotPlanInput) { in.InspectorsPerTarget = 2 }, errs.Invalid, "inspectors_per_target"},
		{"empty pool", func(in *SpotPlanInput) { in.InspectorIDs = nil }, errs.Invalid, "inspector_ids"},
		{"duplicate inspector", func(in *SpotPlanInput) { in.InspectorIDs = []int64{office.UserID, office.UserID} }, errs.Invalid, "inspector_ids"},
		{"inspector of the other county", func(in *SpotPlanInput) { in.InspectorIDs = []int64{uid("discipline_320922")} }, errs.Invalid, "inspector_ids"},
		{"inspector without alert.read", func(in *SpotPlanInput) { in.InspectorIDs = []int64{uid("helper_320921")} }, errs.Invalid, "inspector_ids"},
		{"disabled inspector", func(in *SpotPlanInput) { in.InspectorIDs = []int64{uid("auditor_city")} }, errs.Invalid, "inspector_ids"},
		{"unknown inspector", func(in *SpotPlanInput) { in.InspectorIDs = []int64{987654} }, errs.Invalid, "inspector_ids"},
		{"no title", func(in *SpotPlanInput) { in.Title = "  " }, errs.Invalid, "title"},
		{"bad kind", func(in *SpotPlanInput) { in.TargetKind = "village" }, errs.Invalid, "target_kind"},
		{"household filter on projects", func(in *SpotPlanInput) { in.TargetKind = SpotProject }, errs.Invalid, "filter"},
		{"project filter on households", func(in *SpotPlanInput) { in.Filter.Year = 2026 }, errs.Invalid, "filter"},
		{"project filter on payments", func(in *SpotPlanInput) { in.TargetKind = SpotPayment; in.Filter = SpotFilter{Kind: "village"} }, errs.Invalid, "filter"},
		{"bad project kind", func(in *SpotPlanInput) { in.TargetKind = SpotProject; in.Filter = SpotFilter{Kind: "road"} }, errs.Invalid, "filter.kind"},
		{"bad project stage", func(in *SpotPlanInput) { in.TargetKind = SpotProject; in.Filter = SpotFilter{Stage: spotIntPtr(10)} }, errs.Invalid, "filter.stage"},
		{"negative project stage", func(in *SpotPlanInput) { in.TargetKind = SpotProject; in.Filter = SpotFilter{Stage: spotIntPtr(-1)} }, errs.Invalid, "filter.stage"},
		{"bad project year", func(in *SpotPlanInput) { in.TargetKind = SpotProject; in.Filter = SpotFilter{Year: 1999} }, errs.Invalid, "filter.year"},
		{"no projects at all", func(in *SpotPlanInput) { in.TargetKind = SpotProject; in.Filter = SpotFilter{} }, errs.Invalid, "sample_size"},
		{"bad status", func(in *SpotPlanInput) { in.Filter.Status = "gone" }, errs.Invalid, "filter.status"},
		{"bad household type", func(in *SpotPlanInput) { in.Filter.HouseholdType = "rich" }, errs.Invalid, "filter.household_type"},
		{"payment filter on households", func(in *SpotPlanInput) { in.Filter.Period = "2026-03" }, errs.Invalid, "filter"},
		{"bad region", func(in *SpotPlanInput) { in.RegionCode = "3209" }, errs.Invalid, "region_code"},
		{"region outside scope", func(in *SpotPlanInput) { in.RegionCode = otherCode }, errs.Forbidden, ""},
		{"unknown region", func(in *SpotPlanInput) { in.RegionCode = "320921999999" }, errs.NotFound, "region_code"},
		{"bad period", func(in *SpotPlanInput) { in.TargetKind = SpotPayment; in.Filter = SpotFilter{Period: "March"} }, errs.Invalid, "filter.period"},
		{"bad date", func(in *SpotPlanInput) { in.TargetKind = SpotPayment; in.Filter = SpotFilter{From: "2026-02-30"} }, errs.Invalid, "filter.from"},
		{"reversed range", func(in *SpotPlanInput) {
			in.TargetKind = SpotPayment
			in.Filter = SpotFilter{From: "2026-05-01", To: "2026-04-01"}
		}, errs.Invalid, "filter.to"},
		{"unknown fund", func(in *SpotPlanInput) { in.TargetKind = SpotPayment; in.Filter = SpotFilter{FundID: 99999} }, errs.NotFound, "filter.fund_id"},
		{"no payments at all", func(in *SpotPlanInput) { in.TargetKind = SpotPayment; in.Filter = SpotFilter{} }, errs.Invalid, "sample_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := householdPlan("抽查", 2, office.UserID)
			c.edit(&in)
			_, err := f.S.CreateSpotPlan(f.Ctx, office, in)
			wantSpotErr(t, err, c.code, c.field)
		})
	}
	if _, err := f.S.CreateSpotPlan(f.Ctx, f.County(auth.Finance), householdPlan("抽查", 1, office.UserID)); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("finance creates a plan: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM spot_plans`); n != 0 {
		t.Errorf("%d plans stored by refused requests", n)
	}
	// The whole population may be drawn.
	pl := f.spotPlan(office, householdPlan("全部", int(regs), office.UserID))
	if pl.PopulationCount != int(regs) {
		t.Errorf("population %d, want %d", pl.PopulationCount, regs)
	}
	// The household-type filter narrows the population.
	in := householdPlan("低保户", 1, office.UserID)
	in.Filter.HouseholdType = "dibao"
	dibao := f.count(`SELECT COUNT(*) FROM households WHERE region_code LIKE '320921%' AND status = 'registered' AND household_type = 'dibao'`)
	if dibao > 0 {
		if p := f.spotPlan(office, in); int64(p.PopulationCount) != dibao {
			t.Errorf("dibao population %d, want %d", p.PopulationCount, dibao)
		}
	}
}

// Payments: fund, item, period and date filters in the region; reversed payments are not in
// the population; labels show the fund code, item, period and the masked payee.
func TestSpotPaymentPlan(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	var fund, item, item2, src, pass, passOther int64
	var pays []int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		now := db.Time(tx.Now)
		if fund, err = tx.InsertID(f.Ctx, `INSERT INTO funds (code, name, source_level, category, year, amount_fen, region_code, received_on, deadline, created_by, created_at)
			VALUES ('SPOT-F1', '衔接资金', 'central', 'fiscal', 2026, 100000000, ?, '2026-01-10', '2026-10-31', 1, ?) RETURNING id`, countyCode, now); err != nil {
			return err
		}
		if item, err = tx.InsertID(f.Ctx, `INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, 'edu', '雨露计划', 'person', 150000) RETURNING id`, fund); err != nil {
			return err
		}
		if item2, err = tx.InsertID(f.Ctx, `INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, 'house', '危房改造', 'household', 2000000) RETURNING id`, fund); err != nil {
			return err
		}
		if src, err = tx.InsertID(f.Ctx, `INSERT INTO ledger_accounts (kind, name, region_code, fund_id, created_by, created_at) VALUES ('source', 'SPOT-F1', ?, ?, 1, ?) RETURNING id`, countyCode, fund, now); err != nil {
			return err
		}
		if pass, err = tx.InsertID(f.Ctx, `INSERT INTO ledger_accounts (kind, name, region_code, id_number, created_by, created_at) VALUES ('passbook', '王小明一折通', ?, ?, 1, ?) RETURNING id`, villageA, f.IDNumber(1), now); err != nil {
			return err
		}
		if passOther, err = tx.InsertID(f.Ctx, `INSERT INTO ledger_accounts (kind, name, region_code, id_number, created_by, created_at) VALUES ('passbook', '赵四一折通', ?, ?, 1, ?) RETURNING id`, villageOth, f.IDNumber(2), now); err != nil {
			return err
		}
		pay := func(to, it int64, region, period, on string, reverses any, kind string) (int64, error) {
			return tx.InsertID(f.Ctx, `INSERT INTO ledger_transfers (fund_id, from_account, to_account, amount_fen, on_date, kind, item_id, period, account_no, account_holder, reverses_id, region_code, created_by, created_at)
				VALUES (?, ?, ?, 150000, ?, ?, ?, ?, '6228000000001234', '王小明', ?, ?, 1, ?) RETURNING id`, fund, src, to, on, kind, it, period, reverses, region, now)
		}
		for _, p := range []struct {
			it     int64
			period string
			on     string
			to     int64
			region string
		}{
			{item, "2026-03", "2026-03-05", pass, villageA},
			{item, "2026-03", "2026-03-06", pass, villageA},
			{item, "2026-03", "2026-03-20", pass, villageA},
			{item, "2026-04", "2026-04-05", pass, villageA},
			{item2, "2026-03", "2026-03-07", pass, villageA},
			{item, "2026-03", "2026-03-05", passOther, villageOth},
		} {
			id, err := pay(p.to, p.it, p.region, p.period, p.on, nil, "payment")
			if err != nil {
				return err
			}
			pays = append(pays, id)
		}
		// the third payment is reversed
		_, err = tx.InsertID(f.Ctx, `INSERT INTO ledger_transfers (fund_id, from_account, to_account, amount_fen, on_date, kind, reverses_id, region_code, created_by, created_at)
			VALUES (?, ?, ?, 150000, '2026-03-21', 'reversal', ?, ?, 1, ?) RETURNING id`, fund, pass, src, pays[2], countyCode, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	in := SpotPlanInput{Title: "雨露计划发放抽查", RegionCode: countyCode, TargetKind: SpotPayment,
		Filter: SpotFilter{FundID: fund, ItemID: item, Period: "2026-03"}, SampleSize: 2, InspectorsPerTarget: 1, InspectorIDs: []int64{office.UserID}}
	pl := f.spotPlan(office, in)
	pop, err := f.S.SpotPopulationOf(f.Ctx, office, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pop.IDs, []int64{pays[0], pays[1]}) {
		t.Fatalf("population %v, want %v", pop.IDs, pays[:2])
	}
	// Date range.
	in.Filter = SpotFilter{From: "2026-03-06", To: "2026-04-30"}
	in.SampleSize = 1
	p2 := f.spotPlan(office, in)
	if pop2, _ := f.S.SpotPopulationOf(f.Ctx, office, p2.ID); !slices.Equal(pop2.IDs, []int64{pays[1], pays[3], pays[4]}) {
		t.Errorf("date-range population %v, want %v", pop2.IDs, []int64{pays[1], pays[3], pays[4]})
	}
	// Item of another fund.
	in.Filter = SpotFilter{FundID: fund + 1000, ItemID: item}
	if _, err := f.S.CreateSpotPlan(f.Ctx, office, in); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("unknown fund: %v", err)
	}
	drawn, err := f.S.DrawSpotPlan(f.Ctx, office, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range drawn.Targets {
		if tg.Label != "SPOT-F1 雨露计划 2026-03 王*明" || tg.RegionCode != villageA {
			t.Errorf("payment label %q region %s", tg.Label, tg.RegionCode)
		}
	}
}

func spotIntPtr(n int) *int { return &n }

// Project plans: the population is the projects of the plan's region (any level below it)
// matching kind, current stage and year, sorted; the draw labels them with code and name.
func TestSpotProjectPlan(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	p1 := f.pjProject(villageA, 2, "active", "2026-08-01")
	p2 := f.pjProject(villageB, 2, "active", "2026-08-01")
	p3 := f.pjProject(countyCode, 5, "active", "2026-08-01")
	p4 := f.pjProject(villageA, 9, "completed", nil)
	f.pjProject(villageOth, 2, "active", "2026-08-01") // another county
	f.exec(`UPDATE projects SET kind = 'village', subkind = 'resource', year = 2025 WHERE id = ?`, p2)
	plan := func(region string, filter SpotFilter, sample int) SpotPlanInput {
		return SpotPlanInput{Title: "项目抽查", RegionCode: region, TargetKind: SpotProject, Filter: filter, SampleSize: sample,
			InspectorsPerTarget: 1, InspectorIDs: []int64{office.UserID}}
	}
	for _, c := range []struct {
		name   string
		region string
		filter SpotFilter
		want   []int64
	}{
		{"all of the county", countyCode, SpotFilter{}, []int64{p1, p2, p3, p4}},
		{"stage 2", countyCode, SpotFilter{Stage: spotIntPtr(2)}, []int64{p1, p2}},
		{"stage 9 (all signed)", countyCode, SpotFilter{Stage: spotIntPtr(9)}, []int64{p4}},
		{"kind household", countyCode, SpotFilter{Kind: "household"}, []int64{p1, p3, p4}},
		{"year 2026 at stage 2", countyCode, SpotFilter{Year: 2026, Stage: spotIntPtr(2)}, []int64{p1}},
		{"one village", villageB, SpotFilter{}, []int64{p2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pl := f.spotPlan(office, plan(c.region, c.filter, 1))
			pop, err := f.S.SpotPopulationOf(f.Ctx, office, pl.ID)
			if err != nil {
				t.Fatal(err)
			}
			if pop.TargetKind != SpotProject || !slices.Equal(pop.IDs, c.want) || pl.PopulationCount != len(c.want) || pop.PopulationHash != PopulationHash(c.want) {
				t.Errorf("population %v (%d), want %v", pop.IDs, pl.PopulationCount, c.want)
			}
			// The stored filter reads back as given (stage 0..9 is kept even when 0).
			if got, _ := json.Marshal(pl.Filter); string(got) != string(spotJSON(c.filter)) {
				t.Errorf("filter %s", got)
			}
		})
	}
	in := plan(countyCode, SpotFilter{Stage: spotIntPtr(0)}, 1)
	// Stage 0 filters too (nobody is at stage 0): the sample exceeds the empty population.
	if _, err := f.S.CreateSpotPlan(f.Ctx, office, in); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("empty stage-0 population: %v", err)
	}
	pl := f.spotPlan(office, plan(countyCode, SpotFilter{}, 4))
	drawn, err := f.S.DrawSpotPlan(f.Ctx, office, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(drawn.Targets) != 4 {
		t.Fatalf("targets %d", len(drawn.Targets))
	}
	var code, name, region string
	for _, tg := range drawn.Targets {
		if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT code, name, region_code FROM projects WHERE id = ?`, tg.TargetID).Scan(&code, &name, &region); err != nil {
			t.Fatal(err)
		}
		if tg.Label != code+" "+name || tg.RegionCode != region {
			t.Errorf("target %d label %q region %s", tg.TargetID, tg.Label, tg.RegionCode)
		}
	}
	if v, err := f.S.VerifySpotPlan(f.Ctx, office, pl.ID); err != nil || !v.SeedMatchesHash || !v.PopulationMatchesHash || !v.SampleMatches || !v.InspectorsMatch {
		t.Errorf("verify %+v %v", v, err)
	}
}

func spotJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"张三明": "张*明", "李四": "李*", "王": "*", "": "", "欧阳小明": "欧**明", " 张三明 ": "张*明"} {
		if got := mask.Name(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// The plan input is outside input: whatever it holds, validation answers an error or passes
// something sane, never panics.
func FuzzSpotPlanInput(f *testing.F) {
	f.Add("抽查", "320921000000", "household", "registered", "", int64(0), "", "", "", 3, 1, int64(5), "", -1, 0)
	f.Add("x", "320921", "payment", "", "dibao", int64(-1), "2026Q5", "2026-02-30", "2026-01-01", 0, 11, int64(0), "", -1, 0)
	f.Add("项目", "320921000000", "project", "", "", int64(0), "", "", "", 2, 1, int64(5), "village", 3, 2026)
	f.Add("项目", "320921000000", "project", "", "", int64(0), "", "", "", 2, 1, int64(5), "road", 12, 1900)
	f.Fuzz(func(t *testing.T, title, region, kind, status, htype string, fund int64, period, from, to string, sample, per int, inspector int64,
		pkind string, stage, year int) {
		in := SpotPlanInput{Title: title, RegionCode: region, TargetKind: kind, SampleSize: sample, InspectorsPerTarget: per,
			Filter:       SpotFilter{Status: status, HouseholdType: htype, FundID: fund, Period: period, From: from, To: to, Kind: pkind, Year: year},
			InspectorIDs: []int64{inspector}}
		if stage != -1 {
			in.Filter.Stage = &stage
		}
		if err := in.validate(); err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("validate: %v", err)
			}
			return
		}
		if in.SampleSize < 1 || in.SampleSize > spotMaxSample || in.InspectorsPerTarget != 1 || inspector <= 0 ||
			(kind != SpotHousehold && kind != SpotPayment && kind != SpotProject) || in.Title == "" {
			t.Fatalf("accepted %+v", in)
		}
		if kind == SpotProject && (stage != -1 && (stage < 0 || stage > 9) || year != 0 && (year < 2000 || year > 2099) ||
			pkind != "" && pkind != "household" && pkind != "carrier" && pkind != "village") {
			t.Fatalf("accepted project filter %+v", in.Filter)
		}
		if kind != SpotProject && in.Filter.projectFiltered() {
			t.Fatalf("accepted a project filter on %s", kind)
		}
	})
}

// The HTTP layer: draw and close take no body, positions are non-negative integers, and no
// answer shows the seed before the draw.
func TestSpotHTTP(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.S.Routes(rt)
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req = req.WithContext(auth.With(req.Context(), office))
		w := httptest.NewRecorder()
		rt.Mux.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	st, b := call("POST", "/api/v1/spot-plans", `{"title":"抽查","region_code":"320921000000","target_kind":"household","sample_size":2,"inspectors_per_target":1,"inspector_ids":[`+spotItoa(office.UserID)+`]}`)
	if st != 201 || !strings.Contains(b, `"seed":null`) {
		t.Fatalf("create: %d %s", st, b)
	}
	var pl SpotPlan
	_ = json.Unmarshal([]byte(b), &pl)
	var seed string
	_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT seed FROM spot_plans WHERE id = ?`, pl.ID).Scan(&seed)
	base := "/api/v1/spot-plans/" + spotItoa(pl.ID)
	for _, path := range []string{base, base + "/population", "/api/v1/spot-plans?region=320921000000", "/api/v1/spot-plans"} {
		if st, b := call("GET", path, ""); st != 200 || strings.Contains(b, seed) {
			t.Errorf("GET %s before the draw: %d, seed shown: %v", path, st, strings.Contains(b, seed))
		}
	}
	if st, b := call("GET", base+"/verify", ""); st != 409 {
		t.Errorf("verify before draw: %d %s", st, b)
	}
	if st, b := call("POST", base+"/draw", ""); st != 200 || !strings.Contains(b, seed) {
		t.Fatalf("draw: %d %s", st, b)
	}
	if st, _ := call("POST", base+"/draw", ""); st != 409 {
		t.Errorf("second draw: %d", st)
	}
	if st, b := call("GET", "/api/v1/spot-plans", ""); st != 200 || strings.Contains(b, seed) || !strings.Contains(b, `"next":null`) {
		t.Errorf("list after draw: %d %s", st, b)
	}
	for _, pos := range []string{"-1", "01", "x", "1e2"} {
		if st, b := call("POST", base+"/targets/"+pos, `{"result":"ok"}`); st != 400 {
			t.Errorf("position %q: %d %s", pos, st, b)
		}
	}
	if st, b := call("POST", base+"/targets/1", `{"result":"ok","extra":1}`); st != 400 {
		t.Errorf("unknown field: %d %s", st, b)
	}
	if st, b := call("POST", base+"/targets/1", `{"result":"ok"}`); st != 200 || !strings.Contains(b, `"recorded":1`) {
		t.Errorf("finding: %d %s", st, b)
	}
	if st, b := call("GET", base+"/verify", ""); st != 200 || !strings.Contains(b, `"sample_matches":true`) {
		t.Errorf("verify: %d %s", st, b)
	}
	if st, b := call("POST", base+"/close", ""); st != 200 || !strings.Contains(b, `"status":"closed"`) {
		t.Errorf("close: %d %s", st, b)
	}
	if st, b := call("GET", "/api/v1/spot-plans/inspectors?region=320922000000", ""); st != 403 {
		t.Errorf("inspectors of the other county: %d %s", st, b)
	}
}
