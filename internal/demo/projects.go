package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/money"
	"sunshine/internal/projects"
)

// ProjectsSummary is what Projects loaded.
type ProjectsSummary struct {
	Projects      int
	Completed     int
	Failed        int
	Overdue       int // active projects whose current stage is past its planned end
	Signatures    int
	Documents     int
	Beneficiaries int // applications and named beneficiaries
	Rejected      int
	Plans         int
	Risks         int
	OpenRisks     int
	Tolerances    int
	Assets        int
	IdleAssets    int
	Incomes       int
	Distributed   int
	Transfers     int // county finance → project accounts, and project → implementer
}

// demoProject is one project of a county's portfolio: where it sits, when it started (days
// before today) and how long each signed stage actually took.
type demoProject struct {
	name, kind, subkind string
	region              string
	budget              string // yuan
	implementer         string
	carrier, mechanism  string
	scale, targets      string
	start               int   // days before today
	took                []int // actual days of the stages signed, in order
}

// Projects gives the project pages (精准安排扶贫项目) and the asset register something to show,
// in every county of the demo, through the projects and funds services with the demo users:
// eight projects of the three kinds at different stages, their stage documents (a line of
// text each) signed by the right role at the right level on dates in the past, so the Gantt
// has history — one completed (its asset's income distributed to the households' passbooks),
// one past acceptance whose last year's income has waited more than 90 days, one with an idle
// asset, one overdue in implementation, one failed with an approved 容错 naming two people,
// a direct-to-household project with applications at every review level (one rejected), and
// one just registered; village plans received, awaiting and returned; open and closed risks;
// and county finance's money moved into the projects' accounts (a county fund allocated to
// county finance, then transferred). Dates count back from today (the database clock), so
// a demo loaded any day looks the same. It does nothing when projects exist. Run it after
// Funds and before the oversight steps, which watch projects and assets.
func Projects(ctx context.Context, svc *projects.Service, d *db.DB) (ProjectsSummary, error) {
	var sum ProjectsSummary
	q := d.Reader()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects`).Scan(&n); err != nil || n > 0 {
		return sum, err
	}
	counties, err := strs(ctx, q, `SELECT code FROM regions WHERE level = 'county' ORDER BY code`)
	if err != nil {
		return sum, err
	}
	l := &projLoader{ctx: ctx, s: svc, d: d, fs: &funds.Service{DB: d, Audit: svc.Audit}, users: map[string]*auth.Principal{}, sum: &sum}
	l.today = d.Clock().In(db.Shanghai)
	l.today = time.Date(l.today.Year(), l.today.Month(), l.today.Day(), 10, 0, 0, 0, db.Shanghai)
	for _, c := range counties {
		if err := l.county(c); err != nil {
			return sum, fmt.Errorf("demo projects in %s: %w", c, err)
		}
	}
	// overdue as the project list tells it (the solar plant's 收益分配 and the factory's 实施)
	city, err := strs(ctx, q, `SELECT code FROM regions WHERE level = 'city' ORDER BY code LIMIT 1`)
	if err != nil || len(city) == 0 {
		return sum, err
	}
	root := &auth.Principal{Username: "demo", Name: "演示数据", Role: auth.PovertyOffice, Scope: city[0], Root: true}
	for after := int64(0); ; {
		page, err := svc.Projects(ctx, root, projects.ProjectFilter{Stage: -1, Overdue: true, After: after, Limit: 200})
		if err != nil {
			return sum, err
		}
		if len(page) <= 200 { // the list answers one row more when there is a next page
			sum.Overdue += len(page)
			break
		}
		sum.Overdue += 200
		after = page[199].ID
	}
	return sum, nil
}

type projLoader struct {
	ctx   context.Context
	s     *projects.Service
	d     *db.DB
	fs    *funds.Service
	users map[string]*auth.Principal
	today time.Time // 10:00 in Shanghai
	sum   *ProjectsSummary
}

// day is the date n days from today (n ≤ 0 in the past).
func (l *projLoader) day(n int) string { return l.today.AddDate(0, 0, n).Format(db.DateLayout) }

// user is the demo user with that username.
func (l *projLoader) user(username string) (*auth.Principal, error) {
	if p, ok := l.users[username]; ok {
		return p, nil
	}
	p := &auth.Principal{Username: username}
	var role string
	if err := l.d.Reader().QueryRowContext(l.ctx, `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, username).
		Scan(&p.UserID, &p.Name, &role, &p.Scope); err != nil {
		return nil, fmt.Errorf("demo user %s: %w", username, err)
	}
	p.Role = auth.Role(role)
	l.users[username] = p
	return p, nil
}

