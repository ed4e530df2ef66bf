package oversight

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/idcard"
)

// Planted cases of the projects and assets checks, written with SQL as an import or a manual
// edit would write them (the projects service refuses the distribution faults at entry).

// pjInsert runs an INSERT … RETURNING id in its own transaction.
func (f *fixture) pjInsert(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		id, err = tx.InsertID(f.Ctx, q, args...)
		return err
	}); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// pjProject plants a village project (kind household unless said) at a stage with a status and
// a planned end of the current stage (nil: none), with its ledger account.
func (f *fixture) pjProject(region string, stage int, status string, due any) int64 {
	f.t.Helper()
	n := f.Seq.Add(1)
	code := fmt.Sprintf("XM2026-%s-%04d", region[:6], n)
	name := fmt.Sprintf("测试项目%d", n)
	acct := f.pjInsert(`INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('project', ?, ?, 1, 'x') RETURNING id`,
		code+" "+name, region)
	return f.pjInsert(`INSERT INTO projects (code, name, kind, subkind, region_code, year, budget_fen, implementer, stage, stage_since, stage_due,
		status, account_id, created_by, created_at, updated_at)
		VALUES (?, ?, 'household', '', ?, 2026, 50000000, '某镇人民政府', ?, '2026-05-01', ?, ?, ?, 1, 'x', 'x') RETURNING id`,
		code, name, region, stage, due, status, acct)
}

// pjAsset plants an asset of the project in region, entitled households (share 1) given.
func (f *fixture) pjAsset(project int64, region string, entitled ...int64) int64 {
	f.t.Helper()
	n := f.Seq.Add(1)
	id := f.pjInsert(`INSERT INTO assets (code, name, project_id, kind, value_fen, ownership, region_code, property_reg_no, custodian,
		status, formed_on, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 'operating', 30000000, '村集体', ?, ?, '村委会', 'in_use', '2025-12-01', 1, 'x', 'x') RETURNING id`,
		fmt.Sprintf("ZC2026-%s-%04d", region[:6], n), fmt.Sprintf("光伏电站%d", n), project, region, fmt.Sprintf("苏(2025)不动产权第%d号", n))
	for _, hh := range entitled {
		f.exec(`INSERT INTO asset_beneficiaries (asset_id, household_id, share, created_at) VALUES (?, ?, 1, 'x')`, id, hh)
	}
	return id
}

