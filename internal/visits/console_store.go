package visits

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// storedTimePtr turns an optional stored timestamp into the API's UTC RFC 3339 form.
func storedTimePtr(s sql.NullString) *string {
	if !s.Valid || s.String == "" {
		return nil
	}
	t := canonTime(s.String)
	return &t
}

func nullFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	x := f.Float64
	return &x
}

// listVisits reads one page of the console's visit list, newest id first. Bounded by the
// region's code range; the signal and conflict filters are driven by their (small) tables.
func listVisits(ctx context.Context, q db.Queryer, f VisitFilter) ([]VisitRow, error) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"v.region_code BETWEEN ? AND ?"}
	args := []any{lo, hi}
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.After > 0 {
		add("v.id < ?", f.After)
	}
	if f.Quarter != "" {
		add("v.quarter = ?", f.Quarter)
	}
	if f.HouseholdID > 0 {
		add("v.household_id = ?", f.HouseholdID)
	}
	if f.HelperID > 0 {
		add("v.helper_id = ?", f.HelperID)
	}
	switch f.Signal {
	case "":
	case "any":
		add("v.id IN (SELECT s.visit_id FROM visit_signals s WHERE s.region_code BETWEEN ? AND ?)", lo, hi)
	default:
		add("v.id IN (SELECT s.visit_id FROM visit_signals s WHERE s.region_code BETWEEN ? AND ? AND s.kind = ?)", lo, hi, f.Signal)
	}
	if f.Conflict {
		add("v.conflict = 1 AND v.id IN (SELECT c.visit_id FROM visit_conflicts c WHERE c.resolution = '')")
	}
	rows, err := q.QueryContext(ctx, `SELECT v.id, v.client_id, v.household_id, h.household_no, h.head_name, v.region_code,
		COALESCE(r.name, ''), v.helper_id, COALESCE(e.name, ''), v.visited_at, v.received_at, v.quarter, v.distance_m, v.accuracy_m,
		(SELECT COUNT(*) FROM visit_photos vp WHERE vp.visit_id = v.id), v.conflict, v.confirmed, v.version
		FROM visits v JOIN households h ON h.id = v.household_id LEFT JOIN regions r ON r.code = v.region_code
		LEFT JOIN helpers e ON e.id = v.helper_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY v.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	out := []VisitRow{}
	index := map[int64]int{}
	for rows.Next() {
		var r VisitRow
		var dist, acc sql.NullFloat64
		var conflict, confirmed int
		if err := rows.Scan(&r.ID, &r.ClientID, &r.HouseholdID, &r.HouseholdNo, &r.HeadName, &r.RegionCode, &r.RegionName,
			&r.HelperID, &r.HelperName, &r.VisitedAt, &r.ReceivedAt, &r.Quarter, &dist, &acc, &r.Photos, &conflict, &confirmed, &r.Version); err != nil {
			rows.Close()
			return nil, err
		}
		r.VisitedAt, r.ReceivedAt = canonTime(r.VisitedAt), canonTime(r.ReceivedAt)
		r.DistanceM, r.AccuracyM = nullFloat(dist), nullFloat(acc)
		r.Conflict, r.Confirmed, r.Signals = conflict == 1, confirmed == 1, []string{}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// The page's signs in one read of visit_signals_visit, not one per row.
	ids := make([]any, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	srows, err := q.QueryContext(ctx, `SELECT DISTINCT visit_id, kind FROM visit_signals WHERE visit_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, ids...)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	kinds := map[int64]map[string]bool{}
	for srows.Next() {
		var id int64
		var k string
		if err := srows.Scan(&id, &k); err != nil {
			return nil, err
		}
		if kinds[id] == nil {
			kinds[id] = map[string]bool{}
		}
		kinds[id][k] = true
	}
	for id, ks := range kinds {
		r := &out[index[id]]
		for _, k := range SignalKinds { // a stable order, whatever the table gives
			if ks[k] {
				r.Signals = append(r.Signals, k)
			}
		}
	}
	return out, srows.Err()
}

// storedVisit is a visit row as the console reads it: the field app's view plus where it
// belongs and who made it.
type storedVisit struct {
	FieldVisit
	RegionCode string
	Quarter    string
	DistanceM  *float64
	HelperID   int64
	UserID     int64
}