// at is the demo user of role whose scope is region: <role>_<county 6>, <role>_<town 9>, or the
// village cadre of a village.
func (l *projLoader) at(role auth.Role, region string) (*auth.Principal, error) {
	switch {
	case strings.HasSuffix(region, "000000"):
		return l.user(string(role) + "_" + region[:6])
	case strings.HasSuffix(region, "000"):
		return l.user(string(role) + "_" + region[:9])
	}
	return l.user("village_cadre_" + region)
}

// level of a 12-digit county, town or village code, as a rank: village 0, town 1, county 2.
func projRank(code string) int {
	switch {
	case strings.HasSuffix(code, "000000"):
		return 2
	case strings.HasSuffix(code, "000"):
		return 1
	}
	return 0
}

var projLevelRank = map[string]int{"village": 0, "town": 1, "county": 2}

// signer is who signs stage k of a project in region: the stage's role at the stage's level,
// or at the project's own level when the project sits above it.
func (l *projLoader) signer(k int, region string) (*auth.Principal, error) {
	rule := projects.Stages[k]
	rank := max(projLevelRank[rule.Level], projRank(region))
	place := region
	switch rank {
	case 1:
		place = region[:9] + "000"
	case 2:
		place = region[:6] + "000000"
	}
	role := rule.Roles[len(rule.Roles)-1]
	if rank == 0 {
		role = auth.VillageCadre
	}
	return l.at(role, place)
}

// backdated runs fn with the database clock at 10:00 (Shanghai) n days ago: a project starts
// its first stage the day it is registered, so a project with history is registered then.
func (l *projLoader) backdated(n int, fn func() error) error {
	clock := l.d.Clock
	at := l.today.AddDate(0, 0, n)
	l.d.Clock = func() time.Time { return at }
	defer func() { l.d.Clock = clock }()
	return fn()
}

// villageCount is a village and its registered households with a passbook account.
type villageCount struct {
	code, name, town string
	households       []int64
}

