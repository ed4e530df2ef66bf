package projects

import (
	"strings"
	"sync"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// p1Input is a valid registration of a project of kind in region.
func p1Input(kind, region string) ProjectInput {
	in := ProjectInput{Name: "测试项目 " + kind, Kind: kind, RegionCode: region, Year: 2026, BudgetYuan: "600000.00",
		Implementer: "陈家港镇人民政府", Scale: "大棚 20 座", Targets: "带动 30 户增收"}
	switch kind {
	case "village":
		in.Subkind = "mixed"
	case "carrier":
		in.Subkind, in.CarrierName, in.BenefitMechanism = "cooperative", "响水县蔬菜专业合作社", "入股分红+务工"
	}
	return in
}

// p1Create registers a project as the county poverty office.
func p1Create(f *fixture, kind, region string) ProjectDetail {
	f.t.Helper()
	d, err := f.S.CreateProject(f.Ctx, f.County(auth.PovertyOffice), p1Input(kind, region))
	if err != nil {
		f.t.Fatalf("create %s project in %s: %v", kind, region, err)
	}
	return d
}

// p1Want fails unless err carries code and, when field is given, a reason for that field (or
// the message contains field when it is not a field error).
func p1Want(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if field == "" {
		return
	}
	e, _ := errs.As(err)
	if _, ok := e.Fields[field]; !ok && !strings.Contains(e.Message, field) {
		t.Fatalf("error %v names neither field nor text %q", err, field)
	}
}

func (f *fixture) p1Count(table string) int64 { return f.count(`SELECT COUNT(*) FROM ` + table) }

func TestCreateProjectKinds(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ kind, region string }{{"household", villageA}, {"village", villageB}, {"carrier", countyCode}} {
		d := p1Create(f, c.kind, c.region)
		if d.Kind != c.kind || d.RegionCode != c.region || d.Stage != Research || d.Status != "active" || d.Version != 1 {
			t.Fatalf("%s project: %+v", c.kind, d.Project)
		}
		if d.BudgetFen != 60_000_000 || d.RegionName == "" {
			t.Fatalf("budget %d, region name %q", d.BudgetFen, d.RegionName)
		}
		if !strings.HasPrefix(d.Code, "XM2026-320921-") || len(d.Code) != len("XM2026-320921-0001") {
			t.Fatalf("generated code %q", d.Code)
		}
		if len(d.Stages) != 9 {
			t.Fatalf("%d stages", len(d.Stages))
		}
		// default plan: chained from today (2026-07-15) with the rules' durations
		if *d.Stages[0].PlannedStart != "2026-07-15" || *d.Stages[0].PlannedEnd != "2026-08-14" ||
			*d.Stages[1].PlannedStart != "2026-08-14" || *d.Stages[1].PlannedEnd != "2026-09-13" {
			t.Fatalf("plan %v %v %v %v", *d.Stages[0].PlannedStart, *d.Stages[0].PlannedEnd, *d.Stages[1].PlannedStart, *d.Stages[1].PlannedEnd)
		}
		if d.StageSince != "2026-07-15" || d.StageDue == nil || *d.StageDue != "2026-08-14" || *d.Stages[0].ActualStart != "2026-07-15" ||
			d.Stages[1].ActualStart != nil {
			t.Fatalf("stage 0 dates: since %s due %v", d.StageSince, d.StageDue)
		}
		if len(d.Stages[0].Missing) != 1 || d.Stages[0].Missing[0] != "survey" {
			t.Fatalf("missing %v", d.Stages[0].Missing)
		}
		var kind, name, region string
		if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT kind, name, region_code FROM ledger_accounts WHERE id = ?`, d.AccountID).
			Scan(&kind, &name, &region); err != nil {
			t.Fatal(err)
		}
		if kind != "project" || name != d.Code+" "+d.Name || region != c.region {
			t.Fatalf("account %s %s %s", kind, name, region)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'project.create' AND entity_type = 'project'`); n != 3 {
		t.Fatalf("%d create audits", n)
	}
	// codes are sequential within the county and year
	var codes []string
	rows, _ := f.DB.Reader().QueryContext(f.Ctx, `SELECT code FROM projects ORDER BY id`)
	for rows.Next() {
		var c string
		_ = rows.Scan(&c)
		codes = append(codes, c)
	}
	rows.Close()
	if strings.Join(codes, ",") != "XM2026-320921-0001,XM2026-320921-0002,XM2026-320921-0003" {
		t.Fatalf("codes %v", codes)
	}
	// an explicit code is kept, and unique
	in := p1Input("household", villageA)
	in.Code = "XM-自定-1"
	if d, err := f.S.CreateProject(f.Ctx, f.County(auth.PovertyOffice), in); err != nil || d.Code != "XM-自定-1" {
		t.Fatalf("own code: %v %v", d.Code, err)
	}
	_, err := f.S.CreateProject(f.Ctx, f.County(auth.PovertyOffice), in)
	p1Want(t, err, errs.Conflict, "code")
}

