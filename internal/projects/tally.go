package projects

import (
	"context"

	"sunshine/internal/db"
)

// tallied is what the register's tallies (table asset_tallies) keep of one asset: its key
// (place, kind, status) and what it adds there.
type tallied struct {
	region, kind, status string
	value                int64
	lat, lng             *float64
}

func talliedOf(a Asset) tallied {
	return tallied{region: a.RegionCode, kind: a.Kind, status: a.Status, value: a.ValueFen, lat: a.Lat, lng: a.Lng}
}

func (t tallied) key() [3]string { return [3]string{t.region, t.kind, t.status} }

// position is the asset's contribution to the map sums: its coordinates and 1 when it has
// both, zeros when not.
func (t tallied) position() (lat, lng float64, placed int) {
	if t.lat == nil || t.lng == nil {
		return 0, 0, 0
	}
	return *t.lat, *t.lng, 1
}

// tallyAdd adds an asset to the register's tallies (in the transaction that writes it).
func tallyAdd(ctx context.Context, tx *db.Tx, t tallied) error {
	lat, lng, placed := t.position()
	return tallyUpsert(ctx, tx, t.key(), 1, t.value, lat, lng, placed)
}

// tallyMove moves an asset's part of the tallies from what it was to what it is now: one
// delta when it stays under the same key, -before and +after when its kind or status changed;
// nothing when none of the tallied fields changed.
func tallyMove(ctx context.Context, tx *db.Tx, before, after tallied) error {
	lat0, lng0, placed0 := before.position()
	lat1, lng1, placed1 := after.position()
	if before.key() == after.key() {
		if before.value == after.value && lat0 == lat1 && lng0 == lng1 && placed0 == placed1 {
			return nil
		}
		return tallyUpsert(ctx, tx, after.key(), 0, after.value-before.value, lat1-lat0, lng1-lng0, placed1-placed0)
	}
	if err := tallyUpsert(ctx, tx, before.key(), -1, -before.value, -lat0, -lng0, -placed0); err != nil {
		return err
	}
	return tallyUpsert(ctx, tx, after.key(), 1, after.value, lat1, lng1, placed1)
}

func tallyUpsert(ctx context.Context, tx *db.Tx, key [3]string, n int, value int64, lat, lng float64, placed int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO asset_tallies (region_code, kind, status, n, value_fen, lat_sum, lng_sum, placed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (region_code, kind, status) DO UPDATE SET n = asset_tallies.n + excluded.n,
			value_fen = asset_tallies.value_fen + excluded.value_fen, lat_sum = asset_tallies.lat_sum + excluded.lat_sum,
			lng_sum = asset_tallies.lng_sum + excluded.lng_sum, placed = asset_tallies.placed + excluded.placed`,
		key[0], key[1], key[2], n, value, lat, lng, placed)
	return err
}

// fillTallies rebuilds the tallies from the assets table (bulk loads that bypass the service:
// the benchmark seeder).
func fillTallies(ctx context.Context, tx *db.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM asset_tallies`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO asset_tallies (region_code, kind, status, n, value_fen, lat_sum, lng_sum, placed)
		SELECT region_code, kind, status, COUNT(*), SUM(value_fen), COALESCE(SUM(lat), 0), COALESCE(SUM(lng), 0), COUNT(lat)
		FROM assets GROUP BY region_code, kind, status`)
	return err
}
