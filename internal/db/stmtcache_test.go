package db_test

import (
	"context"
	"fmt"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
)

// The statement cache answers like uncached SQL: repeated queries with new values, the same
// query again while its first result is still being read (in one transaction, on one
// connection), more distinct queries than the cache holds, and errors.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := range 50 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO app_secrets (name, value, created_at) VALUES (?, ?, ?)`,
				fmt.Sprintf("k%02d", i), fmt.Sprint(i*i), "2026-01-01T00:00:00Z"); err != nil {
				return err
			}
		}
		if tx.Dialect() != db.SQLite {
			return nil // PostgreSQL runs one query at a time on a connection
		}
		// The same query nested in its own open rows.
		rows, err := tx.QueryContext(ctx, `SELECT name, value FROM app_secrets WHERE name < ? ORDER BY name`, "k05")
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var name, v string
			if err := rows.Scan(&name, &v); err != nil {
				return err
			}
			var inner string
			if err := tx.QueryRowContext(ctx, `SELECT name, value FROM app_secrets WHERE name < ? ORDER BY name`, "k01").Scan(&inner, new(string)); err != nil {
				return err
			}
			if inner != "k00" || v != fmt.Sprint(n*n) {
				t.Errorf("row %d: %s %s, inner %s", n, name, v, inner)
			}
			n++
		}
		if n != 5 {
			t.Errorf("%d rows, want 5", n)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// Many values through one statement, and more distinct statements than a connection keeps.
	q := d.Reader()
	for i := range 600 {
		var v string
		sql := `SELECT value FROM app_secrets WHERE name = ?`
		if i%2 == 1 {
			sql = fmt.Sprintf(`SELECT value FROM app_secrets WHERE name = ? AND %d = %d`, i, i)
		}
		if err := q.QueryRowContext(ctx, sql, fmt.Sprintf("k%02d", i%50)).Scan(&v); err != nil || v != fmt.Sprint((i%50)*(i%50)) {
			t.Fatalf("query %d: %q %v", i, v, err)
		}
	}
	// A statement that does not prepare fails as before, and the next call is fine.
	if _, err := q.QueryContext(ctx, `SELECT nothing FROM nowhere`); err == nil {
		t.Fatal("bad SQL answered")
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM app_secrets`).Scan(&n); err != nil || n != 50 {
		t.Fatalf("count %d %v", n, err)
	}
}
