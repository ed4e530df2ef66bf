// Package dbtest gives each test a fresh, migrated database of the dialect chosen by
// SUNSHINE_TEST_DB: "sqlite" (default) or "postgres", which needs SUNSHINE_TEST_PG (a server
// URL). With postgres chosen and no server, tests fail: they never silently skip.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sunshine/internal/db"
)

// Dialect is the dialect the current test run uses.
func Dialect() db.Dialect {
	if strings.EqualFold(os.Getenv("SUNSHINE_TEST_DB"), "postgres") {
		return db.Postgres
	}
	return db.SQLite
}

// Open returns a fresh migrated database, closed and dropped when the test ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	d := OpenEmpty(t)
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// OpenEmpty returns a fresh database without migrations applied.
func OpenEmpty(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), URL(t), "")
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// URL returns the address of a fresh, empty database (a SQLite file or a PostgreSQL schema),
// for tests that hand it to a command line or a second process. It is removed after the test.
func URL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	if Dialect() == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	url := PostgresURL(t)
	// A schema per test is far cheaper than a database per test and isolates just as well.
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatalf("connect to PostgreSQL (SUNSHINE_TEST_PG): %v", err)
	}
	exec := func(q string) error {
		return admin.InTx(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, q); return err })
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_ = exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// PostgresURL is the server the postgres dialect uses; the test fails without one.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("SUNSHINE_TEST_PG")
	if url == "" {
		t.Fatal("SUNSHINE_TEST_DB=postgres but SUNSHINE_TEST_PG is empty: start PostgreSQL (scripts/test.sh does) — tests never skip it")
	}
	return url
}
