package visits

import (
	"context"
	"database/sql"
	"time"

	"sunshine/internal/db"
)

// photoRec is a photos row without its bytes, with how much of an unfinished upload arrived.
type photoRec struct {
	UploadedBy int64
	Size       int64
	Complete   bool
	Received   int64
	UpdatedAt  time.Time
}

func (r photoRec) status(sha string) PhotoStatus {
	if r.Complete {
		return PhotoStatus{SHA256: sha, Size: r.Size, Received: r.Size, Complete: true}
	}
	return PhotoStatus{SHA256: sha, Size: r.Size, Received: r.Received}
}

func getPhotoRec(ctx context.Context, q db.Queryer, sha string) (photoRec, bool, error) {
	var r photoRec
	var complete int
	var updated string
	err := q.QueryRowContext(ctx, `SELECT p.uploaded_by, p.size, p.complete, p.updated_at,
		CASE WHEN p.complete = 1 THEN p.size ELSE COALESCE((SELECT SUM(LENGTH(pp.data)) FROM photo_parts pp WHERE pp.sha256 = p.sha256), 0) END
		FROM photos p WHERE p.sha256 = ?`, sha).Scan(&r.UploadedBy, &r.Size, &complete, &updated, &r.Received)
	if err == sql.ErrNoRows {
		return r, false, nil
	}
	r.Complete, r.UpdatedAt = complete == 1, db.ParseTime(updated)
	return r, err == nil, err
}

// readParts joins an unfinished upload's parts in order.
func readParts(ctx context.Context, q db.Queryer, sha string) ([]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM photo_parts WHERE sha256 = ? ORDER BY pos`, sha)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, rows.Err()
}

// appendPart stores a part; the photos row is created with the first one.
func appendPart(ctx context.Context, tx *db.Tx, sha string, user, size, pos int64, part []byte, exists bool) error {
	now := db.Time(tx.Now)
	if exists {
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET updated_at = ? WHERE sha256 = ?`, now, sha); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT INTO photos (sha256, uploaded_by, size, complete, created_at, updated_at)
		VALUES (?, ?, ?, 0, ?, ?)`, sha, user, size, now, now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO photo_parts (sha256, pos, data) VALUES (?, ?, ?)`, sha, pos, part)
	return err
}

// insertPhoto writes a photo that arrived whole: one INSERT with its bytes.
func insertPhoto(ctx context.Context, tx *db.Tx, sha string, user int64, data []byte, in photoInfo) error {
	now := db.Time(tx.Now)
	b := Bands(in.Hash)
	_, err := tx.ExecContext(ctx, `INSERT INTO photos (sha256, uploaded_by, size, content_type, width, height, phash, ph1, ph2, ph3, ph4, data, complete, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		sha, user, len(data), in.ContentType, in.Width, in.Height, HashHex(in.Hash), b[0], b[1], b[2], b[3], data, now, now)
	return err
}

// completePhoto stores the joined bytes of a multi-part upload and drops its parts.
func completePhoto(ctx context.Context, tx *db.Tx, sha string, user int64, data []byte, in photoInfo) error {
	b := Bands(in.Hash)
	if _, err := tx.ExecContext(ctx, `UPDATE photos SET uploaded_by = ?, size = ?, content_type = ?, width = ?, height = ?, phash = ?,
		ph1 = ?, ph2 = ?, ph3 = ?, ph4 = ?, data = ?, complete = 1, updated_at = ? WHERE sha256 = ?`,
		user, len(data), in.ContentType, in.Width, in.Height, HashHex(in.Hash), b[0], b[1], b[2], b[3], data, db.Time(tx.Now), sha); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM photo_parts WHERE sha256 = ?`, sha)
	return err
}

// deletePhoto drops an unfinished upload and its parts.
func deletePhoto(ctx context.Context, tx *db.Tx, sha string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM photo_parts WHERE sha256 = ?`, sha); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE sha256 = ? AND complete = 0`, sha)
	return err
}
