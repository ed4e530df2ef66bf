package visits_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/visits"
)

// fieldFixture is a demo database with two helpers of county 320921 signed in to the field
// app (me and colleague), and a helper of 320922 (stranger).
type fieldFixture struct {
	t          testing.TB
	ctx        context.Context
	d          *db.DB
	s          *visits.Service
	me         *auth.Principal
	colleague  *auth.Principal
	stranger   *auth.Principal
	office     *auth.Principal
	mine       []int64 // households currently assigned to me
	colleagues []int64
	meHelper   int64
}

func newFieldFixture(t testing.TB) *fieldFixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, d, demo.Scale{Name: "t", Counties: []string{"320921", "320922"}, TownsPerCounty: 1, VillagesPerTown: 2, HouseholdsPerVillage: 12}); err != nil {
		t.Fatal(err)
	}
	// The demo's own visits, photos and locations would blur what each test counts.
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for _, table := range []string{"visit_signals", "visit_conflicts", "visit_photos", "visits", "photo_parts", "photos", "household_locations"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := visits.TestNow
	d.Clock = func() time.Time { return now }
	f := &fieldFixture{t: t, ctx: ctx, d: d, s: &visits.Service{DB: d, Audit: &audit.Service{DB: d}, Config: visits.DefaultConfig()}}
	f.office = &auth.Principal{UserID: 1, Name: "县农办", Username: "office", Role: auth.PovertyOffice, Scope: "320921000000"}
	var hs [3]int64
	f.me, hs[0] = f.link("field_me", "320921", 0)
	f.colleague, hs[1] = f.link("field_colleague", "320921", hs[0])
	f.stranger, hs[2] = f.link("field_stranger", "320922", 0)
	f.meHelper = hs[0]
	f.mine, f.colleagues = f.households(hs[0]), f.households(hs[1])
	if len(f.mine) < 3 || len(f.colleagues) < 1 {
		t.Fatalf("fixture households: %v %v", f.mine, f.colleagues)
	}
	return f
}

// link creates a helper-role user scoped to the county and links it to a helper of the
// county with at least three current households (not skip).
func (f *fieldFixture) link(username, county string, skip int64) (*auth.Principal, int64) {
	f.t.Helper()
	var p *auth.Principal
	var helperID int64
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(f.ctx, `SELECT a.helper_id FROM assignments a JOIN helpers e ON e.id = a.helper_id
			WHERE a.to_date IS NULL AND a.region_code LIKE ? AND e.user_id IS NULL AND e.id <> ?
			GROUP BY a.helper_id HAVING COUNT(*) >= 3 ORDER BY a.helper_id LIMIT 1`, county+"%", skip).Scan(&helperID); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		uid, err := tx.InsertID(f.ctx, `INSERT INTO users (username, display_name, role, scope_code, password_hash, created_at, updated_at)
			VALUES (?, ?, 'helper', ?, 'x', ?, ?) RETURNING id`, username, username, county+"000000", now, now)
		if err != nil {
			return err
		}
		p = &auth.Principal{UserID: uid, Username: username, Name: username, Role: auth.Helper, Scope: county + "000000"}
		_, err = tx.ExecContext(f.ctx, `UPDATE helpers SET user_id = ? WHERE id = ?`, uid, helperID)
		return err
	})
	if err != nil {
		f.t.Fatal("link: ", err)
	}
	return p, helperID
}

func (f *fieldFixture) households(helperID int64) []int64 {
	f.t.Helper()
	return queryInts(f.t, f.d, `SELECT household_id FROM assignments WHERE helper_id = ? AND to_date IS NULL ORDER BY household_id`, helperID)
}

func (f *fieldFixture) sync(p *auth.Principal, vs ...visits.VisitUpload) []visits.SyncResult {
	f.t.Helper()
	res, err := f.s.Sync(f.ctx, p, visits.SyncRequest{Visits: vs})
	if err != nil {
		f.t.Fatalf("sync: %v", err)
	}
	if len(res.Results) != len(vs) {
		f.t.Fatalf("results %d for %d visits", len(res.Results), len(vs))
	}
	return res.Results
}

