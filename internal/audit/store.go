package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/regioncode"
)

func lockHead(ctx context.Context, tx *db.Tx) (seq int64, hash string, err error) {
	q := `SELECT seq, hash FROM audit_head WHERE id = 1`
	if tx.Dialect() == db.Postgres {
		// The row lock serialises appenders, so sequence numbers follow commit order. SQLite
		// write transactions are already exclusive (BEGIN IMMEDIATE).
		q += ` FOR UPDATE`
	}
	err = tx.QueryRowContext(ctx, q).Scan(&seq, &hash)
	return
}

func insertEvent(ctx context.Context, tx *db.Tx, e *rawEvent) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(seq, at, actor_id, actor_name, action, entity_type, entity_id, region_code, before_json, after_json, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.seq, string(e.at), e.actorID, string(e.actorName), string(e.action), string(e.entityType), string(e.entityID),
		string(e.regionCode), string(e.before), string(e.after), string(e.prevHash), string(e.hash)); err != nil {
		return err
	}
	return nil
}

func writeHead(ctx context.Context, tx *db.Tx, seq int64, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, seq, hash)
	return err
}

const eventColumns = `seq, at, actor_id, actor_name, action, entity_type, entity_id, region_code, before_json, after_json, prev_hash, hash`

func listEvents(ctx context.Context, q db.Queryer, f Filter) ([]Event, error) {
	var where []string
	var args []any
	if f.EntityType != "" {
		where, args = append(where, "entity_type = ?"), append(args, f.EntityType)
	}
	if f.EntityID != "" {
		where, args = append(where, "entity_id = ?"), append(args, f.EntityID)
	}
	if f.ActorID != 0 {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Scope != "" {
		lo, hi := regioncode.Range(f.Scope)
		cond := "region_code BETWEEN ? AND ?"
		if l := regioncode.LevelOf(f.Scope); l == regioncode.City || l == regioncode.Province {
			// Events tied to no region (failed sign-ins of unknown names) belong to the top.
			cond = "(" + cond + " OR region_code = '')"
		}
		where, args = append(where, cond), append(args, lo, hi)
	}
	if f.Before > 0 {
		where, args = append(where, "seq < ?"), append(args, f.Before)
	}
	query := `SELECT ` + eventColumns + ` FROM audit_events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at, before, after string
		if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorName, &e.Action, &e.EntityType, &e.EntityID,
			&e.RegionCode, &before, &after, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At = db.ParseTime(at)
		e.Before, e.After = rawJSON(before), rawJSON(after)
		out = append(out, e)
	}
	return out, rows.Err()
}

func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

// scanChain streams the events with lo <= seq <= hi in order to fn, reusing buffers between
// rows (fn must not keep them).
func scanChain(ctx context.Context, q db.Queryer, lo, hi int64, fn func(*rawEvent) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events WHERE seq BETWEEN ? AND ? ORDER BY seq`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	var e rawEvent
	for rows.Next() {
		if err := rows.Scan(&e.seq, (*sql.RawBytes)(&e.at), &e.actorID, (*sql.RawBytes)(&e.actorName),
			(*sql.RawBytes)(&e.action), (*sql.RawBytes)(&e.entityType), (*sql.RawBytes)(&e.entityID),
			(*sql.RawBytes)(&e.regionCode), (*sql.RawBytes)(&e.before), (*sql.RawBytes)(&e.after),
			(*sql.RawBytes)(&e.prevHash), (*sql.RawBytes)(&e.hash)); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func maxSeq(ctx context.Context, q db.Queryer) (int64, error) {
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_events`).Scan(&n)
	return n.Int64, err
}

func head(ctx context.Context, q db.Queryer) (seq int64, hash string, err error) {
	err = q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return
}
