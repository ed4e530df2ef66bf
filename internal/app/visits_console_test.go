package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// The console's visit endpoints answer as openapi.json describes them, on the demo's visits
// (photos, signs) and on a visit with an office edit and a pending phone conflict.
func TestVisitConsoleMatchesOpenAPI(t *testing.T) {
	h := newHarness(t)
	fx := h.fieldFixture("320921")
	var photoVisit, household int64
	var sha string
	q := h.app.DB.Reader()
	if err := q.QueryRowContext(context.Background(), `SELECT v.id, v.household_id, p.sha256 FROM visit_photos p JOIN visits v ON v.id = p.visit_id
		WHERE v.region_code LIKE '320921%' AND EXISTS (SELECT 1 FROM visit_signals s WHERE s.visit_id = v.id) ORDER BY v.id LIMIT 1`).
		Scan(&photoVisit, &household, &sha); err != nil {
		t.Fatal("a demo visit with a photo and a sign: ", err)
	}
	office := h.login("poverty_office_320921")
	for _, path := range []string{
		"/api/v1/visits?limit=3", "/api/v1/visits?signal=any&limit=5", "/api/v1/visits?conflict=1", "/api/v1/visits?quarter=2026Q3&limit=2",
		"/api/v1/visits/compliance", "/api/v1/visits/compliance?region=320921100000&quarter=2026Q3", "/api/v1/visits/compliance?region=320921100201",
		"/api/v1/visits/overdue?limit=3", "/api/v1/visits/settings",
		fmt.Sprintf("/api/v1/visits/%d", photoVisit), fmt.Sprintf("/api/v1/visits/%d", fx.visit),
		fmt.Sprintf("/api/v1/households/%d/location", household), "/api/v1/visits/compliance?quarter=bad",
	} {
		st, body := office.do("GET", path, nil)
		if st != 200 && !strings.Contains(path, "bad") {
			t.Errorf("%s: %d %s", path, st, body)
		}
		h.conforms("GET", path, st, body)
	}
	// The fixture visit shows its office edit in the history and the phone's conflicting copy.
	st, body := office.do("GET", fmt.Sprintf("/api/v1/visits/%d", fx.visit), nil)
	if st != 200 || !strings.Contains(string(body), `"action":"visit.edit"`) || !strings.Contains(string(body), `"needs":"手机修改"`) ||
		!strings.Contains(string(body), `"conflict":true`) {
		t.Fatalf("fixture visit: %d %s", st, body)
	}
	// A cookie session's edit needs its CSRF token, like every other write.
	c := h.login("poverty_office_320921")
	c.csrf = ""
	if st, body := c.do("PATCH", fmt.Sprintf("/api/v1/visits/%d", photoVisit), map[string]any{"version": 1}); st != 403 {
		t.Fatalf("edit without CSRF token: %d %s", st, body)
	}
	// The photo comes as an image, not JSON.
	resp, err := office.http.Get(h.srv.URL + "/api/v1/visits/photos/" + sha)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || len(b) < 100 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("photo: %d %v", resp.StatusCode, resp.Header)
	}
}
