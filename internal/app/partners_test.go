package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"sunshine/internal/httpx"
)

// partnerMobile finds an 11-digit mobile number standing alone (region codes are 12 digits).
var partnerMobile = regexp.MustCompile(`(^|[^0-9])1[0-9]{10}([^0-9]|$)`)

// The social forces' registers over HTTP: every route's happy path answers as openapi.json
// says, refusals name their field and write nothing, versions and duplicates are refused
// with 409, roles and scopes are kept.
func TestPartnersHTTP(t *testing.T) {
	h := newHarness(t)
	ids := h.partnerFixture("320921")
	office := h.login("poverty_office_320921")
	count := func(table string) int {
		t.Helper()
		var n int
		if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	call := func(c *client, method, path string, body any, want int) map[string]any {
		t.Helper()
		st, b := c.do(method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, st, b, want)
		}
		h.conforms(method, path, st, b)
		if st >= 400 || strings.HasPrefix(string(b), "[") {
			var e httpx.ErrorBody
			_ = json.Unmarshal(b, &e)
			return map[string]any{"code": string(e.Code), "fields": e.Fields, "message": e.Message}
		}
		return decode[map[string]any](t, b)
	}
	// updates
	up := call(office, "PATCH", fmt.Sprintf("/api/v1/providers/%d", ids.firm), map[string]any{"version": 1, "status": "inactive",
		"services": []string{"法律咨询"}}, 200)
	if up["status"] != "inactive" || up["version"].(float64) != 2 {
		t.Fatalf("provider update %v", up)
	}
	call(office, "PATCH", fmt.Sprintf("/api/v1/providers/%d", ids.firm), map[string]any{"version": 1, "status": "active"}, 409)
	ended := call(office, "POST", fmt.Sprintf("/api/v1/pairings/%d/end", ids.toEnd), map[string]any{"version": 1, "until": ids.today}, 200)
	if ended["status"] != "ended" || ended["until"] != ids.today {
		t.Fatalf("ended %v", ended)
	}
	m := call(office, "PATCH", fmt.Sprintf("/api/v1/matches/%d", ids.match), map[string]any{"version": 1, "status": "contacted"}, 200)
	if m["status"] != "contacted" || m["note"] != "已联系" {
		t.Fatalf("match %v", m)
	}

	// refusals: a field named, nothing written
	before := map[string]int{}
	tables := []string{"partner_providers", "partner_services", "partner_deputies", "partner_pairings", "partner_activities", "partner_entrepreneurs", "partner_matches"}
	for _, tb := range tables {
		before[tb] = count(tb)
	}
	village := "320921100201"
	for _, c := range []struct {
		path  string
		body  any
		want  int
		field string
	}{
		{"/api/v1/providers", map[string]any{"kind": "law_firm", "name": "x", "contact_person": "x", "phone": "13800001111", "credit_code": "91320921MA1000001Y", "region_code": village}, 400, "credit_code"},
		{"/api/v1/providers", map[string]any{"kind": "volunteer", "name": "x", "phone": "0515-888888", "region_code": village}, 400, "phone"},
		{"/api/v1/providers", map[string]any{"kind": "volunteer", "name": "x", "phone": "13800001111", "region_code": village, "extra": 1}, 400, "extra"},
		{fmt.Sprintf("/api/v1/providers/%d/services", ids.volunteer), map[string]any{"region_code": village, "served_on": ids.today, "service": "助学辅导", "hours": 25, "people": 1}, 400, "hours"},
		{"/api/v1/deputies", map[string]any{"kind": "cppcc", "level": "town", "name": "x", "region_code": "320921100000"}, 400, "level"},
		{"/api/v1/pairings", map[string]any{"kind": "deputy", "deputy_id": ids.deputy, "village_code": village, "since": ids.today}, 409, "village_code"},
		{fmt.Sprintf("/api/v1/pairings/%d/activities", ids.pairing), map[string]any{"on_date": "2099-01-01", "title": "x"}, 400, "on_date"},
		{"/api/v1/entrepreneurs", map[string]any{"name": "x", "hometown_code": "320921000000", "works_in": "上海"}, 400, "hometown_code"},
		{fmt.Sprintf("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur), map[string]any{"project_id": ids.project}, 409, "project_id"},
		{fmt.Sprintf("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur), map[string]any{"project_id": 0}, 400, "project_id"},
	} {
		got := call(office, "POST", c.path, c.body, c.want)
		if f, _ := got["fields"].(map[string]string); f[c.field] == "" {
			t.Errorf("POST %s: no reason for %s: %v", c.path, c.field, got)
		}
	}
	// a project of another county is out of scope: 404 naming project_id
	other := h.login("poverty_office_320922")
	st, b := other.do("POST", "/api/v1/projects", map[string]any{"name": "滨海光伏", "kind": "village", "subkind": "resource",
		"region_code": "320922100201", "year": 2026, "budget_yuan": "600000", "implementer": "村民委员会"})
	if st != 201 {
		t.Fatalf("other project: %d %s", st, b)
	}
	otherProject := decode[map[string]any](t, b)["id"]
	if got := call(office, "POST", fmt.Sprintf("/api/v1/entrepreneurs/%d/matches", ids.entrepreneur), map[string]any{"project_id": otherProject}, 404); got["code"] != "not_found" {
		t.Fatalf("out-of-scope project: %v", got)
	}
	// roles and scopes
	call(h.login("auditor_320921"), "POST", "/api/v1/deputies", map[string]any{"kind": "npc", "level": "city", "name": "x", "region_code": "320921000000"}, 403)
	call(other, "POST", fmt.Sprintf("/api/v1/pairings/%d/activities", ids.pairing), map[string]any{"on_date": ids.today, "title": "越权"}, 404)
	call(other, "POST", "/api/v1/providers", map[string]any{"kind": "volunteer", "name": "x", "phone": "13800001111", "region_code": village}, 403)
	call(h.login("participant_320921"), "GET", "/api/v1/providers", nil, 403)
	for _, tb := range tables {
		if n := count(tb); n != before[tb] {
			t.Errorf("%s: %d rows after refusals, %d before", tb, n, before[tb])
		}
	}
	// phones: whole for the office, masked for the village cadre
	if st, b := h.login("village_cadre_320921100201").do("GET", fmt.Sprintf("/api/v1/entrepreneurs/%d", ids.entrepreneur), nil); st != 200 ||
		!strings.Contains(string(b), `"phone":"135****5678"`) {
		t.Fatalf("cadre reads: %d %s", st, b)
	}

	// two updates of one version at once: exactly one wins
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = office.do("PATCH", fmt.Sprintf("/api/v1/matches/%d", ids.match), map[string]any{"version": 2, "status": "agreed"})
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("concurrent updates: %v", statuses)
	}
}

// The public page and the open-data file show no phone and no volunteer's name.
func TestPartnersPublic(t *testing.T) {
	h := newHarness(t)
	h.partnerFixture("320921")
	anon := h.anon()
	for _, code := range []string{"320921000000", "320921100000", "320921100201"} {
		path := "/api/v1/public/forces/" + code
		st, b := anon.do("GET", path, nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		h.conforms("GET", path, st, b)
		if m := partnerMobile.Find(b); m != nil {
			t.Fatalf("%s: a phone number %q in %s", path, m, b)
		}
		for _, leak := range []string{"李小红", "赵四海", "张明华", "陈志强", "household_id"} {
			if bytes.Contains(b, []byte(leak)) {
				t.Fatalf("%s: %q leaks: %s", path, leak, b)
			}
		}
		page := decode[map[string]any](t, b)
		if len(page["firms"].([]any)) != 1 || len(page["deputies"].([]any)) == 0 || page["entrepreneurs"].(map[string]any)["total"].(float64) != 1 {
			t.Fatalf("%s: page %s", path, b)
		}
	}
	for path, want := range map[string]int{"/api/v1/public/forces/320921999999": 404, "/api/v1/public/forces/320900000000": 400, "/api/v1/public/forces/x": 400} {
		st, b := anon.do("GET", path, nil)
		if st != want {
			t.Errorf("%s: %d %s", path, st, b)
		}
		h.conforms("GET", path, st, b)
	}
	req := "/api/v1/public/open/forces.csv?region=320921000000"
	resp, err := anon.http.Get(h.srv.URL + req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	b := buf.Bytes()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!bytes.HasPrefix(b, []byte("\xEF\xBB\xBF类别,名称")) || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v %.200s", resp.StatusCode, resp.Header, b)
	}
	if m := partnerMobile.Find(b); m != nil || bytes.Contains(b, []byte("李小红")) || bytes.Contains(b, []byte("赵四海")) {
		t.Fatalf("csv leaks %q: %s", m, b)
	}
	if lines := strings.Count(string(b), "\r\n"); lines != 5 { // header, firm, two deputy pairs, enterprise pair
		t.Fatalf("csv has %d lines: %s", lines, b)
	}
	if st, _ := anon.do("GET", "/api/v1/public/open/forces.csv", nil); st != 400 {
		t.Fatalf("csv without region: %d", st)
	}
}
