package oversight

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// MaxAlertAttachment bounds one file attached to an alert's handling.
const MaxAlertAttachment = 20 << 20

// AlertAssignInput dispatches an alert to a handler of its department.
type AlertAssignInput struct {
	// AssigneeID is an active user of the alert's department (role) whose scope covers the
	// alert's region; absent = the caller.
	AssigneeID *int64 `json:"assignee_id"`
	Note       string `json:"note"`
	Version    int64  `json:"version"`
}

// AlertVerifyInput starts the verification (核查) of an assigned alert.
type AlertVerifyInput struct {
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

// AlertCloseInput closes an alert with its outcome and findings.
type AlertCloseInput struct {
	Outcome  string `json:"outcome"`
	Findings string `json:"findings"`
	Version  int64  `json:"version"`
}

// writableAlert loads an alert for a handling write inside tx: in scope, the caller allowed to
// handle there and of the alert's department, at the version the caller saw, in one of the
// states the step starts from.
func writableAlert(ctx context.Context, tx *db.Tx, p *auth.Principal, id, version int64, from ...string) (AlertDetail, error) {
	d, err := getAlert(ctx, tx, id)
	if err != nil {
		return d, err
	}
	if !p.InScope(d.RegionCode) {
		return AlertDetail{}, errNoAlert
	}
	if err := p.RequireIn(auth.AlertHandle, d.RegionCode); err != nil {
		return d, err
	}
	if !p.Root && string(p.Role) != d.Department {
		return d, errOtherDepartment(p, d)
	}
	if version <= 0 {
		return d, errs.Field("version", "请提供预警的当前版本号(version)")
	}
	if version != d.Version {
		return d, errs.E(errs.Conflict, "预警已被他人修改(当前版本 %d),请刷新后重试", d.Version)
	}
	if !slices.Contains(from, d.Status) {
		if d.Status == StatusClosed {
			return d, errs.E(errs.Conflict, "该预警已办结,不能再修改")
		}
		return d, errs.E(errs.Conflict, "该预警当前状态为「%s」,不能执行此操作", AlertStatusLabels[d.Status])
	}
	return d, nil
}

// bumpAlert applies a handling update guarded by the version the caller saw: of two concurrent
// writes of the same version exactly one changes the row, the other gets a conflict.
func bumpAlert(ctx context.Context, tx *db.Tx, id, version int64, set string, args ...any) error {
	res, err := tx.ExecContext(ctx, `UPDATE alerts SET `+set+`, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		append(args, db.Time(tx.Now), id, version)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errs.E(errs.Conflict, "预警已被他人修改,请刷新后重试")
	}
	return nil
}

func alertText(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return v, errs.Field(field, "含无效字符")
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		if min <= 1 {
			return v, errs.Field(field, "必填")
		}
		return v, errs.Field(field, "至少 "+alertItoa(int64(min))+" 个字")
	}
	if n > max {
		return v, errs.Field(field, "不超过 "+alertItoa(int64(max))+" 字")
	}
	return v, nil
}

// AssignAlert dispatches an open or assigned alert to a handler (交办): the caller's role must
// be the alert's department and the assignee an active user of that department whose scope
// covers the alert's region.
func (s *Service) AssignAlert(ctx context.Context, p *auth.Principal, id int64, in AlertAssignInput) (AlertDetail, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := writableAlert(ctx, tx, p, id, in.Version, StatusOpen, StatusAssigned)
		if err != nil {
			return err
		}
		note, err := alertText("note", in.Note, 0, 500)
		if err != nil {
			return err
		}
		var assignee any
		var assigneeName string
		switch {
		case in.AssigneeID != nil:
			if assigneeName, err = checkAssignee(ctx, tx, *in.AssigneeID, d); err != nil {
				return err
			}
			assignee = *in.AssigneeID
		case p.UserID > 0 && !p.Root:
			assignee, assigneeName = p.UserID, p.Name
		}
		now := db.Time(tx.Now)
		if err := bumpAlert(ctx, tx, id, in.Version, `status = 'assigned', assignee_id = ?, assigned_by = ?, assigned_at = ?, assign_note = ?`,
			assignee, db.NullID(p.UserID), now, note); err != nil {
			return err
		}
		return record(ctx, tx, p, "alert.assign", "alert", id, d.RegionCode,
			map[string]any{"status": d.Status, "assignee_id": d.AssigneeID, "version": d.Version},
			map[string]any{"status": StatusAssigned, "assignee_id": assignee, "assignee_name": assigneeName, "note": note, "version": d.Version + 1})
	})
	if err != nil {
		return AlertDetail{}, err
	}
	return s.Alert(ctx, p, id)
}

// checkAssignee accepts an active user of the alert's department whose scope covers its region.
func checkAssignee(ctx context.Context, q db.Queryer, uid int64, d AlertDetail) (string, error) {
	var name, role, scope string
	var disabled int
	err := q.QueryRowContext(ctx, `SELECT display_name, role, scope_code, disabled FROM users WHERE id = ?`, uid).Scan(&name, &role, &scope, &disabled)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !regioncode.Within(d.RegionCode, scope) {
		return "", errs.Field("assignee_id", "承办人不存在或不在该预警所在区划")
	}
	if err != nil {
		return "", err
	}
	if disabled != 0 {
		return "", errs.Field("assignee_id", "承办人账号已停用")
	}
	if role != d.Department {
		return "", errs.Field("assignee_id", "承办人须为"+d.DepartmentLabel+"的用户")
	}
	return name, nil
}

// VerifyAlert moves an assigned alert into verification (核查中).
func (s *Service) VerifyAlert(ctx context.Context, p *auth.Principal, id int64, in AlertVerifyInput) (AlertDetail, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := writableAlert(ctx, tx, p, id, in.Version, StatusAssigned)
		if err != nil {
			return err
		}
		note, err := alertText("note", in.Note, 0, 500)
		if err != nil {
			return err
		}
		if err := bumpAlert(ctx, tx, id, in.Version, `status = 'verifying', verifying_at = ?`, db.Time(tx.Now)); err != nil {
			return err
		}
		return record(ctx, tx, p, "alert.verify", "alert", id, d.RegionCode,
			map[string]any{"status": d.Status, "version": d.Version},
			map[string]any{"status": StatusVerifying, "note": note, "version": d.Version + 1})
	})
	if err != nil {
		return AlertDetail{}, err
	}
	return s.Alert(ctx, p, id)
}

// CloseAlert closes a pending alert (办结) as substantiated or unfounded, with findings.
func (s *Service) CloseAlert(ctx context.Context, p *auth.Principal, id int64, in AlertCloseInput) (AlertDetail, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := writableAlert(ctx, tx, p, id, in.Version, StatusOpen, StatusAssigned, StatusVerifying)
		if err != nil {
			return err
		}
		if in.Outcome != OutcomeSubstantiated && in.Outcome != OutcomeUnfounded {
			return errs.Field("outcome", "应为 substantiated(属实)或 unfounded(不属实)")
		}
		findings, err := alertText("findings", in.Findings, 4, 2000)
		if err != nil {
			return err
		}
		now := db.Time(tx.Now)
		if err := bumpAlert(ctx, tx, id, in.Version, `status = 'closed', outcome = ?, findings = ?, closed_by = ?, closed_at = ?`,
			in.Outcome, findings, db.NullID(p.UserID), now); err != nil {
			return err
		}
		return record(ctx, tx, p, "alert.close", "alert", id, d.RegionCode,
			map[string]any{"status": d.Status, "version": d.Version},
			map[string]any{"status": StatusClosed, "outcome": in.Outcome, "findings": findings, "version": d.Version + 1})
	})
	if err != nil {
		return AlertDetail{}, err
	}
	return s.Alert(ctx, p, id)
}

// AttachToAlert stores a file (at most MaxAlertAttachment) in the attachments table the way
// registry uploads are stored, links it to a pending alert and records alert.attach, in one
// transaction. Only the alert's department may attach, as for every handling step.
func (s *Service) AttachToAlert(ctx context.Context, p *auth.Principal, id int64, name string, r io.Reader) (AlertAttachment, error) {
	a := AlertAttachment{Name: strings.TrimSpace(name)}
	// Refuse before reading the file when the caller may not handle the alert at all.
	if err := s.mayAttach(ctx, p, id); err != nil {
		return a, err
	}
	f, data, err := registry.ReadFile(name, r, MaxAlertAttachment)
	if err != nil {
		return a, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := getAlert(ctx, tx, id)
		if err != nil {
			return err
		}
		// Any version: an attachment does not change the alert's handling state.
		if _, err := writableAlert(ctx, tx, p, id, d.Version, StatusOpen, StatusAssigned, StatusVerifying); err != nil {
			return err
		}
		// The file lives under the alert's region: whoever may read households there may read it.
		if err := registry.StoreFile(ctx, tx, &f, data, d.RegionCode, p.UserID); err != nil {
			return err
		}
		a = AlertAttachment{ID: f.ID, Name: f.Name, Size: f.Size, ContentType: f.ContentType, SHA256: f.SHA256, AddedAt: f.CreatedAt}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_attachments (alert_id, attachment_id, added_by, added_at) VALUES (?, ?, ?, ?)`,
			id, a.ID, p.UserID, a.AddedAt); err != nil {
			return err
		}
		return record(ctx, tx, p, "alert.attach", "alert", id, d.RegionCode, nil, a)
	})
	return a, err
}

