package visits

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"sunshine/internal/db"
)

func helperOfUser(ctx context.Context, q db.Queryer, userID int64, h *fieldHelper) (bool, error) {
	err := q.QueryRowContext(ctx, `SELECT id, name, phone, employer, position FROM helpers WHERE user_id = ? AND active = 1`, userID).
		Scan(&h.ID, &h.Name, &h.Phone, &h.Employer, &h.Position)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// visitRec is what sync needs of a stored visit to recognise a replay or an edit.
type visitRec struct {
	ID          int64
	UserID      int64
	HouseholdID int64
	ContentHash string
	Version     int64
}

func visitByClientID(ctx context.Context, q db.Queryer, clientID string) (visitRec, bool, error) {
	var v visitRec
	err := q.QueryRowContext(ctx, `SELECT id, user_id, household_id, content_hash, version FROM visits WHERE client_id = ?`, clientID).
		Scan(&v.ID, &v.UserID, &v.HouseholdID, &v.ContentHash, &v.Version)
	if err == sql.ErrNoRows {
		return v, false, nil
	}
	return v, err == nil, err
}

type latLng struct{ Lat, Lng float64 }

// householdRef is the household a visit is for: its village and where it lives.
type householdRef struct {
	ID         int64
	RegionCode string
	Location   *latLng
}

func householdOf(ctx context.Context, q db.Queryer, id int64) (householdRef, bool, error) {
	h := householdRef{ID: id}
	var lat, lng sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT h.region_code, l.lat, l.lng FROM households h
		LEFT JOIN household_locations l ON l.household_id = h.id WHERE h.id = ?`, id).Scan(&h.RegionCode, &lat, &lng)
	if err == sql.ErrNoRows {
		return h, false, nil
	}
	if lat.Valid && lng.Valid {
		h.Location = &latLng{lat.Float64, lng.Float64}
	}
	return h, err == nil, err
}

// assignedOn reports whether helperID answered for the household on date (from_date ≤ date ≤
// to_date, or still open).
func assignedOn(ctx context.Context, q db.Queryer, householdID, helperID int64, date string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM assignments WHERE household_id = ? AND helper_id = ?
		AND from_date <= ? AND (to_date IS NULL OR to_date >= ?)`, householdID, helperID, date, date).Scan(&n)
	return n > 0, err
}

// photoHash is a complete photo's perceptual hash.
type photoHash struct {
	Hash    uint64
	HasHash bool
}

