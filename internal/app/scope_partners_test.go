package app

import (
	"fmt"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/partners"
)

// partnerIDs are objects of one county's social forces' registers made over HTTP.
type partnerIDs struct {
	firm, volunteer, deputy, pairing, toEnd, enterprise, entrepreneur, project, project2, match int64
	today                                                                                       string
}

// partnerFixture registers, as the county's poverty office and over HTTP, a firm, a volunteer
// with a service record, a deputy with two village pairings (one with an activity), an
// enterprise pair, an entrepreneur and two projects, one matched; every answer is checked
// against openapi.json.
func (h *harness) partnerFixture(county string) partnerIDs {
	h.t.Helper()
	region, village, village2 := county+"000000", county+"100201", county+"100202"
	office := h.login("poverty_office_" + county)
	ids := partnerIDs{today: db.Date(h.app.DB.Clock())}
	post := func(path string, body any, want int) map[string]any {
		h.t.Helper()
		st, b := office.do("POST", path, body)
		if st != want {
			h.t.Fatalf("POST %s: %d %s", path, st, b)
		}
		h.conforms("POST", path, st, b)
		return decode[map[string]any](h.t, b)
	}
	id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
	ids.firm = id(post("/api/v1/providers", map[string]any{"kind": "law_firm", "name": "响水律师事务所", "contact_person": "张明华",
		"phone": "13800001111", "credit_code": partners.MakeCreditCode("91" + county + "MA1000001"), "region_code": region,
		"services": []string{"法律咨询", "法律援助"}}, 201))
	ids.volunteer = id(post("/api/v1/providers", map[string]any{"kind": "volunteer", "name": "李小红", "phone": "13900002222",
		"region_code": village, "services": []string{"助学辅导"}}, 201))
	post(fmt.Sprintf("/api/v1/providers/%d/services", ids.firm), map[string]any{"region_code": village, "served_on": ids.today,
		"service": "法律咨询", "content": "土地纠纷咨询", "hours": 1.5, "people": 2}, 201)
	ids.deputy = id(post("/api/v1/deputies", map[string]any{"kind": "npc", "level": "city", "name": "王建国", "phone": "13700003333",
		"unit": "县人民医院", "region_code": region}, 201))
	ids.pairing = id(post("/api/v1/pairings", map[string]any{"kind": "deputy", "deputy_id": ids.deputy, "village_code": village,
		"since": ids.today, "commitment": "每季度走访"}, 201))
	ids.toEnd = id(post("/api/v1/pairings", map[string]any{"kind": "deputy", "deputy_id": ids.deputy, "village_code": village2,
		"since": ids.today}, 201))
	post(fmt.Sprintf("/api/v1/pairings/%d/activities", ids.pairing), map[string]any{"on_date": ids.today, "title": "入户走访",
		"content": "走访 5 户", "people": 5}, 201)
	ids.enterprise = id(post("/api/v1/pairings", map[string]any{"kind": "enterprise", "enterprise": "盐城某食品有限公司",
		"credit_code": partners.MakeCreditCode("91" + county + "MA2000002"), "contact": "赵四海", "phone": "13600004444",
		"village_code": village, "since": ids.today, "commitment": "收购农产品", "pledged_yuan": "50000"}, 201))
	ids.entrepreneur = id(post("/api/v1/entrepreneurs", map[string]any{"name": "陈志强", "phone": "13512345678", "hometown_code": village,
		"works_in": "上海", "company": "上海某公司", "industry": "光伏", "capital": true, "capital_yuan": "1000000"}, 201))
	ids.project = id(post("/api/v1/projects", map[string]any{"name": "村级光伏电站", "kind": "village", "subkind": "resource",
		"region_code": village2, "year": 2026, "budget_yuan": "600000", "implementer": "村民委员会"}, 201))
	ids.project2 = id(post("/api/v1/projects", map[string]any{"name": "扶贫车间(食品加工)", "kind": "carrier", "subkind": "enterprise",
		"carrier_name": "某公司", "benefit_mechanism": "务工就业", "region_code": region, "year": 2026, "budget_yuan": "900000", "implementer": "某公司"}, 201))
	ids.match = id(post(fmt.Sprintf("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur), map[string]any{"project_id": ids.project, "note": "已联系"}, 201))
	for _, path := range []string{"/api/v1/providers?region=" + region, "/api/v1/providers?kind=volunteer&status=active&q=李&limit=1",
		fmt.Sprintf("/api/v1/providers/%d", ids.firm), fmt.Sprintf("/api/v1/providers/%d/services", ids.firm),
		"/api/v1/deputies?region=" + region + "&kind=npc&level=city", fmt.Sprintf("/api/v1/deputies/%d", ids.deputy),
		"/api/v1/pairings?region=" + village + "&status=active", "/api/v1/pairings?kind=enterprise",
		fmt.Sprintf("/api/v1/pairings/%d", ids.pairing), fmt.Sprintf("/api/v1/pairings/%d/activities", ids.pairing),
		"/api/v1/entrepreneurs?willing=capital", fmt.Sprintf("/api/v1/entrepreneurs/%d", ids.entrepreneur),
		fmt.Sprintf("/api/v1/entrepreneurs/%d/suggestions", ids.entrepreneur), fmt.Sprintf("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur)} {
		st, b := office.do("GET", path, nil)
		if st != 200 {
			h.t.Fatalf("GET %s: %d %s", path, st, b)
		}
		h.conforms("GET", path, st, b)
	}
	return ids
}

// partnerTargets aims every console route of the social forces' registers at county's objects.
func (h *harness) partnerTargets(county string) map[string]target {
	h.t.Helper()
	ids := h.partnerFixture(county)
	region, village := county+"000000", county+"100201"
	p := func(format string, a ...any) string { return fmt.Sprintf(format, a...) }
	return map[string]target{
		"GET /api/v1/providers":                      {path: "/api/v1/providers?region=" + region},
		"POST /api/v1/providers":                     {path: "/api/v1/providers", body: map[string]any{"kind": "volunteer", "name": "越权", "phone": "13900009999", "region_code": village}},
		"GET /api/v1/providers/{id}":                 {path: p("/api/v1/providers/%d", ids.firm)},
		"PATCH /api/v1/providers/{id}":               {path: p("/api/v1/providers/%d", ids.volunteer), body: map[string]any{"version": 1, "services": []string{"越权"}}},
		"GET /api/v1/providers/{id}/services":        {path: p("/api/v1/providers/%d/services", ids.firm)},
		"POST /api/v1/providers/{id}/services":       {path: p("/api/v1/providers/%d/services", ids.firm), body: map[string]any{"region_code": village, "served_on": ids.today, "service": "法律咨询", "hours": 1, "people": 1}},
		"GET /api/v1/deputies":                       {path: "/api/v1/deputies?region=" + region},
		"POST /api/v1/deputies":                      {path: "/api/v1/deputies", body: map[string]any{"kind": "cppcc", "level": "county", "name": "越权", "region_code": region}},
		"GET /api/v1/deputies/{id}":                  {path: p("/api/v1/deputies/%d", ids.deputy)},
		"GET /api/v1/pairings":                       {path: "/api/v1/pairings?region=" + region},
		"POST /api/v1/pairings":                      {path: "/api/v1/pairings", body: map[string]any{"kind": "deputy", "deputy_id": ids.deputy, "village_code": county + "100202", "since": ids.today}},
		"GET /api/v1/pairings/{id}":                  {path: p("/api/v1/pairings/%d", ids.pairing)},
		"POST /api/v1/pairings/{id}/end":             {path: p("/api/v1/pairings/%d/end", ids.toEnd), body: map[string]any{"version": 1, "until": ids.today}},
		"GET /api/v1/pairings/{id}/activities":       {path: p("/api/v1/pairings/%d/activities", ids.pairing)},
		"POST /api/v1/pairings/{id}/activities":      {path: p("/api/v1/pairings/%d/activities", ids.pairing), body: map[string]any{"on_date": ids.today, "title": "越权"}},
		"GET /api/v1/entrepreneurs":                  {path: "/api/v1/entrepreneurs?region=" + region},
		"POST /api/v1/entrepreneurs":                 {path: "/api/v1/entrepreneurs", body: map[string]any{"name": "越权", "hometown_code": village, "works_in": "上海"}},
		"GET /api/v1/entrepreneurs/{id}":             {path: p("/api/v1/entrepreneurs/%d", ids.entrepreneur)},
		"GET /api/v1/entrepreneurs/{id}/suggestions": {path: p("/api/v1/entrepreneurs/%d/suggestions", ids.entrepreneur)},
		"GET /api/v1/entrepreneurs/{id}/matches":     {path: p("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur)},
		"POST /api/v1/entrepreneurs/{id}/matches":    {path: p("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur), body: map[string]any{"project_id": ids.project2}},
		"PATCH /api/v1/matches/{id}":                 {path: p("/api/v1/matches/%d", ids.match), body: map[string]any{"version": 1, "status": "contacted", "note": strings.Repeat("越", 2)}},
	}
}