func (f *fieldFixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.d.Reader().QueryRowContext(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// upload sends a whole photo as one part.
func (f *fieldFixture) upload(p *auth.Principal, b []byte) string {
	f.t.Helper()
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	st, err := f.s.PutPart(f.ctx, p, sha, 0, int64(len(b)), bytes.NewReader(b))
	if err != nil || !st.Complete {
		f.t.Fatalf("upload: %+v %v", st, err)
	}
	return sha
}

// fxPhoto is a small distinct picture (seed picks it).
func fxPhoto(t testing.TB, seed uint64) []byte {
	return visits.EncJPEG(t, visits.Scene(160, 120, seed), 85)
}

func fxSetLocation(t testing.TB, d *db.DB, household int64, lat, lng float64) {
	t.Helper()
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		_, err := tx.ExecContext(context.Background(), `INSERT INTO household_locations (household_id, lat, lng, source, created_at, updated_at)
			VALUES (?, ?, ?, 'test', ?, ?)`, household, lat, lng, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSyncAcceptDuplicateUpdate(t *testing.T) {
	f := newFieldFixture(t)
	hh := f.mine[0]
	fxSetLocation(t, f.d, hh, 33.3105, 120.1502)
	photo := f.upload(f.me, fxPhoto(t, 1))
	v := visits.GoodUpload("visit-0001-aaaa", hh)
	v.Photos = []visits.PhotoRef{{SHA256: photo, TakenAt: &v.VisitedAt}}
	r := f.sync(f.me, v)[0]
	if r.Status != visits.StatusAccepted || r.VisitID == 0 || r.Version != 1 || r.Code != "" {
		t.Fatalf("first upload: %+v", r)
	}
	// Replays — the same payload, re-sent with another offset or a base_version — write nothing.
	events := f.count(`SELECT COUNT(*) FROM audit_events`)
	replay := v
	replay.VisitedAt = "2026-11-20T02:30:00Z"
	for i, x := range []visits.VisitUpload{v, replay} {
		if got := f.sync(f.me, x)[0]; got.Status != visits.StatusDuplicate || got.VisitID != r.VisitID || got.Version != 1 {
			t.Errorf("replay %d: %+v", i, got)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM visits`); n != 1 {
		t.Errorf("%d visits after replays", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events`); n != events {
		t.Errorf("replays wrote %d audit events", n-events)
	}
	stored, err := visits.GetFieldVisit(f.ctx, f.d.Reader(), r.VisitID)
	if err != nil {
		t.Fatal(err)
	}
	var region, quarter string
	var dist float64
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT region_code, quarter, distance_m FROM visits WHERE id = ?`, r.VisitID).Scan(&region, &quarter, &dist)
	var hhRegion string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT region_code FROM households WHERE id = ?`, hh).Scan(&hhRegion)
	if region != hhRegion || quarter != "2026Q4" || dist < 50 || dist > 80 {
		t.Errorf("stored region %s (household %s) quarter %s distance %.1f", region, hhRegion, quarter, dist)
	}
	if stored.VisitedAt != "2026-11-20T02:30:00Z" || len(stored.Photos) != 1 || stored.Photos[0].SHA256 != photo ||
		stored.Photos[0].TakenAt == nil || *stored.Photos[0].TakenAt != "2026-11-20T02:30:00Z" || *stored.IncomeFen != 650000 {
		t.Errorf("stored visit %+v", stored)
	}
	// The stored copy, sent back as the phone keeps it, is a replay too.
	if got := f.sync(f.me, stored.VisitUpload)[0]; got.Status != visits.StatusDuplicate {
		t.Errorf("stored copy re-sent: %+v", got)
	}
	// An edit of version 1 from the phone replaces the fields: version 2.
	edit := v
	edit.BaseVersion = 1
	edit.Needs = "需要就业帮扶"
	edit.Photos = nil
	u := f.sync(f.me, edit)[0]
	if u.Status != visits.StatusUpdated || u.Version != 2 || u.VisitID != r.VisitID {
		t.Fatalf("edit: %+v", u)
	}
	if got, _ := visits.GetFieldVisit(f.ctx, f.d.Reader(), r.VisitID); got.Needs != "需要就业帮扶" || len(got.Photos) != 0 || got.Version != 2 {
		t.Errorf("after edit %+v", got)
	}
	if got := f.sync(f.me, edit)[0]; got.Status != visits.StatusDuplicate || got.Version != 2 {
		t.Errorf("edit replayed: %+v", got)
	}
	// Audit: one create and one update, with the photo hash and no bytes.
	var after string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT after_json FROM audit_events WHERE action = 'visit.create' AND entity_id = ?`,
		fmt.Sprint(r.VisitID)).Scan(&after)
	if !strings.Contains(after, photo) || !strings.Contains(after, `"helper_id"`) || len(after) > 4000 {
		t.Errorf("create event %s", after)
	}
	// The event's visit is the visit as stored, field for field.
	var logged visits.FieldVisit
	_ = json.Unmarshal([]byte(after), &logged)
	if a, b := mustJSON(logged), mustJSON(stored); a != b {
		t.Errorf("audit event's visit\n%s\nstored\n%s", a, b)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE entity_type = 'visit' AND entity_id = ?`, fmt.Sprint(r.VisitID)); n != 2 {
		t.Errorf("%d audit events for the visit", n)
	}
	if res, err := audit.Verify(f.ctx, f.d.Reader()); err != nil || !res.OK {
		t.Errorf("audit chain: %+v %v", res, err)
	}
}

func TestSyncRejections(t *testing.T) {
	f := newFieldFixture(t)
	mine, theirs := f.mine[0], f.colleagues[0]
	good := f.sync(f.me, visits.GoodUpload("visit-good-0001", mine))[0]
	if good.Status != visits.StatusAccepted {
		t.Fatal(good)
	}
	missing := strings.Repeat("ab", 32)
	foreignPartial := f.upload(f.colleague, fxPhoto(t, 9)) // complete: usable by anyone who has the bytes
	mk := func(id string, edit func(v *visits.VisitUpload)) visits.VisitUpload {
		v := visits.GoodUpload(id, mine)
		edit(&v)
		return v
	}
	cases := []struct {
		v     visits.VisitUpload
		code  string
		field string
	}{
		{mk("visit-not-mine1", func(v *visits.VisitUpload) { v.HouseholdID = theirs }), "forbidden", "household_id"},
		{mk("visit-nohh-0001", func(v *visits.VisitUpload) { v.HouseholdID = 999999 }), "forbidden", "household_id"},
		{mk("visit-good-0001", func(v *visits.VisitUpload) { v.HouseholdID = f.mine[1] }), "conflict", "client_id"},
		{mk("visit-base-0001", func(v *visits.VisitUpload) { v.BaseVersion = 2 }), "invalid", "base_version"},
		{mk("visit-futr-0001", func(v *visits.VisitUpload) { v.VisitedAt = "2026-11-25T08:00:00Z"; v.RecordedAt = v.VisitedAt }), "invalid", "visited_at"},
		{mk("visit-gps-00001", func(v *visits.VisitUpload) { v.Lat, v.Lng = visits.Fptr(51.5), visits.Fptr(-0.12) }), "invalid", "lat"},
		{mk("visit-photo-001", func(v *visits.VisitUpload) { v.Photos = []visits.PhotoRef{{SHA256: missing}} }), visits.CodePhotoMissing, "photos"},
		{mk("bad id!", func(v *visits.VisitUpload) {}), "invalid", "client_id"},
		// Before the assignment began (demo assignments start in 2023 at the earliest is not
		// guaranteed), so aim before any: a visit dated two years back would also be too old.
	}
	vs := make([]visits.VisitUpload, len(cases))
	for i, c := range cases {
		vs[i] = c.v
	}
	vs = append(vs, mk("visit-ok-000002", func(v *visits.VisitUpload) { v.Photos = []visits.PhotoRef{{SHA256: foreignPartial}} }))
	res := f.sync(f.me, vs...)
	for i, c := range cases {
		r := res[i]
		if r.Status != visits.StatusRejected || r.Code != c.code || r.Field != c.field || r.Message == "" || r.VisitID != 0 {
			t.Errorf("case %d (%s): %+v, want %s/%s", i, c.v.ClientID, r, c.code, c.field)
		}
	}
	if r := res[len(cases)]; r.Status != visits.StatusAccepted {
		t.Errorf("visit after the rejected ones: %+v", r)
	}
	if !strings.Contains(res[0].Message, "该户不是您帮扶的农户") || !strings.Contains(res[6].Message, "照片 abababab 尚未上传完成") {
		t.Errorf("messages: %q %q", res[0].Message, res[6].Message)
	}
	if n := f.count(`SELECT COUNT(*) FROM visits`); n != 2 {
		t.Errorf("%d visits stored", n)
	}
	// A colleague replaying my client_id for their own household: conflict, nothing written.
	r := f.sync(f.colleague, visits.GoodUpload("visit-good-0001", theirs))[0]
	if r.Status != visits.StatusRejected || r.Code != "conflict" {
		t.Errorf("foreign client_id: %+v", r)
	}
	// A helper of another county sees nothing of mine.
	r = f.sync(f.stranger, visits.GoodUpload("visit-strange01", mine))[0]
	if r.Status != visits.StatusRejected || r.Code != "forbidden" {
		t.Errorf("other county: %+v", r)
	}
	// Whole-request errors: too many visits, an unlinked account, a role without field.sync.
	many := make([]visits.VisitUpload, visits.MaxSyncVisits+1)
	if _, err := f.s.Sync(f.ctx, f.me, visits.SyncRequest{Visits: many}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("51 visits: %v", err)
	}
	if _, err := f.s.Sync(f.ctx, f.me, visits.SyncRequest{}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("no visits: %v", err)
	}
	unlinked := &auth.Principal{UserID: 999, Role: auth.Helper, Scope: "320921000000"}
	if _, err := f.s.Sync(f.ctx, unlinked, visits.SyncRequest{Visits: vs[:1]}); errs.CodeOf(err) != errs.Forbidden || !strings.Contains(err.Error(), "尚未关联") {
		t.Errorf("unlinked: %v", err)
	}
	if _, err := f.s.Sync(f.ctx, f.office, visits.SyncRequest{Visits: vs[:1]}); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("office: %v", err)
	}
	// The assignment's dates bound it: after a handover the former helper's new visits are refused,
	// their earlier ones stay theirs.
	err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(f.ctx, `UPDATE assignments SET to_date = '2026-11-01' WHERE household_id = ? AND to_date IS NULL`, f.mine[2])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	before := visits.GoodUpload("visit-hand-0001", f.mine[2])
	before.VisitedAt, before.RecordedAt = "2026-10-31T09:00:00+08:00", "2026-10-31T09:10:00+08:00"
	after := visits.GoodUpload("visit-hand-0002", f.mine[2])
	res = f.sync(f.me, before, after)
	if res[0].Status != visits.StatusAccepted || res[1].Status != visits.StatusRejected || res[1].Code != "forbidden" {
		t.Errorf("handover: %+v", res)
	}
}

// Two phones (or two tabs) sending the same new visit at once: exactly one row.
func TestSyncConcurrentReplays(t *testing.T) {
	f := newFieldFixture(t)
	v := visits.GoodUpload("visit-race-0001", f.mine[0])
	const n = 8
	out := make(chan visits.SyncResult, n)
	for i := 0; i < n; i++ {
		go func() {
			res, err := f.s.Sync(f.ctx, f.me, visits.SyncRequest{Visits: []visits.VisitUpload{v}})
			if err != nil {
				t.Error(err)
				out <- visits.SyncResult{}
				return
			}
			out <- res.Results[0]
		}()
	}
	accepted := 0
	for i := 0; i < n; i++ {
		switch r := <-out; r.Status {
		case visits.StatusAccepted:
			accepted++
		case visits.StatusDuplicate:
		default:
			t.Errorf("racing replay: %+v", r)
		}
	}
	if accepted != 1 || f.count(`SELECT COUNT(*) FROM visits`) != 1 {
		t.Errorf("accepted %d, rows %d", accepted, f.count(`SELECT COUNT(*) FROM visits`))
	}
}

func TestSignalsOnSync(t *testing.T) {
	f := newFieldFixture(t)
	a, b, c := f.mine[0], f.mine[1], f.mine[2]
	fxSetLocation(t, f.d, a, 33.30, 120.10)
	// far_from_home: 3 km from home, accuracy 20 m; late_record: recorded 3 days later.
	far := visits.GoodUpload("visit-far-00001", a)
	far.Lat, far.Lng = visits.Fptr(33.327), visits.Fptr(120.10)
	far.RecordedAt = "2026-11-23T10:30:00+08:00"
	r := f.sync(f.me, far)[0]
	if r.Status != visits.StatusAccepted {
		t.Fatal(r)
	}
	sigs := f.signals(r.VisitID)
	if sigs[visits.SignalFarFromHome] < 2900 || sigs[visits.SignalFarFromHome] > 3100 || sigs[visits.SignalLateRecord] != 72 || len(sigs) != 2 {
		t.Errorf("signals %v", sigs)
	}
	// The phone moves the visit back home and records it on time: version 2, signals recomputed.
	fixd := far
	fixd.BaseVersion = 1
	fixd.Lat, fixd.Lng, fixd.RecordedAt = visits.Fptr(33.3001), visits.Fptr(120.1001), far.VisitedAt
	if u := f.sync(f.me, fixd)[0]; u.Status != visits.StatusUpdated {
		t.Fatal(u)
	}
	if sigs := f.signals(r.VisitID); len(sigs) != 0 {
		t.Errorf("after the fix: %v", sigs)
	}
	// impossible_travel: 30 km away ten minutes later, by the same helper.
	jump := visits.GoodUpload("visit-jump-0001", b)
	jump.Lat, jump.Lng = visits.Fptr(33.57), visits.Fptr(120.10)
	jump.VisitedAt, jump.RecordedAt = "2026-11-20T10:40:00+08:00", "2026-11-20T10:45:00+08:00"
	rj := f.sync(f.me, jump)[0]
	var other int64
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT other_visit_id FROM visit_signals WHERE visit_id = ? AND kind = ?`, rj.VisitID, visits.SignalImpossibleTravel).Scan(&other)
	if other != r.VisitID {
		t.Errorf("impossible travel: other %d, signals %v", other, f.signals(rj.VisitID))
	}
	// same_photo: the colleague's visit to another household with the very same photo, and
	// mine with a recompressed copy of it (near duplicate); on both visits of each pair.
	pic := visits.Scene(320, 240, 4)
	shared := f.upload(f.colleague, visits.EncJPEG(t, pic, 90))
	col := visits.GoodUpload("visit-colleague", f.colleagues[0])
	col.Lat, col.Lng = nil, nil
	col.AccuracyM = nil
	col.Photos = []visits.PhotoRef{{SHA256: shared}}
	rc := f.sync(f.colleague, col)[0]
	if rc.Status != visits.StatusAccepted {
		t.Fatal(rc)
	}
	same := visits.GoodUpload("visit-samephoto", c)
	same.Lat, same.Lng, same.AccuracyM = nil, nil, nil
	same.VisitedAt, same.RecordedAt = "2026-11-21T10:30:00+08:00", "2026-11-21T10:31:00+08:00"
	same.Photos = []visits.PhotoRef{{SHA256: shared}}
	rs := f.sync(f.me, same)[0]
	near := visits.GoodUpload("visit-nearphoto", b)
	near.Lat, near.Lng, near.AccuracyM = nil, nil, nil
	near.VisitedAt, near.RecordedAt = "2026-11-22T10:30:00+08:00", "2026-11-22T10:31:00+08:00"
	near.Photos = []visits.PhotoRef{{SHA256: f.upload(f.me, visits.EncJPEG(t, pic, 45))}}
	rn := f.sync(f.me, near)[0]
	if rs.Status != visits.StatusAccepted || rn.Status != visits.StatusAccepted {
		t.Fatal(rs, rn)
	}
	pairs := map[[2]int64]float64{}
	rows, _ := f.d.Reader().QueryContext(f.ctx, `SELECT visit_id, other_visit_id, value FROM visit_signals WHERE kind = ?`, visits.SignalSamePhoto)
	for rows.Next() {
		var a, b int64
		var v float64
		_ = rows.Scan(&a, &b, &v)
		pairs[[2]int64{a, b}] = v
	}
	rows.Close()
	want := map[[2]int64]bool{{rs.VisitID, rc.VisitID}: true, {rc.VisitID, rs.VisitID}: true, {rn.VisitID, rc.VisitID}: true,
		{rc.VisitID, rn.VisitID}: true, {rn.VisitID, rs.VisitID}: true, {rs.VisitID, rn.VisitID}: true}
	for k := range want {
		if _, ok := pairs[k]; !ok {
			t.Errorf("same_photo %v missing (have %v)", k, pairs)
		}
	}
	if len(pairs) != len(want) || pairs[[2]int64{rs.VisitID, rc.VisitID}] != 0 || pairs[[2]int64{rn.VisitID, rc.VisitID}] > 3 {
		t.Errorf("same_photo pairs %v", pairs)
	}
	// Dropping the photo from one visit removes its pairs on the other visits too.
	drop := near
	drop.BaseVersion = 1
	drop.Photos = nil
	if u := f.sync(f.me, drop)[0]; u.Status != visits.StatusUpdated {
		t.Fatal(u)
	}
	if n := f.count(`SELECT COUNT(*) FROM visit_signals WHERE kind = ? AND (visit_id = ? OR other_visit_id = ?)`, visits.SignalSamePhoto, rn.VisitID, rn.VisitID); n != 0 {
		t.Errorf("%d stale same_photo rows", n)
	}
	// Signals carry the visit's village for the console's region filters.
	if n := f.count(`SELECT COUNT(*) FROM visit_signals s JOIN visits v ON v.id = s.visit_id WHERE s.region_code <> v.region_code`); n != 0 {
		t.Errorf("%d signals with another region", n)
	}
}

func (f *fieldFixture) signals(visitID int64) map[string]float64 {
	out := map[string]float64{}
	rows, err := f.d.Reader().QueryContext(f.ctx, `SELECT kind, value FROM visit_signals WHERE visit_id = ?`, visitID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v float64
		_ = rows.Scan(&k, &v)
		out[k] = v
	}
	return out
}

// A phone edit of a version the office already changed is kept as a conflict; replayed, it is
// not kept twice; the office takes the phone's side or keeps its own.
func TestConflictAndResolve(t *testing.T) {
	f := newFieldFixture(t)
	hh := f.mine[0]
	v := visits.GoodUpload("visit-conf-0001", hh)
	r := f.sync(f.me, v)[0]
	if _, err := f.s.Edit(f.ctx, f.office, r.VisitID, visits.VisitEdit{Version: 1, Guarantees: v.Guarantees, IncomeFen: v.IncomeFen,
		Needs: "办公室修改", Measures: v.Measures}); err != nil {
		t.Fatal(err)
	}
	photo := f.upload(f.me, fxPhoto(t, 5))
	phone := v
	phone.BaseVersion = 1
	phone.Needs = "手机修改"
	phone.Photos = []visits.PhotoRef{{SHA256: photo}}
	for i := 0; i < 2; i++ {
		c := f.sync(f.me, phone)[0]
		if c.Status != visits.StatusConflict || c.VisitID != r.VisitID || c.Version != 2 {
			t.Fatalf("conflict %d: %+v", i, c)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM visit_conflicts WHERE visit_id = ?`, r.VisitID); n != 1 {
		t.Errorf("%d conflict rows after a replay", n)
	}
	got, _ := visits.GetFieldVisit(f.ctx, f.d.Reader(), r.VisitID)
	if !got.Conflict || got.Needs != "办公室修改" || got.Version != 2 {
		t.Errorf("visit after conflict: %+v", got)
	}
	var cid int64
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT id FROM visit_conflicts WHERE visit_id = ?`, r.VisitID).Scan(&cid)
	// Only reviewers in scope; a wrong take value is a field error.
	other := &auth.Principal{UserID: 2, Name: "邻县", Role: auth.PovertyOffice, Scope: "320922000000"}
	if _, err := f.s.Resolve(f.ctx, other, r.VisitID, cid, visits.ResolveInput{Take: visits.TakePhone}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("other county resolving: %v", err)
	}
	if _, err := f.s.Resolve(f.ctx, f.me, r.VisitID, cid, visits.ResolveInput{Take: visits.TakePhone}); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("helper resolving: %v", err)
	}
	if _, err := f.s.Resolve(f.ctx, f.office, r.VisitID, cid, visits.ResolveInput{Take: "both"}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("take both: %v", err)
	}
	if _, err := f.s.Resolve(f.ctx, f.office, r.VisitID+1000, cid, visits.ResolveInput{Take: visits.TakePhone}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("wrong visit: %v", err)
	}
	d, err := f.s.Resolve(f.ctx, f.office, r.VisitID, cid, visits.ResolveInput{Take: visits.TakePhone})
	if err != nil {
		t.Fatal(err)
	}
	if d.Needs != "手机修改" || d.Version != 3 || d.Conflict || len(d.Photos) != 1 || d.Photos[0].SHA256 != photo {
		t.Errorf("after taking the phone's side: %+v", d)
	}
	if len(d.Conflicts) != 1 || d.Conflicts[0].Resolution != visits.TakePhone || d.Conflicts[0].ResolvedAt == nil {
		t.Errorf("conflict row: %+v", d.Conflicts)
	}
	if _, err := f.s.Resolve(f.ctx, f.office, r.VisitID, cid, visits.ResolveInput{Take: visits.TakeServer}); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("resolving twice: %v", err)
	}
	// The phone's conflicting payload sent once more: still delivered, nothing new kept.
	if c := f.sync(f.me, phone)[0]; c.Status != visits.StatusConflict && c.Status != visits.StatusDuplicate {
		t.Errorf("replay after resolve: %+v", c)
	}
	if n := f.count(`SELECT COUNT(*) FROM visit_conflicts WHERE visit_id = ?`, r.VisitID); n != 1 {
		t.Errorf("%d conflict rows", n)
	}
	// A second conflict, kept on the server's side: nothing changes but the conflict.
	phone2 := phone
	phone2.Notes = "又改了"
	if c := f.sync(f.me, phone2)[0]; c.Status != visits.StatusConflict {
		t.Fatalf("second conflict: %+v", c)
	}
	var cid2 int64
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT MAX(id) FROM visit_conflicts WHERE visit_id = ?`, r.VisitID).Scan(&cid2)
	d, err = f.s.Resolve(f.ctx, f.office, r.VisitID, cid2, visits.ResolveInput{Take: visits.TakeServer})
	if err != nil || d.Version != 3 || d.Notes != "" || d.Conflict {
		t.Errorf("keeping the server's side: %+v %v", d, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action IN ('visit.conflict', 'visit.resolve') AND entity_id = ?`, fmt.Sprint(r.VisitID)); n != 4 {
		t.Errorf("%d conflict/resolve events", n)
	}
	if res, err := audit.Verify(f.ctx, f.d.Reader()); err != nil || !res.OK {
		t.Errorf("audit chain: %+v %v", res, err)
	}
}

// The download holds the helper's own current households only, without ID numbers or bank
// accounts, with the latest visits.
func TestDownload(t *testing.T) {
	f := newFieldFixture(t)
	fxSetLocation(t, f.d, f.mine[0], 33.3, 120.1)
	for i := 0; i < 6; i++ {
		v := visits.GoodUpload(fmt.Sprintf("visit-dl-%06d", i), f.mine[0])
		v.VisitedAt = time.Date(2026, 11, 1+i, 2, 0, 0, 0, time.UTC).Format(time.RFC3339)
		v.RecordedAt = v.VisitedAt
		if r := f.sync(f.me, v)[0]; r.Status != visits.StatusAccepted {
			t.Fatal(r)
		}
	}
	dl, err := f.s.Households(f.ctx, f.me)
	if err != nil {
		t.Fatal(err)
	}
	if dl.Helper.ID != f.meHelper || dl.Quarter != "2026Q4" || dl.QuarterStart != "2026-10-01" || dl.QuarterEnd != "2026-12-31" {
		t.Errorf("header %+v", dl)
	}
	got := map[int64]visits.DownloadHousehold{}
	for _, h := range dl.Households {
		got[h.ID] = h
	}
	if len(got) != len(f.mine) {
		t.Fatalf("%d households, want %d", len(got), len(f.mine))
	}
	for _, id := range f.mine {
		if _, ok := got[id]; !ok {
			t.Errorf("household %d missing", id)
		}
	}
	h := got[f.mine[0]]
	if len(h.Visits) != visits.VisitsPerHousehold || h.Visits[0].VisitedAt != "2026-11-06T02:00:00Z" || !h.VisitedThisQuarter ||
		h.Location == nil || h.Location.Lat != 33.3 || len(h.Members) == 0 || h.Members[0].Age <= 0 {
		t.Errorf("household %+v", h)
	}
	if got[f.mine[1]].VisitedThisQuarter || got[f.mine[1]].Location != nil {
		t.Errorf("unvisited household %+v", got[f.mine[1]])
	}
	b, _ := json.Marshal(dl)
	var idNumber, account string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT head_id_number, account_no FROM households WHERE id = ?`, f.mine[0]).Scan(&idNumber, &account)
	if bytes.Contains(b, []byte(idNumber)) || (account != "" && bytes.Contains(b, []byte(account))) || bytes.Contains(b, []byte("id_number")) {
		t.Error("download carries ID or account numbers")
	}
	// Others get theirs, an unlinked account none.
	if dl, err := f.s.Households(f.ctx, f.colleague); err != nil || len(dl.Households) != len(f.colleagues) {
		t.Errorf("colleague: %d %v", len(dl.Households), err)
	}
	if _, err := f.s.Households(f.ctx, f.office); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("office: %v", err)
	}
}

