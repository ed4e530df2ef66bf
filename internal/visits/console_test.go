package visits_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/visits"
)

// conFixture is the demo (two counties, with its visits, photos, signs and locations) seen
// from the office console: the county office of 320921, its auditor, and the office next door.
type conFixture struct {
	t       *testing.T
	ctx     context.Context
	d       *db.DB
	s       *visits.Service
	office  *auth.Principal // poverty_office of 320921
	auditor *auth.Principal // auditor of 320921: visit.read only
	other   *auth.Principal // poverty_office of 320922
}

var conScale = demo.Scale{Name: "console", Counties: []string{"320921", "320922"}, TownsPerCounty: 2, VillagesPerTown: 3, HouseholdsPerVillage: 8}

// conNow is 2026-11-24 16:00 in Shanghai: the current quarter is 2026Q4.
var conNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

func newConFixture(t *testing.T) *conFixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, d, conScale); err != nil {
		t.Fatal(err)
	}
	d.Clock = func() time.Time { return conNow }
	f := &conFixture{t: t, ctx: ctx, d: d, s: &visits.Service{DB: d, Audit: &audit.Service{DB: d}, Config: visits.DefaultConfig()}}
	f.office = f.user("poverty_office_320921")
	f.auditor = f.user("auditor_320921")
	f.other = f.user("poverty_office_320922")
	return f
}

func (f *conFixture) user(name string) *auth.Principal {
	f.t.Helper()
	p := &auth.Principal{Username: name}
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, name).
		Scan(&p.UserID, &p.Name, &p.Role, &p.Scope); err != nil {
		f.t.Fatalf("user %s: %v", name, err)
	}
	return p
}

func (f *conFixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(f.ctx, q, args...); return err }); err != nil {
		f.t.Fatal(err)
	}
}

func (f *conFixture) ints(q string, args ...any) []int64 {
	f.t.Helper()
	return queryInts(f.t, f.d, q, args...)
}

