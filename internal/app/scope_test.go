package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/httpx"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
	"sunshine/internal/projects"
)

// target fills a route's path parameters and body with objects of county 320921.
type target struct {
	path string
	body any
	// stepBound routes act on a procedure's current step, which names one role and scope
	// level: a role the table allows may still get 403 when it is not that step's signer.
	stepBound bool
	// ownScope routes act only in the caller's own scope (an upload): nothing to aim across.
	ownScope bool
	// cityOnly routes change what the whole city shares (the sign-off chains): a role the table
	// allows still gets 403 below city scope.
	cityOnly bool
	// ownLines routes move money: a department may hold fund.write and still get 403 paying
	// from an account that is not its own line (finance's money).
	ownLines bool
	// async routes answer with a job before a row is read; TestImportJobsStayInScope aims
	// the import at the other county and checks the job writes nothing there.
	async bool
	// deptBound routes handle an alert, which only its department (a role) may do: a role the
	// table allows still gets 403 on another department's alert.
	deptBound bool
	// levelBound routes are acted on by one role at one level (a review, a 备案, a 容错
	// approval): a role the table allows still gets 403 naming who must act ("应由…").
	levelBound bool
}

func (h *harness) targetsIn(county string) map[string]target {
	ctx := context.Background()
	var userID, tokenID int64
	if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, "helper_"+county).Scan(&userID); err != nil {
		h.t.Fatal(err)
	}
	admin := h.login("admin_" + county)
	st, b := admin.do("POST", fmt.Sprintf("/api/v1/users/%d/tokens", userID), map[string]any{"name": "t", "expires_days": 10})
	if st != 201 {
		h.t.Fatalf("token: %d %s", st, b)
	}
	tokenID = int64(decode[map[string]any](h.t, b)["token"].(map[string]any)["id"].(float64))
	village := county + "100201"
	reg := h.registryFixture(county)
	fx := h.fieldFixture(county)
	targets := map[string]target{
		"POST /api/v1/households":                          {path: "/api/v1/households", body: map[string]any{"household": map[string]any{"household_no": "X-1", "region_code": village, "head_id_number": idcard.Make("320921", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 1, idcard.Male), "household_type": "general"}, "members": []any{}}},
		"GET /api/v1/households/{id}":                      {path: fmt.Sprintf("/api/v1/households/%d", reg.household)},
		"PUT /api/v1/households/{id}":                      {path: fmt.Sprintf("/api/v1/households/%d", reg.household), body: map[string]any{"version": 1, "household": map[string]any{"household_type": "general"}}},
		"POST /api/v1/households/{id}/members":             {path: fmt.Sprintf("/api/v1/households/%d/members", reg.household), body: map[string]any{"id_number": "x"}},
		"PUT /api/v1/members/{id}":                         {path: fmt.Sprintf("/api/v1/members/%d", reg.member), body: map[string]any{"name": "越权"}},
		"POST /api/v1/members/{id}/leave":                  {path: fmt.Sprintf("/api/v1/members/%d/leave", reg.member), body: map[string]any{"on": "2026-01-01", "reason": "越权"}},
		"POST /api/v1/households/{id}/procedures":          {path: fmt.Sprintf("/api/v1/households/%d/procedures", reg.household), body: map[string]any{"kind": "exit", "reason": "越权"}},
		"GET /api/v1/procedures":                           {path: "/api/v1/procedures?region=" + county + "000000"},
		"GET /api/v1/procedures/{id}":                      {path: fmt.Sprintf("/api/v1/procedures/%d", reg.procedure)},
		"POST /api/v1/procedures/{id}/sign":                {path: fmt.Sprintf("/api/v1/procedures/%d/sign", reg.procedure), body: map[string]any{"decision": "reject", "opinion": "越权"}, stepBound: true},
		"POST /api/v1/procedures/{id}/notices":             {path: fmt.Sprintf("/api/v1/procedures/%d/notices", reg.procedure), body: map[string]any{}, stepBound: true},
		"POST /api/v1/procedures/{id}/objections":          {path: fmt.Sprintf("/api/v1/procedures/%d/objections", reg.procedure), body: map[string]any{"content": "越权"}},
		"POST /api/v1/procedures/{id}/cancel":              {path: fmt.Sprintf("/api/v1/procedures/%d/cancel", reg.procedure), body: map[string]any{"reason": "越权"}},
		"POST /api/v1/objections/{id}/answer":              {path: fmt.Sprintf("/api/v1/objections/%d/answer", reg.objection), body: map[string]any{"answer": "越权"}},
		"GET /api/v1/procedure-defs":                       {path: "/api/v1/procedure-defs"},
		"PUT /api/v1/procedure-defs/{kind}":                {path: "/api/v1/procedure-defs/exit", body: map[string]any{"steps": []any{}}, cityOnly: true},
		"POST /api/v1/attachments":                         {path: "/api/v1/attachments", ownScope: true},
		"GET /api/v1/attachments/{id}":                     {path: fmt.Sprintf("/api/v1/attachments/%d", reg.attachment)},
		"GET /api/v1/income-lines":                         {path: "/api/v1/income-lines"},
		"PUT /api/v1/income-lines/{year}":                  {path: "/api/v1/income-lines/2026", body: map[string]any{"region_code": county + "000000", "line_fen": 1}},
		"GET /api/v1/adjustment":                           {path: "/api/v1/adjustment?year=2025&region=" + county + "000000"},
		"POST /api/v1/adjustment/exits":                    {path: "/api/v1/adjustment/exits", body: map[string]any{"year": 2025, "household_ids": []int64{reg.household}}},
		"GET /api/v1/helpers":                              {path: "/api/v1/helpers?region=" + county + "000000"},
		"POST /api/v1/helpers":                             {path: "/api/v1/helpers", ownScope: true},
		"GET /api/v1/helpers/{id}":                         {path: fmt.Sprintf("/api/v1/helpers/%d", reg.helper)},
		"PUT /api/v1/helpers/{id}":                         {path: fmt.Sprintf("/api/v1/helpers/%d", reg.helper), body: map[string]any{"helper": map[string]any{"name": "越权"}, "active": false}},
		"POST /api/v1/helpers/{id}/reassign":               {path: fmt.Sprintf("/api/v1/helpers/%d/reassign", reg.helper), body: map[string]any{"to_helper_id": reg.helper2, "from_date": "2026-01-01", "reason": "越权"}},
		"POST /api/v1/helpers/{id}/account":                {path: fmt.Sprintf("/api/v1/helpers/%d/account", reg.helper), body: map[string]any{"username": "scope_probe", "password": "越权越权越权越权越权"}},
		"DELETE /api/v1/helpers/{id}/account":              {path: fmt.Sprintf("/api/v1/helpers/%d/account", reg.helper)},
		"POST /api/v1/households/{id}/helper":              {path: fmt.Sprintf("/api/v1/households/%d/helper", reg.household), body: map[string]any{"helper_id": reg.helper2, "from_date": "2026-01-01", "reason": "越权"}},
		"GET /api/v1/duty/villages":                        {path: "/api/v1/duty/villages?region=" + county + "000000"},
		"POST /api/v1/work-teams":                          {path: "/api/v1/work-teams", body: map[string]any{"region_code": village, "name": "越权队", "dispatching_unit": "x", "leader_name": "x", "from_date": "2026-01-01"}},
		"POST /api/v1/work-teams/{id}/end":                 {path: fmt.Sprintf("/api/v1/work-teams/%d/end", reg.team), body: map[string]any{"to_date": "2026-01-02"}},
		"POST /api/v1/first-secretaries":                   {path: "/api/v1/first-secretaries", body: map[string]any{"region_code": village, "name": "越权", "id_number": idcard.Make("320921", time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC), 2, idcard.Male), "dispatching_unit": "x", "term_from": "2025-01-01", "term_to": "2027-01-01"}},
		"GET /api/v1/leaders":                              {path: "/api/v1/leaders?region=" + county + "000000"},
		"POST /api/v1/leaders":                             {path: "/api/v1/leaders", body: map[string]any{"region_code": county + "000000", "name": "越权", "position": "县长", "from_date": "2026-01-01"}},
		"POST /api/v1/leaders/{id}/end":                    {path: fmt.Sprintf("/api/v1/leaders/%d/end", reg.leader), body: map[string]any{"to_date": "2026-01-02"}},
		"GET /api/v1/duty/coverage":                        {path: "/api/v1/duty/coverage?region=" + county + "000000"},
		"GET /api/v1/field/households":                     {path: "/api/v1/field/households"},
		"GET /api/v1/field/photos/{sha256}":                {path: "/api/v1/field/photos/" + fx.photo},
		"POST /api/v1/field/photos/{sha256}/parts":         {path: "/api/v1/field/photos/" + fx.photo + "/parts?pos=0&size=5", body: "hello"},
		"POST /api/v1/field/sync":                          {path: "/api/v1/field/sync", body: map[string]any{"visits": []any{testVisit("scope-probe-0001", fx.household)}}},
		"GET /api/v1/visits":                               {path: "/api/v1/visits?region=" + county + "000000"},
		"GET /api/v1/visits/compliance":                    {path: "/api/v1/visits/compliance?region=" + county + "000000"},
		"GET /api/v1/visits/overdue":                       {path: "/api/v1/visits/overdue?region=" + county + "000000"},
		"GET /api/v1/visits/settings":                      {path: "/api/v1/visits/settings"},
		"GET /api/v1/visits/photos/{sha256}":               {path: "/api/v1/visits/photos/" + fx.photo},
		"GET /api/v1/visits/{id}":                          {path: fmt.Sprintf("/api/v1/visits/%d", fx.visit)},
		"PATCH /api/v1/visits/{id}":                        {path: fmt.Sprintf("/api/v1/visits/%d", fx.visit), body: map[string]any{"version": 1, "guarantees": map[string]string{"food": "ok", "education": "ok", "medical": "ok", "housing": "ok", "water": "ok"}, "needs": "越权"}},
		"GET /api/v1/households/{id}/location":             {path: fmt.Sprintf("/api/v1/households/%d/location", reg.household)},
		"PUT /api/v1/households/{id}/location":             {path: fmt.Sprintf("/api/v1/households/%d/location", reg.household), body: map[string]any{"lat": 33.5, "lng": 120.1}},
		"POST /api/v1/visits/{id}/conflicts/{cid}/resolve": {path: fmt.Sprintf("/api/v1/visits/%d/conflicts/%d/resolve", fx.visit, fx.conflict), body: map[string]any{"take": "phone"}},
		"GET /api/v1/registry/stats":                       {path: "/api/v1/registry/stats?region=" + county + "000000"},
		"GET /api/v1/regions/{code}":                       {path: "/api/v1/regions/" + village},
		"GET /api/v1/regions/{code}/children":              {path: "/api/v1/regions/" + county + "000000/children"},
		"PATCH /api/v1/regions/{code}":                     {path: "/api/v1/regions/" + village, body: map[string]any{"area": "越权片区"}},
		"GET /api/v1/dashboard":                            {path: "/api/v1/dashboard?region=" + county + "000000"},
		"GET /api/v1/households":                           {path: "/api/v1/households?region=" + county + "000000"},
		"GET /api/v1/users":                                {path: "/api/v1/users"},
		"POST /api/v1/users":                               {path: "/api/v1/users", body: map[string]any{"username": "intruder", "display_name": "越权", "role": "admin", "scope_code": county + "000000", "password": "Intrude#2026x"}},
		"GET /api/v1/users/{id}":                           {path: fmt.Sprintf("/api/v1/users/%d", userID)},
		"PATCH /api/v1/users/{id}":                         {path: fmt.Sprintf("/api/v1/users/%d", userID), body: map[string]any{"display_name": "越权修改"}},
		"POST /api/v1/users/{id}/password":                 {path: fmt.Sprintf("/api/v1/users/%d/password", userID), body: map[string]any{"password": "Intrude#2026x"}},
		"GET /api/v1/users/{id}/tokens":                    {path: fmt.Sprintf("/api/v1/users/%d/tokens", userID)},
		"POST /api/v1/users/{id}/tokens":                   {path: fmt.Sprintf("/api/v1/users/%d/tokens", userID), body: map[string]any{"name": "x", "expires_days": 5}},
		"DELETE /api/v1/tokens/{id}":                       {path: fmt.Sprintf("/api/v1/tokens/%d", tokenID)},
		"GET /api/v1/audit":                                {path: "/api/v1/audit?limit=200"},
		"GET /api/v1/audit/verify":                         {path: "/api/v1/audit/verify"},
		"GET /api/v1/auth/me":                              {path: "/api/v1/auth/me"},
		"GET /api/v1/roles":                                {path: "/api/v1/roles"},
		"GET /api/v1/exchange/kinds":                       {path: "/api/v1/exchange/kinds"},
		"POST /api/v1/imports":                             {path: "/api/v1/imports", async: true},
		"GET /api/v1/imports/{id}":                         {path: "/api/v1/imports/" + h.importJob(county)},
		"GET /api/v1/exports/{kind}":                       {path: "/api/v1/exports/members"},
		"GET /api/v1/templates/{kind}":                     {path: "/api/v1/templates/households"},
	}
	for k, v := range h.crosscheckTargets(county, reg) {
		targets[k] = v
	}
	for k, v := range h.fundsTargets(county, reg) {
		targets[k] = v
	}
	for k, v := range h.paymentsTargets(county, reg) {
		targets[k] = v
	}
	for k, v := range h.complaintTargets(county) {
		targets[k] = v
	}
	for k, v := range h.spotTargets(county) {
		targets[k] = v
	}
	for k, v := range h.alertTargets(county) {
		targets[k] = v
	}
	for k, v := range h.engineTargets(county) {
		targets[k] = v
	}
	for k, v := range h.supportTargets(county) {
		targets[k] = v
	}
	for k, v := range h.projectTargets(county) {
		targets[k] = v
	}
	for k, v := range h.assetTargets(county) {
		targets[k] = v
	}
	for k, v := range h.givingTargets(county) {
		targets[k] = v
	}
	for k, v := range h.partnerTargets(county) {
		targets[k] = v
	}
	return targets
}

