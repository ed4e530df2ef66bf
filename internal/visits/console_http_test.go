package visits_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/visits"
)

// conCall sends a request to the visit routes as principal p (the router's own permission
// gate included) and returns the status, headers and body.
func (f *conFixture) call(p *auth.Principal, method, path string, body any, hdr ...string) (int, http.Header, []byte) {
	f.t.Helper()
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.s.Routes(rt)
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req = req.WithContext(auth.With(req.Context(), p))
	w := httptest.NewRecorder()
	rt.Mux.ServeHTTP(w, req)
	return w.Code, w.Header(), w.Body.Bytes()
}

func TestConsoleHTTP(t *testing.T) {
	f := newConFixture(t)
	for _, c := range []struct{ path, field string }{
		{"/api/v1/visits?limit=0", "limit"}, {"/api/v1/visits?household_id=x", "household_id"}, {"/api/v1/visits?helper_id=-3", "helper_id"},
		{"/api/v1/visits?conflict=yes", "conflict"}, {"/api/v1/visits?after=abc", "after"}, {"/api/v1/visits?quarter=26Q1", "quarter"},
		{"/api/v1/visits?signal=ghost", "signal"}, {"/api/v1/visits/overdue?after=320921-1", "after"},
		{"/api/v1/visits/overdue?quarter=2026Q9", "quarter"}, {"/api/v1/visits/compliance?quarter=2026q4", "quarter"},
		{"/api/v1/visits/compliance?region=x", "region"},
	} {
		st, _, b := f.call(f.office, "GET", c.path, nil)
		var e httpx.ErrorBody
		if st != 400 || json.Unmarshal(b, &e) != nil || e.Code != errs.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s: %d %s, want 400 naming %s", c.path, st, b, c.field)
		}
	}

	// Pages chain through next, newest first, without repeats.
	seen := map[int64]bool{}
	path, last := "/api/v1/visits?limit=4&region=320921100000", int64(1<<62)
	for pages := 0; path != ""; pages++ {
		st, _, b := f.call(f.auditor, "GET", path, nil)
		var l httpx.List[visits.VisitRow]
		if st != 200 || json.Unmarshal(b, &l) != nil || pages > 100 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		for _, r := range l.Items {
			if seen[r.ID] || r.ID >= last || !strings.HasPrefix(r.RegionCode, "320921100") {
				t.Fatalf("row %+v after %d", r, last)
			}
			seen[r.ID], last = true, r.ID
		}
		path = ""
		if l.Next != nil {
			path = "/api/v1/visits?limit=4&region=320921100000&after=" + *l.Next
		}
	}
	if want := f.one(`SELECT COUNT(*) FROM visits WHERE region_code LIKE '320921100%'`); int64(len(seen)) != want {
		t.Fatalf("%d visits paged, want %d", len(seen), want)
	}
	var overdue int
	path = "/api/v1/visits/overdue?limit=3&quarter=2026Q4"
	for pages := 0; path != ""; pages++ {
		st, _, b := f.call(f.office, "GET", path, nil)
		var l httpx.List[visits.OverdueRow]
		if st != 200 || json.Unmarshal(b, &l) != nil || pages > 100 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		overdue += len(l.Items)
		path = ""
		if l.Next != nil {
			path = "/api/v1/visits/overdue?limit=3&quarter=2026Q4&after=" + *l.Next
		}
	}
	st, _, b := f.call(f.office, "GET", "/api/v1/visits/compliance?quarter=2026Q4", nil)
	var c visits.Compliance
	if st != 200 || json.Unmarshal(b, &c) != nil || c.Total.Overdue != int64(overdue) || c.Region.Code != "320921000000" {
		t.Fatalf("compliance %d %s vs %d overdue", st, b, overdue)
	}

	// Photos: bytes with their type, cached privately, revalidated by ETag; nothing across counties.
	var sha string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT MIN(sha256) FROM visit_photos`).Scan(&sha)
	st, h, b := f.call(f.auditor, "GET", "/api/v1/visits/photos/"+sha, nil)
	if st != 200 || h.Get("Content-Type") != "image/jpeg" || !strings.Contains(h.Get("Cache-Control"), "immutable") ||
		!strings.Contains(h.Get("Cache-Control"), "private") || h.Get("ETag") != `"`+sha+`"` || len(b) == 0 || h.Get("Content-Length") != fmt.Sprint(len(b)) {
		t.Fatalf("photo: %d %v", st, h)
	}
	if st, _, _ := f.call(f.auditor, "GET", "/api/v1/visits/photos/"+sha, nil, "If-None-Match", `"`+sha+`"`); st != 304 {
		t.Fatalf("revalidation: %d", st)
	}
	if st, _, _ := f.call(f.other, "GET", "/api/v1/visits/photos/"+sha, nil); st != 404 {
		t.Fatalf("other county's photo: %d", st)
	}
	if st, _, _ := f.call(f.user("finance_320921"), "GET", "/api/v1/visits/photos/"+sha, nil); st != 403 {
		t.Fatalf("finance: %d", st)
	}

	// Edit and location through HTTP.
	id := f.one(`SELECT MIN(id) FROM visits WHERE region_code LIKE '320921%'`)
	st, _, b = f.call(f.office, "GET", fmt.Sprintf("/api/v1/visits/%d", id), nil)
	var d visits.VisitDetail
	if st != 200 || json.Unmarshal(b, &d) != nil || d.ID != id {
		t.Fatalf("detail %d %s", st, b)
	}
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	for _, k := range []string{"client_id", "household", "helper", "photos", "signals", "conflicts", "history", "guarantees", "version", "received_at", "distance_m"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("detail lacks %q", k)
		}
	}
	edit := map[string]any{"version": d.Version, "guarantees": d.Guarantees, "income_fen": d.IncomeFen, "needs": "经复核:需要就业帮扶", "measures": d.Measures, "notes": d.Notes}
	if st, _, b := f.call(f.office, "PATCH", fmt.Sprintf("/api/v1/visits/%d", id), edit); st != 200 || !strings.Contains(string(b), `"version":2`) {
		t.Fatalf("edit: %d %s", st, b)
	}
	if st, _, _ := f.call(f.office, "PATCH", fmt.Sprintf("/api/v1/visits/%d", id), edit); st != 409 {
		t.Fatalf("stale edit: %d", st)
	}
	edit["surprise"] = 1
	if st, _, _ := f.call(f.office, "PATCH", fmt.Sprintf("/api/v1/visits/%d", id), edit); st != 400 {
		t.Fatalf("unknown field: %d", st)
	}
	if st, _, _ := f.call(f.auditor, "PATCH", fmt.Sprintf("/api/v1/visits/%d", id), edit); st != 403 {
		t.Fatalf("auditor edit: %d", st)
	}
	loc := fmt.Sprintf("/api/v1/households/%d/location", d.HouseholdID)
	if st, _, b := f.call(f.office, "PUT", loc, map[string]any{"lat": 33.5, "lng": 120.1}); st != 200 || !strings.Contains(string(b), `"source":"console"`) {
		t.Fatalf("put location: %d %s", st, b)
	}
	if st, _, b := f.call(f.office, "PUT", loc, map[string]any{"lat": 33.5, "lng": 150}); st != 400 {
		t.Fatalf("location outside China: %d %s", st, b)
	}
	if st, _, b := f.call(f.user("helper_320921100"), "GET", loc, nil); st != 200 || !strings.Contains(string(b), `"lat":33.5`) {
		t.Fatalf("helper reads the location: %d %s", st, b)
	}
	if st, _, _ := f.call(f.other, "GET", loc, nil); st != 404 {
		t.Fatalf("other county reads the location: %d", st)
	}
	if st, _, b := f.call(f.auditor, "GET", "/api/v1/visits/settings", nil); st != 200 || !strings.Contains(string(b), `"far_meters":1000`) {
		t.Fatalf("settings: %d %s", st, b)
	}
}
