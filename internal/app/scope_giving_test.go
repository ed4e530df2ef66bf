package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
)

// givingObjects are the donation platform's objects of one county the scope tests aim at.
type givingObjects struct {
	donor, need, pledge, money, goods, delivery int64
	household                                   int64
	village                                     string
}

// givingFixture makes, over HTTP as the county's poverty office (each answer checked against
// openapi.json), a donor, a need for a registered household of a village with a pledge, a
// money donation for the village paid in part to the household, and a goods donation with a
// delivery carrying a signed receipt.
func (h *harness) givingFixture(county string) givingObjects {
	h.t.Helper()
	ctx := context.Background()
	var o givingObjects
	lo, hi := county+"000000", county+"999999"
	if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT id, region_code FROM households WHERE region_code BETWEEN ? AND ? AND status = 'registered'
		AND account_no <> '' ORDER BY id LIMIT 1`, lo, hi).Scan(&o.household, &o.village); err != nil {
		h.t.Fatal("giving fixture household: ", err)
	}
	office := h.login("poverty_office_" + county)
	call := func(method, path string, body any, want int) map[string]any {
		h.t.Helper()
		st, b := office.do(method, path, body)
		if st != want {
			h.t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, strings.Split(path, "?")[0], st, b)
		return decode[map[string]any](h.t, b)
	}
	id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
	o.donor = id(call("POST", "/api/v1/donors", map[string]any{"kind": "enterprise", "name": "范围测试企业", "credit_code": "91" + county + "MA1XYR1234",
		"phone": "13812345678", "region_code": county + "000000"}, 201))
	need := call("POST", "/api/v1/needs", map[string]any{"region_code": o.village, "household_id": o.household, "title": "范围测试心愿",
		"kind": "money", "target_yuan": "100", "deadline": h.app.DB.Clock().AddDate(0, 1, 0).Format("2006-01-02")}, 201)
	o.need = id(need)
	o.pledge = id(call("POST", "/api/v1/pledges", map[string]any{"donor_id": o.donor, "need_id": o.need, "kind": "money", "amount_yuan": "50"}, 201))
	d := call("POST", "/api/v1/donations", map[string]any{"donor_id": o.donor, "kind": "money", "region_code": o.village, "amount_yuan": "200"}, 201)
	o.money = id(d)
	call("POST", fmt.Sprintf("/api/v1/donations/%d/disburse", o.money), map[string]any{"version": d["version"],
		"lines": []any{map[string]any{"household_id": o.household, "amount_yuan": "50"}}}, 200)
	o.goods = id(call("POST", "/api/v1/donations", map[string]any{"donor_id": o.donor, "kind": "goods", "region_code": o.village,
		"goods": "大米", "quantity": 10, "value_yuan": "500"}, 201))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"household_id": fmt.Sprint(o.household), "quantity": "2", "signed_by": "户主"} {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("receipt", "签收单.txt")
	_, _ = io.WriteString(fw, "签收大米 2 袋")
	_ = mw.Close()
	path := fmt.Sprintf("/api/v1/donations/%d/deliveries", o.goods)
	st, b := office.send("POST", path, &buf, mw.FormDataContentType())
	if st != 201 {
		h.t.Fatalf("delivery: %d %s", st, b)
	}
	h.conforms("POST", path, st, b)
	o.delivery = id(decode[map[string]any](h.t, b))
	return o
}

// givingTargets aims every console route of the donation platform at county's objects. Write
// bodies are invalid (a role allowed to write gets 400 in its own county), so nothing is booked;
// another county gets 403 or 404 before its input is looked at.
func (h *harness) givingTargets(county string) map[string]target {
	o := h.givingFixture(county)
	region := county + "000000"
	don, need, pl := fmt.Sprint(o.money), fmt.Sprint(o.need), fmt.Sprint(o.pledge)
	return map[string]target{
		"GET /api/v1/social/summary":                          {path: "/api/v1/social/summary?region=" + region},
		"GET /api/v1/donors":                                  {path: "/api/v1/donors?region=" + region},
		"POST /api/v1/donors":                                 {path: "/api/v1/donors", body: map[string]any{"kind": "越权", "name": "越权", "region_code": o.village}},
		"GET /api/v1/donors/{id}":                             {path: fmt.Sprintf("/api/v1/donors/%d", o.donor)},
		"GET /api/v1/needs":                                   {path: "/api/v1/needs?region=" + region},
		"POST /api/v1/needs":                                  {path: "/api/v1/needs", body: map[string]any{"region_code": o.village, "title": "越权", "kind": "越权"}},
		"GET /api/v1/needs/{id}":                              {path: "/api/v1/needs/" + need},
		"POST /api/v1/needs/{id}/close":                       {path: "/api/v1/needs/" + need + "/close", body: map[string]any{"version": 1}},
		"GET /api/v1/pledges":                                 {path: "/api/v1/pledges?region=" + region},
		"POST /api/v1/pledges":                                {path: "/api/v1/pledges", body: map[string]any{"donor_id": o.donor, "need_id": o.need, "kind": "越权"}},
		"POST /api/v1/pledges/{id}/cancel":                    {path: "/api/v1/pledges/" + pl + "/cancel", body: map[string]any{"version": 1}},
		"GET /api/v1/donations":                               {path: "/api/v1/donations?region=" + region},
		"POST /api/v1/donations":                              {path: "/api/v1/donations", body: map[string]any{"donor_id": o.donor, "kind": "越权", "region_code": o.village}},
		"GET /api/v1/donations/{id}":                          {path: "/api/v1/donations/" + don},
		"POST /api/v1/donations/{id}/disburse":                {path: "/api/v1/donations/" + don + "/disburse", body: map[string]any{}},
		"POST /api/v1/donations/{id}/deliveries":              {path: fmt.Sprintf("/api/v1/donations/%d/deliveries", o.goods), body: map[string]any{}},
		"GET /api/v1/donations/{id}/deliveries/{did}/receipt": {path: fmt.Sprintf("/api/v1/donations/%d/deliveries/%d/receipt", o.goods, o.delivery)},
	}
}
