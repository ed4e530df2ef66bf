package visits

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"sunshine/internal/db"
)

// Signal is one fake-visit sign on a visit.
type Signal struct {
	Kind         string  `json:"kind"`
	Value        float64 `json:"value"`
	Detail       string  `json:"detail"`
	OtherVisitID int64   `json:"other_visit_id"` // 0 = none
}

// Thresholds of the signals that are not configurable.
const (
	maxCountedAccuracyM = 200  // a worse fix is not given more benefit of the doubt
	nearPhotoBits       = 3    // perceptual hashes this close are the same picture
	travelMinMeters     = 2000 // two visits closer than this are never impossible travel
	travelMinInterval   = time.Minute
)

// FarFromHome: the visit's GPS fix, less its accuracy (at most 200 m counted), is further from
// the household's location than cfg.FarMeters. value = the distance in metres.
func FarFromHome(distanceM, accuracyM *float64, cfg Config) (Signal, bool) {
	if distanceM == nil {
		return Signal{}, false
	}
	acc := 0.0
	if accuracyM != nil {
		acc = math.Min(math.Max(*accuracyM, 0), maxCountedAccuracyM)
	}
	if *distanceM-acc <= cfg.FarMeters {
		return Signal{}, false
	}
	d := math.Round(*distanceM)
	return Signal{Kind: SignalFarFromHome, Value: d,
		Detail: fmt.Sprintf("走访定位距农户住址 %.0f 米(定位精度 %.0f 米),超过 %.0f 米", d, acc, cfg.FarMeters)}, true
}

// LateRecord: the form was saved more than cfg.LateHours after the stated visit time. value =
// hours.
func LateRecord(visited, recorded time.Time, cfg Config) (Signal, bool) {
	h := recorded.Sub(visited).Hours()
	if h <= cfg.LateHours {
		return Signal{}, false
	}
	h = math.Round(h*10) / 10
	return Signal{Kind: SignalLateRecord, Value: h, Detail: fmt.Sprintf("走访后 %.1f 小时才记录,超过 %.0f 小时", h, cfg.LateHours)}, true
}

// fix is a visit's position in time and space.
type fix struct {
	VisitID  int64
	At       time.Time
	Lat, Lng float64
}

// ImpossibleTravel: the same helper at two fixes more than 2 km apart with less time between
// them than cfg.MaxKmh allows. value = km/h (the interval counts at least one minute).
func ImpossibleTravel(a, b fix, cfg Config) (Signal, bool) {
	d := Haversine(a.Lat, a.Lng, b.Lat, b.Lng)
	if d <= travelMinMeters {
		return Signal{}, false
	}
	dt := b.At.Sub(a.At)
	if dt < 0 {
		dt = -dt
	}
	dt = max(dt, travelMinInterval)
	kmh := d / 1000 / dt.Hours()
	if kmh <= cfg.MaxKmh {
		return Signal{}, false
	}
	kmh = math.Round(kmh)
	return Signal{Kind: SignalImpossibleTravel, Value: kmh, OtherVisitID: b.VisitID,
		Detail: fmt.Sprintf("与走访 #%d 相距 %.1f 公里,间隔 %s,约 %.0f 公里/小时,超过 %.0f 公里/小时", b.VisitID, d/1000, spell(dt), kmh, cfg.MaxKmh)}, true
}

func spell(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%d 分钟", int(d.Minutes()))
	}
	return fmt.Sprintf("%.1f 小时", d.Hours())
}

// samePhotoDetail describes a shared or near-identical photo.
func samePhotoDetail(sha string, dist int) string {
	if dist == 0 {
		return fmt.Sprintf("照片 %s 与另一户走访的照片相同", sha[:8])
	}
	return fmt.Sprintf("照片 %s 与另一户走访的照片近似(感知哈希相差 %d 位)", sha[:8], dist)
}

// signalRow is a signal as stored, on a visit of a region.
type signalRow struct {
	VisitID    int64
	RegionCode string
	Signal
}

