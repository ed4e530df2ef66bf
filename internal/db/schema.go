package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// LogicalSchema describes tables, columns (name, portable type, nullability) and index names in
// a dialect-neutral text, so a test can prove both migration folders build the same schema.
func (d *DB) LogicalSchema(ctx context.Context) (string, error) {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	switch d.Dialect {
	case SQLite:
		tables, err := d.strings(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
		if err != nil {
			return "", err
		}
		for _, t := range tables {
			rows, err := d.read.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, t)
			if err != nil {
				return "", err
			}
			for rows.Next() {
				var name, typ string
				var notnull, pk int
				if err := rows.Scan(&name, &typ, &notnull, &pk); err != nil {
					rows.Close()
					return "", err
				}
				add("column %s.%s %s null=%v", t, name, portableType(typ), notnull == 0 && pk == 0)
			}
			rows.Close()
		}
		idx, err := d.strings(ctx, `SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
		if err != nil {
			return "", err
		}
		for _, i := range idx {
			add("index %s", i)
		}
	case Postgres:
		rows, err := d.read.QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable
			FROM information_schema.columns WHERE table_schema = current_schema()`)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var t, c, typ, nullable string
			if err := rows.Scan(&t, &c, &typ, &nullable); err != nil {
				rows.Close()
				return "", err
			}
			add("column %s.%s %s null=%v", t, c, portableType(typ), nullable == "YES")
		}
		rows.Close()
		idx, err := d.strings(ctx, `SELECT tablename || '.' || indexname FROM pg_indexes
			WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'`)
		if err != nil {
			return "", err
		}
		for _, i := range idx {
			add("index %s", i)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n", nil
}

func portableType(t string) string {
	switch strings.ToLower(t) {
	case "integer", "bigint", "smallint", "int":
		return "int"
	case "text", "character varying", "varchar":
		return "text"
	case "real", "double precision", "numeric":
		return "number"
	case "blob", "bytea":
		return "bytes"
	}
	return strings.ToLower(t)
}

func (d *DB) strings(ctx context.Context, q string) ([]string, error) {
	rows, err := d.read.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
