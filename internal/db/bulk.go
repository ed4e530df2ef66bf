package db

import (
	"context"
	"strings"
)

// BulkInsert inserts rows with multi-row INSERT statements, a few hundred rows a statement:
// one round trip and one parse per batch instead of per row, on both dialects.
func BulkInsert(ctx context.Context, tx *Tx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := 30000 / len(columns) // stays under SQLite's and PostgreSQL's bound-parameter limits
	per = min(per, 1000)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*len(columns))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, rows[i]...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