// mayAttach refuses, before a byte of the file is read, a caller who may not handle the alert:
// outside their scope (not found), without alert.handle, or not of its department.
func (s *Service) mayAttach(ctx context.Context, p *auth.Principal, id int64) error {
	d, err := getAlert(ctx, s.DB.Reader(), id)
	if err != nil {
		return err
	}
	if !p.InScope(d.RegionCode) {
		return errNoAlert
	}
	if err := p.RequireIn(auth.AlertHandle, d.RegionCode); err != nil {
		return err
	}
	if !p.Root && string(p.Role) != d.Department {
		return errOtherDepartment(p, d)
	}
	if d.Status == StatusClosed {
		return errs.E(errs.Conflict, "该预警已办结,不能再修改")
	}
	return nil
}

// errOtherDepartment refuses a handler whose role is not the alert's department.
func errOtherDepartment(p *auth.Principal, d AlertDetail) error {
	return errs.E(errs.Forbidden, "该预警的承办部门为%s,您的角色(%s)不能办理", d.DepartmentLabel, auth.RoleLabels[p.Role])
}

// AlertAssignee is a user an alert may be assigned to.
type AlertAssignee struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	ScopeCode string `json:"scope_code"`
}

// Assignees lists the users an alert may be assigned to: active users of its department whose
// scope covers its region (the region, a town, county or city above it), nearest first. Only
// its department's handlers may ask.
func (s *Service) Assignees(ctx context.Context, p *auth.Principal, id int64) ([]AlertAssignee, error) {
	q := s.DB.Reader()
	d, err := getAlert(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !p.InScope(d.RegionCode) {
		return nil, errNoAlert
	}
	if err := p.RequireIn(auth.AlertHandle, d.RegionCode); err != nil {
		return nil, err
	}
	if !p.Root && string(p.Role) != d.Department {
		return nil, errOtherDepartment(p, d)
	}
	var scopes []any
	for c := d.RegionCode; c != ""; c = regioncode.Parent(c) {
		scopes = append(scopes, c)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, display_name, role, scope_code FROM users WHERE role = ? AND disabled = 0
		AND scope_code IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(scopes)), ", ")+`) ORDER BY scope_code DESC, id LIMIT 500`,
		append([]any{d.Department}, scopes...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AlertAssignee{}
	for rows.Next() {
		var a AlertAssignee
		if err := rows.Scan(&a.UserID, &a.Name, &a.Role, &a.ScopeCode); err != nil {
			return nil, err
		}
		a.RoleLabel = auth.RoleLabels[auth.Role(a.Role)]
		out = append(out, a)
	}
	return out, rows.Err()
}

// AlertAttachmentFile is a file attached to an alert's handling, for anyone who may read the
// alert: a department has no household.read, so the registry's attachment route would refuse it.
func (s *Service) AlertAttachmentFile(ctx context.Context, p *auth.Principal, id, attachmentID int64) (AlertAttachment, []byte, error) {
	var a AlertAttachment
	q := s.DB.Reader()
	d, err := getAlert(ctx, q, id)
	if err != nil {
		return a, nil, err
	}
	if !p.InScope(d.RegionCode) {
		return a, nil, errNoAlert
	}
	if err := p.RequireIn(auth.AlertRead, d.RegionCode); err != nil {
		return a, nil, err
	}
	var data []byte
	err = q.QueryRowContext(ctx, `SELECT t.id, t.name, t.content_type, t.size, t.sha256, t.data FROM alert_attachments l
		JOIN attachments t ON t.id = l.attachment_id WHERE l.alert_id = ? AND l.attachment_id = ?`, id, attachmentID).
		Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, errs.E(errs.NotFound, "附件不存在")
	}
	return a, data, err
}