// Every route, every role, signed in in county 320922, aimed at county 320921: nothing is
// read or written across the county line. Reads that answer 200 (lists filtered by scope)
// must not contain a single code of the other county.
func TestNoRouteCrossesScope(t *testing.T) {
	h := newHarness(t)
	targets := h.targetsIn("320921")
	for _, rt := range h.app.Router.Routes {
		if rt.Public || rt.Pattern == "/api/v1/auth/logout" {
			continue
		}
		key := rt.Method + " " + rt.Pattern
		tg, ok := targets[key]
		if !ok {
			t.Errorf("route %s has no cross-scope target: add one to this test", key)
			continue
		}
		if tg.ownScope || tg.async {
			continue
		}
		for _, role := range auth.Roles {
			c := h.login(string(role) + "_320922")
			st, body := c.do(rt.Method, tg.path, tg.body)
			if st >= 200 && st < 300 {
				if rt.Method != "GET" {
					t.Errorf("%s as %s of 320922: write crossed scope: %d %s", key, role, st, body)
				} else if strings.Contains(string(body), "320921") {
					t.Errorf("%s as %s of 320922: answer contains county 320921: %.300s", key, role, body)
				}
				continue
			}
			if st != 403 && st != 404 {
				t.Errorf("%s as %s of 320922: status %d, want 403/404: %s", key, role, st, body)
			}
		}
	}
	// The objects aimed at are untouched.
	var area, name string
	ctx := context.Background()
	_ = h.app.DB.Reader().QueryRowContext(ctx, `SELECT area FROM regions WHERE code = '320921100201'`).Scan(&area)
	_ = h.app.DB.Reader().QueryRowContext(ctx, `SELECT display_name FROM users WHERE username = 'helper_320921'`).Scan(&name)
	if area == "越权片区" || name == "越权修改" {
		t.Errorf("county 320921 was changed from outside: area %q, name %q", area, name)
	}
}