// loadStoredVisit reads a visit with its photo references (in sha256 order, the order the
// content hash is taken in when the server rebuilds a visit's content).
func loadStoredVisit(ctx context.Context, q db.Queryer, id int64) (storedVisit, error) {
	var v storedVisit
	var lat, lng, acc, dist sql.NullFloat64
	var income sql.NullInt64
	var confirmed, conflict int
	err := q.QueryRowContext(ctx, `SELECT id, client_id, household_id, helper_id, user_id, region_code, quarter,
		visited_at, recorded_at, received_at, lat, lng, accuracy_m, distance_m, g_food, g_education, g_medical, g_housing, g_water,
		income_fen, needs, measures, notes, confirmed, confirmed_by, version, conflict FROM visits WHERE id = ?`, id).Scan(
		&v.ID, &v.ClientID, &v.HouseholdID, &v.HelperID, &v.UserID, &v.RegionCode, &v.Quarter,
		&v.VisitedAt, &v.RecordedAt, &v.ReceivedAt, &lat, &lng, &acc, &dist,
		&v.Guarantees.Food, &v.Guarantees.Education, &v.Guarantees.Medical, &v.Guarantees.Housing, &v.Guarantees.Water,
		&income, &v.Needs, &v.Measures, &v.Notes, &confirmed, &v.ConfirmedBy, &v.Version, &conflict)
	if errors.Is(err, sql.ErrNoRows) {
		return v, errNoVisit
	}
	if err != nil {
		return v, err
	}
	v.VisitedAt, v.RecordedAt, v.ReceivedAt = canonTime(v.VisitedAt), canonTime(v.RecordedAt), canonTime(v.ReceivedAt)
	v.Lat, v.Lng, v.AccuracyM, v.DistanceM = nullFloat(lat), nullFloat(lng), nullFloat(acc), nullFloat(dist)
	if income.Valid {
		n := income.Int64
		v.IncomeFen = &n
	}
	v.Confirmed, v.Conflict, v.BaseVersion = confirmed == 1, conflict == 1, v.Version
	rows, err := q.QueryContext(ctx, `SELECT sha256, taken_at FROM visit_photos WHERE visit_id = ? ORDER BY sha256`, id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	v.Photos = []PhotoRef{}
	for rows.Next() {
		var ref PhotoRef
		var taken sql.NullString
		if err := rows.Scan(&ref.SHA256, &taken); err != nil {
			return v, err
		}
		ref.TakenAt = storedTimePtr(taken)
		v.Photos = append(v.Photos, ref)
	}
	return v, rows.Err()
}

// loadDetail reads a visit with its household, helper, uploader, photos, signs and conflicts
// (the history is the service's: it comes from the audit trail).
func loadDetail(ctx context.Context, q db.Queryer, id int64) (VisitDetail, error) {
	v, err := loadStoredVisit(ctx, q, id)
	if err != nil {
		return VisitDetail{}, err
	}
	d := VisitDetail{FieldVisit: v.FieldVisit, RegionCode: v.RegionCode, Quarter: v.Quarter, DistanceM: v.DistanceM,
		Photos: []DetailPhoto{}, Signals: []DetailSignal{}, Conflicts: []DetailConflict{}}
	var lat, lng sql.NullFloat64
	err = q.QueryRowContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.address, h.region_code, COALESCE(r.name, ''), l.lat, l.lng,
		COALESCE(e.id, 0), COALESCE(e.name, ''), COALESCE(e.phone, ''), COALESCE(e.employer, ''), COALESCE(u.display_name, '')
		FROM households h LEFT JOIN regions r ON r.code = h.region_code
		LEFT JOIN household_locations l ON l.household_id = h.id
		LEFT JOIN helpers e ON e.id = ? LEFT JOIN users u ON u.id = ?
		WHERE h.id = ?`, v.HelperID, v.UserID, v.HouseholdID).Scan(
		&d.Household.ID, &d.Household.HouseholdNo, &d.Household.HeadName, &d.Household.Address, &d.Household.RegionCode,
		&d.Household.RegionName, &lat, &lng, &d.Helper.ID, &d.Helper.Name, &d.Helper.Phone, &d.Helper.Employer, &d.UploadedBy)
	if err != nil {
		return d, err
	}
	if lat.Valid && lng.Valid {
		d.Household.Location = &DetailSpot{Lat: lat.Float64, Lng: lng.Float64}
	}
	if d.Photos, err = detailPhotos(ctx, q, id); err != nil {
		return d, err
	}
	if d.Signals, err = detailSignals(ctx, q, id); err != nil {
		return d, err
	}
	d.Conflicts, err = detailConflicts(ctx, q, id)
	return d, err
}

func detailPhotos(ctx context.Context, q db.Queryer, visitID int64) ([]DetailPhoto, error) {
	rows, err := q.QueryContext(ctx, `SELECT vp.sha256, vp.taken_at, p.width, p.height, p.size, p.content_type
		FROM visit_photos vp JOIN photos p ON p.sha256 = vp.sha256 WHERE vp.visit_id = ? ORDER BY vp.sha256`, visitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DetailPhoto{}
	for rows.Next() {
		var ph DetailPhoto
		var taken sql.NullString
		if err := rows.Scan(&ph.SHA256, &taken, &ph.Width, &ph.Height, &ph.Size, &ph.ContentType); err != nil {
			return nil, err
		}
		ph.TakenAt = storedTimePtr(taken)
		out = append(out, ph)
	}
	return out, rows.Err()
}

func detailSignals(ctx context.Context, q db.Queryer, visitID int64) ([]DetailSignal, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, value, detail, other_visit_id FROM visit_signals WHERE visit_id = ? ORDER BY id`, visitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DetailSignal{}
	for rows.Next() {
		var sg DetailSignal
		var other sql.NullInt64
		if err := rows.Scan(&sg.Kind, &sg.Value, &sg.Detail, &other); err != nil {
			return nil, err
		}
		if other.Valid {
			o := other.Int64
			sg.OtherVisitID = &o
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

func detailConflicts(ctx context.Context, q db.Queryer, visitID int64) ([]DetailConflict, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.base_version, c.server_version, c.payload_json, COALESCE(u.display_name, ''),
		c.created_at, c.resolution, c.resolved_at, COALESCE(r.display_name, '')
		FROM visit_conflicts c LEFT JOIN users u ON u.id = c.user_id LEFT JOIN users r ON r.id = c.resolved_by
		WHERE c.visit_id = ? ORDER BY c.id`, visitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DetailConflict{}
	for rows.Next() {
		var c DetailConflict
		var payload string
		var resolvedAt sql.NullString
		if err := rows.Scan(&c.ID, &c.BaseVersion, &c.ServerVersion, &payload, &c.UserName, &c.CreatedAt, &c.Resolution,
			&resolvedAt, &c.ResolvedByName); err != nil {
			return nil, err
		}
		c.CreatedAt, c.ResolvedAt = canonTime(c.CreatedAt), storedTimePtr(resolvedAt)
		c.Payload = json.RawMessage("null")
		if json.Valid([]byte(payload)) {
			c.Payload = json.RawMessage(payload)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// updateEditable writes the office's correction when the version is still the one read.
func updateEditable(ctx context.Context, tx *db.Tx, id, version int64, e editable, hash string) error {
	var income any
	if e.IncomeFen != nil {
		income = *e.IncomeFen
	}
	res, err := tx.ExecContext(ctx, `UPDATE visits SET g_food = ?, g_education = ?, g_medical = ?, g_housing = ?, g_water = ?,
		income_fen = ?, needs = ?, measures = ?, notes = ?, content_hash = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		e.Guarantees.Food, e.Guarantees.Education, e.Guarantees.Medical, e.Guarantees.Housing, e.Guarantees.Water,
		income, e.Needs, e.Measures, e.Notes, hash, db.Time(tx.Now), id, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "该走访记录已被修改,请刷新后重试")
	}
	return nil
}

// photoInScope reads a complete photo that is on at least one visit under scope.
func photoInScope(ctx context.Context, q db.Queryer, sha, scope string) (string, []byte, error) {
	lo, hi := regioncode.Range(scope)
	var ct string
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT p.content_type, p.data FROM photos p WHERE p.sha256 = ? AND p.complete = 1
		AND EXISTS (SELECT 1 FROM visit_photos vp JOIN visits v ON v.id = vp.visit_id
			WHERE vp.sha256 = p.sha256 AND v.region_code BETWEEN ? AND ?)`, sha, lo, hi).Scan(&ct, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, errs.E(errs.NotFound, "照片不存在")
	}
	return ct, data, err
}
