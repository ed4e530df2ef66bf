package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/oversight"
)

// waitRun polls a run until it has finished and answers it.
func (h *harness) waitRun(c *client, id int64) oversight.RunInfo {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, b := c.do("GET", fmt.Sprintf("/api/v1/alert-runs/%d", id), nil)
		if st != 200 {
			h.t.Fatalf("run %d: %d %s", id, st, b)
		}
		r := decode[oversight.RunInfo](h.t, b)
		if r.Status != "running" {
			h.conforms("GET", fmt.Sprintf("/api/v1/alert-runs/%d", id), st, b)
			return r
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("run %d still running", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// engineTargets are the rule and run routes aimed at county: a run of the county made over
// HTTP by its poverty office (finished before the targets are used); the answers conform.
func (h *harness) engineTargets(county string) map[string]target {
	h.t.Helper()
	region := county + "000000"
	office := h.login("poverty_office_" + county)
	st, b := office.do("POST", "/api/v1/alert-runs", map[string]any{"region": region})
	if st != 202 {
		h.t.Fatalf("alert run: %d %s", st, b)
	}
	h.conforms("POST", "/api/v1/alert-runs", st, b)
	started := decode[oversight.RunInfo](h.t, b)
	if started.Status != "running" || started.RegionCode != region {
		h.t.Fatalf("started %+v", started)
	}
	run := h.waitRun(office, started.ID)
	if run.Status != "done" {
		h.t.Fatalf("run %+v", run)
	}
	for _, path := range []string{"/api/v1/alert-rules/checks", "/api/v1/alert-rules?region=" + region, "/api/v1/alert-rules/versions",
		"/api/v1/alert-runs?region=" + region, "/api/v1/alert-runs?limit=1"} {
		st, b := office.do("GET", path, nil)
		if st != 200 {
			h.t.Fatalf("%s: %d %s", path, st, b)
		}
		h.conforms("GET", strings.Split(path, "?")[0], st, b)
	}
	return map[string]target{
		"GET /api/v1/alert-rules/checks":   {path: "/api/v1/alert-rules/checks"},
		"GET /api/v1/alert-rules":          {path: "/api/v1/alert-rules?region=" + region},
		"GET /api/v1/alert-rules/versions": {path: "/api/v1/alert-rules/versions?region=" + region},
		"PUT /api/v1/alert-rules":          {path: "/api/v1/alert-rules", body: map[string]any{"rules": []any{}}, ownScope: true},
		"POST /api/v1/alert-runs":          {path: "/api/v1/alert-runs", body: map[string]any{"region": region}},
		"GET /api/v1/alert-runs":           {path: "/api/v1/alert-runs?region=" + region},
		"GET /api/v1/alert-runs/{id}":      {path: fmt.Sprintf("/api/v1/alert-runs/%d", run.ID)},
	}
}

// Over HTTP: a county admin stores a rule set (errors name the rule and field), the county's
// poverty office runs it, alerts appear, a repeat run raises nothing new; answers conform.
func TestAlertEngineHTTP(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin_320921")
	st, b := admin.do("GET", "/api/v1/alert-rules", nil)
	if st != 200 {
		t.Fatalf("rules: %d %s", st, b)
	}
	h.conforms("GET", "/api/v1/alert-rules", st, b)
	rs := decode[oversight.RuleSetInfo](t, b)
	if rs.Version != 0 || !rs.Inherited || len(rs.Rules) != len(oversight.Checks()) {
		t.Fatalf("defaults %+v", rs)
	}
	bad := append([]oversight.Rule(nil), rs.Rules...)
	bad[2].DeadlineDays = 120
	st, b = admin.do("PUT", "/api/v1/alert-rules", map[string]any{"rules": bad, "escalation": rs.Escalation})
	if st != 400 || !strings.Contains(string(b), "第 3 条规则") || !strings.Contains(string(b), "rules[2].deadline_days") {
		t.Fatalf("bad rules: %d %s", st, b)
	}
	for i := range rs.Rules {
		if rs.Rules[i].Check != oversight.CheckQuarterNoVisit && rs.Rules[i].Check != oversight.CheckDeceasedListed {
			rs.Rules[i].Enabled = false
		}
	}
	st, b = admin.do("PUT", "/api/v1/alert-rules", map[string]any{"rules": rs.Rules, "escalation": rs.Escalation, "note": "只查走访和死亡"})
	if st != 200 {
		t.Fatalf("put: %d %s", st, b)
	}
	h.conforms("PUT", "/api/v1/alert-rules", st, b)
	if v := decode[oversight.RuleSetInfo](t, b); v.Version != 1 || v.RegionCode != "320921000000" {
		t.Fatalf("stored %+v", v)
	}
	// Not for a poverty office (no alert.rules).
	office := h.login("poverty_office_320921")
	if st, b := office.do("PUT", "/api/v1/alert-rules", map[string]any{"rules": rs.Rules}); st != 403 {
		t.Fatalf("office put: %d %s", st, b)
	}
	// A registered member recorded dead and still listed: deceased_listed fires.
	ctx := context.Background()
	if err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE members SET deceased_on = '2026-01-02' WHERE id = (SELECT MIN(m.id) FROM members m
			JOIN households hh ON hh.id = m.household_id WHERE hh.status = 'registered' AND m.active = 1 AND m.region_code LIKE '320921%')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st, b = office.do("POST", "/api/v1/alert-runs", map[string]any{})
	if st != 202 {
		t.Fatalf("run: %d %s", st, b)
	}
	run := h.waitRun(office, decode[oversight.RunInfo](t, b).ID)
	if run.Status != "done" || run.RulesetVersion != 1 || run.New == 0 || run.ByRule[oversight.CheckDeceasedListed] != 1 {
		t.Fatalf("run %+v", run)
	}
	for k := range run.ByRule {
		if k != oversight.CheckQuarterNoVisit && k != oversight.CheckDeceasedListed {
			t.Errorf("disabled rule %s fired", k)
		}
	}
	st, b = office.do("POST", "/api/v1/alert-runs", map[string]any{"region": "320921000000"})
	if st != 202 {
		t.Fatalf("rerun: %d %s", st, b)
	}
	again := h.waitRun(office, decode[oversight.RunInfo](t, b).ID)
	if again.New != 0 || again.Updated != 0 || again.Found != run.Found {
		t.Fatalf("rerun %+v", again)
	}
	st, b = office.do("GET", "/api/v1/alert-runs?limit=1", nil)
	if st != 200 || !strings.Contains(string(b), `"next":"`) {
		t.Fatalf("page: %d %s", st, b)
	}
	h.conforms("GET", "/api/v1/alert-runs", st, b)
	if st, b := office.do("POST", "/api/v1/alert-runs", map[string]any{"region": "320922000000"}); st != 403 {
		t.Fatalf("other county: %d %s", st, b)
	}
}