func (l *projLoader) villages(county string) ([]villageCount, error) {
	rows, err := l.d.Reader().QueryContext(l.ctx, `SELECT r.code, r.name, h.id FROM regions r
		LEFT JOIN households h ON h.region_code = r.code AND h.status = 'registered' AND h.account_no <> ''
		WHERE r.level = 'village' AND r.code LIKE ? ORDER BY r.code, h.id`, county[:6]+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []villageCount
	for rows.Next() {
		var code, name string
		var hh *int64
		if err := rows.Scan(&code, &name, &hh); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].code != code {
			out = append(out, villageCount{code: code, name: name, town: code[:9] + "000"})
		}
		if hh != nil {
			out[len(out)-1].households = append(out[len(out)-1].households, *hh)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// the villages with most households first (then by code): their projects get beneficiaries
	slices.SortStableFunc(out, func(a, b villageCount) int { return len(b.households) - len(a.households) })
	return out, nil
}

func (l *projLoader) county(county string) error {
	vs, err := l.villages(county)
	if err != nil || len(vs) == 0 {
		return err
	}
	for len(vs) < 5 {
		vs = append(vs, vs[len(vs)-1])
	}
	office, err := l.at(auth.PovertyOffice, county)
	if err != nil {
		return err
	}
	year := func(n int) int { return l.today.AddDate(0, 0, n).Year() }
	// the town with most registered households hosts the direct-to-household project
	byTown := map[string][]int64{}
	var towns []string
	for _, v := range vs {
		if _, ok := byTown[v.town]; !ok {
			towns = append(towns, v.town)
		}
		byTown[v.town] = append(byTown[v.town], v.households...)
	}
	slices.Sort(towns)
	hhTown := towns[0]
	for _, t := range towns {
		if len(byTown[t]) > len(byTown[hhTown]) {
			hhTown = t
		}
	}

	// village plans: the first village's received (its land share project belongs to it), the
	// second's filed and awaiting the town, the third's returned for more detail
	planYear := year(-420)
	planA, err := l.plan(vs[0], planYear, "receive")
	if err != nil {
		return err
	}
	if _, err := l.plan(vs[1], year(0), ""); err != nil {
		return err
	}
	if _, err := l.plan(vs[2], year(0), "return"); err != nil {
		return err
	}

	specs := []demoProject{
		{name: vs[0].name + "土地股份合作社试点", kind: "village", subkind: "land_share", region: vs[0].code, budget: "2000000",
			implementer: vs[0].name + "土地股份合作社", scale: "流转土地 1200 亩", mechanism: "土地入股、保底分红",
			targets: "村集体年增收 20 万元,受益农户户均增收 2000 元", start: -420, took: []int{28, 31, 19, 15, 30, 118, 20, 30, 84}},
		{name: vs[1].name + "村级光伏电站", kind: "village", subkind: "resource", region: vs[1].code, budget: "600000",
			implementer: vs[1].name + "村民委员会", scale: "装机 300 千瓦", mechanism: "发电收益归村集体,按户分配",
			targets: "年发电收益 6 万元", start: -400, took: []int{30, 30, 20, 15, 30, 125, 20, 30}},
		{name: vs[2].name + "农机服务中心", kind: "village", subkind: "service", region: vs[2].code, budget: "600000",
			implementer: vs[2].name + "村民委员会", scale: "农机 12 台套", mechanism: "社会化服务收费,收益归村集体",
			targets: "服务农田 5000 亩", start: -300, took: []int{29, 30, 20, 15, 30, 121, 20, 30}},
		{name: vs[3].name + "标准化厂房", kind: "village", subkind: "property", region: vs[3].code, budget: "600000",
			implementer: "县城乡建设有限公司", scale: "厂房 1500 平方米", mechanism: "厂房出租,租金归村集体",
			targets: "年租金 5 万元", start: -300, took: []int{30, 30, 20, 15, 30}},
		{name: "到户产业扶持(养殖)", kind: "household", region: hhTown, budget: "300000",
			implementer: "镇农业服务中心", scale: "扶持 50 户", mechanism: "按户补助养殖种苗和饲料",
			targets: "户均增收 3000 元", start: -40, took: []int{22}},
		{name: "扶贫车间(食品加工)", kind: "carrier", subkind: "enterprise", region: county, budget: "1500000",
			implementer: "县食品有限公司", carrier: "县食品有限公司", mechanism: "吸纳贫困劳动力务工,保底分红 8%",
			scale: "车间 2000 平方米,岗位 60 个", targets: "带动 40 户就业", start: -90, took: []int{30, 28, 22}},
		{name: "特色果蔬种植合作社", kind: "carrier", subkind: "cooperative", region: vs[1].town, budget: "800000",
			implementer: "果蔬种植专业合作社", carrier: "果蔬种植专业合作社", mechanism: "入社分红、务工收入",
			scale: "大棚 80 亩", targets: "带动 30 户增收", start: -330, took: []int{30, 30, 20, 15, 30}},
		{name: vs[4].name + "村集体综合经营项目", kind: "village", subkind: "mixed", region: vs[4].code, budget: "600000",
			implementer: vs[4].name + "村民委员会", scale: "农产品仓储 800 平方米", mechanism: "仓储出租及代销",
			targets: "村集体年增收 4 万元", start: -12},
	}
	ids := make([]int64, len(specs))
	for i, sp := range specs {
		var planID int64
		if i == 0 {
			planID = planA
		}
		var x projects.ProjectDetail
		if err := l.backdated(sp.start, func() (err error) {
			x, err = l.s.CreateProject(l.ctx, office, projects.ProjectInput{Name: sp.name, Kind: sp.kind, Subkind: sp.subkind,
				RegionCode: sp.region, Year: year(sp.start), BudgetYuan: sp.budget, Implementer: sp.implementer, CarrierName: sp.carrier,
				Scale: sp.scale, BenefitMechanism: sp.mechanism, Targets: sp.targets, PlanID: planID})
			return err
		}); err != nil {
			return fmt.Errorf("project %s: %w", sp.name, err)
		}
		ids[i] = x.ID
		l.sum.Projects++
	}
	// beneficiaries named while the projects run: the village projects' households
	for i := range 4 {
		hh := vs[i].households
		for k := 0; k < min(4, len(hh)); k++ {
			if _, err := l.s.AddBeneficiary(l.ctx, office, ids[i], projects.BeneficiaryInput{HouseholdID: hh[k], Link: "dividend",
				ExpectedIncomeYuan: "1500", Note: "村集体经营收益分红"}); err != nil {
				return fmt.Errorf("beneficiary: %w", err)
			}
			l.sum.Beneficiaries++
		}
	}
	if err := l.applications(office, ids[4], byTown[hhTown]); err != nil {
		return err
	}
	if hh := vs[0].households; len(hh) > 0 {
		if _, err := l.s.AddBeneficiary(l.ctx, office, ids[5], projects.BeneficiaryInput{HouseholdID: hh[0], Link: "employment",
			ExpectedIncomeYuan: "24000", Note: "车间务工"}); err != nil {
			return fmt.Errorf("beneficiary: %w", err)
		}
		l.sum.Beneficiaries++
	}

	// the stages, each signed on its day with its documents on file; the completed project's
	// last stage waits for its asset income to be distributed
	fin, err := l.at(auth.Finance, county)
	if err != nil {
		return err
	}
	for i, sp := range specs {
		upto := len(sp.took)
		if i == 0 {
			upto = projects.Distribution
		}
		if err := l.walk(ids[i], sp, 0, upto); err != nil {
			return err
		}
	}
	// money: a county fund allocated to county finance, then moved into the projects' accounts
	// after their approval; the land share project paid its builder
	if err := l.funding(county, fin, ids, specs); err != nil {
		return err
	}

	// assets of the accepted projects
	// each asset a few hundred metres from its village's centre, where the visits demo puts the
	// village's households, so the asset map and the household map agree
	assetOf := func(i int, name, kind, value string) (projects.AssetDetail, error) {
		sp := specs[i]
		reg := fmt.Sprintf("%s不动产权第%07d号", sp.region[:6], ids[i])
		lat, lng := villageCentre(sp.region)
		lat, lng = offsetBy(codeRand(reg), lat, lng, 200, 900)
		a, err := l.s.CreateAsset(l.ctx, office, projects.AssetInput{Name: name, ProjectID: ids[i], Kind: kind, ValueYuan: value,
			Ownership: "村集体所有", RegionCode: sp.region, PropertyRegNo: reg, Custodian: sp.implementer, Location: sp.scale,
			Lat: &lat, Lng: &lng})
		if err == nil {
			l.sum.Assets++
		}
		return a, err
	}
	landShare, err := assetOf(0, specs[0].name+"土地股份", "operating", "1950000")
	if err != nil {
		return fmt.Errorf("asset: %w", err)
	}
	solar, err := assetOf(1, specs[1].name, "operating", "586000")
	if err != nil {
		return fmt.Errorf("asset: %w", err)
	}
	machines, err := assetOf(2, specs[2].name+"农机具", "operating", "574000")
	if err != nil {
		return fmt.Errorf("asset: %w", err)
	}
	// the machines stand idle since the contractor left
	if _, err := l.s.UpdateAsset(l.ctx, office, machines.ID, projects.AssetInput{Name: machines.Name, Kind: machines.Kind,
		ValueYuan: money.FormatPlain(machines.ValueFen), Ownership: machines.Ownership, PropertyRegNo: machines.PropertyRegNo,
		Custodian: machines.Custodian, Location: machines.Location + "(承包方退出,闲置)", Lat: machines.Lat, Lng: machines.Lng,
		Status: "idle", FormedOn: machines.FormedOn, Version: machines.Version}); err != nil {
		return fmt.Errorf("idle asset: %w", err)
	}
	l.sum.IdleAssets++

	// last year's income: the land share's distributed to its households, then its last stage
	// signed; the solar plant's recorded more than 90 days ago and still waiting
	last := l.today.Year() - 1
	inc, err := l.s.RecordIncome(l.ctx, office, landShare.ID, projects.IncomeInput{Year: last, AmountYuan: "48000", ReceivedOn: l.day(-60),
		DocNo: fmt.Sprintf("%s收〔%d〕1号", vs[0].name, last)})
	if err != nil {
		return fmt.Errorf("income: %w", err)
	}
	l.sum.Incomes++
	if len(landShare.Entitled) > 0 {
		prop, err := l.s.Proposal(l.ctx, office, inc.ID)
		if err != nil {
			return fmt.Errorf("proposal: %w", err)
		}
		lines := make([]projects.DistributeLine, len(prop.Lines))
		for i, pl := range prop.Lines {
			lines[i] = projects.DistributeLine{HouseholdID: pl.HouseholdID, AmountYuan: money.FormatPlain(pl.AmountFen)}
		}
		if _, err := l.s.Distribute(l.ctx, office, inc.ID, projects.DistributeInput{OnDate: l.day(-50), Lines: lines, Version: inc.Version}); err != nil {
			return fmt.Errorf("distribute: %w", err)
		}
		l.sum.Distributed++
	}
	if err := l.walk(ids[0], specs[0], projects.Distribution, len(specs[0].took)); err != nil {
		return err
	}
	if _, err := l.s.RecordIncome(l.ctx, office, solar.ID, projects.IncomeInput{Year: last, AmountYuan: "52600", ReceivedOn: l.day(-110),
		DocNo: fmt.Sprintf("%s收〔%d〕1号", vs[1].name, last)}); err != nil {
		return fmt.Errorf("income: %w", err)
	}
	l.sum.Incomes++

	// risks: the overdue factory's open, the new project's one open and one closed, the
	// carrier's land use closed
	risks := []struct {
		project           int
		title, like, imp  string
		mitigation, owner string
		closed            string
	}{
		{3, "施工进度滞后,主体工程未按期完工", "high", "high", "约谈施工单位,按周报进度", "镇农办", ""},
		{7, "仓储用地手续尚未办结", "medium", "high", "县自然资源局协调办理", "村党支部书记", ""},
		{7, "农产品价格波动", "medium", "medium", "与商超签订保底收购协议", "村民委员会", "已签订保底收购协议"},
		{5, "车间用地未完成流转", "low", "high", "镇政府牵头流转", "县农办", "土地流转合同已签订"},
	}
	for _, r := range risks {
		rk, err := l.s.AddRisk(l.ctx, office, ids[r.project], projects.RiskInput{Title: r.title, Likelihood: r.like, Impact: r.imp,
			Mitigation: r.mitigation, Owner: r.owner})
		if err != nil {
			return fmt.Errorf("risk: %w", err)
		}
		l.sum.Risks++
		if r.closed == "" {
			l.sum.OpenRisks++
			continue
		}
		if _, err := l.s.CloseRisk(l.ctx, office, rk.ID, projects.RiskClose{Note: r.closed, Version: rk.Version}); err != nil {
			return fmt.Errorf("close risk: %w", err)
		}
	}

	// the cooperative failed in the flood: 容错 requested by the office, approved by the
	// county's discipline commission, naming the two people it exempts
	tol, err := l.s.RequestTolerance(l.ctx, office, ids[6], projects.ToleranceInput{
		Reason: "实施期间遭遇特大暴雨,大棚全部损毁,属不可抗力;项目决策和实施程序合规,相关人员已尽职。",
		People: []projects.Person{{Name: "王志刚", Position: "镇分管副镇长"}, {Name: "李秀兰", Position: "合作社理事长"}}})
	if err != nil {
		return fmt.Errorf("tolerance: %w", err)
	}
	disc, err := l.at(auth.Discipline, county)
	if err != nil {
		return err
	}
	if _, err := l.s.DecideTolerance(l.ctx, disc, tol.ID, projects.ToleranceDecision{Decision: "approve",
		Opinion: "经核查,失败系不可抗力所致,同意容错免责。", Version: tol.Version}); err != nil {
		return fmt.Errorf("decide tolerance: %w", err)
	}
	l.sum.Tolerances++
	l.sum.Failed++
	l.sum.Completed++
	return nil
}
