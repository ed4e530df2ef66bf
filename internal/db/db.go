// Package db opens the embedded SQLite file or a PostgreSQL server behind one small API, so the
// domain packages write SQL once (with ? placeholders) and run on both.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialect names the database kind; the few SQL differences branch on it.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the handle every store uses. SQLite allows one writer at a time, so writes go through a
// single-connection pool that starts transactions with BEGIN IMMEDIATE (no lock upgrades, no
// SQLITE_BUSY half-way through a write), while reads use a pool of their own.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// turn orders SQLite's write transactions by arrival: SQLite has one writer, and
	// database/sql hands a freed connection to a random waiter, so under a burst (fifty phones
	// syncing) some writes would wait many turns. Blocked channel senders are served in order.
	// nil on PostgreSQL, which has many writers.
	turn chan struct{}
	// Clock gives the time a transaction carries; tests replace it.
	Clock func() time.Time
	// Source describes where the data lives (file path or host/database), without secrets.
	Source string
}

// Open connects to url: "" or "sqlite:PATH" for the embedded file (default DATA/sunshine.db),
// "postgres://…" for PostgreSQL.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			if dataDir == "" {
				dataDir = "data"
			}
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			path = filepath.Join(dataDir, "sunshine.db")
		}
		return openSQLite(ctx, path)
	default:
		return nil, fmt.Errorf("unsupported database %q: use postgres://… or sqlite:PATH", redact(url))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer keeps statement journals in memory (temp_store): a multi-row INSERT into an
	// indexed table journals about one page per row, and a million-row import wrote 4 GB of
	// them to temporary files.
	w, err := openCached("sqlite", "file:"+path+"?"+pragmas+"&_pragma=temp_store(2)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := openCached("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	// Readers stay open (database/sql keeps only two idle by default): under a surge a
	// connection closed and reopened costs its pragmas, its schema parse and its prepared
	// statements.
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	d := &DB{Dialect: SQLite, write: w, read: r, turn: make(chan struct{}, 1), Clock: time.Now, Source: path}
	if err := w.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return d, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Dialect: Postgres, write: p, read: p, Clock: time.Now, Source: redact(url)}
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to %s: %w", redact(url), err)
	}
	return d, nil
}

// redact hides the password of a connection URL so it can be logged.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	cred := url[scheme+3 : at]
	if i := strings.Index(cred, ":"); i >= 0 {
		return url[:scheme+3] + cred[:i] + ":***" + url[at:]
	}
	return url
}

// Close releases both pools.
func (d *DB) Close() error {
	var err error
	if d.read != d.write {
		err = d.read.Close()
	}
	return errors.Join(err, d.write.Close())
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.read.PingContext(ctx) }

// Queryer is what read-only store functions take, so they run inside or outside a transaction.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Reader returns the read side as a Queryer.
func (d *DB) Reader() Queryer { return reader{d} }

type reader struct{ d *DB }

func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := r.d.read.QueryContext(ctx, Rebind(r.d.Dialect, q), args...)
	return rows, mapErr(r.d.Dialect, err)
}

func (r reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.d.read.QueryRowContext(ctx, Rebind(r.d.Dialect, q), args...)
}

func (r reader) Dialect() Dialect { return r.d.Dialect }

// Tx is a write transaction. Now is the one time every row and audit event it writes carries.
type Tx struct {
	tx      *sql.Tx
	conn    *sql.Conn // PostgreSQL: the connection tx runs on, so COPY (BulkLoad) joins the transaction
	dialect Dialect
	Now     time.Time

	vals         map[any]any
	beforeCommit []func() error
}

// Value returns what a package stored in this transaction under key (nil if nothing).
func (t *Tx) Value(key any) any { return t.vals[key] }

// SetValue stores per-transaction state, such as the audit chain's head while many events
// are appended in one transaction.
func (t *Tx) SetValue(key, v any) {
	if t.vals == nil {
		t.vals = map[any]any{}
	}
	t.vals[key] = v
}

// BeforeCommit registers fn to run after the transaction's work and before COMMIT; an error
// rolls everything back.
func (t *Tx) BeforeCommit(fn func() error) { t.beforeCommit = append(t.beforeCommit, fn) }

func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, Rebind(t.dialect, q), args...)
	return rows, mapErr(t.dialect, err)
}

func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, Rebind(t.dialect, q), args...)
}

// ExecContext runs a statement; driver errors come back as *errs.Error where they mean something
// to a user (unique violation → conflict).
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, Rebind(t.dialect, q), args...)
	return res, mapErr(t.dialect, err)
}

// PrepareContext prepares a statement for bulk work inside the transaction.
func (t *Tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, Rebind(t.dialect, q))
}

func (t *Tx) Dialect() Dialect { return t.dialect }

// Raw exposes the driver transaction for dialect-specific bulk paths (PostgreSQL COPY).
func (t *Tx) Raw() *sql.Tx { return t.tx }

// InTx runs fn in one write transaction: committed when fn returns nil, rolled back otherwise.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	// database/sql hides a *sql.Tx's connection; pgx's COPY needs it, so on PostgreSQL the
	// transaction is begun on a connection held for its duration (released after the rollback
	// or commit below, deferred first so it runs last).
	var conn *sql.Conn
	var stx *sql.Tx
	if d.turn != nil {
		select {
		case d.turn <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-d.turn }()
	}
	if d.Dialect == Postgres {
		if conn, err = d.write.Conn(ctx); err != nil {
			return mapErr(d.Dialect, err)
		}
		defer conn.Close()
		stx, err = conn.BeginTx(ctx, nil)
	} else {
		stx, err = d.write.BeginTx(ctx, nil)
	}
	if err != nil {
		return mapErr(d.Dialect, err)
	}
	tx := &Tx{tx: stx, conn: conn, dialect: d.Dialect, Now: d.Clock().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	for _, h := range tx.beforeCommit {
		if err = h(); err != nil {
			return err
		}
	}
	return mapErr(d.Dialect, stx.Commit())
}

// Rebind turns ? placeholders into $1, $2 … for PostgreSQL, leaving quoted text alone.
func Rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// InsertID runs an INSERT … RETURNING id and returns the id, with driver errors mapped like
// ExecContext's (a unique violation is a conflict).
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, Rebind(t.dialect, q), args...).Scan(&id)
	return id, mapErr(t.dialect, err)
}
