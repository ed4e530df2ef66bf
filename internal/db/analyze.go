package db

import "context"

// Analyze refreshes the planner's statistics of tables after a bulk load. Without them a
// freshly loaded PostgreSQL table is planned from defaults (a list page becomes a whole-table
// sort) until autovacuum gets round to it; SQLite likewise plans better with sqlite_stat1.
func (d *DB) Analyze(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		if _, err := d.write.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return mapErr(d.Dialect, err)
		}
	}
	return nil
}