// Inside their own county, a role gets 403 exactly for the routes whose action it lacks.
func TestPermissionTableIsEnforced(t *testing.T) {
	h := newHarness(t)
	targets := h.targetsIn("320921")
	for _, role := range auth.Roles {
		c := h.login(string(role) + "_320921")
		for _, rt := range h.app.Router.Routes {
			if rt.Public || rt.Action == "" {
				continue
			}
			key := rt.Method + " " + rt.Pattern
			tg := targets[key]
			st, body := c.do(rt.Method, tg.path, tg.body)
			allowed := (&auth.Principal{Role: role}).Can(rt.Action)
			if !allowed && st != 403 {
				t.Errorf("%s as %s: %d, want 403 (role lacks %s): %.200s", key, role, st, rt.Action, body)
			}
			if allowed && st == 403 && !(tg.stepBound && strings.Contains(string(body), "当前步骤")) &&
				!(tg.cityOnly && strings.Contains(string(body), "市级")) &&
				!(tg.ownLines && strings.Contains(string(body), "部门只能")) &&
				!(tg.deptBound && strings.Contains(string(body), "承办部门")) &&
				!(tg.levelBound && strings.Contains(string(body), "应由")) {
				t.Errorf("%s as %s: 403 although the role has %s: %s", key, role, rt.Action, body)
			}
		}
	}
}

