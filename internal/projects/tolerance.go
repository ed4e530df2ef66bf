package projects

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

var errNoTolerance = errs.E(errs.NotFound, "容错申请不存在")

func (in *ToleranceInput) normalize() {
	in.Reason = strings.TrimSpace(in.Reason)
	for i := range in.People {
		in.People[i].Name, in.People[i].Position = strings.TrimSpace(in.People[i].Name), strings.TrimSpace(in.People[i].Position)
	}
}

func (in *ToleranceInput) validate() error {
	v := errs.Validation{}
	supText(v, "reason", in.Reason, 1, 5000)
	switch {
	case len(in.People) == 0:
		v.Add("people", "至少列出一名申请容错的人员")
	case len(in.People) > 50:
		v.Add("people", "一次最多 50 人")
	}
	seen := map[string]bool{}
	for i, pe := range in.People {
		if i >= 50 {
			break
		}
		f := "people[" + strconv.Itoa(i) + "]"
		supText(v, f+".name", pe.Name, 1, 50)
		supText(v, f+".position", pe.Position, 0, 100)
		if pe.Name != "" && seen[pe.Name] {
			v.Add(f+".name", "姓名重复")
		}
		seen[pe.Name] = true
	}
	return v.Err()
}

// RequestTolerance asks for 容错: the project's failure declared non-subjective, the people
// named exempt from accountability once the discipline commission approves. One open request
// per project.
func (s *Service) RequestTolerance(ctx context.Context, p *auth.Principal, projectID int64, in ToleranceInput) (Tolerance, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return Tolerance{}, err
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Tolerance{}, err
	}
	people, err := json.Marshal(in.People)
	if err != nil {
		return Tolerance{}, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := supportProject(ctx, tx, p, projectID, auth.ProjectWrite, false)
		if err != nil {
			return err
		}
		if err := pr.requireActive(); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM project_tolerances WHERE project_id = ? AND status = 'requested'`,
			projectID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return errs.E(errs.Conflict, "该项目已有待审批的容错申请")
		}
		id, err = tx.InsertID(ctx, `INSERT INTO project_tolerances (project_id, reason, people_json, status, requested_by, requested_at)
			VALUES (?, ?, ?, 'requested', ?, ?) RETURNING id`, projectID, in.Reason, string(people), p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		t, err := loadTolerance(ctx, tx, id)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "project.tolerance.request", "project_tolerance", id, pr.Region, nil, t)
	})
	if err != nil {
		return Tolerance{}, err
	}
	return loadTolerance(ctx, s.DB.Reader(), id)
}

// Tolerances lists a project's 容错 requests, newest first.
func (s *Service) Tolerances(ctx context.Context, p *auth.Principal, projectID int64) ([]Tolerance, error) {
	q := s.DB.Reader()
	if _, err := supportProject(ctx, q, p, projectID, auth.ProjectRead, false); err != nil {
		return nil, err
	}
	return queryTolerances(ctx, q, `project_id = ? ORDER BY id DESC`, projectID)
}

// DecideTolerance approves or rejects a 容错 request: the discipline commission at county or
// city level only. Approval marks the project failed (its stage is kept) in the same
// transaction, and from then on Exempted names its people.
func (s *Service) DecideTolerance(ctx context.Context, p *auth.Principal, id int64, d ToleranceDecision) (Tolerance, error) {
	if err := p.Require(auth.ProjectSign); err != nil {
		return Tolerance{}, err
	}
	d.Decision, d.Opinion = strings.TrimSpace(d.Decision), strings.TrimSpace(d.Opinion)
	v := errs.Validation{}
	if d.Decision != "approve" && d.Decision != "reject" {
		v.Add("decision", "应为 approve 或 reject")
	}
	supText(v, "opinion", d.Opinion, 0, 2000)
	if d.Decision == "reject" && d.Opinion == "" {
		v.Add("opinion", "不予容错时须填写意见")
	}
	if d.Version <= 0 {
		v.Add("version", "必填")
	}
	if err := v.Err(); err != nil {
		return Tolerance{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadTolerance(ctx, tx, id)
		if err != nil {
			return err
		}
		pr, err := supportProject(ctx, tx, p, before.ProjectID, auth.ProjectSign, false)
		if err == errNoProject {
			return errNoTolerance
		}
		if err != nil {
			return err
		}
		if lv := regioncode.LevelOf(p.Scope); p.Role != auth.Discipline || lv != regioncode.County && lv != regioncode.City {
			return errs.E(errs.Forbidden, "容错申请应由县级或市级纪委监委审批")
		}
		if before.Status != "requested" {
			return errs.E(errs.Conflict, "该容错申请已审批")
		}
		if before.Version != d.Version {
			return errStale
		}
		status := "rejected"
		if d.Decision == "approve" {
			status = "approved"
		}
		now := db.Time(tx.Now)
		res, err := tx.ExecContext(ctx, `UPDATE project_tolerances SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ?,
			opinion = ?, version = version + 1 WHERE id = ? AND version = ?`, status, p.UserID, p.Name, now, d.Opinion, id, d.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		if err := record(ctx, tx, p, "project.tolerance.decide", "project_tolerance", id, pr.Region,
			map[string]any{"status": before.Status, "version": before.Version},
			map[string]any{"status": status, "version": before.Version + 1, "opinion": d.Opinion}); err != nil {
			return err
		}
		if status != "approved" {
			return nil
		}
		res, err = tx.ExecContext(ctx, `UPDATE projects SET status = 'failed', version = version + 1, updated_at = ? WHERE id = ? AND status = 'active'`,
			now, pr.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "项目已不在实施中,不能认定容错")
		}
		return record(ctx, tx, p, "project.update", "project", pr.ID, pr.Region,
			map[string]any{"status": "active"}, map[string]any{"status": "failed", "tolerance_id": id})
	})
	if err != nil {
		return Tolerance{}, err
	}
	return loadTolerance(ctx, s.DB.Reader(), id)
}

// Exempted reports whether an approved 容错 of the project names the person (the exact
// trimmed name): accountability for the project's failure does not reach them. Oversight's
// case creation calls it in its own transaction.
func Exempted(ctx context.Context, q db.Queryer, projectID int64, personName string) (bool, error) {
	name := strings.TrimSpace(personName)
	if name == "" {
		return false, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT people_json FROM project_tolerances WHERE project_id = ? AND status = 'approved'`, projectID)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return false, err
		}
		var people []Person
		if err := json.Unmarshal([]byte(js), &people); err != nil {
			return false, err
		}
		for _, pe := range people {
			if strings.TrimSpace(pe.Name) == name {
				return true, nil
			}
		}
	}
	return false, rows.Err()
}

const toleranceSelect = `SELECT id, project_id, reason, people_json, status, requested_by, requested_at, decided_by, decided_by_name,
	decided_at, opinion, version FROM project_tolerances`

func queryTolerances(ctx context.Context, q db.Queryer, where string, args ...any) ([]Tolerance, error) {
	rows, err := q.QueryContext(ctx, toleranceSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Tolerance{}
	for rows.Next() {
		var t Tolerance
		var people string
		var by sql.NullInt64
		var at sql.NullString
		if err := rows.Scan(&t.ID, &t.ProjectID, &t.Reason, &people, &t.Status, &t.RequestedBy, &t.RequestedAt, &by, &t.DecidedByName,
			&at, &t.Opinion, &t.Version); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(people), &t.People); err != nil {
			return nil, err
		}
		if t.People == nil {
			t.People = []Person{}
		}
		t.DecidedBy, t.DecidedAt = supNullInt(by), supNullString(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

func loadTolerance(ctx context.Context, q db.Queryer, id int64) (Tolerance, error) {
	ts, err := queryTolerances(ctx, q, `id = ?`, id)
	if err != nil {
		return Tolerance{}, err
	}
	if len(ts) == 0 {
		return Tolerance{}, errNoTolerance
	}
	return ts[0], nil
}