func TestCreateProjectValidation(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	cases := []struct {
		name  string
		edit  func(*ProjectInput)
		field string
	}{
		{"no kind", func(in *ProjectInput) { in.Kind = "" }, "kind"},
		{"bad kind", func(in *ProjectInput) { in.Kind = "road" }, "kind"},
		{"village without subkind", func(in *ProjectInput) { in.Kind, in.Subkind = "village", "" }, "subkind"},
		{"village bad subkind", func(in *ProjectInput) { in.Kind, in.Subkind = "village", "enterprise" }, "subkind"},
		{"household with subkind", func(in *ProjectInput) { in.Subkind = "mixed" }, "subkind"},
		{"carrier without carrier", func(in *ProjectInput) { in.Kind, in.Subkind, in.BenefitMechanism = "carrier", "enterprise", "分红" }, "carrier_name"},
		{"carrier without mechanism", func(in *ProjectInput) { in.Kind, in.Subkind, in.CarrierName = "carrier", "enterprise", "某公司" }, "benefit_mechanism"},
		{"carrier bad subkind", func(in *ProjectInput) {
			in.Kind, in.Subkind, in.CarrierName, in.BenefitMechanism = "carrier", "land_share", "某公司", "分红"
		}, "subkind"},
		{"no budget", func(in *ProjectInput) { in.BudgetYuan = "" }, "budget_yuan"},
		{"zero budget", func(in *ProjectInput) { in.BudgetYuan = "0" }, "budget_yuan"},
		{"negative budget", func(in *ProjectInput) { in.BudgetYuan = "-5" }, "budget_yuan"},
		{"three decimals", func(in *ProjectInput) { in.BudgetYuan = "1.005" }, "budget_yuan"},
		{"huge budget", func(in *ProjectInput) { in.BudgetYuan = "10000000000.01" }, "budget_yuan"},
		{"year low", func(in *ProjectInput) { in.Year = 1999 }, "year"},
		{"year high", func(in *ProjectInput) { in.Year = 2100 }, "year"},
		{"no implementer", func(in *ProjectInput) { in.Implementer = "  " }, "implementer"},
		{"no name", func(in *ProjectInput) { in.Name = "" }, "name"},
		{"long name", func(in *ProjectInput) { in.Name = strings.Repeat("名", 101) }, "name"},
		{"long targets", func(in *ProjectInput) { in.Targets = strings.Repeat("目", 1001) }, "targets"},
		{"bad region", func(in *ProjectInput) { in.RegionCode = "3209" }, "region_code"},
		{"city region", func(in *ProjectInput) { in.RegionCode = cityCode }, "region_code"},
		{"unknown region", func(in *ProjectInput) { in.RegionCode = "320921100299" }, "region_code"},
		{"bad start", func(in *ProjectInput) { in.StartOn = "2026-13-01" }, "start_on"},
		{"plan bad stage", func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 9, PlannedStart: "2026-08-01", PlannedEnd: "2026-08-02"}}
		}, "plan[0].stage"},
		{"plan repeated", func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 1, PlannedStart: "2026-08-01", PlannedEnd: "2026-08-02"}, {Stage: 1, PlannedStart: "2026-08-01", PlannedEnd: "2026-08-02"}}
		}, "plan[1].stage"},
		{"plan bad date", func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 0, PlannedStart: "2026/08/01", PlannedEnd: "2026-08-02"}}
		}, "plan[0].planned_start"},
		{"plan end before start", func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 0, PlannedStart: "2026-08-05", PlannedEnd: "2026-08-02"}}
		}, "plan[0].planned_end"},
		{"plan out of order", func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 0, PlannedStart: "2026-07-15", PlannedEnd: "2026-09-30"}, {Stage: 1, PlannedStart: "2026-07-01", PlannedEnd: "2026-07-20"}}
		}, "plan[1].planned_start"},
		{"plan id missing", func(in *ProjectInput) { in.PlanID = 999 }, "plan_id"},
	}
	before, audits := f.p1Count("projects"), f.p1Count("audit_events")
	for _, c := range cases {
		in := p1Input("household", villageA)
		c.edit(&in)
		_, err := f.S.CreateProject(f.Ctx, office, in)
		code := errs.Invalid
		if c.field == "plan_id" {
			code = errs.NotFound
		}
		if errs.CodeOf(err) != code {
			t.Errorf("%s: got %v, want %s", c.name, err, code)
			continue
		}
		if e, _ := errs.As(err); e.Fields[c.field] == "" {
			t.Errorf("%s: fields %v lack %s", c.name, e.Fields, c.field)
		}
	}
	if f.p1Count("projects") != before || f.p1Count("audit_events") != audits || f.p1Count("ledger_accounts") != 0 {
		t.Fatalf("a refused registration wrote something")
	}
	// scope and role
	_, err := f.S.CreateProject(f.Ctx, f.Other(auth.PovertyOffice), p1Input("household", villageA))
	p1Want(t, err, errs.Forbidden, "")
	_, err = f.S.CreateProject(f.Ctx, f.County(auth.Finance), p1Input("household", villageA))
	p1Want(t, err, errs.Forbidden, "")
	_, err = f.S.CreateProject(f.Ctx, f.Village(villageA), p1Input("household", villageB))
	p1Want(t, err, errs.Forbidden, "")
	if _, err := f.S.CreateProject(f.Ctx, f.Village(villageA), p1Input("household", villageA)); err != nil {
		t.Fatalf("village cadre in own village: %v", err)
	}
	// an explicit plan is kept; stages without one chain from it
	in := p1Input("village", villageA)
	in.StartOn = "2026-07-01"
	in.Plan = []StagePlan{{Stage: 0, PlannedStart: "2026-07-01", PlannedEnd: "2026-07-10"}, {Stage: 2, PlannedStart: "2026-08-01", PlannedEnd: "2026-08-31"}}
	d, err := f.S.CreateProject(f.Ctx, f.County(auth.PovertyOffice), in)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{*d.Stages[0].PlannedEnd, *d.Stages[1].PlannedStart, *d.Stages[1].PlannedEnd, *d.Stages[2].PlannedStart, *d.Stages[3].PlannedStart}
	if strings.Join(got, " ") != "2026-07-10 2026-07-10 2026-08-09 2026-08-01 2026-08-31" {
		t.Fatalf("plan %v", got)
	}
	if *d.StageDue != "2026-07-10" || !d.Overdue {
		t.Fatalf("due %v overdue %v (today 2026-07-15)", *d.StageDue, d.Overdue)
	}
}