func TestUnauthenticatedGets401(t *testing.T) {
	h := newHarness(t)
	c := h.anon()
	for _, rt := range h.app.Router.Routes {
		if rt.Public {
			continue
		}
		path := strings.NewReplacer("{code}", "320921000000", "{id}", "1").Replace(rt.Pattern)
		st, body := c.do(rt.Method, path, map[string]any{})
		if st != 401 {
			t.Errorf("%s %s without sign-in: %d %s", rt.Method, path, st, body)
		}
		var e httpx.ErrorBody
		if json.Unmarshal(body, &e) != nil || e.Code != "unauthorized" || e.Message == "" {
			t.Errorf("%s: error body %s", path, body)
		}
	}
}

// spotTargets are the spot-check routes aimed at plans of county, made over HTTP by its
// poverty office: one committed (to draw), one drawn whose every target has all the county's
// spot.write users as inspectors (to record a finding), one drawn (to close). Before the draw
// the plan's seed is null in every answer; the answers conform to openapi.json.
func (h *harness) spotTargets(county string) map[string]target {
	h.t.Helper()
	region := county + "000000"
	office := h.login("poverty_office_" + county)
	var pool []int64
	for _, u := range []string{"poverty_office_", "auditor_", "discipline_"} {
		pool = append(pool, h.principal(u+county).UserID)
	}
	plan := func(draw bool) int64 {
		st, b := office.do("POST", "/api/v1/spot-plans", map[string]any{"title": "抽查 " + county, "region_code": region,
			"target_kind": "household", "filter": map[string]any{"status": "registered"}, "sample_size": 1,
			"inspectors_per_target": len(pool), "inspector_ids": pool})
		if st != 201 {
			h.t.Fatalf("spot plan: %d %s", st, b)
		}
		h.conforms("POST", "/api/v1/spot-plans", st, b)
		pl := decode[map[string]any](h.t, b)
		if pl["seed"] != nil || pl["seed_hash"] == "" {
			h.t.Fatalf("a committed plan shows its seed: %s", b)
		}
		id := int64(pl["id"].(float64))
		if draw {
			st, b := office.do("POST", fmt.Sprintf("/api/v1/spot-plans/%d/draw", id), nil)
			if st != 200 {
				h.t.Fatalf("spot draw: %d %s", st, b)
			}
			h.conforms("POST", fmt.Sprintf("/api/v1/spot-plans/%d/draw", id), st, b)
			if pl := decode[map[string]any](h.t, b); pl["seed"] == nil {
				h.t.Fatalf("a drawn plan hides its seed: %s", b)
			}
		}
		return id
	}
	committed, drawn, toClose := plan(false), plan(true), plan(true)
	for _, path := range []string{fmt.Sprintf("/api/v1/spot-plans/%d", drawn), fmt.Sprintf("/api/v1/spot-plans/%d/population", drawn),
		fmt.Sprintf("/api/v1/spot-plans/%d/verify", drawn), "/api/v1/spot-plans?region=" + region, "/api/v1/spot-plans/inspectors?region=" + region} {
		st, b := office.do("GET", path, nil)
		if st != 200 {
			h.t.Fatalf("%s: %d %s", path, st, b)
		}
		h.conforms("GET", path, st, b)
	}
	return map[string]target{
		"GET /api/v1/spot-plans/inspectors":          {path: "/api/v1/spot-plans/inspectors?region=" + region},
		"POST /api/v1/spot-plans":                    {path: "/api/v1/spot-plans", body: map[string]any{"title": "越权", "region_code": region, "target_kind": "household", "sample_size": 1, "inspectors_per_target": 1, "inspector_ids": pool[:1]}},
		"GET /api/v1/spot-plans":                     {path: "/api/v1/spot-plans?region=" + region},
		"GET /api/v1/spot-plans/{id}":                {path: fmt.Sprintf("/api/v1/spot-plans/%d", drawn)},
		"GET /api/v1/spot-plans/{id}/population":     {path: fmt.Sprintf("/api/v1/spot-plans/%d/population", drawn)},
		"GET /api/v1/spot-plans/{id}/verify":         {path: fmt.Sprintf("/api/v1/spot-plans/%d/verify", drawn)},
		"POST /api/v1/spot-plans/{id}/draw":          {path: fmt.Sprintf("/api/v1/spot-plans/%d/draw", committed)},
		"POST /api/v1/spot-plans/{id}/close":         {path: fmt.Sprintf("/api/v1/spot-plans/%d/close", toClose)},
		"POST /api/v1/spot-plans/{id}/targets/{pos}": {path: fmt.Sprintf("/api/v1/spot-plans/%d/targets/0", drawn), body: map[string]any{"result": "ok"}},
	}
}