// Resumable upload: parts in order, a wrong position names the expected one, the finished
// photo is checked against its hash and decoded; another account's upload is invisible.
func TestPhotoUpload(t *testing.T) {
	f := newFieldFixture(t)
	pic := visits.EncJPEG(t, fxNoise(1100, 900, 3), 95)
	if len(pic) < visits.MaxPartBytes+1000 {
		t.Fatalf("test picture only %d bytes", len(pic))
	}
	sum := sha256.Sum256(pic)
	sha := hex.EncodeToString(sum[:])
	size := int64(len(pic))
	if _, err := f.s.Photo(f.ctx, f.me, sha); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("before upload: %v", err)
	}
	put := func(p *auth.Principal, pos, end int64) (visits.PhotoStatus, error) {
		return f.s.PutPart(f.ctx, p, sha, pos, size, bytes.NewReader(pic[pos:end]))
	}
	st, err := put(f.me, 0, visits.MaxPartBytes)
	if err != nil || st.Complete || st.Received != visits.MaxPartBytes {
		t.Fatalf("first part: %+v %v", st, err)
	}
	if st, err := f.s.Photo(f.ctx, f.me, sha); err != nil || st.Received != visits.MaxPartBytes || st.Size != size {
		t.Errorf("status: %+v %v", st, err)
	}
	if _, err := f.s.Photo(f.ctx, f.colleague, sha); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("colleague sees my partial upload: %v", err)
	}
	if _, err := put(f.colleague, 0, 1000); err == nil {
		t.Error("colleague wrote into my partial upload")
	}
	var pc *visits.PartConflict
	if _, err := put(f.me, 0, 1000); !asPartConflict(err, &pc) || pc.Received != visits.MaxPartBytes || !strings.Contains(pc.Message, fmt.Sprint(visits.MaxPartBytes)) {
		t.Errorf("repeated part: %v", err)
	}
	// The visit cannot use the photo before it is complete.
	v := visits.GoodUpload("visit-photo-0001", f.mine[0])
	v.Photos = []visits.PhotoRef{{SHA256: sha}}
	if r := f.sync(f.me, v)[0]; r.Code != visits.CodePhotoMissing {
		t.Errorf("incomplete photo: %+v", r)
	}
	st, err = put(f.me, visits.MaxPartBytes, size)
	if err != nil || !st.Complete || st.Received != size {
		t.Fatalf("last part: %+v %v", st, err)
	}
	var w, h, parts int
	var ph string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT width, height, phash, (SELECT COUNT(*) FROM photo_parts) FROM photos WHERE sha256 = ?`, sha).Scan(&w, &h, &ph, &parts)
	if w != 1100 || h != 900 || len(ph) != 16 || parts != 0 {
		t.Errorf("stored photo %dx%d %q, %d parts left", w, h, ph, parts)
	}
	// Complete: everyone is told so (nothing to send twice).
	if st, err := f.s.Photo(f.ctx, f.colleague, sha); err != nil || !st.Complete {
		t.Errorf("complete photo for the colleague: %+v %v", st, err)
	}
	if st, err := put(f.colleague, 0, 1000); err != nil || !st.Complete {
		t.Errorf("re-upload of a complete photo: %+v %v", st, err)
	}
	if r := f.sync(f.me, v)[0]; r.Status != visits.StatusAccepted {
		t.Errorf("visit with the photo: %+v", r)
	}
	// Bytes that do not match the name are discarded; so is a file that is not an image.
	bad := []byte("this is not a picture at all")
	badSum := sha256.Sum256(bad)
	badSHA := hex.EncodeToString(badSum[:])
	if _, err := f.s.PutPart(f.ctx, f.me, sha[:63]+"0", 0, int64(len(bad)), bytes.NewReader(bad)); errs.CodeOf(err) != errs.Invalid ||
		!strings.Contains(err.Error(), "照片内容与 SHA-256 不符") {
		t.Errorf("hash mismatch: %v", err)
	}
	if _, err := f.s.PutPart(f.ctx, f.me, badSHA, 0, int64(len(bad)), bytes.NewReader(bad)); errs.CodeOf(err) != errs.Unsupported {
		t.Errorf("not an image: %v", err)
	}
	// A two-part upload whose bytes turn out wrong is dropped: the phone starts again at 0.
	other := visits.EncJPEG(t, fxNoise(1100, 900, 4), 95)
	wrongSHA := sha[:60] + "beef"
	if _, err := f.s.PutPart(f.ctx, f.me, wrongSHA, 0, int64(len(other)), bytes.NewReader(other[:visits.MaxPartBytes])); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.PutPart(f.ctx, f.me, wrongSHA, visits.MaxPartBytes, int64(len(other)), bytes.NewReader(other[visits.MaxPartBytes:])); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("wrong two-part: %v", err)
	}
	if _, err := f.s.Photo(f.ctx, f.me, wrongSHA); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("discarded upload still there: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM photos WHERE complete = 0`) + f.count(`SELECT COUNT(*) FROM photo_parts`); n != 0 {
		t.Errorf("%d leftovers of failed uploads", n)
	}
	// Limits, before the body is read.
	if _, err := f.s.PutPart(f.ctx, f.me, sha, 0, 50<<20, bytes.NewReader(nil)); errs.CodeOf(err) != errs.TooLarge ||
		!strings.Contains(err.Error(), "照片 52428800 字节,超过 8 MB 上限") {
		t.Errorf("50 MB: %v", err)
	}
	for _, c := range []struct {
		sha       string
		pos, size int64
	}{{"XYZ", 0, 10}, {sha, -1, 10}, {sha, 10, 10}, {sha, 0, 0}} {
		if _, err := f.s.PutPart(f.ctx, f.me, c.sha, c.pos, c.size, bytes.NewReader([]byte("x"))); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func asPartConflict(err error, pc **visits.PartConflict) bool {
	p, ok := err.(*visits.PartConflict)
	*pc = p
	return ok
}

// fxNoise is a picture of random pixels: it compresses badly, so a few hundred pixels a side
// make a photo-sized file.
func fxNoise(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 11))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.Uint32())
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// FuzzSyncReplay feeds sync bodies, malformed or not, twice through the store: the first pass
// never fails the request except for input errors; the second stores nothing new — every
// visit stored the first time is a duplicate, a kept conflict is not kept twice, a rejection
// stays a rejection.
func FuzzSyncReplay(f *testing.F) {
	fx := newFieldFixture(f)
	seed := func(vs ...visits.VisitUpload) {
		b, _ := json.Marshal(visits.SyncRequest{Visits: vs})
		f.Add(b)
	}
	v1 := visits.GoodUpload("fuzz-visit-0001", fx.mine[0])
	v2 := visits.GoodUpload("fuzz-visit-0002", fx.mine[1])
	v2.Lat, v2.Lng, v2.AccuracyM = nil, nil, nil
	v3 := visits.GoodUpload("fuzz-visit-0003", fx.colleagues[0])
	v4 := v1
	v4.BaseVersion = 1
	v4.Needs = "改"
	seed(v1)
	seed(v1, v2, v3)
	seed(v4)
	f.Add([]byte(`{"visits":[{"client_id":"fuzz-visit-0009","household_id":1}]}`))
	f.Add([]byte(`{"visits":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fx.t = t
		var req visits.SyncRequest
		if err := httpx.DecodeReader(bytes.NewReader(b), &req); err != nil {
			return
		}
		first, err := fx.s.Sync(fx.ctx, fx.me, req)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Code == errs.Internal {
				t.Fatalf("sync failed: %v", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, v := range req.Visits {
			ids[strings.TrimSpace(v.ClientID)] = true
		}
		if len(ids) != len(req.Visits) {
			return // one client_id twice in a body: the later copy is an edit of the earlier
		}
		rows := fx.count(`SELECT COUNT(*) FROM visits`)
		conflicts := fx.count(`SELECT COUNT(*) FROM visit_conflicts`)
		second, err := fx.s.Sync(fx.ctx, fx.me, req)
		if err != nil {
			t.Fatalf("replay failed: %v", err)
		}
		for i, r := range first.Results {
			r2 := second.Results[i]
			switch r.Status {
			case visits.StatusAccepted, visits.StatusUpdated, visits.StatusDuplicate:
				if r2.Status != visits.StatusDuplicate || r2.VisitID != r.VisitID || r2.Version != r.Version {
					t.Fatalf("visit %d: %+v then %+v", i, r, r2)
				}
			case visits.StatusConflict:
				if r2.Status != visits.StatusConflict || r2.VisitID != r.VisitID {
					t.Fatalf("conflict %d: %+v then %+v", i, r, r2)
				}
			case visits.StatusRejected:
				if r2.Status != visits.StatusRejected || r2.Code != r.Code || r.Message == "" {
					t.Fatalf("rejection %d: %+v then %+v", i, r, r2)
				}
			default:
				t.Fatalf("status %+v", r)
			}
		}
		if fx.count(`SELECT COUNT(*) FROM visits`) != rows || fx.count(`SELECT COUNT(*) FROM visit_conflicts`) != conflicts {
			t.Fatal("the replay stored something")
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