func TestCreateProjectPlanLink(t *testing.T) {
	f := newFixture(t)
	plan := func(region string) int64 {
		var id int64
		f.exec(`INSERT INTO village_plans (region_code, year, title, status, created_by, created_at) VALUES (?, 2026, '规划', 'draft', 1, '2026-07-01T00:00:00Z')`, region)
		id = f.count(`SELECT MAX(id) FROM village_plans`)
		return id
	}
	pa, pOth := plan(villageA), plan(villageOth)
	office := f.County(auth.PovertyOffice)
	in := p1Input("household", villageB)
	in.PlanID = pa
	_, err := f.S.CreateProject(f.Ctx, office, in)
	p1Want(t, err, errs.Invalid, "plan_id")
	in.PlanID = pOth
	in.RegionCode = villageA
	_, err = f.S.CreateProject(f.Ctx, office, in)
	p1Want(t, err, errs.NotFound, "plan_id")
	in.PlanID = pa
	for _, region := range []string{villageA, "320921100000", countyCode} {
		in.RegionCode = region
		d, err := f.S.CreateProject(f.Ctx, office, in)
		if err != nil || d.PlanID == nil || *d.PlanID != pa {
			t.Fatalf("plan link at %s: %v %v", region, d.PlanID, err)
		}
	}
}