// alertTargets are the alert handling routes aimed at alerts of county planted for its poverty
// office (the engine is not needed to handle an alert). On the way, one alert goes through the
// whole handling over HTTP and every answer is checked against openapi.json.
func (h *harness) alertTargets(county string) map[string]target {
	h.t.Helper()
	ctx := context.Background()
	region, village := county+"000000", county+"100201"
	var ids [6]int64
	err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		run, err := tx.InsertID(ctx, `INSERT INTO alert_runs (region_code, mode, status, ruleset_version, started_by, started_by_name, started_at)
			VALUES (?, 'full', 'done', 0, 1, 'fixture', ?) RETURNING id`, region, now)
		if err != nil {
			return err
		}
		for i := range ids {
			status := "open"
			if i == 2 {
				status = "assigned"
			}
			if ids[i], err = tx.InsertID(ctx, `INSERT INTO alerts (alert_key, rule_key, rule_label, category, severity, department, region_code,
				entity_type, entity_id, amount_fen, explanation, evidence_json, evidence_hash, status, deadline, first_run_id, last_run_id,
				created_at, updated_at) VALUES (?, 'no_helper', '在档户无帮扶责任人', 'registry', 'medium', 'poverty_office', ?, 'household', ?, 0,
				'fixture', '{}', 'h', ?, '2026-01-10', ?, ?, ?, ?) RETURNING id`,
				fmt.Sprintf("fixture:%s:%d", county, i), village, i+1, status, run, run, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal("alert fixture: ", err)
	}
	office := h.login("poverty_office_" + county)
	check := func(method, path string, body any, want int) []byte {
		h.t.Helper()
		st, b := office.do(method, path, body)
		if st != want {
			h.t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, path, st, b)
		return b
	}
	for _, path := range []string{"/api/v1/alerts?region=" + region, "/api/v1/alerts?mine=1&status=pending&light=red&limit=2",
		"/api/v1/alerts/stats?region=" + region, "/api/v1/alerts/supervision?region=" + region,
		"/api/v1/alerts/supervision?by_region=1", fmt.Sprintf("/api/v1/alerts/%d", ids[0]), fmt.Sprintf("/api/v1/alerts/%d/assignees", ids[0]),
		"/api/v1/oversight/cockpit?region=" + region} {
		check("GET", path, nil, 200)
	}
	// the whole handling of ids[5], the last step with an attachment
	a := fmt.Sprintf("/api/v1/alerts/%d", ids[5])
	check("POST", a+"/assign", map[string]any{"note": "请核实", "version": 1}, 200)
	check("POST", a+"/verify", map[string]any{"note": "入户", "version": 2}, 200)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "核查记录.txt")
	_, _ = io.WriteString(fw, "核查记录")
	_ = mw.Close()
	st, b := office.send("POST", a+"/attachments", &buf, mw.FormDataContentType())
	if st != 201 {
		h.t.Fatalf("attach: %d %s", st, b)
	}
	h.conforms("POST", a+"/attachments", st, b)
	attachment := fmt.Sprintf("%s/attachments/%v", a, decode[map[string]any](h.t, b)["id"])
	// a department reads the files of alerts it may read, though it has no household.read
	if st, got := h.login("department_"+county).do("GET", attachment, nil); st != 200 || string(got) != "核查记录" {
		h.t.Fatalf("department reads the alert's attachment: %d %s", st, got)
	}
	d := decode[map[string]any](h.t, check("POST", a+"/close", map[string]any{"outcome": "substantiated", "findings": "情况属实", "version": 3}, 200))
	if d["status"] != "closed" || len(d["attachments"].([]any)) != 1 || len(d["history"].([]any)) != 4 {
		h.t.Fatalf("closed alert %v", d)
	}
	check("POST", a+"/close", map[string]any{"outcome": "substantiated", "findings": "情况属实", "version": 4}, 409)
	check("POST", a+"/assign", map[string]any{"version": 1}, 409)
	check("GET", "/api/v1/alerts?status=done", nil, 400)
	st, b = office.do("GET", "/api/v1/alerts/export?format=csv&region="+region, nil)
	if st != 200 || !strings.Contains(string(b), "预警编号") {
		h.t.Fatalf("export: %d %.200s", st, b)
	}
	return map[string]target{
		"GET /api/v1/alerts":                               {path: "/api/v1/alerts?region=" + region},
		"GET /api/v1/alerts/stats":                         {path: "/api/v1/alerts/stats?region=" + region},
		"GET /api/v1/alerts/supervision":                   {path: "/api/v1/alerts/supervision?region=" + region},
		"GET /api/v1/alerts/export":                        {path: "/api/v1/alerts/export?format=csv&region=" + region},
		"GET /api/v1/oversight/cockpit":                    {path: "/api/v1/oversight/cockpit?region=" + region},
		"GET /api/v1/alerts/{id}":                          {path: fmt.Sprintf("/api/v1/alerts/%d", ids[0])},
		"GET /api/v1/alerts/{id}/assignees":                {path: fmt.Sprintf("/api/v1/alerts/%d/assignees", ids[0]), deptBound: true},
		"POST /api/v1/alerts/{id}/assign":                  {path: fmt.Sprintf("/api/v1/alerts/%d/assign", ids[1]), body: map[string]any{"note": "越权", "version": 1}, deptBound: true},
		"POST /api/v1/alerts/{id}/verify":                  {path: fmt.Sprintf("/api/v1/alerts/%d/verify", ids[2]), body: map[string]any{"note": "越权", "version": 1}, deptBound: true},
		"POST /api/v1/alerts/{id}/close":                   {path: fmt.Sprintf("/api/v1/alerts/%d/close", ids[3]), body: map[string]any{"outcome": "unfounded", "findings": "越权办结", "version": 1}, deptBound: true},
		"POST /api/v1/alerts/{id}/attachments":             {path: fmt.Sprintf("/api/v1/alerts/%d/attachments", ids[4]), body: map[string]any{}, deptBound: true},
		"GET /api/v1/alerts/{id}/attachments/{attachment}": {path: attachment},
	}
}

