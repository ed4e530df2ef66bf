package projects

import (
	"context"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/regioncode"
)

// AssetRegister is the register's summary for a filter (the same filter as the list, without
// paging): counts and values by kind and by status, and one map point per place with
// coordinates — the average position of its assets that have one, with the count, value and
// idle-or-lost count of all its assets. Filters on place, kind and status (idle and lost
// attention are statuses) read the maintained tallies; project, undistributed income and text
// filters scan the assets.
func (s *Service) AssetRegister(ctx context.Context, p *auth.Principal, f AssetFilter) (Register, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return Register{}, err
	}
	if err := f.check(p); err != nil {
		return Register{}, err
	}
	if talliesAnswer(f) {
		return registerFromTallies(ctx, s.DB.Reader(), p, f)
	}
	return registerScan(ctx, s.DB.Reader(), p, f, s.today())
}

// talliesAnswer tells whether the tallies (kept by place, kind and status) can answer a filter.
func talliesAnswer(f AssetFilter) bool {
	return f.ProjectID == 0 && f.Q == "" && (f.Attention == "" || f.Attention == "idle" || f.Attention == "lost")
}

// registerSum adds up a register from groups of assets.
type registerSum struct {
	out      Register
	kinds    map[string]*Bucket
	statuses map[string]*Bucket
	places   []*registerPlace
}

type registerPlace struct {
	MapPoint
	sumLat, sumLng float64
	placed         int
}

func newRegisterSum() *registerSum {
	r := &registerSum{out: Register{ByKind: []Bucket{}, ByStatus: []Bucket{}, Points: []MapPoint{}},
		kinds: map[string]*Bucket{}, statuses: map[string]*Bucket{}}
	for _, k := range AssetKinds {
		r.out.ByKind = append(r.out.ByKind, Bucket{Key: k})
	}
	for _, st := range AssetStatuses {
		r.out.ByStatus = append(r.out.ByStatus, Bucket{Key: st})
	}
	for i := range r.out.ByKind {
		r.kinds[r.out.ByKind[i].Key] = &r.out.ByKind[i]
	}
	for i := range r.out.ByStatus {
		r.statuses[r.out.ByStatus[i].Key] = &r.out.ByStatus[i]
	}
	return r
}

// addGroup adds n assets of one kind and status worth fen to the summary.
func (r *registerSum) addGroup(kind, status string, n int, fen int64) {
	r.out.Count += n
	r.out.ValueFen += fen
	if b := r.kinds[kind]; b != nil {
		b.Count += n
		b.ValueFen += fen
	}
	if b := r.statuses[status]; b != nil {
		b.Count += n
		b.ValueFen += fen
	}
}

// addPlace adds assets of a place (places come in region order, a place's groups together).
func (r *registerSum) addPlace(region string, n int, fen int64, attention int, lat, lng float64, placed int) {
	if len(r.places) == 0 || r.places[len(r.places)-1].RegionCode != region {
		r.places = append(r.places, &registerPlace{MapPoint: MapPoint{RegionCode: region}})
	}
	pl := r.places[len(r.places)-1]
	pl.Count += n
	pl.ValueFen += fen
	pl.Attention += attention
	pl.sumLat += lat
	pl.sumLng += lng
	pl.placed += placed
}

// finish names the places with a position and makes them the map points.
func (r *registerSum) finish(ctx context.Context, q db.Queryer, p *auth.Principal, region string) (Register, error) {
	names, err := placeNames(ctx, q, p, region, len(r.places))
	if err != nil {
		return Register{}, err
	}
	for _, pl := range r.places {
		if pl.placed <= 0 {
			continue // no asset of the place has a position
		}
		pl.Lat, pl.Lng = pl.sumLat/float64(pl.placed), pl.sumLng/float64(pl.placed)
		pl.RegionName = names[pl.RegionCode]
		r.out.Points = append(r.out.Points, pl.MapPoint)
	}
	return r.out, nil
}

// tallyWhere is the tallies' condition (alias t) for a filter the tallies answer.
func tallyWhere(p *auth.Principal, f AssetFilter) (string, []any) {
	cond, args := p.ScopeCond("t.region_code")
	where := []string{cond}
	if f.Region != "" {
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "t.region_code BETWEEN ? AND ?"), append(args, lo, hi)
	}
	if f.Kind != "" {
		where, args = append(where, "t.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "t.status = ?"), append(args, f.Status)
	}
	if f.Attention == "idle" || f.Attention == "lost" {
		where, args = append(where, "t.status = ?"), append(args, f.Attention)
	}
	return strings.Join(where, " AND "), args
}

