package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// latestDef is the newest chain of a kind; the built-in default (recorded as version 1 on
// first use) when none was defined.
func latestDef(ctx context.Context, tx *db.Tx, kind ProcKind) (Definition, error) {
	d, err := readDef(ctx, tx, kind, 0)
	if err == nil || errs.CodeOf(err) != errs.NotFound {
		return d, err
	}
	for _, def := range DefaultDefinitions() {
		if def.Kind == kind {
			_, err := tx.ExecContext(ctx, `INSERT INTO procedure_defs (kind, version, steps_json, created_by, created_at) VALUES (?, 1, ?, 0, ?)`,
				kind, StepsJSON(def.Steps), db.Time(tx.Now))
			return def, err
		}
	}
	return d, errs.E(errs.Invalid, "未知的程序类型 %s", kind)
}

// readDef reads a chain version (0 = the newest).
func readDef(ctx context.Context, q db.Queryer, kind ProcKind, version int) (Definition, error) {
	d := Definition{Kind: kind}
	var js string
	var err error
	if version == 0 {
		err = q.QueryRowContext(ctx, `SELECT version, steps_json FROM procedure_defs WHERE kind = ? ORDER BY version DESC LIMIT 1`, kind).Scan(&d.Version, &js)
	} else {
		err = q.QueryRowContext(ctx, `SELECT version, steps_json FROM procedure_defs WHERE kind = ? AND version = ?`, kind, version).Scan(&d.Version, &js)
	}
	if err == sql.ErrNoRows {
		return d, errs.E(errs.NotFound, "程序定义不存在")
	}
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal([]byte(js), &d.Steps)
}

const procCols = `p.id, p.household_id, h.household_no, h.head_name, p.region_code, COALESCE(r.name, ''), p.kind, p.def_version,
	p.status, p.step, d.steps_json, p.reason, p.started_by, p.started_at, COALESCE(p.finished_at, ''), p.updated_at`

const procFrom = ` FROM procedures p JOIN households h ON h.id = p.household_id
	JOIN procedure_defs d ON d.kind = p.kind AND d.version = p.def_version
	LEFT JOIN regions r ON r.code = p.region_code`

func scanProc(s scanner) (Procedure, error) {
	var p Procedure
	var js string
	err := s.Scan(&p.ID, &p.HouseholdID, &p.HouseholdNo, &p.HeadName, &p.RegionCode, &p.RegionName, &p.Kind, &p.DefVersion,
		&p.Status, &p.Step, &js, &p.Reason, &p.StartedBy, &p.StartedAt, &p.FinishedAt, &p.UpdatedAt)
	if err != nil {
		return p, err
	}
	p.Signatures, p.Notices, p.Objections = []Signature{}, []Notice{}, []Objection{}
	return p, json.Unmarshal([]byte(js), &p.Steps)
}

func getProc(ctx context.Context, q db.Queryer, id int64) (Procedure, error) {
	p, err := scanProc(q.QueryRowContext(ctx, `SELECT `+procCols+procFrom+` WHERE p.id = ?`, id))
	if err == sql.ErrNoRows {
		return p, errNoProc
	}
	if err != nil {
		return p, err
	}
	return p, loadProcDetail(ctx, q, &p)
}

var errNoProc = errs.E(errs.NotFound, "程序不存在")

// ProcFilter selects procedures for a list.
type ProcFilter struct {
	Region    string
	Kind      ProcKind
	Status    ProcStatus
	Inbox     bool // open, waiting for the asking user's role at their scope level
	Role      string
	Level     regioncode.Level
	Household int64
	After     int64
	Limit     int
}