// refreshSignals recomputes a visit's signals after it was stored or replaced: its own rows
// and the same_photo mirrors pointing at it are derived data, dropped and inserted anew. It
// returns the kinds found on the visit.
func (s *Service) refreshSignals(ctx context.Context, tx *db.Tx, v visitRow, photos map[string]photoHash) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM visit_signals WHERE visit_id = ? OR (kind = ? AND other_visit_id = ?)`,
		v.ID, SignalSamePhoto, v.ID); err != nil {
		return nil, err
	}
	var own []Signal
	if sg, ok := FarFromHome(v.DistanceM, v.AccuracyM, s.Config); ok {
		own = append(own, sg)
	}
	var mirrors []signalRow
	same, err := samePhotos(ctx, tx, v, photos)
	if err != nil {
		return nil, err
	}
	for _, m := range same {
		own = append(own, Signal{Kind: SignalSamePhoto, Value: float64(m.dist), OtherVisitID: m.visitID, Detail: samePhotoDetail(m.sha, m.dist)})
		mirrors = append(mirrors, signalRow{VisitID: m.visitID, RegionCode: m.region,
			Signal: Signal{Kind: SignalSamePhoto, Value: float64(m.dist), OtherVisitID: v.ID, Detail: samePhotoDetail(m.otherSHA, m.dist)}})
	}
	if sg, ok := LateRecord(v.Visited, v.Recorded, s.Config); ok {
		own = append(own, sg)
	}
	if v.Lat != nil {
		me := fix{VisitID: v.ID, At: v.Visited, Lat: *v.Lat, Lng: *v.Lng}
		near, err := neighbourFixes(ctx, tx, v.HelperID, v.ID, v.Visited)
		if err != nil {
			return nil, err
		}
		for _, n := range near {
			if sg, ok := ImpossibleTravel(me, n, s.Config); ok {
				own = append(own, sg)
			}
		}
	}
	rows := make([][]any, 0, len(own)+len(mirrors))
	now := db.Time(tx.Now)
	kinds := []string{}
	add := func(r signalRow) {
		var other any
		if r.OtherVisitID != 0 {
			other = r.OtherVisitID
		}
		rows = append(rows, []any{r.VisitID, r.Kind, r.RegionCode, other, r.Value, r.Detail, now})
	}
	for _, sg := range own {
		add(signalRow{VisitID: v.ID, RegionCode: v.RegionCode, Signal: sg})
		if !slices.Contains(kinds, sg.Kind) {
			kinds = append(kinds, sg.Kind)
		}
	}
	for _, m := range mirrors {
		add(m)
	}
	return kinds, db.BulkInsert(ctx, tx, "visit_signals", []string{"visit_id", "kind", "region_code", "other_visit_id", "value", "detail", "created_at"}, rows)
}

// sharedPhoto is another household's visit with a photo equal or near to one of this visit's.
type sharedPhoto struct {
	visitID  int64
	region   string
	sha      string // this visit's photo
	otherSHA string // the other visit's photo
	dist     int
}

// samePhotos finds, for each photo of the visit, visits to other households with the same
// bytes or a perceptual hash within nearPhotoBits, through the band indexes (two hashes that
// close agree on at least one of the four 16-bit bands). One entry per other visit, the
// closest pair.
func samePhotos(ctx context.Context, q db.Queryer, v visitRow, photos map[string]photoHash) ([]sharedPhoto, error) {
	best := map[int64]sharedPhoto{}
	for _, p := range v.Photos {
		ph := photos[p.SHA256]
		where, args := `p.sha256 = ?`, []any{p.SHA256}
		if ph.HasHash {
			b := Bands(ph.Hash)
			where += ` OR p.ph1 = ? OR p.ph2 = ? OR p.ph3 = ? OR p.ph4 = ?`
			args = append(args, b[0], b[1], b[2], b[3])
		}
		rows, err := q.QueryContext(ctx, `SELECT v.id, v.region_code, p.sha256, p.phash FROM photos p
			JOIN visit_photos vp ON vp.sha256 = p.sha256 JOIN visits v ON v.id = vp.visit_id
			WHERE (`+where+`) AND v.household_id <> ? ORDER BY v.id LIMIT 500`, append(args, v.HouseholdID)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m sharedPhoto
			var phash string
			if err := rows.Scan(&m.visitID, &m.region, &m.otherSHA, &phash); err != nil {
				rows.Close()
				return nil, err
			}
			m.sha = p.SHA256
			if m.otherSHA != p.SHA256 {
				h, ok := ParseHash(phash)
				if !ok || !ph.HasHash {
					continue
				}
				if m.dist = Hamming(h, ph.Hash); m.dist > nearPhotoBits {
					continue
				}
			}
			if cur, ok := best[m.visitID]; !ok || m.dist < cur.dist {
				best[m.visitID] = m
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]sharedPhoto, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b sharedPhoto) int { return int(a.visitID - b.visitID) })
	return out, nil
}

// neighbourFixes are the helper's nearest earlier and later visits with GPS.
func neighbourFixes(ctx context.Context, q db.Queryer, helperID, visitID int64, at time.Time) ([]fix, error) {
	var out []fix
	t := db.Time(at)
	for _, qs := range []string{
		`SELECT id, visited_at, lat, lng FROM visits WHERE helper_id = ? AND id <> ? AND lat IS NOT NULL AND visited_at <= ? ORDER BY visited_at DESC, id DESC LIMIT 1`,
		`SELECT id, visited_at, lat, lng FROM visits WHERE helper_id = ? AND id <> ? AND lat IS NOT NULL AND visited_at >= ? ORDER BY visited_at, id LIMIT 1`,
	} {
		rows, err := q.QueryContext(ctx, qs, helperID, visitID, t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var f fix
			var ts string
			if err := rows.Scan(&f.VisitID, &ts, &f.Lat, &f.Lng); err != nil {
				rows.Close()
				return nil, err
			}
			f.At = db.ParseTime(ts)
			if !slices.ContainsFunc(out, func(o fix) bool { return o.VisitID == f.VisitID }) {
				out = append(out, f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
