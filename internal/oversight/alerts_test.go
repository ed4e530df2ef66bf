package oversight

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// testAlert is an alert row the handling tests plant directly (INSERT INTO alert_runs/alerts):
// handling must not depend on the engine.
type testAlert struct {
	rule, label, category, severity string
	dept                            auth.Role
	region                          string
	household                       int64
	amount                          int64
	status, outcome                 string
	deadline                        string
	created, closed                 string // stored timestamps; "" = now / not closed
}

// handlingAlert inserts one alert (and, the first time, the run it belongs to) and returns its id.
func handlingAlert(t *testing.T, f *fixture, a testAlert) int64 {
	t.Helper()
	if a.rule == "" {
		a.rule = "payee_deceased"
	}
	if a.label == "" {
		a.label = "向已死亡人员发放"
	}
	if a.category == "" {
		a.category = CatFunds
	}
	if a.severity == "" {
		a.severity = SevHigh
	}
	if a.dept == "" {
		a.dept = auth.PovertyOffice
	}
	if a.region == "" {
		a.region = villageA
	}
	if a.status == "" {
		a.status = StatusOpen
	}
	if a.deadline == "" {
		a.deadline = "2026-07-25"
	}
	var id int64
	n := f.Seq.Add(1)
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		if a.created == "" {
			a.created = now
		}
		var run int64
		if err := tx.QueryRowContext(f.Ctx, `SELECT COALESCE(MAX(id), 0) FROM alert_runs`).Scan(&run); err != nil {
			return err
		}
		if run == 0 {
			var err error
			run, err = tx.InsertID(f.Ctx, `INSERT INTO alert_runs (region_code, mode, status, ruleset_version, started_by, started_by_name, started_at)
				VALUES (?, 'full', 'done', 0, 1, 'test', ?) RETURNING id`, cityCode, now)
			if err != nil {
				return err
			}
		}
		var hh, closed any
		if a.household > 0 {
			hh = a.household
		}
		if a.closed != "" {
			closed = a.closed
		}
		var err error
		id, err = tx.InsertID(f.Ctx, `INSERT INTO alerts (alert_key, rule_key, rule_label, category, severity, department, region_code,
			entity_type, entity_id, household_id, amount_fen, explanation, evidence_json, evidence_hash, status, outcome, deadline,
			closed_at, first_run_id, last_run_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'transfer', ?, ?, ?, ?, ?, 'h', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			fmt.Sprintf("%s:test=%d", a.rule, n), a.rule, a.label, a.category, a.severity, string(a.dept), a.region, n, hh, a.amount,
			"测试预警", `{"rows":[{"transfer_id":`+fmt.Sprint(n)+`}]}`, a.status, a.outcome, a.deadline, closed, run, run, a.created, a.created)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func alertWantCode(t *testing.T, err error, code errs.Code, what string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func alertWantField(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid || e.Fields[field] == "" {
		t.Fatalf("want a field error on %s, got %v", field, err)
	}
}

func alertIDs(rows []AlertRow) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// Lists: scope, newest first, keyset pages, every filter, and the lights computed when read
// (now is 2026-07-15 in Shanghai).
func TestAlertListFiltersAndLights(t *testing.T) {
	f := newFixture(t)
	hh := f.Household(villageB, "registered")
	yellow := handlingAlert(t, f, testAlert{deadline: "2026-07-17"})                                         // 2 days left
	none := handlingAlert(t, f, testAlert{deadline: "2026-07-18", category: CatRegistry, rule: "no_helper"}) // 3 days left
	orange := handlingAlert(t, f, testAlert{deadline: "2026-07-08", region: villageB, household: hh})        // 7 days past
	red := handlingAlert(t, f, testAlert{deadline: "2026-07-07", dept: auth.Finance, severity: SevLow})      // 8 days past
	closed := handlingAlert(t, f, testAlert{deadline: "2026-07-01", status: StatusClosed, outcome: OutcomeUnfounded, closed: "2026-07-02T02:00:00.000000Z"})
	other := handlingAlert(t, f, testAlert{region: villageOth, deadline: "2026-07-01"})

	office := f.County(auth.PovertyOffice)
	rows, err := f.S.Alerts(f.Ctx, office, AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := alertIDs(rows), []int64{closed, red, orange, none, yellow}; !slices.Equal(got, want) {
		t.Fatalf("county list %v, want %v (newest first, nothing of the other county)", got, want)
	}
	lights := map[int64]string{}
	for _, r := range rows {
		lights[r.ID] = r.Light
	}
	if lights[yellow] != LightYellow || lights[none] != "" || lights[orange] != LightOrange || lights[red] != LightRed || lights[closed] != "" {
		t.Fatalf("lights %v", lights)
	}
	for _, r := range rows {
		if r.ID == red && (r.OverdueDays != 8 || r.DepartmentLabel != "财政局") {
			t.Fatalf("red row %+v", r)
		}
		if r.ID == orange && (r.HouseholdID == nil || *r.HouseholdID != hh || r.HouseholdNo == "" || r.RegionName == "") {
			t.Fatalf("orange row %+v", r)
		}
		if r.ID == closed && r.OverdueDays != 0 {
			t.Fatalf("a closed alert is never overdue: %+v", r)
		}
	}

	// keyset pages
	p1, _ := f.S.Alerts(f.Ctx, office, AlertFilter{Limit: 2})
	p2, _ := f.S.Alerts(f.Ctx, office, AlertFilter{Limit: 2, After: p1[1].ID})
	if got := append(alertIDs(p1), alertIDs(p2)...); !slices.Equal(got, []int64{closed, red, orange, none}) {
		t.Fatalf("pages %v", got)
	}

	list := func(f2 AlertFilter, p *auth.Principal) []int64 {
		t.Helper()
		rows, err := f.S.Alerts(f.Ctx, p, f2)
		if err != nil {
			t.Fatal(err)
		}
		return alertIDs(rows)
	}
	for name, c := range map[string]struct {
		f    AlertFilter
		p    *auth.Principal
		want []int64
	}{
		"pending":     {AlertFilter{Status: "pending"}, office, []int64{red, orange, none, yellow}},
		"closed":      {AlertFilter{Status: StatusClosed}, office, []int64{closed}},
		"category":    {AlertFilter{Category: CatRegistry}, office, []int64{none}},
		"rule":        {AlertFilter{Rule: "no_helper"}, office, []int64{none}},
		"department":  {AlertFilter{Department: "finance"}, office, []int64{red}},
		"severity":    {AlertFilter{Severity: SevLow}, office, []int64{red}},
		"light red":   {AlertFilter{Light: LightRed}, office, []int64{red}},
		"light yel":   {AlertFilter{Light: LightYellow}, office, []int64{yellow}},
		"household":   {AlertFilter{Household: hh}, office, []int64{orange}},
		"overdue":     {AlertFilter{Overdue: true}, office, []int64{red, orange}},
		"village":     {AlertFilter{Region: villageB}, office, []int64{orange}},
		"mine fin":    {AlertFilter{Mine: true}, f.County(auth.Finance), []int64{red}},
		"mine office": {AlertFilter{Mine: true, Status: "pending"}, office, []int64{orange, none, yellow}},
		"city":        {AlertFilter{Region: cityCode, Light: LightRed}, f.CityRole(auth.Discipline), []int64{other, red}},
		"city orange": {AlertFilter{Region: cityCode, Light: LightOrange}, f.CityRole(auth.Discipline), []int64{orange}},
	} {
		if got := list(c.f, c.p); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}

	// A county's rule set changes its lights (yellow 5 days before, red more than 1 day after);
	// the other county keeps the defaults, also in the city's list.
	f.exec(`INSERT INTO alert_rulesets (region_code, version, rules_json, note, created_by, created_by_name, created_at)
		VALUES (?, 1, ?, '', 1, 'test', ?)`, countyCode, `{"rules":[],"escalation":{"yellow_days_before":5,"red_days_after":1}}`, db.Time(f.Now))
	if got := list(AlertFilter{Light: LightYellow}, office); !slices.Equal(got, []int64{none, yellow}) {
		t.Errorf("county escalation yellow: %v", got)
	}
	if got := list(AlertFilter{Region: cityCode, Light: LightRed}, f.CityRole(auth.Discipline)); !slices.Equal(got, []int64{other, red, orange}) {
		t.Errorf("city list under a county's escalation: red %v", got)
	}
	d, err := f.S.Alert(f.Ctx, office, orange)
	if err != nil || d.Light != LightRed {
		t.Fatalf("detail light under the county's escalation: %q %v", d.Light, err)
	}
	d, err = f.S.Alert(f.Ctx, f.City, other)
	if err != nil || d.Light != LightRed { // 14 days past: red under the defaults too
		t.Fatalf("other county detail: %q %v", d.Light, err)
	}

	// across the county line: no list, no detail
	alertWantCode(t, func() error {
		_, err := f.S.Alerts(f.Ctx, f.Other(auth.PovertyOffice), AlertFilter{Region: countyCode})
		return err
	}(), errs.Forbidden, "list other county")
	alertWantCode(t, func() error { _, err := f.S.Alert(f.Ctx, f.Other(auth.PovertyOffice), yellow); return err }(), errs.NotFound, "detail other county")
	alertWantCode(t, func() error { _, err := f.S.Alert(f.Ctx, f.County(auth.Helper), yellow); return err }(), errs.Forbidden, "helper lacks alert.read")
	alertWantCode(t, func() error { _, err := f.S.Alert(f.Ctx, office, 999999); return err }(), errs.NotFound, "unknown alert")
	if rows, err := f.S.Alerts(f.Ctx, f.Other(auth.PovertyOffice), AlertFilter{}); err != nil || !slices.Equal(alertIDs(rows), []int64{other}) {
		t.Fatalf("other county's own list: %v %v", alertIDs(rows), err)
	}

	// the detail
	d, err = f.S.Alert(f.Ctx, office, yellow)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Evidence) == "" || d.Attachments == nil || d.History == nil || d.Cases == nil || d.Light != LightYellow {
		t.Fatalf("detail %+v", d)
	}
}

func TestAlertFilterValidation(t *testing.T) {
	for q, field := range map[string]string{
		"status=done":                     "status",
		"category=x":                      "category",
		"severity=critical":               "severity",
		"light=green":                     "light",
		"department=boss":                 "department",
		"household=-1":                    "household",
		"household=x":                     "household",
		"mine=yes":                        "mine",
		"overdue=2":                       "overdue",
		"region=3209":                     "region",
		"rule=" + strings.Repeat("x", 65): "rule",
	} {
		v, _ := url.ParseQuery(q)
		_, err := ParseAlertFilter(v)
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || e.Fields[field] == "" {
			t.Errorf("%s: %v, want a field error on %s", q, err, field)
		}
	}
	v, _ := url.ParseQuery("status=pending&category=funds&severity=high&light=red&department=finance&household=3&mine=1&overdue=1&region=320921000000&rule=payee_deceased")
	f, err := ParseAlertFilter(v)
	if err != nil || !f.Mine || !f.Overdue || f.Household != 3 || f.Department != "finance" {
		t.Fatalf("valid filter: %+v %v", f, err)
	}
	for _, c := range []string{"", "0", "-1", "01", "x", "1.5"} {
		n, err := parseAlertCursor(c)
		if (c == "") != (err == nil) || n != 0 {
			t.Errorf("cursor %q: %d %v", c, n, err)
		}
	}
}

func TestLightOf(t *testing.T) {
	e := Escalation{YellowDaysBefore: 2, RedDaysAfter: 7}
	for deadline, want := range map[string]string{
		"2026-07-20": "", "2026-07-18": "", "2026-07-17": LightYellow, "2026-07-15": LightYellow,
		"2026-07-14": LightOrange, "2026-07-08": LightOrange, "2026-07-07": LightRed, "2025-01-01": LightRed,
	} {
		if got := LightOf(StatusAssigned, deadline, "2026-07-15", e); got != want {
			t.Errorf("deadline %s: %q, want %q", deadline, got, want)
		}
	}
	if LightOf(StatusClosed, "2025-01-01", "2026-07-15", e) != "" {
		t.Error("closed alerts have no light")
	}
}

// FuzzParseAlertFilter: any query string either gives a field error or a filter whose every
// value is in its vocabulary.
func FuzzParseAlertFilter(f *testing.F) {
	for _, s := range []string{"", "status=pending", "light=red&mine=1", "household=12&overdue=0", "region=320921000000&rule=x",
		"status=%ff", "department=admin&severity=low&category=projects", "household=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := ParseAlertFilter(v)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || len(e.Fields) != 1 {
				t.Fatalf("%q: not a field error: %v", raw, err)
			}
			return
		}
		if fl.Check() != nil || fl.Household < 0 {
			t.Fatalf("%q: accepted an invalid filter %+v", raw, fl)
		}
		if fl.Status != "" && fl.Status != "pending" && !slices.Contains(alertStatuses, fl.Status) {
			t.Fatalf("%q: status %q", raw, fl.Status)
		}
		if fl.Light != "" && !slices.Contains(alertLights, fl.Light) {
			t.Fatalf("%q: light %q", raw, fl.Light)
		}
	})
}

// The detail lists the cases (问责) recorded on an alert, only to case.read holders.
func TestAlertDetailCases(t *testing.T) {
	f := newFixture(t)
	id := handlingAlert(t, f, testAlert{dept: auth.Finance})
	f.exec(`INSERT INTO accountability_cases (region_code, person_name, violation, handling, decided_on, alert_id, created_by, created_at)
		VALUES (?, '某某', '优亲厚友', 'talk', '2026-07-01', ?, 1, ?)`, villageA, id, db.Time(f.Now))
	d, err := f.S.Alert(f.Ctx, f.County(auth.Discipline), id)
	if err != nil || len(d.Cases) != 1 || d.Cases[0].PersonName != "某某" || d.Cases[0].Handling != "talk" {
		t.Fatalf("discipline sees %+v %v", d.Cases, err)
	}
	d, err = f.S.Alert(f.Ctx, f.County(auth.Finance), id)
	if err != nil || d.Cases == nil || len(d.Cases) != 0 {
		t.Fatalf("finance (no case.read) sees %+v %v", d.Cases, err)
	}
}
