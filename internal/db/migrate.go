package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change; the same name exists for both dialects.
type Migration struct {
	Version string // file name without .sql, e.g. 0001_foundation
	SQL     string
}

// Migrations lists the embedded migrations of a dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(migrationFS, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version TEXT PRIMARY KEY,
	applied_at TEXT NOT NULL
)`

// Migrate applies every pending migration, each in its own transaction together with its
// record in schema_migrations. It returns the versions it applied.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	if _, err := d.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range ms {
		did := false
		err := d.InTx(ctx, func(tx *Tx) error {
			if d.Dialect == Postgres {
				// Two servers starting at once must not both apply the same migration.
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(74010001)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Version, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.Version, Time(tx.Now)); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return applied, err
		}
		if did {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// Pending lists migrations not yet applied; /readyz is not ready while any are.
func (d *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := Migrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	rows, err := d.read.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		// No table yet: everything is pending.
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.Version
		}
		return out, nil
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if !done[m.Version] {
			out = append(out, m.Version)
		}
	}
	return out, nil
}
