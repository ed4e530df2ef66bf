package region

import (
	"context"

	"sunshine/internal/db"
	"sunshine/internal/regioncode"
)

func loadAll(ctx context.Context, q db.Queryer) (map[string]*Region, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, level, COALESCE(parent_code, ''), weak_level, weak_lax, area, updated_at FROM regions`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]*Region{}
	for rows.Next() {
		r := &Region{}
		var lax int
		var updated string
		if err := rows.Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode, &r.WeakLevel, &lax, &r.Area, &updated); err != nil {
			return nil, err
		}
		r.WeakLax, r.UpdatedAt = lax != 0, db.ParseTime(updated)
		m[r.Code] = r
	}
	return m, rows.Err()
}

func update(ctx context.Context, tx *db.Tx, r Region) error {
	_, err := tx.ExecContext(ctx, `UPDATE regions SET name = ?, weak_level = ?, weak_lax = ?, area = ?, updated_at = ? WHERE code = ?`,
		r.Name, r.WeakLevel, boolInt(r.WeakLax), r.Area, db.Time(tx.Now), r.Code)
	return err
}

// Insert adds a region (bulk loaders and the import).
func Insert(ctx context.Context, tx *db.Tx, r Region) error {
	var parent any
	if p := regioncode.Parent(r.Code); regioncode.LevelOf(r.Code) != regioncode.City {
		parent = p
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, weak_level, weak_lax, area, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Code, r.Name, regioncode.LevelOf(r.Code), parent, r.WeakLevel, boolInt(r.WeakLax), r.Area,
		db.Time(tx.Now), db.Time(tx.Now))
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
