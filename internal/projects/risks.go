package projects

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// RiskLevels grade a risk's likelihood and impact.
var RiskLevels = []string{"low", "medium", "high"}

var errNoRisk = errs.E(errs.NotFound, "风险不存在")

func (in *RiskInput) normalize() {
	for _, f := range []*string{&in.Title, &in.Likelihood, &in.Impact, &in.Mitigation, &in.Owner} {
		*f = strings.TrimSpace(*f)
	}
}

func (in *RiskInput) validate() error {
	v := errs.Validation{}
	supText(v, "title", in.Title, 1, 200)
	if !slices.Contains(RiskLevels, in.Likelihood) {
		v.Add("likelihood", "应为 low、medium 或 high")
	}
	if !slices.Contains(RiskLevels, in.Impact) {
		v.Add("impact", "应为 low、medium 或 high")
	}
	supText(v, "mitigation", in.Mitigation, 0, 2000)
	supText(v, "owner", in.Owner, 1, 100)
	return v.Err()
}

// AddRisk records an open risk of a project with its mitigation and owner.
func (s *Service) AddRisk(ctx context.Context, p *auth.Principal, projectID int64, in RiskInput) (Risk, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return Risk{}, err
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Risk{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := supportProject(ctx, tx, p, projectID, auth.ProjectWrite, false)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO project_risks (project_id, title, likelihood, impact, mitigation, owner, status,
			created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id`,
			projectID, in.Title, in.Likelihood, in.Impact, in.Mitigation, in.Owner, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		r, err := loadRisk(ctx, tx, id)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "project.risk.add", "project_risk", id, pr.Region, nil, r)
	})
	if err != nil {
		return Risk{}, err
	}
	return loadRisk(ctx, s.DB.Reader(), id)
}

// Risks lists a project's risks, open ones first, then newest first.
func (s *Service) Risks(ctx context.Context, p *auth.Principal, projectID int64) ([]Risk, error) {
	q := s.DB.Reader()
	if _, err := supportProject(ctx, q, p, projectID, auth.ProjectRead, false); err != nil {
		return nil, err
	}
	return queryRisks(ctx, q, `project_id = ? ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, id DESC`, projectID)
}

// CloseRisk closes an open risk with a note on how it ended.
func (s *Service) CloseRisk(ctx context.Context, p *auth.Principal, riskID int64, in RiskClose) (Risk, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return Risk{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	v := errs.Validation{}
	supText(v, "note", in.Note, 1, 2000)
	if in.Version <= 0 {
		v.Add("version", "必填")
	}
	if err := v.Err(); err != nil {
		return Risk{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadRisk(ctx, tx, riskID)
		if err != nil {
			return err
		}
		pr, err := supportProject(ctx, tx, p, before.ProjectID, auth.ProjectWrite, false)
		if err == errNoProject {
			return errNoRisk
		}
		if err != nil {
			return err
		}
		if before.Status != "open" {
			return errs.E(errs.Conflict, "该风险已关闭")
		}
		if before.Version != in.Version {
			return errStale
		}
		now := db.Time(tx.Now)
		res, err := tx.ExecContext(ctx, `UPDATE project_risks SET status = 'closed', closed_note = ?, closed_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, in.Note, now, riskID, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		return record(ctx, tx, p, "project.risk.close", "project_risk", riskID, pr.Region,
			map[string]any{"status": "open", "version": before.Version},
			map[string]any{"status": "closed", "version": before.Version + 1, "closed_note": in.Note})
	})
	if err != nil {
		return Risk{}, err
	}
	return loadRisk(ctx, s.DB.Reader(), riskID)
}

const riskSelect = `SELECT id, project_id, title, likelihood, impact, mitigation, owner, status, closed_note, version, created_by,
	created_at, closed_at FROM project_risks`

func queryRisks(ctx context.Context, q db.Queryer, where string, args ...any) ([]Risk, error) {
	rows, err := q.QueryContext(ctx, riskSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Risk{}
	for rows.Next() {
		var r Risk
		var closed sql.NullString
		if err := rows.Scan(&r.ID, &r.ProjectID, &r.Title, &r.Likelihood, &r.Impact, &r.Mitigation, &r.Owner, &r.Status, &r.ClosedNote,
			&r.Version, &r.CreatedBy, &r.CreatedAt, &closed); err != nil {
			return nil, err
		}
		r.ClosedAt = supNullString(closed)
		out = append(out, r)
	}
	return out, rows.Err()
}

func loadRisk(ctx context.Context, q db.Queryer, id int64) (Risk, error) {
	rs, err := queryRisks(ctx, q, `id = ?`, id)
	if err != nil {
		return Risk{}, err
	}
	if len(rs) == 0 {
		return Risk{}, errNoRisk
	}
	return rs[0], nil
}