// photoHashes returns the complete photos among refs with their perceptual hashes; a photo
// missing from the map is not (yet) complete.
func photoHashes(ctx context.Context, q db.Queryer, refs []PhotoRef) (map[string]photoHash, error) {
	out := make(map[string]photoHash, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	args := make([]any, len(refs))
	for i, r := range refs {
		args[i] = r.SHA256
	}
	rows, err := q.QueryContext(ctx, `SELECT sha256, phash FROM photos WHERE complete = 1 AND sha256 IN (`+placeholders(len(refs))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sha, ph string
		if err := rows.Scan(&sha, &ph); err != nil {
			return nil, err
		}
		h, ok := ParseHash(ph)
		out[sha] = photoHash{Hash: h, HasHash: ok}
	}
	return out, rows.Err()
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// visitRow is a visit as written.
type visitRow struct {
	Checked
	ID         int64
	Version    int64
	HelperID   int64
	UserID     int64
	RegionCode string
	Quarter    string
	DistanceM  *float64
	ReceivedAt time.Time
}

// fieldVisit is the stored visit as FieldVisit reads it back (times in canonical UTC form).
func (r visitRow) fieldVisit() FieldVisit {
	f := FieldVisit{VisitUpload: r.VisitUpload, ID: r.ID, Version: r.Version, ReceivedAt: canonTime(db.Time(r.ReceivedAt))}
	f.VisitedAt, f.RecordedAt = canonTime(db.Time(r.Visited)), canonTime(db.Time(r.Recorded))
	f.BaseVersion = r.Version
	f.Photos = make([]PhotoRef, len(r.Photos))
	for i, p := range r.Photos {
		f.Photos[i] = PhotoRef{SHA256: p.SHA256}
		if t := r.TakenAt[i]; t != nil {
			s := canonTime(db.Time(*t))
			f.Photos[i].TakenAt = &s
		}
	}
	return f
}

func argFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func nullInt(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func insertVisit(ctx context.Context, tx *db.Tx, r visitRow) (int64, error) {
	now := db.Time(tx.Now)
	g := r.Guarantees
	return tx.InsertID(ctx, `INSERT INTO visits (client_id, household_id, helper_id, user_id, region_code, quarter, visited_at, recorded_at,
		received_at, lat, lng, accuracy_m, distance_m, g_food, g_education, g_medical, g_housing, g_water, income_fen, needs, measures,
		notes, confirmed, confirmed_by, content_hash, version, conflict, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?) RETURNING id`,
		r.ClientID, r.HouseholdID, r.HelperID, r.UserID, r.RegionCode, r.Quarter, db.Time(r.Visited), db.Time(r.Recorded),
		db.Time(r.ReceivedAt), argFloat(r.Lat), argFloat(r.Lng), argFloat(r.AccuracyM), argFloat(r.DistanceM),
		g.Food, g.Education, g.Medical, g.Housing, g.Water, nullInt(r.IncomeFen), r.Needs, r.Measures, r.Notes,
		b2i(r.Confirmed), r.ConfirmedBy, r.Hash, now, now)
}

// updateVisit replaces a visit's fields with the phone's newer copy (version r.Version).
func updateVisit(ctx context.Context, tx *db.Tx, r visitRow) error {
	g := r.Guarantees
	_, err := tx.ExecContext(ctx, `UPDATE visits SET quarter = ?, visited_at = ?, recorded_at = ?, lat = ?, lng = ?, accuracy_m = ?,
		distance_m = ?, g_food = ?, g_education = ?, g_medical = ?, g_housing = ?, g_water = ?, income_fen = ?, needs = ?, measures = ?,
		notes = ?, confirmed = ?, confirmed_by = ?, content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
		r.Quarter, db.Time(r.Visited), db.Time(r.Recorded), argFloat(r.Lat), argFloat(r.Lng), argFloat(r.AccuracyM),
		argFloat(r.DistanceM), g.Food, g.Education, g.Medical, g.Housing, g.Water, nullInt(r.IncomeFen), r.Needs, r.Measures,
		r.Notes, b2i(r.Confirmed), r.ConfirmedBy, r.Hash, r.Version, db.Time(tx.Now), r.ID)
	return err
}

// setVisitPhotos writes the visit's photo list (replacing the old one on an update).
func setVisitPhotos(ctx context.Context, tx *db.Tx, visitID int64, c Checked, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM visit_photos WHERE visit_id = ?`, visitID); err != nil {
			return err
		}
	}
	if len(c.Photos) == 0 {
		return nil
	}
	rows := make([][]any, len(c.Photos))
	for i, p := range c.Photos {
		rows[i] = []any{visitID, p.SHA256, db.NullTime(c.TakenAt[i])}
	}
	return db.BulkInsert(ctx, tx, "visit_photos", []string{"visit_id", "sha256", "taken_at"}, rows)
}

const fieldVisitCols = `v.id, v.client_id, v.household_id, v.visited_at, v.recorded_at, v.received_at, v.lat, v.lng, v.accuracy_m,
	v.g_food, v.g_education, v.g_medical, v.g_housing, v.g_water, v.income_fen, v.needs, v.measures, v.notes, v.confirmed,
	v.confirmed_by, v.version, v.conflict`

func scanFieldVisit(s interface{ Scan(...any) error }) (FieldVisit, error) {
	var f FieldVisit
	var lat, lng, acc sql.NullFloat64
	var income sql.NullInt64
	var confirmed, conflict int
	g := &f.Guarantees
	err := s.Scan(&f.ID, &f.ClientID, &f.HouseholdID, &f.VisitedAt, &f.RecordedAt, &f.ReceivedAt, &lat, &lng, &acc,
		&g.Food, &g.Education, &g.Medical, &g.Housing, &g.Water, &income, &f.Needs, &f.Measures, &f.Notes, &confirmed,
		&f.ConfirmedBy, &f.Version, &conflict)
	if err != nil {
		return f, err
	}
	f.VisitedAt, f.RecordedAt, f.ReceivedAt = canonTime(f.VisitedAt), canonTime(f.RecordedAt), canonTime(f.ReceivedAt)
	f.Lat, f.Lng, f.AccuracyM = nullFloat(lat), nullFloat(lng), nullFloat(acc)
	if income.Valid {
		f.IncomeFen = &income.Int64
	}
	f.Confirmed, f.Conflict = confirmed == 1, conflict == 1
	f.BaseVersion = f.Version
	f.Photos = []PhotoRef{}
	return f, nil
}

// getFieldVisit loads one visit with its photos (sql.ErrNoRows when there is none).
func getFieldVisit(ctx context.Context, q db.Queryer, id int64) (FieldVisit, error) {
	list, err := fieldVisits(ctx, q, `v.id = ?`, id)
	if err != nil {
		return FieldVisit{}, err
	}
	if len(list) == 0 {
		return FieldVisit{}, sql.ErrNoRows
	}
	return list[0], nil
}

// fieldVisits loads the visits matching where (over alias v), newest visit first, with their
// photos.
func fieldVisits(ctx context.Context, q db.Queryer, where string, args ...any) ([]FieldVisit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+fieldVisitCols+` FROM visits v WHERE `+where+` ORDER BY v.visited_at DESC, v.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	var out []FieldVisit
	for rows.Next() {
		f, err := scanFieldVisit(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, attachPhotos(ctx, q, out)
}

// attachPhotos fills each visit's photo list, ordered by hash as the upload canonicalizes it.
func attachPhotos(ctx context.Context, q db.Queryer, list []FieldVisit) error {
	if len(list) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(list))
	args := make([]any, len(list))
	for i, f := range list {
		idx[f.ID], args[i] = i, f.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT visit_id, sha256, taken_at FROM visit_photos WHERE visit_id IN (`+placeholders(len(list))+`)
		ORDER BY visit_id, sha256`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p PhotoRef
		var taken sql.NullString
		if err := rows.Scan(&id, &p.SHA256, &taken); err != nil {
			return err
		}
		if taken.Valid {
			t := canonTime(taken.String)
			p.TakenAt = &t
		}
		f := &list[idx[id]]
		f.Photos = append(f.Photos, p)
	}
	return rows.Err()
}

func conflictPayloadKnown(ctx context.Context, q db.Queryer, visitID int64, payload string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM visit_conflicts WHERE visit_id = ? AND payload_json = ?`, visitID, payload).Scan(&n)
	return n > 0, err
}

func insertConflict(ctx context.Context, tx *db.Tx, visitID, base, server int64, payload string, userID int64) (int64, error) {
	now := db.Time(tx.Now)
	id, err := tx.InsertID(ctx, `INSERT INTO visit_conflicts (visit_id, base_version, server_version, payload_json, user_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, visitID, base, server, payload, userID, now, now)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE visits SET conflict = 1, updated_at = ? WHERE id = ?`, now, visitID)
	return id, err
}
