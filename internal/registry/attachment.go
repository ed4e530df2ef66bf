package registry

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// MaxAttachment bounds one uploaded file (a scanned form or a photo).
const MaxAttachment = 10 << 20

// Upload stores a file (a signed form, a photo) with its SHA-256, under the uploader's scope.
func (s *Service) Upload(ctx context.Context, p *auth.Principal, name string, r io.Reader) (Attachment, error) {
	a := Attachment{Name: strings.TrimSpace(name)}
	if err := p.RequireIn(auth.ProcedureSign, p.Scope); err != nil {
		return a, err
	}
	if a.Name == "" || len([]rune(a.Name)) > 200 {
		return a, errs.Field("file", "文件名必填,不超过 200 字")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxAttachment+1))
	if err != nil {
		return a, errs.E(errs.Invalid, "文件读取失败")
	}
	if len(data) > MaxAttachment {
		return a, errs.E(errs.TooLarge, "附件超过 10 MB")
	}
	if len(data) == 0 {
		return a, errs.Field("file", "文件为空")
	}
	sum := sha256.Sum256(data)
	a.SHA256, a.Size = hex.EncodeToString(sum[:]), int64(len(data))
	a.ContentType = http.DetectContentType(data)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		a.CreatedAt = db.Time(tx.Now)
		var err error
		a.ID, err = tx.InsertID(ctx, `INSERT INTO attachments (sha256, name, content_type, size, data, region_code, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.SHA256, a.Name, a.ContentType, a.Size, data, p.Scope, p.UserID, a.CreatedAt)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "attachment.upload", EntityType: "attachment",
			EntityID: itoa64(a.ID), RegionCode: p.Scope, After: a})
	})
	return a, err
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