// registerFromTallies reads the register from the tallies: the summary by kind and status,
// then the places (a range of the tallies' key, grouped by place), keeping only places with a
// position.
func registerFromTallies(ctx context.Context, q db.Queryer, p *auth.Principal, f AssetFilter) (Register, error) {
	where, args := tallyWhere(p, f)
	r := newRegisterSum()
	rows, err := q.QueryContext(ctx, `SELECT t.kind, t.status, CAST(SUM(t.n) AS BIGINT), CAST(SUM(t.value_fen) AS BIGINT)
		FROM asset_tallies t WHERE `+where+` GROUP BY t.kind, t.status`, args...)
	if err != nil {
		return Register{}, err
	}
	for rows.Next() {
		var kind, status string
		var n, fen int64
		if err := rows.Scan(&kind, &status, &n, &fen); err != nil {
			rows.Close()
			return Register{}, err
		}
		r.addGroup(kind, status, int(n), fen)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Register{}, err
	}
	rows, err = q.QueryContext(ctx, `SELECT t.region_code, CAST(SUM(t.n) AS BIGINT), CAST(SUM(t.value_fen) AS BIGINT),
		CAST(SUM(CASE WHEN t.status IN ('idle', 'lost') THEN t.n ELSE 0 END) AS BIGINT), SUM(t.lat_sum), SUM(t.lng_sum),
		CAST(SUM(t.placed) AS BIGINT) FROM asset_tallies t WHERE `+where+`
		GROUP BY t.region_code HAVING SUM(t.placed) > 0`, args...)
	if err != nil {
		return Register{}, err
	}
	for rows.Next() {
		var region string
		var n, fen, attention, placed int64
		var lat, lng float64
		if err := rows.Scan(&region, &n, &fen, &attention, &lat, &lng, &placed); err != nil {
			rows.Close()
			return Register{}, err
		}
		r.addPlace(region, int(n), fen, int(attention), lat, lng, int(placed))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Register{}, err
	}
	// one row per place: ordered here (codes are digits) rather than by the database's
	// collation
	slices.SortFunc(r.places, func(a, b *registerPlace) int { return strings.Compare(a.RegionCode, b.RegionCode) })
	return r.finish(ctx, q, p, f.Region)
}

// registerScan reads the register from the assets themselves: one pass over the assets in the
// filter (the region index), grouped by place, kind and status.
func registerScan(ctx context.Context, q db.Queryer, p *auth.Principal, f AssetFilter, today string) (Register, error) {
	where, args := assetWhere(p, f, today)
	rows, err := q.QueryContext(ctx, `SELECT a.region_code, a.kind, a.status, COUNT(*), CAST(COALESCE(SUM(a.value_fen), 0) AS BIGINT),
		COALESCE(SUM(a.lat), 0), COALESCE(SUM(a.lng), 0), COUNT(a.lat) FROM assets a WHERE `+where+`
		GROUP BY a.region_code, a.kind, a.status ORDER BY a.region_code`, args...)
	if err != nil {
		return Register{}, err
	}
	r := newRegisterSum()
	for rows.Next() {
		var region, kind, status string
		var n, placed int
		var fen int64
		var lat, lng float64
		if err := rows.Scan(&region, &kind, &status, &n, &fen, &lat, &lng, &placed); err != nil {
			rows.Close()
			return Register{}, err
		}
		r.addGroup(kind, status, n, fen)
		attention := 0
		if status == "idle" || status == "lost" {
			attention = n
		}
		r.addPlace(region, n, fen, attention, lat, lng, placed)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Register{}, err
	}
	return r.finish(ctx, q, p, f.Region)
}

// placeNames reads the names of the regions under the filter's region (or the caller's
// scope) in one range query; nothing when there are no places to name.
func placeNames(ctx context.Context, q db.Queryer, p *auth.Principal, region string, places int) (map[string]string, error) {
	out := map[string]string{}
	if places == 0 {
		return out, nil
	}
	scope := region
	if scope == "" {
		scope = p.Scope
	}
	lo, hi := regioncode.Range(scope)
	if p.Root && region == "" {
		lo, hi = "0", "9"
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name FROM regions WHERE code BETWEEN ? AND ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		out[code] = name
	}
	return out, rows.Err()
}