// pjIncome plants an asset's income of a year, with its income fund (village, category income).
func (f *fixture) pjIncome(asset int64, year int, fen int64, received, status string) int64 {
	f.t.Helper()
	var region, code string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT region_code, code FROM assets WHERE id = ?`, asset).Scan(&region, &code); err != nil {
		f.t.Fatal(err)
	}
	fund := f.pjInsert(`INSERT INTO funds (code, name, source_level, category, year, amount_fen, region_code, via_city, received_on, deadline,
		created_by, created_at) VALUES (?, ?, 'village', 'income', ?, ?, ?, 0, ?, ?, 1, 'x') RETURNING id`,
		fmt.Sprintf("SY-%s-%d", code, year), fmt.Sprintf("资产收益%d", year), year, fen, region, received, addDays(received, 90))
	var distributed any
	if status == "distributed" {
		distributed = addDays(received, 10)
	}
	return f.pjInsert(`INSERT INTO asset_incomes (asset_id, year, amount_fen, received_on, fund_id, status, distributed_on, region_code,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 'x') RETURNING id`,
		asset, year, fen, received, fund, status, distributed, region)
}

// pjDistribute plants one distribution line of an income to a household (payee: a test ID number).
func (f *fixture) pjDistribute(income, hh int64, fen int64) int64 {
	f.t.Helper()
	n := int(f.Seq.Add(1))
	return f.pjInsert(`INSERT INTO asset_distributions (income_id, household_id, payee_id_number, payee_name, amount_fen, created_at)
		VALUES (?, ?, ?, ?, ?, 'x') RETURNING id`, income, hh, f.IDNumber(n), fmt.Sprintf("收益人%d", n), fen)
}

func TestGoldenProjectStageOverdue(t *testing.T) {
	f := newFixture(t)                                           // today 2026-07-15
	late := f.pjProject(villageA, 2, "active", "2026-07-14")     // due yesterday: 1 day over
	older := f.pjProject(villageB, 5, "active", "2026-07-13")    // 2 days over
	county := f.pjProject(countyCode, 0, "active", "2026-06-30") // a county-level project
	dueToday := f.pjProject(villageA, 1, "active", "2026-07-15") // not yet
	noPlan := f.pjProject(villageA, 1, "active", nil)            // no planned end
	done := f.pjProject(villageB, 9, "completed", "2026-06-01")  // completed
	failed := f.pjProject(villageB, 4, "failed", "2026-06-01")   // 容错 / failed
	other := f.pjProject(villageOth, 3, "active", "2026-06-01")  // another county

	k := func(id int64, stage int) string {
		return fmt.Sprintf("project_stage_overdue:project=%d:stage=%d", id, stage)
	}
	got := f.findings(evalProjects, nil, nil)
	want(t, got, []string{k(late, 2), k(older, 5), k(county, 0)},
		[]string{k(dueToday, 1), k(noPlan, 1), k(done, 9), k(failed, 4), k(other, 3)})
	x := got[k(late, 2)]
	if x.EntityType != "project" || x.EntityID != late || x.RegionCode != villageA || x.HouseholdID != 0 || x.AmountFen != 50000000 ||
		!strings.Contains(x.Explanation, "「评审」") || !strings.Contains(x.Explanation, "2026-07-14") || !strings.Contains(x.Explanation, "逾期 1 天") {
		t.Errorf("finding %+v", x)
	}
	var e stageOverdueEvidence
	if err := json.Unmarshal(x.Evidence, &e); err != nil || e.ProjectID != late || e.Stage != 2 || e.StageLabel != "评审" ||
		e.PlannedEnd != "2026-07-14" || e.StageSince != "2026-05-01" || e.GraceDays != 0 {
		t.Errorf("evidence %s (%v)", x.Evidence, err)
	}
	if x := got[k(county, 0)]; x.RegionCode != countyCode || !strings.Contains(x.Explanation, "「调研」") || !strings.Contains(x.Explanation, "逾期 15 天") {
		t.Errorf("county project %+v", x)
	}
	// One day of grace lets yesterday's through; two days over still fires.
	got = f.findings(evalProjects, nil, func(r map[string]*Rule) { r[CheckProjectStageOverdue].Params.GraceDays = 1 })
	want(t, got, []string{k(older, 5), k(county, 0)}, []string{k(late, 2), k(dueToday, 1)})
	if x := got[k(older, 5)]; !strings.Contains(x.Explanation, "宽限 1 天") || !strings.Contains(string(x.Evidence), `"grace_days":1`) {
		t.Errorf("grace %s %s", x.Explanation, x.Evidence)
	}
	// The evidence does not change from one day to the next (the days over are only in the
	// explanation): a closed alert stays closed, a pending one is not rewritten daily.
	before := f.findings(evalProjects, nil, nil)
	f.Now = f.Now.Add(24 * time.Hour)
	after := f.findings(evalProjects, nil, nil)
	if string(before[k(late, 2)].Evidence) != string(after[k(late, 2)].Evidence) || !strings.Contains(after[k(late, 2)].Explanation, "逾期 2 天") {
		t.Errorf("evidence moved with the date: %s → %s", before[k(late, 2)].Evidence, after[k(late, 2)].Evidence)
	}
	// The next day the project due today is late too; after it is signed on to the next stage
	// (a new planned end ahead), it is quiet and the key of the new stage is another one.
	want(t, after, []string{k(dueToday, 1)}, nil)
	f.exec(`UPDATE projects SET stage = 2, stage_due = '2026-08-30' WHERE id = ?`, dueToday)
	want(t, f.findings(evalProjects, nil, nil), nil, []string{k(dueToday, 1), k(dueToday, 2)})
	// Off: nothing.
	got = f.findings(evalProjects, nil, func(r map[string]*Rule) { delete(r, CheckProjectStageOverdue) })
	want(t, got, nil, []string{k(late, 2), k(older, 5), k(county, 0)})
}

func TestGoldenAssetIncomeUndistributed(t *testing.T) {
	f := newFixture(t) // today 2026-07-15; 90 days ago is 2026-04-16
	prj := f.pjProject(villageA, 9, "completed", nil)
	hh := f.Household(villageA, "registered")
	a1, a2, a3 := f.pjAsset(prj, villageA, hh), f.pjAsset(prj, villageA, hh), f.pjAsset(prj, villageB, hh)
	over := f.pjIncome(a1, 2025, 120000, "2026-04-15", "recorded")    // 91 days
	edge := f.pjIncome(a2, 2025, 120000, "2026-04-16", "recorded")    // 90 days: not yet
	paid := f.pjIncome(a3, 2025, 120000, "2026-01-10", "distributed") // distributed in full
	f.pjDistribute(paid, hh, 120000)
	prjOth := f.pjProject(villageOth, 9, "completed", nil)
	other := f.pjIncome(f.pjAsset(prjOth, villageOth), 2025, 50000, "2026-01-10", "recorded")

	k := func(id int64) string { return fmt.Sprintf("asset_income_undistributed:income=%d", id) }
	got := f.findings(evalProjects, nil, nil)
	want(t, got, []string{k(over)}, []string{k(edge), k(paid), k(other)})
	x := got[k(over)]
	if x.EntityType != "asset_income" || x.EntityID != over || x.RegionCode != villageA || x.AmountFen != 120000 ||
		!strings.Contains(x.Explanation, "2026-04-15") || !strings.Contains(x.Explanation, "1,200.00 元") || !strings.Contains(x.Explanation, "已 91 天") {
		t.Errorf("finding %+v", x)
	}
	var e incomeEvidence
	if err := json.Unmarshal(x.Evidence, &e); err != nil || e.IncomeID != over || e.AssetID != a1 || e.Year != 2025 || e.Days != 90 ||
		e.ReceivedOn != "2026-04-15" || e.FundID == 0 || e.ProjectID != prj {
		t.Errorf("evidence %s (%v)", x.Evidence, err)
	}
	// 89 days: the 90-day-old income fires as well.
	got = f.findings(evalProjects, nil, func(r map[string]*Rule) { r[CheckAssetIncomeUndistributed].Params.Days = 89 })
	want(t, got, []string{k(over), k(edge)}, []string{k(paid)})
	// Once distributed, quiet.
	f.exec(`UPDATE asset_incomes SET status = 'distributed', distributed_on = '2026-07-15' WHERE id = ?`, over)
	f.pjDistribute(over, hh, 120000)
	want(t, f.findings(evalProjects, nil, nil), nil, []string{k(over)})
}

func TestGoldenAssetDistributionMismatch(t *testing.T) {
	f := newFixture(t)
	prj := f.pjProject(villageA, 9, "completed", nil)
	h1, h2 := f.Household(villageA, "registered"), f.Household(villageA, "registered")
	asset := f.pjAsset(prj, villageA, h1, h2)
	income := func(year int, status string, lines ...int64) int64 {
		id := f.pjIncome(asset, year, 10000, "2026-03-01", status)
		for i, fen := range lines {
			f.pjDistribute(id, []int64{h1, h2}[i], fen)
		}
		return id
	}
	equal := income(2020, "distributed", 6000, 4000)
	short := income(2021, "distributed", 6000, 3999) // 1 fen short
	over := income(2022, "distributed", 6000, 4001)  // 1 fen over
	none := income(2023, "distributed")              // marked distributed, no lines
	pending := income(2024, "recorded", 6000)        // not distributed yet: another check's business
	prjOth := f.pjProject(villageOth, 9, "completed", nil)
	other := f.pjIncome(f.pjAsset(prjOth, villageOth), 2025, 10000, "2026-03-01", "distributed")

	k := func(id int64) string { return fmt.Sprintf("asset_distribution_mismatch:income=%d", id) }
	got := f.findings(evalProjects, nil, nil)
	want(t, got, []string{k(short), k(over), k(none)}, []string{k(equal), k(pending), k(other)})
	x := got[k(short)]
	if x.EntityType != "asset_income" || x.EntityID != short || x.AmountFen != 1 || !strings.Contains(x.Explanation, "少分配 0.01 元") ||
		!strings.Contains(x.Explanation, "99.99 元") || !strings.Contains(x.Explanation, "2 笔") {
		t.Errorf("short %+v", x)
	}
	var e mismatchEvidence
	if err := json.Unmarshal(x.Evidence, &e); err != nil || e.AmountFen != 10000 || e.DistributedFen != 9999 || e.Lines != 2 || e.DistributedOn != "2026-03-11" {
		t.Errorf("evidence %s (%v)", x.Evidence, err)
	}
	if x := got[k(over)]; x.AmountFen != 1 || !strings.Contains(x.Explanation, "多分配 0.01 元") {
		t.Errorf("over %+v", x)
	}
	if x := got[k(none)]; x.AmountFen != 10000 || !strings.Contains(x.Explanation, "0 笔") {
		t.Errorf("none %+v", x)
	}
}

func TestGoldenAssetDistributionNonbeneficiary(t *testing.T) {
	f := newFixture(t)
	prj := f.pjProject(villageA, 9, "completed", nil)
	entitled, stranger, elsewhere := f.Household(villageA, "registered"), f.Household(villageA, "registered"), f.Household(villageB, "registered")
	asset := f.pjAsset(prj, villageA, entitled)
	f.pjAsset(prj, villageB, elsewhere) // entitled to another asset of the same project only
	inc := f.pjIncome(asset, 2025, 30000, "2026-03-01", "distributed")
	ok := f.pjDistribute(inc, entitled, 10000)
	bad := f.pjDistribute(inc, stranger, 10000)
	wrongAsset := f.pjDistribute(inc, elsewhere, 10000)
	prjOth := f.pjProject(villageOth, 9, "completed", nil)
	oth := f.pjIncome(f.pjAsset(prjOth, villageOth), 2025, 10000, "2026-03-01", "distributed")
	otherCounty := f.pjDistribute(oth, f.Household(villageOth, "registered"), 10000)

	k := func(id int64) string { return fmt.Sprintf("asset_distribution_nonbeneficiary:distribution=%d", id) }
	got := f.findings(evalProjects, nil, nil)
	want(t, got, []string{k(bad), k(wrongAsset)}, []string{k(ok), k(otherCounty)})
	x := got[k(bad)]
	var payee string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT payee_id_number FROM asset_distributions WHERE id = ?`, bad).Scan(&payee); err != nil {
		t.Fatal(err)
	}
	if x.EntityType != "asset_distribution" || x.EntityID != bad || x.HouseholdID != stranger || x.RegionCode != villageA || x.AmountFen != 10000 ||
		!strings.Contains(x.Explanation, "不是该资产的收益对象") || !strings.Contains(x.Explanation, "100.00 元") ||
		strings.Contains(x.Explanation, payee) || strings.Contains(string(x.Evidence), payee) || !strings.Contains(x.Explanation, idcard.Mask(payee)) {
		t.Errorf("finding %+v", x)
	}
	var e nonbeneficiaryEvidence
	if err := json.Unmarshal(x.Evidence, &e); err != nil || e.IncomeID != inc || e.AssetID != asset || e.HouseholdID != stranger || e.HouseholdNo == "" {
		t.Errorf("evidence %s (%v)", x.Evidence, err)
	}
	// Made entitled after the fact (the register corrected): quiet.
	f.exec(`INSERT INTO asset_beneficiaries (asset_id, household_id, share, created_at) VALUES (?, ?, 1, 'x')`, asset, stranger)
	want(t, f.findings(evalProjects, nil, nil), []string{k(wrongAsset)}, []string{k(bad)})
}

