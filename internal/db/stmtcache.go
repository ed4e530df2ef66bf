package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// SQLite statement cache. modernc's driver parses a query's SQL on every call that is not a
// prepared statement, and the stores pass SQL text (QueryContext, ExecContext), so a hot
// public query spent about a third of its CPU in SQLite's parser. Each SQLite connection
// here keeps its own prepared statements by SQL text instead: a statement belongs to one
// connection, and database/sql never uses a connection from two goroutines at once, so the
// cache needs no lock and no statement is shared across connections. (PostgreSQL needs
// none of this: pgx caches prepared statements per connection by itself.)
//
// A statement whose rows are still open (a query run again while iterating its own earlier
// result, in a transaction) is not reused: that call prepares a one-off statement as before.
// The cache is bounded; a statement is only closed when idle.

// stmtCacheMax bounds the statements one connection keeps (the application's distinct hot
// queries fit; queries built with varying IN lists push out the least recently used).
const stmtCacheMax = 256

// sqliteConnector opens the driver's connections wrapped in the statement cache.
type sqliteConnector struct {
	drv driver.Driver
	dsn string
}

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(innerConn)
	if !ok { // not the driver this was written for: no cache
		return dc, nil
	}
	return &cachingConn{innerConn: inner, stmts: map[string]*cachedStmt{}}, nil
}

func (c sqliteConnector) Driver() driver.Driver { return c.drv }

// openCached is sql.Open of the registered driver name with the statement cache.
func openCached(name, dsn string) (*sql.DB, error) {
	probe, err := sql.Open(name, "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	return sql.OpenDB(sqliteConnector{drv: drv, dsn: dsn}), nil
}

// innerConn is what the wrapped connection must offer (modernc's *conn does).
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachedStmt struct {
	st   stmtContext
	busy bool   // its rows are open
	used uint64 // tick of the last use, for eviction
}

type stmtContext interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type cachingConn struct {
	innerConn
	stmts map[string]*cachedStmt
	tick  uint64
}

// stmt returns the connection's idle prepared statement for q, preparing it on first use;
// nil when q must run one-off (its statement is busy, or it does not prepare).
func (c *cachingConn) stmt(ctx context.Context, q string) *cachedStmt {
	c.tick++
	if s, ok := c.stmts[q]; ok {
		if s.busy {
			return nil
		}
		s.used = c.tick
		return s
	}
	ds, err := c.innerConn.PrepareContext(ctx, q)
	if err != nil {
		return nil // the one-off call reports the error
	}
	st, ok := ds.(stmtContext)
	if !ok {
		_ = ds.Close()
		return nil
	}
	if len(c.stmts) >= stmtCacheMax {
		c.evict()
	}
	s := &cachedStmt{st: st, used: c.tick}
	c.stmts[q] = s
	return s
}

// evict closes the least recently used idle statement.
func (c *cachingConn) evict() {
	var oldest string
	var at uint64
	for q, s := range c.stmts {
		if !s.busy && (oldest == "" || s.used < at) {
			oldest, at = q, s.used
		}
	}
	if oldest != "" {
		_ = c.stmts[oldest].st.Close()
		delete(c.stmts, oldest)
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	s := c.stmt(ctx, q)
	if s == nil {
		return c.innerConn.ExecContext(ctx, q, args)
	}
	return s.st.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	s := c.stmt(ctx, q)
	if s == nil {
		return c.innerConn.QueryContext(ctx, q, args)
	}
	r, err := s.st.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: r, s: s}, nil
}

// Close closes the cached statements, then the connection (database/sql closes a connection
// only when nothing on it is open).
func (c *cachingConn) Close() error {
	var errsOut []error
	for q, s := range c.stmts {
		errsOut = append(errsOut, s.st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errsOut, c.innerConn.Close())...)
}

// cachedRows frees its statement for reuse when closed. The driver's rows implement more
// than driver.Rows (column types); database/sql only needs these for Scan into any, which
// the application uses with concrete destinations.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	return err
}

// ColumnTypeDatabaseTypeName keeps the driver's column type names visible through the wrapper.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}
