package registry

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// MaxAttachment bounds one uploaded file (a scanned form or a photo).
const MaxAttachment = 10 << 20

// Upload stores a file (a signed form, a photo) with its SHA-256, under the uploader's scope.
func (s *Service) Upload(ctx context.Context, p *auth.Principal, name string, r io.Reader) (Attachment, error) {
	if err := p.RequireIn(auth.ProcedureSign, p.Scope); err != nil {
		return Attachment{Name: name}, err
	}
	a, data, err := ReadFile(name, r, MaxAttachment)
	if err != nil {
		return a, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := StoreFile(ctx, tx, &a, data, p.Scope, p.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "attachment.upload", EntityType: "attachment",
			EntityID: itoa64(a.ID), RegionCode: p.Scope, After: a})
	})
	return a, err
}

// ReadFile reads an uploaded file of at most max bytes and names it: name, SHA-256, size and
// the sniffed content type. Other domains (alert findings) store their files the same way.
func ReadFile(name string, r io.Reader, max int64) (Attachment, []byte, error) {
	a := Attachment{Name: strings.TrimSpace(name)}
	if a.Name == "" || utf8.RuneCountInString(a.Name) > 200 || !utf8.ValidString(a.Name) {
		return a, nil, errs.Field("file", "文件名必填,不超过 200 字")
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return a, nil, errs.E(errs.TooLarge, "附件超过 %d MB", max>>20)
		}
		return a, nil, errs.E(errs.Invalid, "文件读取失败")
	}
	if int64(len(data)) > max {
		return a, nil, errs.E(errs.TooLarge, "附件超过 %d MB", max>>20)
	}
	if len(data) == 0 {
		return a, nil, errs.Field("file", "文件为空")
	}
	sum := sha256.Sum256(data)
	a.SHA256, a.Size = hex.EncodeToString(sum[:]), int64(len(data))
	a.ContentType = http.DetectContentType(data)
	return a, data, nil
}

// ServeFile writes a stored file as a download, never rendered inline: an uploaded HTML file
// must not run in our origin. X-Content-SHA256 lets the reader check it against the record.
func ServeFile(w http.ResponseWriter, a Attachment, data []byte) {
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("X-Content-SHA256", a.SHA256)
	_, _ = w.Write(data)
}

// StoreFile inserts a file read by ReadFile under region (who may read it) in the caller's
// transaction, setting its id and time.
func StoreFile(ctx context.Context, tx *db.Tx, a *Attachment, data []byte, region string, userID int64) (err error) {
	a.CreatedAt = db.Time(tx.Now)
	a.ID, err = tx.InsertID(ctx, `INSERT INTO attachments (sha256, name, content_type, size, data, region_code, uploaded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.SHA256, a.Name, a.ContentType, a.Size, data, region, userID, a.CreatedAt)
	return err
}

// Attachment returns a file the principal may read (it was uploaded within their scope or by
// an office above them, on a matter in their scope).
func (s *Service) Attachment(ctx context.Context, p *auth.Principal, id int64) (Attachment, []byte, error) {
	a, err := s.attachmentFor(ctx, s.DB.Reader(), p, id)
	if err != nil {
		return a, nil, err
	}
	var data []byte
	err = s.DB.Reader().QueryRowContext(ctx, `SELECT data FROM attachments WHERE id = ?`, id).Scan(&data)
	return a, data, err
}

func (s *Service) attachmentFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Attachment, error) {
	a := Attachment{ID: id}
	var region string
	var by int64
	err := q.QueryRowContext(ctx, `SELECT sha256, name, content_type, size, region_code, uploaded_by, created_at FROM attachments WHERE id = ?`, id).
		Scan(&a.SHA256, &a.Name, &a.ContentType, &a.Size, &region, &by, &a.CreatedAt)
	if err == sql.ErrNoRows {
		return a, errs.E(errs.NotFound, "附件不存在")
	}
	if err != nil {
		return a, err
	}
	// Visible to whoever's scope covers the uploader's, or to the uploader; a signature's
	// attachment is also visible to everyone who may read the procedure.
	if by == p.UserID || p.InScope(region) && p.Can(auth.HouseholdRead) {
		return a, nil
	}
	var procRegion string
	err = q.QueryRowContext(ctx, `SELECT p.region_code FROM procedure_signatures s JOIN procedures p ON p.id = s.procedure_id
		WHERE s.attachment_id = ? LIMIT 1`, id).Scan(&procRegion)
	if err == nil && p.InScope(procRegion) && p.Can(auth.HouseholdRead) {
		return a, nil
	}
	return Attachment{}, errs.E(errs.NotFound, "附件不存在")
}
