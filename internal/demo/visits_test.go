package demo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"image/jpeg"
	"math"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/visits"
)

// The demo's locations and visits hold what the field app and the console rely on: a location
// in Yancheng for every household a visit is owed to, visits by the household's current
// helper with the quarter and distance the sync would store, and exactly the signs the sync's
// rules give (none of them by accident, e.g. one helper in two places at once).
func TestDemoVisits(t *testing.T) {
	d, _ := load(t, tiny)
	ctx := context.Background()
	q := d.Reader()
	var due, located, outside, stray int
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM households WHERE status IN ('registered', 'exited')),
		(SELECT COUNT(*) FROM household_locations l JOIN households h ON h.id = l.household_id WHERE h.status IN ('registered', 'exited')),
		(SELECT COUNT(*) FROM household_locations WHERE lat < 32.6 OR lat > 34.4 OR lng < 119.5 OR lng > 120.9),
		(SELECT COUNT(*) FROM household_locations l JOIN households h ON h.id = l.household_id WHERE h.status NOT IN ('registered', 'exited'))`).
		Scan(&due, &located, &outside, &stray); err != nil {
		t.Fatal(err)
	}
	if due == 0 || located != due || outside != 0 || stray != 0 {
		t.Fatalf("locations: %d households, %d located, %d outside Yancheng, %d of others", due, located, outside, stray)
	}

	// Share of due households visited per quarter.
	for _, c := range []struct {
		quarter, first string
		lo, hi         float64
	}{{"2026Q3", "2026-07-01", 0.8, 1}, {"2026Q4", "2026-10-01", 0.4, 0.8}} {
		var n, v float64
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM visits x WHERE x.household_id = h.id AND x.quarter = ?) THEN 1 ELSE 0 END)
			FROM households h WHERE h.status = 'registered' OR h.status = 'exited' AND h.policy_until >= ?`, c.quarter, c.first).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if r := v / n; r < c.lo || r > c.hi {
			t.Fatalf("%s: %.2f of due households visited, want %.1f–%.1f", c.quarter, r, c.lo, c.hi)
		}
	}

	// Each town's first helper (the one helper_<town> signs in as) has located households,
	// every one of its due households visited in 2026Q3.
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.region_code,
		(SELECT COUNT(*) FROM assignments a JOIN household_locations l ON l.household_id = a.household_id WHERE a.helper_id = e.id AND a.to_date IS NULL),
		(SELECT COUNT(*) FROM assignments a JOIN households h ON h.id = a.household_id WHERE a.helper_id = e.id AND a.to_date IS NULL
			AND (h.status = 'registered' OR h.policy_until >= '2026-07-01')
			AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.quarter = '2026Q3'))
		FROM helpers e WHERE e.id IN (SELECT MIN(id) FROM helpers GROUP BY region_code)`)
	if err != nil {
		t.Fatal(err)
	}
	towns := 0
	for rows.Next() {
		var id, located, unvisited int64
		var town string
		_ = rows.Scan(&id, &town, &located, &unvisited)
		if located == 0 || unvisited != 0 {
			t.Fatalf("first helper %d of %s: %d located households, %d unvisited in 2026Q3", id, town, located, unvisited)
		}
		towns++
	}
	rows.Close()
	if towns != len(tiny.Counties)*tiny.TownsPerCounty {
		t.Fatalf("%d towns with a first helper", towns)
	}
	// A helper with an account uploaded their visits with it (what the field app shows as mine).
	var linked, foreign int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), SUM(CASE WHEN v.user_id <> e.user_id THEN 1 ELSE 0 END)
		FROM visits v JOIN helpers e ON e.id = v.helper_id WHERE e.user_id IS NOT NULL`).Scan(&linked, &foreign); err != nil {
		t.Fatal(err)
	}
	if linked == 0 || foreign != 0 {
		t.Fatalf("visits of helpers with an account: %d, %d uploaded by another account", linked, foreign)
	}

	// Every visit: by the current helper, uploaded by the town's helper account, in the
	// household's village, its quarter and distance as the sync computes them, its signs
	// exactly the rules' (default thresholds).
	type fix struct {
		id       int64
		at       string
		lat, lng float64
	}
	byHelper := map[int64][]fix{}
	cfg := visits.DefaultConfig()
	rows, err = q.QueryContext(ctx, `SELECT v.id, v.helper_id, COALESCE(a.helper_id, 0), u.username, v.region_code, h.region_code, v.quarter,
		v.visited_at, v.recorded_at, v.lat, v.lng, v.accuracy_m, v.distance_m, l.lat, l.lng,
		(SELECT COUNT(*) FROM visit_signals s WHERE s.visit_id = v.id AND s.kind = 'far_from_home'),
		(SELECT COUNT(*) FROM visit_signals s WHERE s.visit_id = v.id AND s.kind = 'late_record'),
		(SELECT COUNT(*) FROM visit_signals s WHERE s.visit_id = v.id AND s.kind = 'impossible_travel')
		FROM visits v JOIN households h ON h.id = v.household_id JOIN users u ON u.id = v.user_id
		LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		LEFT JOIN household_locations l ON l.household_id = h.id ORDER BY v.helper_id, v.visited_at`)
	if err != nil {
		t.Fatal(err)
	}
	n, far, late := 0, 0, 0
	for rows.Next() {
		var id, helper, current int64
		var user, code, hcode, quarter, visited, recorded string
		var lat, lng, acc, dist sql.NullFloat64
		var hlat, hlng float64
		var nFar, nLate, nTravel int
		if err := rows.Scan(&id, &helper, &current, &user, &code, &hcode, &quarter, &visited, &recorded, &lat, &lng, &acc, &dist,
			&hlat, &hlng, &nFar, &nLate, &nTravel); err != nil {
			t.Fatal(err)
		}
		n++
		at := db.ParseTime(visited)
		if helper != current || user != "helper_"+code[:9] || code != hcode || quarter != visits.QuarterOf(at) {
			t.Fatalf("visit %d: helper %d (current %d), user %s, region %s (household %s), quarter %s", id, helper, current, user, code, hcode, quarter)
		}
		if lat.Valid != dist.Valid || lat.Valid && math.Abs(visits.Haversine(lat.Float64, lng.Float64, hlat, hlng)-dist.Float64) > 0.1 {
			t.Fatalf("visit %d: distance %v", id, dist)
		}
		var dp, ap *float64
		if dist.Valid {
			dp, ap = &dist.Float64, &acc.Float64
		}
		_, wantFar := visits.FarFromHome(dp, ap, cfg)
		_, wantLate := visits.LateRecord(at, db.ParseTime(recorded), cfg)
		if wantFar != (nFar == 1) || wantLate != (nLate == 1) || nTravel != 0 {
			t.Fatalf("visit %d: far %v/%d, late %v/%d, travel %d", id, wantFar, nFar, wantLate, nLate, nTravel)
		}
		if wantFar {
			far++
		}
		if wantLate {
			late++
		}
		if lat.Valid {
			byHelper[helper] = append(byHelper[helper], fix{id, visited, lat.Float64, lng.Float64})
		}
	}
	rows.Close()
	if far == 0 || late == 0 || n < due {
		t.Fatalf("%d visits, %d far from home, %d late", n, far, late)
	}
	// No helper is anywhere twice too fast (impossible_travel's rule: > 2 km at > MaxKmh).
	for h, fs := range byHelper {
		for i := 1; i < len(fs); i++ {
			km := visits.Haversine(fs[i-1].lat, fs[i-1].lng, fs[i].lat, fs[i].lng) / 1000
			hours := math.Max(db.ParseTime(fs[i].at).Sub(db.ParseTime(fs[i-1].at)).Hours(), 1.0/60)
			if km > 2 && km/hours > cfg.MaxKmh {
				t.Fatalf("helper %d: visits %d and %d %.1f km apart in %.2f h", h, fs[i-1].id, fs[i].id, km, hours)
			}
		}
	}

	// Same photo: each sign points at a visit to another household that carries the same
	// bytes, and both ends carry it.
	rows, err = q.QueryContext(ctx, `SELECT s.visit_id, s.other_visit_id, s.value,
		(SELECT COUNT(*) FROM visit_photos a JOIN visit_photos b ON b.sha256 = a.sha256 WHERE a.visit_id = s.visit_id AND b.visit_id = s.other_visit_id),
		(SELECT COUNT(*) FROM visit_signals m WHERE m.visit_id = s.other_visit_id AND m.other_visit_id = s.visit_id AND m.kind = 'same_photo'),
		(SELECT va.household_id - vb.household_id FROM visits va, visits vb WHERE va.id = s.visit_id AND vb.id = s.other_visit_id)
		FROM visit_signals s WHERE s.kind = 'same_photo'`)
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for rows.Next() {
		var a, b, shared, mirror, diff int64
		var value float64
		_ = rows.Scan(&a, &b, &value, &shared, &mirror, &diff)
		if shared != 1 || mirror != 1 || diff == 0 || value != 0 {
			t.Fatalf("same photo %d→%d: shared %d, mirror %d, household diff %d, value %v", a, b, shared, mirror, diff, value)
		}
		same++
	}
	rows.Close()
	if same != 4 {
		t.Fatalf("%d same-photo signs, want two pairs", same)
	}

	// Photos are what their names and hashes say, as an upload would record them.
	rows, err = q.QueryContext(ctx, `SELECT sha256, data, size, width, height, phash, ph1, ph2, ph3, ph4, complete FROM photos`)
	if err != nil {
		t.Fatal(err)
	}
	photos := 0
	for rows.Next() {
		var sha, phash string
		var data []byte
		var size, w, h, complete int
		var ph [4]int64
		_ = rows.Scan(&sha, &data, &size, &w, &h, &phash, &ph[0], &ph[1], &ph[2], &ph[3], &complete)
		sum := sha256.Sum256(data)
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil || hex.EncodeToString(sum[:]) != sha || size != len(data) || complete != 1 || w != img.Bounds().Dx() || h != img.Bounds().Dy() {
			t.Fatalf("photo %s: %v", sha, err)
		}
		if hash := visits.DHash(img); visits.HashHex(hash) != phash || visits.Bands(hash) != ph {
			t.Fatalf("photo %s: phash %s, bands %v", sha, phash, ph)
		}
		photos++
	}
	rows.Close()
	if photos == 0 {
		t.Fatal("no demo photos")
	}
}

// The same scale gives the same visits.
func TestDemoVisitsDeterministic(t *testing.T) {
	d1, _ := load(t, tiny)
	d2, _ := load(t, tiny)
	for _, q := range []string{
		`SELECT client_id || content_hash || visited_at || COALESCE(CAST(distance_m AS TEXT), '-') FROM visits ORDER BY id`,
		`SELECT sha256 FROM photos ORDER BY sha256`,
		`SELECT CAST(household_id AS TEXT) || ':' || CAST(lat AS TEXT) || ',' || CAST(lng AS TEXT) FROM household_locations ORDER BY household_id`,
	} {
		a, b := column(t, d1, q), column(t, d2, q)
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("%s: %d vs %d rows", q, len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: row %d differs: %s vs %s", q, i, a[i], b[i])
			}
		}
	}
}