// assetTargets: an asset of an accepted project of the county (the project written straight
// into the tables, the asset and its income through the service) and the asset routes aimed
// at them. Bodies of writes that allowed roles may send are invalid, so nothing is booked.
func (h *harness) assetTargets(county string) map[string]target {
	h.t.Helper()
	ctx := context.Background()
	region := county + "000000"
	var proj int64
	var village string
	err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		acct, err := tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('project', ?, ?, 1, ?) RETURNING id`,
			"XMSCOPE"+county+" 越权测试项目", region, now)
		if err != nil {
			return err
		}
		if proj, err = tx.InsertID(ctx, `INSERT INTO projects (code, name, kind, region_code, year, budget_fen, implementer, stage, stage_since, status,
			account_id, created_by, created_at, updated_at) VALUES (?, '越权测试项目', 'household', ?, 2026, 100, '县扶贫办', 7, '2026-01-01', 'active', ?, 1, ?, ?) RETURNING id`,
			"XMSCOPE"+county, region, acct, now, now); err != nil {
			return err
		}
		lo, hi := county+"000000", county+"999999"
		var hh int64
		if err := tx.QueryRowContext(ctx, `SELECT id, region_code FROM households WHERE region_code BETWEEN ? AND ? AND status = 'registered' ORDER BY id LIMIT 1`, lo, hi).
			Scan(&hh, &village); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO project_beneficiaries (project_id, household_id, link, status, region_code, created_by, created_at, updated_at)
			VALUES (?, ?, '分红', 'approved', ?, 1, ?, ?)`, proj, hh, village, now, now)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	// through the API, each answer checked against openapi.json
	office, finance := h.login("poverty_office_"+county), h.login("finance_"+county)
	call := func(c *client, method, path string, body any, want int, out any) {
		h.t.Helper()
		st, b := c.do(method, path, body)
		if st != want {
			h.t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, strings.Split(path, "?")[0], st, b)
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				h.t.Fatal(err)
			}
		}
	}
	var asset projects.AssetDetail
	call(office, "POST", "/api/v1/assets", projects.AssetInput{Name: "越权测试资产", ProjectID: proj, Kind: "operating", ValueYuan: "100",
		Ownership: "村集体", RegionCode: village, PropertyRegNo: "越权测试第1号", Custodian: "村委会"}, 201, &asset)
	year := h.app.DB.Clock().Year()
	var income, paid projects.Income
	call(office, "POST", fmt.Sprintf("/api/v1/assets/%d/incomes", asset.ID), projects.IncomeInput{Year: year - 1, AmountYuan: "10"}, 201, &income)
	call(office, "POST", fmt.Sprintf("/api/v1/assets/%d/incomes", asset.ID), projects.IncomeInput{Year: year - 2, AmountYuan: "20"}, 201, &paid)
	var prop projects.Proposal
	call(finance, "GET", fmt.Sprintf("/api/v1/asset-incomes/%d/proposal", paid.ID), nil, 200, &prop)
	lines := []projects.DistributeLine{}
	for _, l := range prop.Lines {
		lines = append(lines, projects.DistributeLine{HouseholdID: l.HouseholdID, AmountYuan: money.FormatPlain(l.AmountFen)})
	}
	call(finance, "POST", fmt.Sprintf("/api/v1/asset-incomes/%d/distribute", paid.ID), projects.DistributeInput{Version: paid.Version, Lines: lines}, 200, &paid)
	if paid.Status != "distributed" || len(paid.Lines) != 1 {
		h.t.Fatalf("distributed %+v", paid)
	}
	call(office, "GET", fmt.Sprintf("/api/v1/assets/%d", asset.ID), nil, 200, nil)
	call(office, "GET", "/api/v1/assets?attention=idle&limit=5", nil, 200, nil)
	call(office, "GET", "/api/v1/assets?q=越权&region="+region, nil, 200, nil)
	call(office, "GET", "/api/v1/assets/register?region="+region, nil, 200, nil)
	a, i := fmt.Sprint(asset.ID), fmt.Sprint(income.ID)
	return map[string]target{
		"GET /api/v1/assets":                         {path: "/api/v1/assets?region=" + region},
		"GET /api/v1/assets/register":                {path: "/api/v1/assets/register?region=" + region},
		"POST /api/v1/assets":                        {path: "/api/v1/assets", body: map[string]any{"project_id": proj, "region_code": village, "name": "越权"}},
		"GET /api/v1/assets/{id}":                    {path: "/api/v1/assets/" + a},
		"PUT /api/v1/assets/{id}":                    {path: "/api/v1/assets/" + a, body: map[string]any{"name": "越权", "version": 1}},
		"POST /api/v1/assets/{id}/incomes":           {path: "/api/v1/assets/" + a + "/incomes", body: map[string]any{"year": 1999, "amount_yuan": "1"}},
		"GET /api/v1/asset-incomes/{id}/proposal":    {path: "/api/v1/asset-incomes/" + i + "/proposal"},
		"POST /api/v1/asset-incomes/{id}/distribute": {path: "/api/v1/asset-incomes/" + i + "/distribute", body: map[string]any{}},
	}
}