func TestUpdateProject(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	d := p1Create(f, "village", villageA)
	in := p1Input("village", villageA)
	in.Name, in.BudgetYuan, in.Subkind, in.Version = "改名项目", "700000", "land_share", 1
	in.Plan = []StagePlan{{Stage: 3, PlannedStart: "2026-10-10", PlannedEnd: "2026-10-30"}}
	u, err := f.S.UpdateProject(f.Ctx, office, d.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "改名项目" || u.BudgetFen != 70_000_000 || u.Subkind != "land_share" || u.Version != 2 || u.Code != d.Code {
		t.Fatalf("updated %+v", u.Project)
	}
	if *u.Stages[3].PlannedStart != "2026-10-10" || *u.Stages[3].PlannedEnd != "2026-10-30" || *u.Stages[2].PlannedEnd != *d.Stages[2].PlannedEnd {
		t.Fatalf("plan %v %v", *u.Stages[3].PlannedStart, *u.Stages[3].PlannedEnd)
	}
	audits := f.p1Count("audit_events")
	for _, c := range []struct {
		edit  func(*ProjectInput)
		code  errs.Code
		field string
	}{
		{func(in *ProjectInput) { in.Kind = "household" }, errs.Invalid, "kind"},
		{func(in *ProjectInput) { in.RegionCode = villageB }, errs.Invalid, "region_code"},
		{func(in *ProjectInput) { in.Code = "XM-OTHER" }, errs.Invalid, "code"},
		{func(in *ProjectInput) { in.Version = 0 }, errs.Invalid, "version"},
		{func(in *ProjectInput) { in.Version = 1 }, errs.Conflict, ""},
		{func(in *ProjectInput) { in.BudgetYuan = "0" }, errs.Invalid, "budget_yuan"},
		{func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 0, PlannedStart: "2026-07-01", PlannedEnd: "2026-07-30"}}
		}, errs.Invalid, "plan[0].stage"},
		{func(in *ProjectInput) {
			in.Plan = []StagePlan{{Stage: 4, PlannedStart: "2026-09-01", PlannedEnd: "2026-09-02"}}
		}, errs.Invalid, "plan[0].planned_start"},
	} {
		x := in
		x.Version, x.Plan = 2, nil
		c.edit(&x)
		_, err := f.S.UpdateProject(f.Ctx, office, d.ID, x)
		p1Want(t, err, c.code, c.field)
	}
	_, err = f.S.UpdateProject(f.Ctx, f.Other(auth.PovertyOffice), d.ID, in)
	p1Want(t, err, errs.NotFound, "")
	if f.p1Count("audit_events") != audits || f.count(`SELECT version FROM projects WHERE id = ?`, d.ID) != 2 {
		t.Fatal("a refused update wrote something")
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'project.update'`); n != 1 {
		t.Fatalf("%d update audits", n)
	}
}

func TestProjectReadScope(t *testing.T) {
	f := newFixture(t)
	d := p1Create(f, "household", villageA)
	for _, p := range []*auth.Principal{f.County(auth.Department), f.County(auth.Auditor), f.Town(auth.Discipline), f.Village(villageA), f.CityRole(auth.Finance)} {
		if _, err := f.S.Project(f.Ctx, p, d.ID); err != nil {
			t.Fatalf("%s reads: %v", p.Username, err)
		}
	}
	for _, p := range []*auth.Principal{f.Other(auth.PovertyOffice), f.Village(villageB)} {
		_, err := f.S.Project(f.Ctx, p, d.ID)
		p1Want(t, err, errs.NotFound, "")
		rows, err := f.S.Projects(f.Ctx, p, ProjectFilter{Stage: -1})
		if err != nil || len(rows) != 0 {
			t.Fatalf("%s lists %d: %v", p.Username, len(rows), err)
		}
	}
	_, err := f.S.Project(f.Ctx, f.County(auth.Helper), d.ID)
	p1Want(t, err, errs.Forbidden, "")
	_, err = f.S.Projects(f.Ctx, f.Other(auth.PovertyOffice), ProjectFilter{Region: countyCode, Stage: -1})
	p1Want(t, err, errs.Forbidden, "")
}

func TestProjectsFilter(t *testing.T) {
	f := newFixture(t)
	a := p1Create(f, "household", villageA)
	b := p1Create(f, "village", villageB)
	c := p1Create(f, "carrier", countyCode)
	office := f.County(auth.PovertyOffice)
	ids := func(fl ProjectFilter) []int64 {
		t.Helper()
		rows, err := f.S.Projects(f.Ctx, office, fl)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	eq := func(got []int64, want ...int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %v want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %v want %v", got, want)
			}
		}
	}
	eq(ids(ProjectFilter{Stage: -1}), c.ID, b.ID, a.ID)
	eq(ids(ProjectFilter{Stage: -1, Kind: "village"}), b.ID)
	eq(ids(ProjectFilter{Stage: -1, Region: villageA}), a.ID)
	eq(ids(ProjectFilter{Stage: -1, Q: a.Code}), a.ID)
	eq(ids(ProjectFilter{Stage: -1, Year: 2025}))
	eq(ids(ProjectFilter{Stage: 1}))
	eq(ids(ProjectFilter{Stage: -1, Limit: 1}), c.ID, b.ID)
	eq(ids(ProjectFilter{Stage: -1, After: b.ID}), a.ID)
	eq(ids(ProjectFilter{Stage: -1, Overdue: true}))
	_, err := f.S.Projects(f.Ctx, office, ProjectFilter{Stage: -1, Kind: "road"})
	p1Want(t, err, errs.Invalid, "kind")
	_, err = f.S.Projects(f.Ctx, office, ProjectFilter{Stage: 10})
	p1Want(t, err, errs.Invalid, "stage")
	_, err = f.S.Projects(f.Ctx, office, ProjectFilter{Stage: -1, Status: "x"})
	p1Want(t, err, errs.Invalid, "status")
}

// Registrations racing for the county's next code all succeed, each with its own number.
func TestCreateProjectConcurrentCodes(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	var wg sync.WaitGroup
	codes := make([]string, 4)
	failures := make([]error, 4)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d, err := f.S.CreateProject(f.Ctx, office, p1Input("household", villageA))
			codes[i], failures[i] = d.Code, err
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, c := range codes {
		if failures[i] != nil || seen[c] {
			t.Fatalf("registration %d: %q %v (codes %v)", i, c, failures[i], codes)
		}
		seen[c] = true
	}
	if n := f.count(`SELECT COUNT(*) FROM ledger_accounts WHERE kind = 'project'`); n != 4 {
		t.Fatalf("%d project accounts", n)
	}
}

// What the ledger moved into and out of the project's account, net of reversals, by fund.
func TestProjectFunding(t *testing.T) {
	f := newFixture(t)
	d := p1Create(f, "village", villageA)
	now := "2026-07-15T02:00:00Z"
	f.exec(`INSERT INTO funds (code, name, source_level, category, year, amount_fen, region_code, received_on, deadline, created_by, created_at)
		VALUES ('ZJ-1', '衔接资金', 'county', 'fiscal', 2026, 1000000, ?, '2026-07-01', '2026-12-31', 1, ?)`, countyCode, now)
	fund := f.count(`SELECT id FROM funds WHERE code = 'ZJ-1'`)
	f.exec(`INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('finance', '响水县财政', ?, 1, ?)`, countyCode, now)
	fin := f.count(`SELECT id FROM ledger_accounts WHERE kind = 'finance'`)
	f.exec(`INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('enterprise', '施工单位', ?, 1, ?)`, villageA, now)
	ent := f.count(`SELECT id FROM ledger_accounts WHERE kind = 'enterprise'`)
	transfer := func(from, to, amount int64, kind string) {
		f.exec(`INSERT INTO ledger_transfers (fund_id, from_account, to_account, amount_fen, on_date, kind, region_code, created_by, created_at)
			VALUES (?, ?, ?, ?, '2026-07-10', ?, ?, 1, ?)`, fund, from, to, amount, kind, villageA, now)
	}
	transfer(fin, d.AccountID, 500000, "transfer") // received
	transfer(d.AccountID, fin, 100000, "reversal") // part of it sent back: received 400000
	transfer(d.AccountID, ent, 300000, "transfer") // paid the builder
	transfer(ent, d.AccountID, 50000, "reversal")  // a payment undone: spent 250000
	got, err := f.S.Project(f.Ctx, f.County(auth.Auditor), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ReceivedFen != 400000 || got.SpentFen != 250000 {
		t.Fatalf("received %d spent %d", got.ReceivedFen, got.SpentFen)
	}
	if len(got.Funding) != 1 || got.Funding[0].FundCode != "ZJ-1" || got.Funding[0].ReceivedFen != 400000 || got.Funding[0].SpentFen != 250000 {
		t.Fatalf("funding %+v", got.Funding)
	}
	rows, _ := f.S.Projects(f.Ctx, f.County(auth.Auditor), ProjectFilter{Stage: -1})
	if len(rows) != 1 || rows[0].ReceivedFen != 400000 || rows[0].SpentFen != 250000 {
		t.Fatalf("list %+v", rows)
	}
}
