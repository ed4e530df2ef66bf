package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/partners"
)

// PartnersSummary counts what Partners loaded.
type PartnersSummary struct {
	Volunteers, Firms, Services, Deputies, Pairings, Entrepreneurs, Matches int
}

// Partners loads the social forces' examples: volunteers and firms with service records,
// deputies and CPPCC members paired with villages, village–enterprise pairs and entrepreneurs
// matched to projects.
//
// Per county: two firms (a law firm and a bookkeeping or accounting firm) and six volunteers
// with 10–20 service records; six deputies (the five npc levels and a CPPCC member) each
// paired with a village, 2–4 activities each; two village–enterprise pairs with activities;
// eight entrepreneurs whose industries echo the demo projects, and two matches (one moved on
// to contacted) when the county has projects. Everything goes through the service, so it is
// validated and audited like a user's work. Dates count back from the database clock; the
// same database gives the same data. It does nothing when providers exist.
func Partners(ctx context.Context, svc *partners.Service, d *db.DB) (PartnersSummary, error) {
	var sum PartnersSummary
	q := d.Reader()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_providers`).Scan(&n); err != nil || n > 0 {
		return sum, err
	}
	counties, err := strs(ctx, q, `SELECT code FROM regions WHERE level = 'county' ORDER BY code`)
	if err != nil {
		return sum, err
	}
	today := d.Clock().In(db.Shanghai)
	for i, c := range counties {
		l := &partnersLoader{ctx: ctx, s: svc, d: d, county: c, today: today, sum: &sum,
			r: rand.New(rand.NewPCG(20260925, uint64(i+1))),
			p: &auth.Principal{Username: "demo", Name: "演示数据", Role: auth.PovertyOffice, Scope: c}}
		if err := l.load(); err != nil {
			return sum, fmt.Errorf("demo partners in %s: %w", c, err)
		}
	}
	return sum, nil
}

type partnersLoader struct {
	ctx      context.Context
	s        *partners.Service
	d        *db.DB
	county   string
	today    time.Time
	r        *rand.Rand
	p        *auth.Principal
	sum      *PartnersSummary
	villages []string
	towns    []string
}

// day is the date n days from today (n ≤ 0 in the past).
func (l *partnersLoader) day(n int) string { return l.today.AddDate(0, 0, n).Format(db.DateLayout) }

// phone is a synthetic mobile number (the 170 block, not given to subscribers in the demo).
func (l *partnersLoader) phone() string { return fmt.Sprintf("170%08d", l.r.IntN(100_000_000)) }

// creditCode is a valid unified social credit code of a company registered in the county.
func (l *partnersLoader) creditCode(n int) string {
	return partners.MakeCreditCode(fmt.Sprintf("91%sMA%d%05dX", l.county[:6], 1+n%9, l.r.IntN(100000)))
}

func (l *partnersLoader) load() error {
	q := l.d.Reader()
	lo, hi := l.county, l.county[:6]+"999999"
	var err error
	if l.villages, err = strs(l.ctx, q, `SELECT code FROM regions WHERE level = 'village' AND code BETWEEN ? AND ? ORDER BY code`, lo, hi); err != nil {
		return err
	}
	if l.towns, err = strs(l.ctx, q, `SELECT code FROM regions WHERE level = 'town' AND code BETWEEN ? AND ? ORDER BY code`, lo, hi); err != nil {
		return err
	}
	if len(l.villages) == 0 || len(l.towns) == 0 {
		return nil
	}
	steps := []func() error{l.providers, l.deputies, l.enterprises, l.entrepreneurs}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (l *partnersLoader) village(i int) string { return l.villages[i%len(l.villages)] }

// providers: two firms serving the county and six volunteers in villages, with their records.
func (l *partnersLoader) providers() error {
	second := []string{"bookkeeping_firm", "accounting_firm"}[l.r.IntN(2)]
	firms := []partners.ProviderInput{
		{Kind: "law_firm", Name: "江苏" + placeName(l.r, map[string]bool{}, "") + "律师事务所", Services: []string{"法律咨询", "法律援助", "合同审查"}},
		{Kind: second, Name: placeName(l.r, map[string]bool{}, "") + map[string]string{"bookkeeping_firm": "代理记账有限公司",
			"accounting_firm": "会计师事务所"}[second], Services: map[string][]string{"bookkeeping_firm": {"代理记账", "财务辅导"},
			"accounting_firm": {"财务审计", "代理记账"}}[second]},
	}
	var ids []int64
	var offers [][]string
	var areas []string
	for i, in := range firms {
		in.ContactPerson, in.Phone, in.CreditCode, in.RegionCode = personName(l.r), l.phone(), l.creditCode(i), l.county
		x, err := l.s.CreateProvider(l.ctx, l.p, in)
		if err != nil {
			return fmt.Errorf("firm: %w", err)
		}
		ids, offers, areas = append(ids, x.ID), append(offers, x.Services), append(areas, l.county)
		l.sum.Firms++
	}
	volunteerServices := [][]string{{"技能培训"}, {"助学辅导"}, {"医疗义诊"}, {"电商培训", "技能培训"}, {"助老服务"}, {"农技指导"}}
	for i, svcs := range volunteerServices {
		v := l.village(i * 3)
		x, err := l.s.CreateProvider(l.ctx, l.p, partners.ProviderInput{Kind: "volunteer", Name: personName(l.r), Phone: l.phone(),
			RegionCode: v, Services: svcs})
		if err != nil {
			return fmt.Errorf("volunteer: %w", err)
		}
		ids, offers, areas = append(ids, x.ID), append(offers, x.Services), append(areas, v)
		l.sum.Volunteers++
	}
	records := 10 + l.r.IntN(11)
	for k := 0; k < records; k++ {
		i := k % len(ids)
		v := areas[i]
		if v == l.county {
			v = l.village(l.r.IntN(len(l.villages)))
		}
		service := offers[i][l.r.IntN(len(offers[i]))]
		hrs := []float64{1, 1.5, 2, 3, 4, 6}[l.r.IntN(6)]
		in := partners.ServiceInput{RegionCode: v, ServedOn: l.day(-5 - l.r.IntN(300)), Service: service,
			Content: service + "服务,群众反映良好", Hours: hrs, People: int64(1 + l.r.IntN(30))}
		if k%4 == 0 { // some records reach one household
			var hh int64
			if err := l.d.Reader().QueryRowContext(l.ctx, `SELECT COALESCE(MIN(id), 0) FROM households WHERE region_code = ?`, v).Scan(&hh); err != nil {
				return err
			}
			if hh > 0 {
				in.HouseholdID, in.People = &hh, 1
			}
		}
		if _, err := l.s.AddService(l.ctx, l.p, ids[i], in); err != nil {
			return fmt.Errorf("service record: %w", err)
		}
		l.sum.Services++
	}
	return nil
}

var deputyActivities = []struct{ title, content string }{
	{"入户走访低收入农户", "了解生产生活困难,宣传帮扶政策"},
	{"召开结对村座谈会", "听取村两委和群众对产业发展的意见"},
	{"协调解决灌溉水渠修缮", "联系水利部门列入年度维修计划"},
	{"开展政策宣讲", "宣讲小额信贷和就业补贴政策"},
	{"督促帮扶项目进度", "查看村级项目实施情况并提出建议"},
}

// deputies: the five npc levels and a CPPCC member, each paired with a village.
func (l *partnersLoader) deputies() error {
	units := []string{"县人民医院", "县农业农村局", "镇中心小学", "某农业科技有限公司", "县供销合作社", "县工商联"}
	specs := []struct{ kind, level string }{{"npc", "national"}, {"npc", "province"}, {"npc", "city"}, {"npc", "county"}, {"npc", "town"}, {"cppcc", "county"}}
	for i, sp := range specs {
		region := l.county
		if sp.level == "town" {
			region = l.towns[0]
		}
		dep, err := l.s.CreateDeputy(l.ctx, l.p, partners.DeputyInput{Kind: sp.kind, Level: sp.level, Name: personName(l.r), Phone: l.phone(),
			Unit: units[i], RegionCode: region})
		if err != nil {
			return fmt.Errorf("deputy: %w", err)
		}
		l.sum.Deputies++
		village := l.village(i*2 + 1)
		if sp.level == "town" { // a town deputy pairs with a village of their town
			for _, v := range l.villages {
				if v[:9] == region[:9] {
					village = v
					break
				}
			}
		}
		since := l.day(-360 + i*20)
		pr, err := l.s.CreatePairing(l.ctx, l.p, partners.PairingInput{Kind: "deputy", DeputyID: &dep.ID, VillageCode: village, Since: since,
			Commitment: "每季度至少走访一次,帮助协调解决实际困难"})
		if err != nil {
			return fmt.Errorf("deputy pairing: %w", err)
		}
		l.sum.Pairings++
		for k, n := 0, 2+l.r.IntN(3); k < n; k++ {
			a := deputyActivities[(i+k)%len(deputyActivities)]
			if _, err := l.s.AddActivity(l.ctx, l.p, pr.ID, partners.ActivityInput{OnDate: l.day(-300 + i*20 + k*60), Title: a.title,
				Content: a.content, People: int64(3 + l.r.IntN(20))}); err != nil {
				return fmt.Errorf("deputy activity: %w", err)
			}
		}
	}
	return nil
}

// enterprises: two village–enterprise pairs with what they delivered.
func (l *partnersLoader) enterprises() error {
	specs := []struct{ name, commitment, pledged string }{
		{"食品有限公司", "订单收购结对村稻米、吸纳低收入农户务工", "200000"},
		{"光伏科技有限公司", "捐建村级光伏设施、提供运维培训", "150000"},
	}
	acts := [][]struct{ title, value string }{
		{{"订单收购稻米 30 吨", "84000"}, {"吸纳 6 名低收入劳动力务工", "0"}, {"发放慰问物资", "12000"}},
		{{"捐赠光伏组件", "90000"}, {"开展光伏运维培训", "5000"}},
	}
	for i, sp := range specs {
		pr, err := l.s.CreatePairing(l.ctx, l.p, partners.PairingInput{Kind: "enterprise", Enterprise: "盐城" + placeName(l.r, map[string]bool{}, "") + sp.name,
			CreditCode: l.creditCode(5 + i), Contact: personName(l.r), Phone: l.phone(), VillageCode: l.village(i*5 + 2), Since: l.day(-400 + i*30),
			Commitment: sp.commitment, PledgedYuan: sp.pledged})
		if err != nil {
			return fmt.Errorf("enterprise pairing: %w", err)
		}
		l.sum.Pairings++
		for k, a := range acts[i] {
			if _, err := l.s.AddActivity(l.ctx, l.p, pr.ID, partners.ActivityInput{OnDate: l.day(-350 + i*30 + k*90), Title: a.title,
				ValueYuan: a.value, People: int64(5 + l.r.IntN(20))}); err != nil {
				return fmt.Errorf("enterprise activity: %w", err)
			}
		}
	}
	return nil
}

// entrepreneurs: eight people of the county working elsewhere, two matched with projects.
func (l *partnersLoader) entrepreneurs() error {
	specs := []struct {
		worksIn, company, industry string
		capital, project, tech     bool
		capitalYuan                string
	}{
		{"上海", "上海禾丰食品有限公司", "食品加工", true, false, false, "3000000"},
		{"苏州", "苏州阳光新能源有限公司", "光伏", true, false, true, "5000000"},
		{"南京", "南京绿源农业发展有限公司", "果蔬", false, true, true, ""},
		{"杭州", "杭州牧康养殖有限公司", "养殖", true, true, false, "800000"},
		{"深圳", "深圳云商电子商务有限公司", "电子商务、仓储", false, true, false, ""},
		{"无锡", "无锡农机装备有限公司", "农机", false, false, true, ""},
		{"北京", "北京某投资管理有限公司", "投资", true, false, false, "10000000"},
		{"常州", "常州某物流有限公司", "仓储、物流", true, true, false, "1200000"},
	}
	var first []int64
	for i, sp := range specs {
		home := l.village(i * 4)
		if i%3 == 2 {
			home = l.towns[i%len(l.towns)]
		}
		e, err := l.s.CreateEntrepreneur(l.ctx, l.p, partners.EntrepreneurInput{Name: personName(l.r), Phone: l.phone(), HometownCode: home,
			WorksIn: sp.worksIn, Company: sp.company, Industry: sp.industry, Capital: sp.capital, Project: sp.project, Technology: sp.tech,
			CapitalYuan: sp.capitalYuan, Notes: "春节返乡座谈会登记"})
		if err != nil {
			return fmt.Errorf("entrepreneur: %w", err)
		}
		l.sum.Entrepreneurs++
		if i < 2 {
			first = append(first, e.ID)
		}
	}
	for i, id := range first {
		sug, err := l.s.Suggestions(l.ctx, l.p, id)
		if err != nil {
			return err
		}
		if len(sug) == 0 {
			continue // no projects in the county (a registry-only demo)
		}
		m, err := l.s.CreateMatch(l.ctx, l.p, id, partners.MatchInput{ProjectID: sug[0].ProjectID, Note: "推荐对接:" + sug[0].ProjectName})
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		l.sum.Matches++
		if i == 0 {
			if _, err := l.s.UpdateMatch(l.ctx, l.p, m.ID, partners.MatchUpdate{Version: m.Version, Status: "contacted",
				Note: "已电话联系,有意 " + strconv.Itoa(l.today.Year()) + " 年回乡考察"}); err != nil {
				return fmt.Errorf("match update: %w", err)
			}
		}
	}
	return nil
}
