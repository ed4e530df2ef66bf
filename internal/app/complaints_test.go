package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"sunshine/internal/oversight"
)

// complaintTargets are the complaint and case routes aimed at county's objects: a received
// complaint (assign and forward succeed once for the first allowed role, then answer 409;
// reply and close answer 409 to everyone) and a case recorded by its discipline commission.
func (h *harness) complaintTargets(county string) map[string]target {
	h.t.Helper()
	ctx := context.Background()
	region, village := county+"000000", county+"100201"
	res, err := h.app.Oversight.Lodge(ctx, h.principal("poverty_office_"+county), oversight.ComplaintInput{Channel: "hotline",
		Name: "李四", Phone: "13900001111", Category: "funds", RegionCode: village, Subject: "目标投诉", Content: "范围测试的投诉内容"})
	if err != nil {
		h.t.Fatal("complaint fixture: ", err)
	}
	cs, err := h.app.Oversight.CreateCase(ctx, h.principal("discipline_"+county), oversight.CaseInput{RegionCode: village,
		PersonName: "赵六", Violation: "范围测试的违纪事实", Handling: "talk", DecidedOn: "2026-01-05", ComplaintID: res.ID})
	if err != nil {
		h.t.Fatal("case fixture: ", err)
	}
	id := fmt.Sprintf("/api/v1/complaints/%d", res.ID)
	return map[string]target{
		"POST /api/v1/complaints": {path: "/api/v1/complaints", body: map[string]any{"channel": "field", "anonymous": true,
			"category": "other", "region_code": village, "subject": "越权", "content": "越权登记的投诉"}},
		"GET /api/v1/complaints":               {path: "/api/v1/complaints?region=" + region},
		"GET /api/v1/complaints/stats":         {path: "/api/v1/complaints/stats?region=" + region},
		"GET /api/v1/complaints/{id}":          {path: id},
		"POST /api/v1/complaints/{id}/assign":  {path: id + "/assign", body: map[string]any{"department": "finance", "version": 1}},
		"POST /api/v1/complaints/{id}/reply":   {path: id + "/reply", body: map[string]any{"reply": "越权答复内容", "version": 1}},
		"POST /api/v1/complaints/{id}/close":   {path: id + "/close", body: map[string]any{"version": 1}},
		"POST /api/v1/complaints/{id}/forward": {path: id + "/forward", body: map[string]any{"note": "越权移送", "version": 1}},
		"POST /api/v1/cases": {path: "/api/v1/cases", body: map[string]any{"region_code": village, "person_name": "越权",
			"violation": "越权记录的问责", "handling": "talk", "decided_on": "2026-01-05"}},
		"GET /api/v1/cases":      {path: "/api/v1/cases?region=" + region},
		"GET /api/v1/cases/{id}": {path: fmt.Sprintf("/api/v1/cases/%d", cs.ID)},
	}
}