// queryInts is the one integer column a query answers, in its order.
func queryInts(t testing.TB, d *db.DB, q string, args ...any) []int64 {
	t.Helper()
	rows, err := d.Reader().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func (f *conFixture) one(q string, args ...any) int64 {
	f.t.Helper()
	l := f.ints(q, args...)
	if len(l) != 1 {
		f.t.Fatalf("%s: %d rows", q, len(l))
	}
	return l[0]
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// expected compliance, computed from the raw rows in Go: a household is due when registered,
// or exited with policy_until on or after the quarter's first day; visited when a visit's
// Shanghai quarter is the quarter.
type conExpect struct {
	byChild map[string]*visits.ComplianceCounts
	overdue map[int64]bool
}

func (f *conFixture) expect(prefix string, childLen int, quarter string) conExpect {
	f.t.Helper()
	first, _, err := visits.QuarterDates(quarter)
	if err != nil {
		f.t.Fatal(err)
	}
	visited := map[int64]bool{}
	rows, err := f.d.Reader().QueryContext(f.ctx, `SELECT household_id, visited_at FROM visits`)
	if err != nil {
		f.t.Fatal(err)
	}
	for rows.Next() {
		var hh int64
		var at string
		_ = rows.Scan(&hh, &at)
		if visits.QuarterOf(db.ParseTime(at)) == quarter {
			visited[hh] = true
		}
	}
	rows.Close()
	e := conExpect{byChild: map[string]*visits.ComplianceCounts{}, overdue: map[int64]bool{}}
	rows, err = f.d.Reader().QueryContext(f.ctx, `SELECT h.id, h.region_code, h.status, COALESCE(h.policy_until, ''),
		(SELECT COUNT(*) FROM assignments a WHERE a.household_id = h.id AND a.to_date IS NULL) FROM households h`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, helpers int64
		var code, status, policy string
		_ = rows.Scan(&id, &code, &status, &policy, &helpers)
		if !strings.HasPrefix(code, prefix) || !(status == "registered" || status == "exited" && policy >= first) {
			continue
		}
		c := e.byChild[code[:childLen]]
		if c == nil {
			c = &visits.ComplianceCounts{}
			e.byChild[code[:childLen]] = c
		}
		c.Due++
		if visited[id] {
			c.Visited++
		} else {
			e.overdue[id] = true
		}
		if helpers == 0 {
			c.NoHelper++
		}
	}
	return e
}

func TestCompliance(t *testing.T) {
	f := newConFixture(t)
	check := func(region, quarter string) visits.Compliance {
		t.Helper()
		c, err := f.s.Compliance(f.ctx, f.office, region, quarter)
		if err != nil {
			t.Fatal(err)
		}
		level := map[string]int{"county": 9, "town": 12, "village": 12}[c.Region.Level]
		e := f.expect(regioncode.Prefix(region), level, c.Quarter)
		var total visits.ComplianceCounts
		for _, n := range e.byChild {
			total.Due, total.Visited, total.NoHelper = total.Due+n.Due, total.Visited+n.Visited, total.NoHelper+n.NoHelper
		}
		if c.Total.Due != total.Due || c.Total.Visited != total.Visited || c.Total.NoHelper != total.NoHelper ||
			c.Total.Overdue != total.Due-total.Visited || total.Due == 0 {
			t.Fatalf("%s %s total %+v, want %+v", region, quarter, c.Total, total)
		}
		if want := float64(total.Visited) / float64(total.Due); c.Total.Rate < want-0.0001 || c.Total.Rate > want+0.0001 {
			t.Fatalf("rate %v, want %v", c.Total.Rate, want)
		}
		for _, ch := range c.Children {
			w := e.byChild[ch.Code[:level]]
			if w == nil {
				w = &visits.ComplianceCounts{}
			}
			if ch.Due != w.Due || ch.Visited != w.Visited || ch.NoHelper != w.NoHelper || ch.Overdue != w.Due-w.Visited {
				t.Fatalf("child %s %+v, want %+v", ch.Code, ch.ComplianceCounts, *w)
			}
			if ch.Due == 0 && ch.Rate != 1 {
				t.Fatalf("child %s with nothing due has rate %v", ch.Code, ch.Rate)
			}
		}
		return c
	}

	c := check("320921000000", "2026Q3")
	if c.Region.Level != "county" || len(c.Children) != conScale.TownsPerCounty || c.Children[0].Level != "town" {
		t.Fatalf("county children: %+v", c)
	}
	if c.Total.Rate < 0.8 {
		t.Fatalf("the demo visits about 90%% in 2026Q3: %+v", c.Total)
	}
	town := check("320921100000", "2026Q3")
	if len(town.Children) != conScale.VillagesPerTown || town.Children[0].Level != "village" || town.Total != c.Children[0].ComplianceCounts {
		t.Fatalf("town: %+v vs county's child %+v", town, c.Children[0])
	}
	village := check("320921100201", "2026Q3")
	if len(village.Children) != 0 || village.Total != town.Children[0].ComplianceCounts {
		t.Fatalf("village: %+v", village)
	}
	// The default quarter is the current Shanghai one.
	q4 := check("320921000000", "")
	if q4.Quarter != "2026Q4" {
		t.Fatalf("default quarter %s", q4.Quarter)
	}
	// The demo plants signs on visits of county 320921 (photos only in its first villages).
	if len(c.Signals) != 4 || c.Signals[visits.SignalSamePhoto]+q4.Signals[visits.SignalSamePhoto] != 4 {
		t.Fatalf("signals %v %v: the demo puts one photo on two households twice", c.Signals, q4.Signals)
	}
	var sig int64
	for _, k := range visits.SignalKinds {
		sig += c.Signals[k] + q4.Signals[k]
	}
	if want := f.one(`SELECT COUNT(*) FROM (SELECT DISTINCT s.visit_id, s.kind FROM visit_signals s JOIN visits v ON v.id = s.visit_id
		WHERE v.region_code LIKE '320921%' AND v.quarter IN ('2026Q3', '2026Q4')) x`); sig != want {
		t.Fatalf("signals counted %d, want %d", sig, want)
	}

	// A visit to an overdue household counts at once; the household leaves the overdue list.
	e := f.expect("320921", 9, "2026Q4")
	var target int64
	for id := range e.overdue {
		if target == 0 || id < target {
			target = id
		}
	}
	f.insertVisit(target, time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC), "con-visit-1")
	after := check("320921000000", "2026Q4")
	if after.Total.Visited != q4.Total.Visited+1 || after.Total.Overdue != q4.Total.Overdue-1 {
		t.Fatalf("after a visit: %+v, before %+v", after.Total, q4.Total)
	}
	// A visit at 00:00 on 1 October in Shanghai, the quarter's first instant (16:00 UTC on 30
	// September), is in Q4.
	var edge int64
	for id := range e.overdue {
		if id != target && (edge == 0 || id < edge) {
			edge = id
		}
	}
	f.insertVisit(edge, time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC), "con-visit-2")
	if c := check("320921000000", "2026Q4"); c.Total.Visited != after.Total.Visited+1 {
		t.Fatalf("00:00 on 1 October in Shanghai is Q4: %+v", c.Total)
	}

	// An exited household is due while its policy runs at the quarter's start.
	var exited int64
	for _, id := range f.ints(`SELECT id FROM households WHERE region_code LIKE '320921%' AND status = 'registered' ORDER BY id`) {
		if e.overdue[id] && id != target && id != edge {
			exited = id
			break
		}
	}
	f.exec(`UPDATE households SET status = 'exited', exited_on = '2024-06-30', policy_until = '2026-10-01' WHERE id = ?`, exited)
	if c := check("320921000000", "2026Q4"); c.Total.Due != after.Total.Due {
		t.Fatalf("policy until the quarter's first day: still due: %+v", c.Total)
	}
	f.exec(`UPDATE households SET policy_until = '2026-09-30' WHERE id = ?`, exited)
	if c := check("320921000000", "2026Q4"); c.Total.Due != after.Total.Due-1 {
		t.Fatalf("policy ended before the quarter: not due: %+v vs %+v", c.Total, after.Total)
	}

	// Bad input and scope.
	_, err := f.s.Compliance(f.ctx, f.office, "", "2026Q5")
	if e, ok := errs.As(err); !ok || e.Fields["quarter"] == "" {
		t.Fatalf("bad quarter: %v", err)
	}
	_, err = f.s.Compliance(f.ctx, f.office, "3209", "")
	wantCode(t, "bad region", err, errs.Invalid)
	_, err = f.s.Compliance(f.ctx, f.office, "320922000000", "")
	wantCode(t, "other county", err, errs.Forbidden)
	_, err = f.s.Compliance(f.ctx, f.office, "320921999999", "")
	wantCode(t, "unknown village", err, errs.NotFound)
	_, err = f.s.Compliance(f.ctx, f.user("helper_320921"), "", "")
	wantCode(t, "helper role", err, errs.Forbidden)
	if _, err = f.s.Compliance(f.ctx, f.auditor, "", ""); err != nil {
		t.Fatalf("auditor: %v", err)
	}
}

