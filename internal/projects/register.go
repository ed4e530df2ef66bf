package projects

import (
	"context"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/regioncode"
)

// AssetRegister is the register's summary for a filter (the same filter as the list, without
// paging): counts and values by kind and by status, and one map point per place with
// coordinates — the average position of its assets that have one, with the count, value and
// idle-or-lost count of all its assets.
func (s *Service) AssetRegister(ctx context.Context, p *auth.Principal, f AssetFilter) (Register, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return Register{}, err
	}
	if err := f.check(p); err != nil {
		return Register{}, err
	}
	q := s.DB.Reader()
	where, args := assetWhere(p, f, s.today())
	out := Register{ByKind: []Bucket{}, ByStatus: []Bucket{}, Points: []MapPoint{}}
	kinds := map[string]*Bucket{}
	statuses := map[string]*Bucket{}
	for _, k := range AssetKinds {
		out.ByKind = append(out.ByKind, Bucket{Key: k})
	}
	for _, st := range AssetStatuses {
		out.ByStatus = append(out.ByStatus, Bucket{Key: st})
	}
	for i := range out.ByKind {
		kinds[out.ByKind[i].Key] = &out.ByKind[i]
	}
	for i := range out.ByStatus {
		statuses[out.ByStatus[i].Key] = &out.ByStatus[i]
	}
	// one pass over the assets in the filter (the region index), grouped by place, kind and
	// status; the summary and the map points are added up from the groups
	rows, err := q.QueryContext(ctx, `SELECT a.region_code, a.kind, a.status, COUNT(*), COALESCE(SUM(a.value_fen), 0),
		COALESCE(SUM(a.lat), 0), COALESCE(SUM(a.lng), 0), COUNT(a.lat) FROM assets a WHERE `+where+`
		GROUP BY a.region_code, a.kind, a.status ORDER BY a.region_code`, args...)
	if err != nil {
		return Register{}, err
	}
	defer rows.Close()
	type place struct {
		MapPoint
		sumLat, sumLng float64
		placed         int
	}
	var places []*place
	for rows.Next() {
		var region, kind, status string
		var n, placed int
		var fen int64
		var lat, lng float64
		if err := rows.Scan(&region, &kind, &status, &n, &fen, &lat, &lng, &placed); err != nil {
			return Register{}, err
		}
		out.Count += n
		out.ValueFen += fen
		if b := kinds[kind]; b != nil {
			b.Count += n
			b.ValueFen += fen
		}
		if b := statuses[status]; b != nil {
			b.Count += n
			b.ValueFen += fen
		}
		if len(places) == 0 || places[len(places)-1].RegionCode != region {
			places = append(places, &place{MapPoint: MapPoint{RegionCode: region}})
		}
		pl := places[len(places)-1]
		pl.Count += n
		pl.ValueFen += fen
		if status == "idle" || status == "lost" {
			pl.Attention += n
		}
		pl.sumLat += lat
		pl.sumLng += lng
		pl.placed += placed
	}
	if err := rows.Err(); err != nil {
		return Register{}, err
	}
	rows.Close()
	names, err := placeNames(ctx, q, p, f.Region, len(places))
	if err != nil {
		return Register{}, err
	}
	for _, pl := range places {
		if pl.placed == 0 {
			continue // no asset of the place has a position
		}
		pl.Lat, pl.Lng = pl.sumLat/float64(pl.placed), pl.sumLng/float64(pl.placed)
		pl.RegionName = names[pl.RegionCode]
		out.Points = append(out.Points, pl.MapPoint)
	}
	return out, nil
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