// The public complaint endpoints: lodge, track, rate; the same content answers the same code;
// HTML stays text; the 16 KB body limit; 429 after five an hour from one client.
func TestPublicComplaints(t *testing.T) {
	h := newHarness(t)
	anon := h.anon()
	body := func(content string) map[string]any {
		return map[string]any{"channel": "portal", "anonymous": false, "name": "王小明", "phone": "13812341234", "category": "funds",
			"region_code": "320921100201", "subject": "低保金被克扣", "content": content}
	}
	html := `<script>alert("x")</script><img src=x onerror=alert(1)> 低保金被克扣`
	st, b := anon.do("POST", "/api/v1/public/complaints", body(html))
	if st != 201 {
		t.Fatalf("lodge: %d %s", st, b)
	}
	h.conforms("POST", "/api/v1/public/complaints", st, b)
	res := decode[oversight.LodgeResult](t, b)
	if !strings.HasPrefix(res.TrackingCode, "TS-") || res.Deadline == "" || strings.Contains(string(b), `"id"`) {
		t.Errorf("receipt %s", b)
	}
	// Same content again: the same code, no second row.
	st, b = anon.do("POST", "/api/v1/public/complaints", body(html))
	if st != 201 || decode[oversight.LodgeResult](t, b).TrackingCode != res.TrackingCode {
		t.Errorf("resubmit: %d %s", st, b)
	}
	// Track, with the code typed loosely.
	path := "/api/v1/public/complaints/" + strings.ToLower(strings.ReplaceAll(res.TrackingCode, "-", ""))
	st, b = anon.do("GET", path, nil)
	if st != 200 {
		t.Fatalf("track: %d %s", st, b)
	}
	h.conforms("GET", path, st, b)
	for _, leak := range []string{"王小明", "1381234", "complainant", "content"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("public view shows %q: %s", leak, b)
		}
	}
	st1, b1 := anon.do("GET", "/api/v1/public/complaints/TS-2222-3333-4444", nil)
	st2, b2 := anon.do("GET", "/api/v1/public/complaints/O0O0", nil)
	if st1 != 404 || st2 != 404 || string(b1) != string(b2) {
		t.Errorf("unknown %d %s / malformed %d %s", st1, b1, st2, b2)
	}
	// The office reads the content as the text it was, in JSON, never as HTML.
	office := h.login("poverty_office_320921")
	st, b = office.do("GET", "/api/v1/complaints?region=320921000000", nil)
	if st != 200 {
		t.Fatalf("list: %d %s", st, b)
	}
	h.conforms("GET", "/api/v1/complaints?region=320921000000", st, b)
	list := decode[struct {
		Items []oversight.ComplaintRow `json:"items"`
	}](t, b)
	if len(list.Items) != 1 || list.Items[0].Content != html || list.Items[0].ComplainantPhone != "138****1234" {
		t.Fatalf("list %s", b)
	}
	id := list.Items[0].ID
	req, _ := http.NewRequest("GET", h.srv.URL+fmt.Sprintf("/api/v1/complaints/%d", id), nil)
	if resp, err := office.http.Do(req); err == nil {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("detail served as %s", ct)
		}
		resp.Body.Close()
	}
	// Rating: not before the reply; then once.
	rate := "/api/v1/public/complaints/" + res.TrackingCode + "/rating"
	if st, b := anon.do("POST", rate, map[string]any{"satisfaction": "satisfied"}); st != 409 {
		t.Errorf("rate before reply: %d %s", st, b)
	}
	st, b = office.do("POST", fmt.Sprintf("/api/v1/complaints/%d/assign", id), map[string]any{"department": "finance", "deadline_days": 10, "version": 1})
	if st != 200 {
		t.Fatalf("assign: %d %s", st, b)
	}
	h.conforms("POST", fmt.Sprintf("/api/v1/complaints/%d/assign", id), st, b)
	st, b = h.login("finance_320921").do("POST", fmt.Sprintf("/api/v1/complaints/%d/reply", id), map[string]any{"reply": "已责令退还。", "version": 2})
	if st != 200 {
		t.Fatalf("reply: %d %s", st, b)
	}
	st, b = anon.do("POST", rate, map[string]any{"satisfaction": "satisfied"})
	if st != 200 || !strings.Contains(string(b), `"satisfaction":"satisfied"`) {
		t.Fatalf("rate: %d %s", st, b)
	}
	h.conforms("POST", rate, st, b)
	if st, b := anon.do("POST", rate, map[string]any{"satisfaction": "basic"}); st != 409 {
		t.Errorf("second rating: %d %s", st, b)
	}
	if st, b := anon.do("POST", rate, map[string]any{"satisfaction": "wow"}); st != 400 {
		t.Errorf("bad rating: %d %s", st, b)
	}
	// Detail and stats conform.
	for _, p := range []string{fmt.Sprintf("/api/v1/complaints/%d", id), "/api/v1/complaints/stats?region=320921000000"} {
		st, b := office.do("GET", p, nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", p, st, b)
		}
		h.conforms("GET", p, st, b)
	}
	// Bodies: 16 KB at most (413), content 2000 characters at most (400), JSON only (415),
	// no unknown fields (400).
	if st, b := anon.do("POST", "/api/v1/public/complaints", body(strings.Repeat("长", 6000))); st != 413 {
		t.Errorf("17 KB body: %d %s", st, b)
	}
	if st, b := anon.do("POST", "/api/v1/public/complaints", body(strings.Repeat("长", 2001))); st != 400 {
		t.Errorf("2001 characters: %d %s", st, b)
	}
	if st, b := anon.send("POST", "/api/v1/public/complaints", strings.NewReader("channel=portal"), "application/x-www-form-urlencoded"); st != 415 {
		t.Errorf("form body: %d %s", st, b)
	}
	bad := body("正常的举报内容")
	bad["extra"] = 1
	if st, b := anon.do("POST", "/api/v1/public/complaints", bad); st != 400 {
		t.Errorf("unknown field: %d %s", st, b)
	}
	// A flood from one client: five an hour (one lodged above), then 429.
	for i := 2; i <= oversight.PublicPerHour; i++ {
		if st, b := anon.do("POST", "/api/v1/public/complaints", body(fmt.Sprintf("第 %d 条举报内容", i))); st != 201 {
			t.Fatalf("complaint %d: %d %s", i, st, b)
		}
	}
	st, b = anon.do("POST", "/api/v1/public/complaints", body("第六条举报内容"))
	if st != 429 || !strings.Contains(string(b), "throttled") {
		t.Errorf("sixth: %d %s", st, b)
	}
	var n int
	_ = h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM complaints`).Scan(&n)
	if n != oversight.PublicPerHour {
		t.Errorf("%d complaints stored, want %d", n, oversight.PublicPerHour)
	}
}

// A helper lodges from the field app (bearer token), as a field complaint only; cases answer
// in the described shape.
func TestStaffComplaintsAndCases(t *testing.T) {
	h := newHarness(t)
	// The helper's phone token (field login) lodges for a household assigned to the helper; the
	// household gives the region. The phone's client_id makes a resent complaint answer the
	// stored one: one row, the same code.
	helperID := h.linkHelper("helper_320921", "320921")
	var householdNo, village string
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT h.household_no, h.region_code FROM households h
		JOIN assignments a ON a.household_id = h.id WHERE a.helper_id = ? AND a.to_date IS NULL ORDER BY h.id LIMIT 1`, helperID).
		Scan(&householdNo, &village); err != nil {
		t.Fatal(err)
	}
	helper := h.fieldLogin("helper_320921")
	in := map[string]any{"channel": "field", "anonymous": true, "category": "visit", "entity_type": "household", "entity_ref": householdNo,
		"subject": "希望多来走访", "content": "独居老人希望帮扶干部多来看看", "client_id": "7d1c2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"}
	st, b := helper.do("POST", "/api/v1/complaints", in)
	if st != 201 {
		t.Fatalf("field complaint: %d %s", st, b)
	}
	h.conforms("POST", "/api/v1/complaints", st, b)
	res := decode[oversight.LodgeResult](t, b)
	if st, again := helper.do("POST", "/api/v1/complaints", in); st/100 != 2 || string(again) != string(b) {
		t.Fatalf("resent field complaint: %d %s, want the first answer %s", st, again, b)
	}
	var n int
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM complaints WHERE channel = 'field'
		AND entity_ref = ? AND region_code = ?`, householdNo, village).Scan(&n); err != nil || n != 1 {
		t.Fatalf("field complaints stored: %d %v, want 1", n, err)
	}
	// The phone token is a helper's token, nothing more: the office's complaint desk and other
	// office routes stay closed to it.
	for _, path := range []string{"/api/v1/complaints?region=320921000000", fmt.Sprintf("/api/v1/complaints/%d", res.ID), "/api/v1/alerts", "/api/v1/users"} {
		if st, b := helper.do("GET", path, nil); st != 403 {
			t.Errorf("phone token GET %s: %d %.200s, want 403", path, st, b)
		}
	}
	if st, b := helper.do("POST", fmt.Sprintf("/api/v1/complaints/%d/assign", res.ID), map[string]any{"department": "finance", "version": 1}); st != 403 {
		t.Errorf("phone token assigns: %d %s, want 403", st, b)
	}
	// Only the helper's own households.
	other := map[string]any{}
	for k, v := range in {
		other[k] = v
	}
	other["client_id"] = "7d1c2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e60"
	var foreign string
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT h.household_no FROM households h
		WHERE h.region_code LIKE '320921%' AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.household_id = h.id
		AND a.helper_id = ? AND a.to_date IS NULL) ORDER BY h.id LIMIT 1`, helperID).Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	other["entity_ref"] = foreign
	if st, b := helper.do("POST", "/api/v1/complaints", other); st != 403 {
		t.Errorf("household of another helper: %d %s, want 403", st, b)
	}
	in["region_code"] = village
	delete(in, "client_id")
	in["channel"] = "hotline"
	if st, b := helper.do("POST", "/api/v1/complaints", in); st != 400 {
		t.Errorf("helper hotline complaint: %d %s", st, b)
	}
	if st, b := h.login("participant_320921").do("POST", "/api/v1/complaints", in); st != 403 {
		t.Errorf("participant: %d %s", st, b)
	}
	disc := h.login("discipline_320921")
	st, b = disc.do("POST", "/api/v1/cases", map[string]any{"region_code": "320921100201", "person_name": "周某", "violation": "走访弄虚作假",
		"handling": "criticism", "decided_on": "2026-01-05", "complaint_id": res.ID, "note": ""})
	if st != 201 {
		t.Fatalf("case: %d %s", st, b)
	}
	h.conforms("POST", "/api/v1/cases", st, b)
	c := decode[oversight.CaseRow](t, b)
	for _, p := range []string{"/api/v1/cases?region=320921000000", fmt.Sprintf("/api/v1/cases/%d", c.ID)} {
		st, b := disc.do("GET", p, nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", p, st, b)
		}
		h.conforms("GET", p, st, b)
	}
	if st, b := h.login("discipline_320922").do("GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil); st != 404 {
		t.Errorf("other county reads the case: %d %s", st, b)
	}
}