// insertVisit stores a bare visit of household hh by its current helper (as the sync would).
func (f *conFixture) insertVisit(hh int64, at time.Time, clientID string) int64 {
	f.t.Helper()
	var id int64
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		var err error
		id, err = tx.InsertID(f.ctx, `INSERT INTO visits (client_id, household_id, helper_id, user_id, region_code, quarter, visited_at,
			recorded_at, received_at, g_food, g_education, g_medical, g_housing, g_water, content_hash, created_at, updated_at)
			SELECT ?, h.id, a.helper_id, (SELECT MIN(id) FROM users), h.region_code, ?, ?, ?, ?, 'ok', 'ok', 'ok', 'ok', 'ok', 'x', ?, ?
			FROM households h JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL WHERE h.id = ? RETURNING id`,
			clientID, visits.QuarterOf(at), db.Time(at), db.Time(at), now, now, now, hh)
		return err
	})
	if err != nil {
		f.t.Fatalf("insert visit of %d: %v", hh, err)
	}
	return id
}

func TestOverdue(t *testing.T) {
	f := newConFixture(t)
	e := f.expect("320921", 9, "2026Q4")
	var got []visits.OverdueRow
	cursor := ""
	for page := 0; page < 100; page++ {
		rows, next := f.overduePage("320921000000", "2026Q4", cursor, 5)
		got = append(got, rows...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(got) != len(e.overdue) || len(got) == 0 {
		t.Fatalf("%d overdue rows, want %d", len(got), len(e.overdue))
	}
	for i, o := range got {
		if !e.overdue[o.HouseholdID] {
			t.Fatalf("household %d is not overdue", o.HouseholdID)
		}
		if i > 0 && (got[i-1].RegionCode > o.RegionCode || got[i-1].RegionCode == o.RegionCode && got[i-1].HouseholdID >= o.HouseholdID) {
			t.Fatalf("order broken at %d: %+v then %+v", i, got[i-1], o)
		}
		helper := f.ints(`SELECT helper_id FROM assignments WHERE household_id = ? AND to_date IS NULL`, o.HouseholdID)
		if len(helper) == 0 && (o.HelperID != 0 || o.HelperName != "") || len(helper) == 1 && (o.HelperID != helper[0] || o.HelperName == "") {
			t.Fatalf("helper of %d: %+v, assignments %v", o.HouseholdID, o, helper)
		}
		var last *string
		var s string
		if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT COALESCE(MAX(visited_at), '') FROM visits WHERE household_id = ?`, o.HouseholdID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != "" {
			x := db.ParseTime(s).Format(time.RFC3339)
			last = &x
		}
		if (last == nil) != (o.LastVisitAt == nil) || last != nil && *last != *o.LastVisitAt {
			t.Fatalf("last visit of %d: %v, want %v", o.HouseholdID, o.LastVisitAt, last)
		}
	}
	// A village's list is the county's rows of that village.
	rows, _ := f.overduePage("320921100201", "2026Q4", "", 200)
	n := 0
	for _, o := range got {
		if o.RegionCode == "320921100201" {
			n++
		}
	}
	if len(rows) != n {
		t.Fatalf("village overdue %d, county's rows of it %d", len(rows), n)
	}
	if _, err := f.s.Overdue(f.ctx, f.other, "320921000000", "", visits.OverdueCursor{}, 10); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("other county: %v", err)
	}
}

func (f *conFixture) overduePage(region, quarter, after string, limit int) ([]visits.OverdueRow, string) {
	f.t.Helper()
	c, err := visits.ParseOverdueCursor(after)
	if err != nil {
		f.t.Fatal(err)
	}
	rows, err := f.s.Overdue(f.ctx, f.office, region, quarter, c, limit+1)
	if err != nil {
		f.t.Fatal(err)
	}
	l := visits.OverduePage(rows, limit)
	if l.Next == nil {
		return l.Items, ""
	}
	return l.Items, *l.Next
}

func TestVisitList(t *testing.T) {
	f := newConFixture(t)
	all := func(filter visits.VisitFilter, p *auth.Principal) []visits.VisitRow {
		t.Helper()
		var out []visits.VisitRow
		filter.Limit = 8
		for {
			rows, err := f.s.Visits(f.ctx, p, filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 8 {
				return append(out, rows...)
			}
			out = append(out, rows[:7]...)
			filter.After = rows[6].ID
		}
	}
	ids := func(rows []visits.VisitRow) []int64 {
		out := []int64{}
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	desc := func(q string, args ...any) []int64 {
		l := f.ints(q+` ORDER BY id DESC`, args...)
		if l == nil {
			l = []int64{}
		}
		return l
	}
	county := all(visits.VisitFilter{}, f.office)
	if want := desc(`SELECT id FROM visits WHERE region_code LIKE '320921%'`); !slices.Equal(ids(county), want) || len(want) == 0 {
		t.Fatalf("county list: %d rows, want %d", len(county), len(want))
	}
	for _, r := range all(visits.VisitFilter{}, f.other) {
		if strings.HasPrefix(r.RegionCode, "320921") {
			t.Fatalf("the office next door sees %+v", r)
		}
	}
	if got, want := ids(all(visits.VisitFilter{Quarter: "2026Q3"}, f.office)), desc(`SELECT id FROM visits WHERE region_code LIKE '320921%' AND quarter = '2026Q3'`); !slices.Equal(got, want) {
		t.Fatalf("quarter: %v, want %v", got, want)
	}
	r0 := county[len(county)/2]
	if got, want := ids(all(visits.VisitFilter{HouseholdID: r0.HouseholdID}, f.office)), desc(`SELECT id FROM visits WHERE household_id = ?`, r0.HouseholdID); !slices.Equal(got, want) {
		t.Fatalf("household: %v, want %v", got, want)
	}
	if got, want := ids(all(visits.VisitFilter{HelperID: r0.HelperID, Region: r0.RegionCode[:9] + "000"}, f.office)),
		desc(`SELECT id FROM visits WHERE helper_id = ? AND region_code LIKE ?`, r0.HelperID, r0.RegionCode[:9]+"%"); !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("helper: %v, want %v", got, want)
	}
	anySig := all(visits.VisitFilter{Signal: "any"}, f.office)
	if want := desc(`SELECT id FROM visits v WHERE region_code LIKE '320921%' AND EXISTS (SELECT 1 FROM visit_signals s WHERE s.visit_id = v.id)`); !slices.Equal(ids(anySig), want) || len(want) < 4 {
		t.Fatalf("signal any: %v, want %v", ids(anySig), want)
	}
	same := all(visits.VisitFilter{Signal: visits.SignalSamePhoto}, f.office)
	if len(same) != 4 {
		t.Fatalf("same_photo visits %v", ids(same))
	}
	for _, r := range same {
		if !slices.Contains(r.Signals, visits.SignalSamePhoto) || r.Photos < 1 {
			t.Fatalf("same-photo row %+v", r)
		}
	}
	// Row fields against the stored visit.
	var hhNo, helperName string
	var photos int
	var dist *float64
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT h.household_no, e.name, (SELECT COUNT(*) FROM visit_photos p WHERE p.visit_id = v.id), v.distance_m
		FROM visits v JOIN households h ON h.id = v.household_id JOIN helpers e ON e.id = v.helper_id WHERE v.id = ?`, same[0].ID).
		Scan(&hhNo, &helperName, &photos, &dist); err != nil {
		t.Fatal(err)
	}
	if r := same[0]; r.HouseholdNo != hhNo || r.HelperName != helperName || r.Photos != photos || r.RegionName == "" || r.Version != 1 ||
		!strings.HasSuffix(r.VisitedAt, "Z") || r.Quarter == "" || (dist == nil) != (r.DistanceM == nil) {
		t.Fatalf("row %+v vs %s %s %d", r, hhNo, helperName, photos)
	}
	// Only visits with a conflict pending.
	if got := all(visits.VisitFilter{Conflict: true}, f.office); len(got) != 0 {
		t.Fatalf("conflicts before any: %v", ids(got))
	}
	f.addConflict(r0.ID, "")
	f.addConflict(county[0].ID, "server") // settled: not pending
	if got := ids(all(visits.VisitFilter{Conflict: true}, f.office)); !slices.Equal(got, []int64{r0.ID}) {
		t.Fatalf("conflict filter: %v, want [%d]", got, r0.ID)
	}
	for _, bad := range []visits.VisitFilter{{Quarter: "2026Q0"}, {Signal: "fake"}, {Region: "12"}} {
		bad.Limit = 5
		if _, err := f.s.Visits(f.ctx, f.office, bad); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	_, err := f.s.Visits(f.ctx, f.other, visits.VisitFilter{Region: "320921000000", Limit: 5})
	wantCode(t, "other county's region", err, errs.Forbidden)
}

// addConflict records a phone edit that met a server edit (as the sync does), settled or not.
func (f *conFixture) addConflict(visitID int64, resolution string) int64 {
	f.t.Helper()
	payload, _ := json.Marshal(visits.VisitUpload{ClientID: fmt.Sprintf("phone-copy-%d", visitID), HouseholdID: 1, BaseVersion: 1, Needs: "手机上的需求"})
	var id int64
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		var err error
		id, err = tx.InsertID(f.ctx, `INSERT INTO visit_conflicts (visit_id, base_version, server_version, payload_json, user_id, resolution, created_at, updated_at)
			SELECT id, 1, version, ?, user_id, ?, ?, ? FROM visits WHERE id = ? RETURNING id`, string(payload), resolution, now, now, visitID)
		if err != nil {
			return err
		}
		if resolution == "" {
			_, err = tx.ExecContext(f.ctx, `UPDATE visits SET conflict = 1 WHERE id = ?`, visitID)
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestVisitDetailAndEdit(t *testing.T) {
	f := newConFixture(t)
	// The visit that borrowed another household's photo: its own and the borrowed one.
	id := f.one(`SELECT s.visit_id FROM visit_signals s WHERE s.kind = 'same_photo'
		ORDER BY (SELECT COUNT(*) FROM visit_photos p WHERE p.visit_id = s.visit_id) DESC, s.visit_id LIMIT 1`)
	d, err := f.s.Detail(f.ctx, f.office, id)
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	var helperName, uploader string
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT v.content_hash, e.name, u.display_name FROM visits v JOIN helpers e ON e.id = v.helper_id
		JOIN users u ON u.id = v.user_id WHERE v.id = ?`, id).Scan(&hash, &helperName, &uploader); err != nil {
		t.Fatal(err)
	}
	if d.ID != id || d.Version != 1 || d.Household.Location == nil || d.Household.ID != d.HouseholdID || d.Helper.Name != helperName ||
		d.UploadedBy != uploader || d.Quarter == "" || d.RegionCode != d.Household.RegionCode || len(d.History) != 0 {
		t.Fatalf("detail %+v", d)
	}
	if len(d.Photos) < 2 || len(d.Photos) != len(d.VisitUpload.Photos) {
		t.Fatalf("photos %+v / %+v", d.Photos, d.VisitUpload.Photos)
	}
	for _, p := range d.Photos {
		if p.Width <= 0 || p.Height <= 0 || p.Size <= 0 || p.ContentType != "image/jpeg" || p.TakenAt == nil {
			t.Fatalf("photo %+v", p)
		}
	}
	var same *visits.DetailSignal
	for i, s := range d.Signals {
		if s.Kind == visits.SignalSamePhoto {
			same = &d.Signals[i]
		}
	}
	if same == nil || same.OtherVisitID == nil || *same.OtherVisitID == id || same.Detail == "" {
		t.Fatalf("signals %+v", d.Signals)
	}
	// The demo's content hash is the sync's: the stored visit rebuilt hashes the same.
	if got := d.VisitUpload.ContentHash(); got != hash {
		t.Fatalf("content hash %s, stored %s", got, hash)
	}
	for _, vid := range f.ints(`SELECT id FROM visits ORDER BY id LIMIT 40`) {
		v, err := f.s.Detail(f.ctx, &auth.Principal{Root: true, Role: auth.Admin, Scope: "320900000000"}, vid)
		if err != nil {
			t.Fatal(err)
		}
		var h string
		_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT content_hash FROM visits WHERE id = ?`, vid).Scan(&h)
		if v.VisitUpload.ContentHash() != h {
			t.Fatalf("visit %d: rebuilt hash differs from the stored one", vid)
		}
	}
	_, err = f.s.Detail(f.ctx, f.other, id)
	wantCode(t, "other county", err, errs.NotFound)
	_, err = f.s.Detail(f.ctx, f.office, 1<<40)
	wantCode(t, "unknown", err, errs.NotFound)

	// Conflicts come with the phone's payload.
	cid := f.addConflict(id, "")
	d, _ = f.s.Detail(f.ctx, f.auditor, id)
	if len(d.Conflicts) != 1 || d.Conflicts[0].ID != cid || d.Conflicts[0].Resolution != "" || d.Conflicts[0].UserName != uploader || !d.Conflict {
		t.Fatalf("conflicts %+v", d.Conflicts)
	}
	var payload visits.VisitUpload
	if err := json.Unmarshal(d.Conflicts[0].Payload, &payload); err != nil || payload.Needs != "手机上的需求" {
		t.Fatalf("payload %s: %v", d.Conflicts[0].Payload, err)
	}

	// Edits: version rules, validation, no-op, audit.
	in := visits.VisitEdit{Version: d.Version, Guarantees: d.Guarantees, IncomeFen: d.IncomeFen, Needs: d.Needs, Measures: d.Measures, Notes: d.Notes}
	events := func() int64 {
		return f.one(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'visit' AND entity_id = ?`, fmt.Sprint(id))
	}
	same2, err := f.s.Edit(f.ctx, f.office, id, in)
	if err != nil || same2.Version != 1 || events() != 0 {
		t.Fatalf("no change: %+v %v, %d events", same2.Version, err, events())
	}
	_, err = f.s.Edit(f.ctx, f.auditor, id, in)
	wantCode(t, "auditor edits", err, errs.Forbidden)
	_, err = f.s.Edit(f.ctx, f.other, id, in)
	wantCode(t, "other county edits", err, errs.NotFound)
	bad := in
	bad.Guarantees.Water = "maybe"
	_, err = f.s.Edit(f.ctx, f.office, id, bad)
	if e, ok := errs.As(err); !ok || e.Fields["guarantees.water"] == "" {
		t.Fatalf("bad guarantee: %v", err)
	}
	bad = in
	bad.Notes = strings.Repeat("长", visits.MaxTextRunes+1)
	_, err = f.s.Edit(f.ctx, f.office, id, bad)
	if e, ok := errs.As(err); !ok || e.Fields["notes"] == "" {
		t.Fatalf("long notes: %v", err)
	}
	neg := int64(-1)
	bad = in
	bad.IncomeFen = &neg
	_, err = f.s.Edit(f.ctx, f.office, id, bad)
	wantCode(t, "negative income", err, errs.Invalid)

	ch := in
	ch.Needs, ch.Guarantees.Housing = "  需要危房改造  ", "gap"
	inc := int64(712300)
	ch.IncomeFen = &inc
	out, err := f.s.Edit(f.ctx, f.office, id, ch)
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != 2 || out.Needs != "需要危房改造" || out.Guarantees.Housing != "gap" || *out.IncomeFen != inc || len(out.History) != 1 ||
		out.History[0].Action != "visit.edit" || out.History[0].RegionCode != d.RegionCode || out.VisitedAt != d.VisitedAt || len(out.Photos) != len(d.Photos) {
		t.Fatalf("after edit %+v", out)
	}
	var h2 string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT content_hash FROM visits WHERE id = ?`, id).Scan(&h2)
	if h2 == hash || h2 != out.VisitUpload.ContentHash() {
		t.Fatalf("content hash after the edit: %s (before %s, rebuilt %s)", h2, hash, out.VisitUpload.ContentHash())
	}
	_, err = f.s.Edit(f.ctx, f.office, id, ch) // version 1 again: stale
	wantCode(t, "stale version", err, errs.Conflict)
	if events() != 1 {
		t.Fatalf("%d events", events())
	}
	res, err := audit.Verify(f.ctx, f.d.Reader())
	if err != nil || !res.OK {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
}

func TestPhotoBytes(t *testing.T) {
	f := newConFixture(t)
	rows, err := f.d.Reader().QueryContext(f.ctx, `SELECT DISTINCT vp.sha256 FROM visit_photos vp JOIN visits v ON v.id = vp.visit_id
		WHERE v.region_code LIKE '320921%' ORDER BY vp.sha256 LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		shas = append(shas, s)
	}
	rows.Close()
	if len(shas) == 0 {
		t.Fatal("the demo has no photos in 320921")
	}
	for _, sha := range shas {
		ct, data, err := f.s.PhotoBytes(f.ctx, f.auditor, sha)
		sum := sha256.Sum256(data)
		if err != nil || ct != "image/jpeg" || hex.EncodeToString(sum[:]) != sha {
			t.Fatalf("photo %s: %s %d bytes %v", sha, ct, len(data), err)
		}
		_, _, err = f.s.PhotoBytes(f.ctx, f.other, sha)
		wantCode(t, "other county", err, errs.NotFound)
	}
	_, _, err = f.s.PhotoBytes(f.ctx, f.office, strings.Repeat("ab", 32))
	wantCode(t, "unknown", err, errs.NotFound)
	_, _, err = f.s.PhotoBytes(f.ctx, f.office, "../../etc/passwd")
	wantCode(t, "malformed", err, errs.NotFound)
	_, _, err = f.s.PhotoBytes(f.ctx, f.user("civil_affairs_320921"), shas[0])
	wantCode(t, "role without visit.read", err, errs.Forbidden)
	// A complete photo on no visit (uploaded, never synced) is not shown to the office.
	loose := strings.Repeat("cd", 32)
	f.exec(`INSERT INTO photos (sha256, uploaded_by, size, content_type, data, complete, created_at, updated_at)
		VALUES (?, ?, 1, 'image/jpeg', ?, 1, '2026-11-01T00:00:00.000000Z', '2026-11-01T00:00:00.000000Z')`, loose, f.office.UserID, []byte{1})
	_, _, err = f.s.PhotoBytes(f.ctx, f.office, loose)
	wantCode(t, "photo on no visit", err, errs.NotFound)
}

func TestLocation(t *testing.T) {
	f := newConFixture(t)
	hh := f.one(`SELECT MIN(id) FROM households WHERE region_code LIKE '320921%' AND status = 'registered'`)
	l, err := f.s.HouseholdLocation(f.ctx, f.user("helper_320921100"), hh)
	if err != nil || l.Source != "demo" || l.Lat < 32.6 || l.Lat > 34.4 || l.Lng < 119.5 || l.Lng > 120.9 || !strings.HasSuffix(l.UpdatedAt, "Z") {
		t.Fatalf("demo location %+v %v", l, err)
	}
	f.exec(`DELETE FROM household_locations WHERE household_id = ?`, hh)
	_, err = f.s.HouseholdLocation(f.ctx, f.office, hh)
	wantCode(t, "no location", err, errs.NotFound)

	lat, lng := 34.1234567, 119.7654321
	set := func(p *auth.Principal, lat, lng *float64) (visits.Location, error) {
		return f.s.SetLocation(f.ctx, p, hh, visits.LocationInput{Lat: lat, Lng: lng})
	}
	l, err = set(f.office, &lat, &lng)
	if err != nil || l.Lat != 34.123457 || l.Lng != 119.765432 || l.Source != visits.LocationSourceConsole {
		t.Fatalf("set: %+v %v", l, err)
	}
	if got, err := f.s.HouseholdLocation(f.ctx, f.auditor, hh); err != nil || got != l {
		t.Fatalf("read back %+v %v", got, err)
	}
	events := func() int64 {
		return f.one(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'household' AND entity_id = ? AND action = 'household.locate'`, fmt.Sprint(hh))
	}
	if events() != 1 {
		t.Fatalf("%d locate events", events())
	}
	if _, err := set(f.office, &lat, &lng); err != nil || events() != 1 {
		t.Fatalf("same position again: %v, %d events", err, events())
	}
	// The village's cadre may set it too (visit.review in the village).
	lat2 := lat + 0.01
	code := ""
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT region_code FROM households WHERE id = ?`, hh).Scan(&code)
	if l, err = set(f.user("village_cadre_"+code), &lat2, &lng); err != nil || l.Lat != conRound6(lat2) || events() != 2 {
		t.Fatalf("village cadre: %+v %v, %d events", l, err, events())
	}
	far := 60.0
	_, err = set(f.office, &far, &lng)
	if e, ok := errs.As(err); !ok || e.Fields["lat"] == "" {
		t.Fatalf("outside China: %v", err)
	}
	_, err = set(f.office, &lat, nil)
	if e, ok := errs.As(err); !ok || e.Fields["lng"] == "" {
		t.Fatalf("missing lng: %v", err)
	}
	_, err = set(f.auditor, &lat2, &lng)
	wantCode(t, "auditor sets", err, errs.Forbidden)
	_, err = set(f.other, &lat2, &lng)
	wantCode(t, "other county sets", err, errs.NotFound)
	_, err = f.s.HouseholdLocation(f.ctx, f.other, hh)
	wantCode(t, "other county reads", err, errs.NotFound)
	_, err = f.s.HouseholdLocation(f.ctx, f.office, 1<<40)
	wantCode(t, "unknown household", err, errs.NotFound)
	if got, _ := f.s.HouseholdLocation(f.ctx, f.office, hh); got != l {
		t.Fatalf("location %+v, want %+v (refused writes changed it)", got, l)
	}
}

func conRound6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func TestSettings(t *testing.T) {
	f := newConFixture(t)
	f.s.Config.TileURL, f.s.Config.TileAttribution = "https://tiles.example/{z}/{x}/{y}.png", "© 测试"
	st, err := f.s.Settings(f.ctx, f.auditor)
	if err != nil || st.TileURL != f.s.Config.TileURL || st.TileAttribution != "© 测试" || st.FarMeters != 1000 || st.LateHours != 48 || st.MaxKmh != 120 {
		t.Fatalf("settings %+v %v", st, err)
	}
	_, err = f.s.Settings(f.ctx, f.user("finance_320921"))
	wantCode(t, "finance", err, errs.Forbidden)
}