// A full run raises the projects findings as alerts of the category, to the rule's department,
// and a repeat run raises nothing new.
func TestGoldenProjectsFullRun(t *testing.T) {
	f := newFixture(t)
	late := f.pjProject(villageA, 3, "active", "2026-07-01")
	hh := f.Household(villageA, "registered")
	asset := f.pjAsset(late, villageA)
	inc := f.pjIncome(asset, 2025, 10000, "2026-03-01", "distributed")
	f.pjDistribute(inc, hh, 9000) // short and to a household not entitled
	f.pjIncome(f.pjAsset(late, villageB), 2025, 10000, "2026-01-01", "recorded")

	first := f.runFull(f.City, "")
	for _, c := range []string{CheckProjectStageOverdue, CheckAssetIncomeUndistributed, CheckAssetDistributionMismatch, CheckAssetDistributionNonbeneficiary} {
		if first.ByRule[c] != 1 {
			t.Errorf("%s: %d findings, want 1 (%v)", c, first.ByRule[c], first.ByRule)
		}
	}
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT rule_key, category, department, entity_type, region_code FROM alerts WHERE category = 'projects' ORDER BY rule_key`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var a, b, c, d, e string
		if err := rows.Scan(&a, &b, &c, &d, &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{a, b, c, d, e}, " "))
	}
	rows.Close()
	wantRows := []string{
		"asset_distribution_mismatch projects finance asset_income " + villageA,
		"asset_distribution_nonbeneficiary projects poverty_office asset_distribution " + villageA,
		"asset_income_undistributed projects poverty_office asset_income " + villageB,
		"project_stage_overdue projects poverty_office project " + villageA,
	}
	if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
	// The next day: the same findings, the same evidence, nothing new or updated.
	f.Now = f.Now.Add(time.Hour)
	second := f.runFull(f.City, "")
	if second.New != 0 || second.Updated != 0 || second.Found != first.Found {
		t.Fatalf("second run: %+v", second)
	}
	// The county's poverty office sees them; another county's does not.
	list, err := f.S.Alerts(f.Ctx, f.County(auth.PovertyOffice), AlertFilter{Category: CatProjects, Limit: 50})
	if err != nil || len(list) != 4 {
		t.Errorf("county list %d %v", len(list), err)
	}
	list, err = f.S.Alerts(f.Ctx, f.Other(auth.PovertyOffice), AlertFilter{Category: CatProjects, Limit: 50})
	if err != nil || len(list) != 0 {
		t.Errorf("other county list %d %v", len(list), err)
	}
}