// supportTargets are the routes of project beneficiaries, risks, 容错 and village plans aimed
// at objects of county: projects written straight into the database, the rest made over HTTP
// (each answer checked against openapi.json) — an application reviewed by the village and the
// town (the county reviews next), a risk, a 容错 request, a filed village plan and a draft one.
func (h *harness) supportTargets(county string) map[string]target {
	h.t.Helper()
	ctx := context.Background()
	town, village := county+"100000", county+"100201"
	var project, toTolerate int64
	var households []int64
	err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		rows, err := tx.QueryContext(ctx, `SELECT id FROM households WHERE region_code = ? AND status = 'registered' ORDER BY id LIMIT 2`, village)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			households = append(households, id)
		}
		rows.Close()
		for i, id := range []*int64{&project, &toTolerate} {
			code := fmt.Sprintf("XMS-%s-%d", county, i)
			acct, err := tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at)
				VALUES ('project', ?, ?, 1, ?) RETURNING id`, code, town, now)
			if err != nil {
				return err
			}
			if *id, err = tx.InsertID(ctx, `INSERT INTO projects (code, name, kind, subkind, region_code, year, budget_fen, implementer,
				stage, stage_since, status, account_id, created_by, created_at, updated_at)
				VALUES (?, '到户项目', 'household', '', ?, 2026, 100000000, '镇农办', 2, '2026-01-01', 'active', ?, 1, ?, ?) RETURNING id`,
				code, town, acct, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(households) < 2 {
		h.t.Fatalf("support fixture: %v (%d households)", err, len(households))
	}
	check := func(c *client, method, path string, body any, want int) map[string]any {
		h.t.Helper()
		st, b := c.do(method, path, body)
		if st != want {
			h.t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, path, st, b)
		if strings.HasPrefix(string(b), "[") {
			return nil
		}
		return decode[map[string]any](h.t, b)
	}
	office, townOffice, cadre := h.login("poverty_office_"+county), h.login("poverty_office_"+town[:9]), h.login("village_cadre_"+village)
	p := fmt.Sprintf("/api/v1/projects/%d", project)
	b := check(cadre, "POST", p+"/beneficiaries", map[string]any{"household_id": households[0], "link": "subsidy", "expected_income_yuan": "800"}, 201)
	review := fmt.Sprintf("/api/v1/project-beneficiaries/%v/review", b["id"])
	check(cadre, "POST", review, map[string]any{"decision": "pass", "version": 1}, 200)
	check(townOffice, "POST", review, map[string]any{"decision": "pass", "version": 2}, 200)
	risk := check(office, "POST", p+"/risks", map[string]any{"title": "工期风险", "likelihood": "low", "impact": "medium", "owner": "王五"}, 201)
	tol := check(office, "POST", fmt.Sprintf("/api/v1/projects/%d/tolerances", toTolerate),
		map[string]any{"reason": "自然灾害", "people": []any{map[string]any{"name": "张三", "position": "村书记"}}}, 201)
	plan := check(cadre, "POST", "/api/v1/village-plans", map[string]any{"region_code": village, "year": 2026, "title": "村级规划"}, 201)
	draft := check(cadre, "POST", "/api/v1/village-plans", map[string]any{"region_code": village, "year": 2027, "title": "下年规划"}, 201)
	vp := fmt.Sprintf("/api/v1/village-plans/%v", plan["id"])
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "规划.txt")
	_, _ = io.WriteString(fw, "村级项目规划")
	_ = mw.Close()
	st, got := cadre.send("POST", vp+"/attachment", &buf, mw.FormDataContentType())
	if st != 200 {
		h.t.Fatalf("plan attachment: %d %s", st, got)
	}
	h.conforms("POST", vp+"/attachment", st, got)
	check(cadre, "POST", vp+"/file", map[string]any{"version": 2}, 200)
	for _, path := range []string{p + "/beneficiaries", p + "/risks", fmt.Sprintf("/api/v1/projects/%d/tolerances", toTolerate), vp,
		"/api/v1/village-plans?region=" + town + "&year=2026&limit=1", "/api/v1/village-plans?status=draft"} {
		check(townOffice, "GET", path, nil, 200)
	}
	if st, got := townOffice.do("GET", vp+"/attachment", nil); st != 200 || string(got) != "村级项目规划" {
		h.t.Fatalf("plan text: %d %s", st, got)
	}
	dp := fmt.Sprintf("/api/v1/village-plans/%v", draft["id"])
	return map[string]target{
		"GET /api/v1/projects/{id}/beneficiaries":        {path: p + "/beneficiaries"},
		"POST /api/v1/projects/{id}/beneficiaries":       {path: p + "/beneficiaries", body: map[string]any{"household_id": households[1], "link": "subsidy"}},
		"POST /api/v1/project-beneficiaries/{id}/review": {path: review, body: map[string]any{"decision": "reject", "opinion": "越权", "version": 3}, levelBound: true},
		"GET /api/v1/projects/{id}/risks":                {path: p + "/risks"},
		"POST /api/v1/projects/{id}/risks":               {path: p + "/risks", body: map[string]any{"title": "越权", "likelihood": "low", "impact": "low", "owner": "越权"}},
		"POST /api/v1/project-risks/{id}/close":          {path: fmt.Sprintf("/api/v1/project-risks/%v/close", risk["id"]), body: map[string]any{"note": "越权", "version": 1}},
		"GET /api/v1/projects/{id}/tolerances":           {path: p + "/tolerances"},
		"POST /api/v1/projects/{id}/tolerances":          {path: p + "/tolerances", body: map[string]any{"reason": "越权", "people": []any{map[string]any{"name": "越权"}}}},
		"POST /api/v1/project-tolerances/{id}/decide":    {path: fmt.Sprintf("/api/v1/project-tolerances/%v/decide", tol["id"]), body: map[string]any{"decision": "reject", "opinion": "越权", "version": 1}, levelBound: true},
		"GET /api/v1/village-plans":                      {path: "/api/v1/village-plans?region=" + town},
		"POST /api/v1/village-plans":                     {path: "/api/v1/village-plans", body: map[string]any{"region_code": village, "year": 2028, "title": "越权"}},
		"GET /api/v1/village-plans/{id}":                 {path: vp},
		"POST /api/v1/village-plans/{id}/attachment":     {path: dp + "/attachment"},
		"GET /api/v1/village-plans/{id}/attachment":      {path: vp + "/attachment"},
		"POST /api/v1/village-plans/{id}/file":           {path: dp + "/file", body: map[string]any{"version": 1}},
		"POST /api/v1/village-plans/{id}/decide":         {path: vp + "/decide", body: map[string]any{"decision": "return", "opinion": "越权", "version": 3}, levelBound: true},
	}
}

// projectTargets are the project routes aimed at a project of county registered over HTTP by
// its poverty office, with its research papers filed and signed by the village cadre (each
// answer checked against openapi.json). Signing aims at a later stage, so nobody signs.
func (h *harness) projectTargets(county string) map[string]target {
	h.t.Helper()
	region, village := county+"000000", county+"100201"
	office, cadre := h.login("poverty_office_"+county), h.login("village_cadre_"+village)
	check := func(c *client, method, path string, body any, want int) map[string]any {
		h.t.Helper()
		st, b := c.do(method, path, body)
		if st != want {
			h.t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		h.conforms(method, path, st, b)
		if strings.HasPrefix(string(b), "[") {
			return nil
		}
		return decode[map[string]any](h.t, b)
	}
	pr := check(office, "POST", "/api/v1/projects", map[string]any{"name": "越权测试项目", "kind": "village", "subkind": "mixed",
		"region_code": village, "year": 2026, "budget_yuan": "600000", "implementer": "镇人民政府"}, 201)
	p := fmt.Sprintf("/api/v1/projects/%v", pr["id"])
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("stage", "0")
	_ = mw.WriteField("doc_type", "survey")
	fw, _ := mw.CreateFormFile("file", "调研报告.txt")
	_, _ = io.WriteString(fw, "调研报告")
	_ = mw.Close()
	st, b := office.send("POST", p+"/documents", &buf, mw.FormDataContentType())
	if st != 201 {
		h.t.Fatalf("project document: %d %s", st, b)
	}
	h.conforms("POST", p+"/documents", st, b)
	file := fmt.Sprintf("%s/documents/%v/file", p, decode[map[string]any](h.t, b)["id"])
	if st, got := h.login("auditor_"+county).do("GET", file, nil); st != 200 || string(got) != "调研报告" {
		h.t.Fatalf("project document file: %d %s", st, got)
	}
	check(cadre, "POST", p+"/sign", map[string]any{"stage": 0, "opinion": "同意", "version": 1}, 200)
	check(office, "PUT", p, map[string]any{"name": "越权测试项目", "subkind": "mixed", "year": 2026, "budget_yuan": "600000",
		"implementer": "镇人民政府", "version": 2}, 200)
	for _, path := range []string{p, "/api/v1/projects?region=" + region, "/api/v1/projects?stage=1&overdue=0&kind=village&limit=1",
		"/api/v1/projects/board?region=" + region, "/api/v1/projects/stages"} {
		check(office, "GET", path, nil, 200)
	}
	st, b = h.anon().do("GET", "/api/v1/public/projects?region="+region, nil)
	if st != 200 {
		h.t.Fatalf("public projects: %d %s", st, b)
	}
	h.conforms("GET", "/api/v1/public/projects?region="+region, st, b)
	return map[string]target{
		"GET /api/v1/projects":                           {path: "/api/v1/projects?region=" + region},
		"POST /api/v1/projects":                          {path: "/api/v1/projects", body: map[string]any{"name": "越权", "kind": "household", "region_code": village, "year": 2026, "budget_yuan": "1", "implementer": "越权"}},
		"GET /api/v1/projects/board":                     {path: "/api/v1/projects/board?region=" + region},
		"GET /api/v1/projects/stages":                    {path: "/api/v1/projects/stages"},
		"GET /api/v1/projects/{id}":                      {path: p},
		"PUT /api/v1/projects/{id}":                      {path: p, body: map[string]any{"name": "越权", "version": 3}},
		"POST /api/v1/projects/{id}/documents":           {path: p + "/documents"},
		"GET /api/v1/projects/{id}/documents/{doc}/file": {path: file},
		"POST /api/v1/projects/{id}/sign":                {path: p + "/sign", body: map[string]any{"stage": 8, "opinion": "越权", "version": 3}},
	}
}