func listProcs(ctx context.Context, q db.Queryer, f ProcFilter) ([]Procedure, error) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"p.region_code BETWEEN ? AND ?"}
	args := []any{lo, hi}
	order := "p.id DESC"
	if f.Inbox {
		where = append(where, "p.status = 'open'", "p.step_role = ?", "(p.step_level = '' OR p.step_level = ?)")
		args = append(args, f.Role, f.Level)
		order = "p.id"
		if f.After > 0 {
			where, args = append(where, "p.id > ?"), append(args, f.After)
		}
	} else if f.After > 0 {
		where, args = append(where, "p.id < ?"), append(args, f.After)
	}
	if f.Kind != "" {
		where, args = append(where, "p.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, f.Status)
	}
	if f.Household != 0 {
		where, args = append(where, "p.household_id = ?"), append(args, f.Household)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+procCols+procFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`,
		append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Procedure{}
	for rows.Next() {
		p, err := scanProc(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// loadProcDetail fills a procedure's signatures, notices and objections.
func loadProcDetail(ctx context.Context, q db.Queryer, p *Procedure) error {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.step, s.step_key, s.decision, s.opinion, s.back_to, s.user_id, s.user_name, s.role,
		s.attachment_id, s.at, a.sha256, a.name, a.content_type, a.size, a.created_at
		FROM procedure_signatures s LEFT JOIN attachments a ON a.id = s.attachment_id
		WHERE s.procedure_id = ? ORDER BY s.id`, p.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s Signature
		var back, att sql.NullInt64
		var sha, name, ct, created sql.NullString
		var size sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Step, &s.StepKey, &s.Decision, &s.Opinion, &back, &s.UserID, &s.UserName, &s.Role,
			&att, &s.At, &sha, &name, &ct, &size, &created); err != nil {
			rows.Close()
			return err
		}
		if back.Valid {
			b := int(back.Int64)
			s.BackTo = &b
		}
		if att.Valid {
			s.AttachmentID = &att.Int64
			s.Attachment = &Attachment{ID: att.Int64, SHA256: sha.String, Name: name.String, ContentType: ct.String, Size: size.Int64, CreatedAt: created.String}
		}
		p.Signatures = append(p.Signatures, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, procedure_id, step, region_code, title, body, starts_at, ends_at, created_by
		FROM publicity_notices WHERE procedure_id = ? ORDER BY id`, p.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.ID, &n.ProcedureID, &n.Step, &n.RegionCode, &n.Title, &n.Body, &n.StartsAt, &n.EndsAt, &n.CreatedBy); err != nil {
			rows.Close()
			return err
		}
		p.Notices = append(p.Notices, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, notice_id, procedure_id, content, contact, lodged_by, lodged_at,
		COALESCE(answer, ''), COALESCE(answered_by, 0), COALESCE(answered_at, '')
		FROM objections WHERE procedure_id = ? ORDER BY id`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o Objection
		if err := rows.Scan(&o.ID, &o.NoticeID, &o.ProcedureID, &o.Content, &o.Contact, &o.LodgedBy, &o.LodgedAt,
			&o.Answer, &o.AnsweredBy, &o.AnsweredAt); err != nil {
			return err
		}
		p.Objections = append(p.Objections, o)
	}
	return rows.Err()
}

func moveProc(ctx context.Context, tx *db.Tx, p *Procedure, step int, status ProcStatus) error {
	role, level := "", ""
	if step < len(p.Steps) && status == ProcOpen {
		role, level = string(p.Steps[step].Role), string(p.Steps[step].Level)
	}
	var finished any
	if status != ProcOpen {
		finished = db.Time(tx.Now)
	}
	_, err := tx.ExecContext(ctx, `UPDATE procedures SET step = ?, step_role = ?, step_level = ?, status = ?, finished_at = ?, updated_at = ?
		WHERE id = ?`, step, role, level, status, finished, db.Time(tx.Now), p.ID)
	return err
}

func currentHelper(ctx context.Context, q db.Queryer, householdID int64) (*HelperRef, error) {
	var h HelperRef
	err := q.QueryRowContext(ctx, `SELECT e.id, e.name, e.phone, e.employer, e.position, a.from_date
		FROM assignments a JOIN helpers e ON e.id = a.helper_id WHERE a.household_id = ? AND a.to_date IS NULL`, householdID).
		Scan(&h.ID, &h.Name, &h.Phone, &h.Employer, &h.Position, &h.FromDate)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// isCurrentHelper reports whether the user signs in as the household's current helper: the
// helper step of 五签字五确认 is that person's own confirmation, not any helper's in the town.
func isCurrentHelper(ctx context.Context, q db.Queryer, userID, householdID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM assignments a JOIN helpers e ON e.id = a.helper_id
		WHERE a.household_id = ? AND a.to_date IS NULL AND e.user_id = ?`, householdID, userID).Scan(&n)
	return n > 0, err
}
