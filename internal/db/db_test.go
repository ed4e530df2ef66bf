package db_test

import (
	"context"
	"flag"
	"os"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/errs"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMigrationFoldersMatch(t *testing.T) {
	s, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) == 0 || len(s) != len(p) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(s), len(p))
	}
	for i := range s {
		if s[i].Version != p[i].Version {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, s[i].Version, p[i].Version)
		}
	}
}

// Both dialects must build the same logical schema; each is compared with one golden file.
func TestLogicalSchemaGolden(t *testing.T) {
	d := dbtest.Open(t)
	got, err := d.LogicalSchema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/schema.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s schema differs from %s (run with -update after an intended change):\n%s", d.Dialect, golden, diffLines(string(want), got))
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	d := dbtest.Open(t)
	applied, err := d.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second migrate applied %v", applied)
	}
	pending, err := d.Pending(context.Background())
	if err != nil || len(pending) != 0 {
		t.Errorf("pending = %v, %v", pending, err)
	}
}

func TestUniqueViolationIsConflict(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	insert := func() error {
		return d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, created_at, updated_at) VALUES (?, ?, 'city', ?, ?)`,
				"320900000000", "盐城市", db.Time(tx.Now), db.Time(tx.Now))
			return err
		})
	}
	if err := insert(); err != nil {
		t.Fatal(err)
	}
	if err := insert(); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second insert: %v, want conflict", err)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, created_at, updated_at) VALUES ('320900000000', 'x', 'city', 'a', 'a')`); err != nil {
			return err
		}
		return errs.E(errs.Invalid, "stop")
	})
	if errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows after rollback = %d, %v", n, err)
	}
}

func TestRebind(t *testing.T) {
	got := db.Rebind(db.Postgres, `SELECT '?' , a FROM t WHERE a = ? AND b = ?`)
	want := `SELECT '?' , a FROM t WHERE a = $1 AND b = $2`
	if got != want {
		t.Errorf("Rebind = %q", got)
	}
	if db.Rebind(db.SQLite, "a = ?") != "a = ?" {
		t.Error("sqlite must keep ?")
	}
}

func diffLines(a, b string) string {
	am := map[string]bool{}
	for _, l := range splitLines(a) {
		am[l] = true
	}
	bm := map[string]bool{}
	for _, l := range splitLines(b) {
		bm[l] = true
	}
	out := ""
	for _, l := range splitLines(a) {
		if !bm[l] {
			out += "- " + l + "\n"
		}
	}
	for _, l := range splitLines(b) {
		if !am[l] {
			out += "+ " + l + "\n"
		}
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
