package oversight

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/projects"
	"sunshine/internal/regioncode"
)

// CaseHandlings are the ways an accountability case is handled (问责方式), mildest first.
var CaseHandlings = map[string]string{
	"talk":       "谈话提醒",
	"criticism":  "批评教育",
	"admonish":   "诫勉",
	"party":      "党纪处分",
	"government": "政务处分",
	"judicial":   "移送司法机关",
}

// CaseInput records an accountability case (问责).
type CaseInput struct {
	RegionCode     string `json:"region_code"`
	PersonName     string `json:"person_name"`
	PersonPosition string `json:"person_position"`
	PersonUnit     string `json:"person_unit"`
	Violation      string `json:"violation"`
	Handling       string `json:"handling"`
	DecidedOn      string `json:"decided_on"`
	AlertID        int64  `json:"alert_id,omitempty"`
	ComplaintID    int64  `json:"complaint_id,omitempty"`
	Note           string `json:"note"`
}

// CaseRow is an accountability case as the console shows it.
type CaseRow struct {
	ID             int64  `json:"id"`
	RegionCode     string `json:"region_code"`
	RegionName     string `json:"region_name"`
	PersonName     string `json:"person_name"`
	PersonPosition string `json:"person_position"`
	PersonUnit     string `json:"person_unit"`
	Violation      string `json:"violation"`
	Handling       string `json:"handling"`
	HandlingLabel  string `json:"handling_label"`
	DecidedOn      string `json:"decided_on"`
	AlertID        *int64 `json:"alert_id"`
	ComplaintID    *int64 `json:"complaint_id"`
	// ComplaintCode is the tracking code of the linked complaint ("" when none).
	ComplaintCode string `json:"complaint_tracking_code"`
	Note          string `json:"note"`
	CreatedBy     int64  `json:"created_by"`
	CreatedByName string `json:"created_by_name"`
	CreatedAt     string `json:"created_at"`
}

func (in *CaseInput) normalize() {
	for _, f := range []*string{&in.RegionCode, &in.PersonName, &in.PersonPosition, &in.PersonUnit, &in.Violation, &in.Handling,
		&in.DecidedOn, &in.Note} {
		*f = strings.TrimSpace(*f)
	}
}

func (in *CaseInput) validate(today string) error {
	v := errs.Validation{}
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	checkText(v, "person_name", in.PersonName, 1, maxName)
	checkText(v, "person_position", in.PersonPosition, 0, 100)
	checkText(v, "person_unit", in.PersonUnit, 0, 100)
	checkText(v, "violation", in.Violation, 4, maxContent)
	checkText(v, "note", in.Note, 0, maxContent)
	if _, ok := CaseHandlings[in.Handling]; !ok {
		v.Add("handling", "应为 talk、criticism、admonish、party、government 或 judicial")
	}
	if d, err := time.Parse(db.DateLayout, in.DecidedOn); err != nil || d.Format(db.DateLayout) != in.DecidedOn {
		v.Add("decided_on", "日期格式应为 YYYY-MM-DD")
	} else if in.DecidedOn > today {
		v.Add("decided_on", "不能晚于今天")
	}
	if in.AlertID < 0 {
		v.Add("alert_id", "应为正整数")
	}
	if in.ComplaintID < 0 {
		v.Add("complaint_id", "应为正整数")
	}
	return v.Err()
}

const caseSelect = `SELECT a.id, a.region_code, COALESCE(r.name, ''), a.person_name, a.person_position, a.person_unit, a.violation,
	a.handling, a.decided_on, a.alert_id, a.complaint_id, COALESCE(c.tracking_code, ''), a.note, a.created_by,
	COALESCE(u.display_name, ''), a.created_at
	FROM accountability_cases a LEFT JOIN regions r ON r.code = a.region_code LEFT JOIN users u ON u.id = a.created_by
	LEFT JOIN complaints c ON c.id = a.complaint_id`

func scanCase(sc interface{ Scan(...any) error }) (CaseRow, error) {
	var c CaseRow
	var alert, complaint sql.NullInt64
	err := sc.Scan(&c.ID, &c.RegionCode, &c.RegionName, &c.PersonName, &c.PersonPosition, &c.PersonUnit, &c.Violation, &c.Handling,
		&c.DecidedOn, &alert, &complaint, &c.ComplaintCode, &c.Note, &c.CreatedBy, &c.CreatedByName, &c.CreatedAt)
	c.AlertID, c.ComplaintID = nullInt(alert), nullInt(complaint)
	c.HandlingLabel = CaseHandlings[c.Handling]
	c.ComplaintCode = FormatTrackingCode(c.ComplaintCode)
	return c, err
}

func queryCases(ctx context.Context, q db.Queryer, where string, args ...any) ([]CaseRow, error) {
	rows, err := q.QueryContext(ctx, caseSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CaseRow{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// linkedCases lists the cases in the principal's scope that cite an alert (alertID > 0) or a
// complaint (complaintID > 0), oldest first: for the detail views of both.
func linkedCases(ctx context.Context, q db.Queryer, p *auth.Principal, alertID, complaintID int64) ([]CaseRow, error) {
	cond, args := p.ScopeCond("a.region_code")
	if alertID > 0 {
		return queryCases(ctx, q, `a.alert_id = ? AND `+cond+` ORDER BY a.id`, append([]any{alertID}, args...)...)
	}
	return queryCases(ctx, q, `a.complaint_id = ? AND `+cond+` ORDER BY a.id`, append([]any{complaintID}, args...)...)
}

var errNoCase = errs.E(errs.NotFound, "问责案件不存在")

// CreateCase records an accountability case in the caller's scope. A linked alert or complaint
// must exist in the caller's scope (otherwise it is reported missing, like one that does not
// exist). A case linked to an alert about a project (or an asset it formed) cannot name a
// person that project's approved 容错 exempts: conflict.
func (s *Service) CreateCase(ctx context.Context, p *auth.Principal, in CaseInput) (CaseRow, error) {
	if err := p.Require(auth.CaseWrite); err != nil {
		return CaseRow{}, err
	}
	in.normalize()
	if err := in.validate(db.Date(s.DB.Clock())); err != nil {
		return CaseRow{}, err
	}
	if err := p.RequireIn(auth.CaseWrite, in.RegionCode); err != nil {
		return CaseRow{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := complaintRegionExists(ctx, tx, in.RegionCode, false); err != nil {
			return err
		}
		if in.AlertID > 0 {
			if err := linkInScope(ctx, tx, p, `SELECT region_code FROM alerts WHERE id = ?`, in.AlertID, "alert_id", "预警不存在"); err != nil {
				return err
			}
			if err := notExempted(ctx, tx, in.AlertID, in.PersonName); err != nil {
				return err
			}
		}
		if in.ComplaintID > 0 {
			if err := linkInScope(ctx, tx, p, `SELECT region_code FROM complaints WHERE id = ?`, in.ComplaintID, "complaint_id", "举报投诉不存在"); err != nil {
				return err
			}
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO accountability_cases (region_code, person_name, person_position, person_unit, violation,
			handling, decided_on, alert_id, complaint_id, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.RegionCode, in.PersonName, in.PersonPosition, in.PersonUnit, in.Violation, in.Handling, in.DecidedOn,
			db.NullID(in.AlertID), db.NullID(in.ComplaintID), in.Note, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "case.create", "accountability_case", id, in.RegionCode, nil, in)
	})
	if err != nil {
		return CaseRow{}, err
	}
	return s.Case(ctx, p, id)
}

// alertProjectQueries find the project an alert is about from its entity: the project itself,
// or the project that formed the asset an asset, income or distribution belongs to.
var alertProjectQueries = map[string]string{
	"project":            `SELECT id FROM projects WHERE id = ?`,
	"asset":              `SELECT project_id FROM assets WHERE id = ?`,
	"asset_income":       `SELECT a.project_id FROM asset_incomes i JOIN assets a ON a.id = i.asset_id WHERE i.id = ?`,
	"asset_distribution": `SELECT a.project_id FROM asset_distributions d JOIN asset_incomes i ON i.id = d.income_id JOIN assets a ON a.id = i.asset_id WHERE d.id = ?`,
}

// notExempted refuses a case against a person whom an approved 容错 of the alert's project
// exempts from accountability (projects.Exempted: the tolerance names them). Alerts about
// anything other than a project or its assets are not concerned.
func notExempted(ctx context.Context, q db.Queryer, alertID int64, person string) error {
	var entity string
	var entityID int64
	if err := q.QueryRowContext(ctx, `SELECT entity_type, entity_id FROM alerts WHERE id = ?`, alertID).Scan(&entity, &entityID); err != nil {
		return err
	}
	query, ok := alertProjectQueries[entity]
	if !ok {
		return nil
	}
	var project int64
	err := q.QueryRowContext(ctx, query, entityID).Scan(&project)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	exempt, err := projects.Exempted(ctx, q, project, person)
	if err != nil || !exempt {
		return err
	}
	var code, name string
	if err := q.QueryRowContext(ctx, `SELECT code, name FROM projects WHERE id = ?`, project).Scan(&code, &name); err != nil {
		return err
	}
	return errs.E(errs.Conflict, "该人员已获容错免责(项目 %s %s)", code, name)
}

func linkInScope(ctx context.Context, q db.Queryer, p *auth.Principal, query string, id int64, field, reason string) error {
	var region string
	err := q.QueryRowContext(ctx, query, id).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !p.InScope(region) {
		return errs.Missing(field, reason)
	}
	return err
}

// CaseFilter selects cases in a list.
type CaseFilter struct {
	Region string
	After  int64
	Limit  int
}

// Cases pages through the cases under a region, newest first.
func (s *Service) Cases(ctx context.Context, p *auth.Principal, f CaseFilter) ([]CaseRow, error) {
	q := s.DB.Reader()
	r, err := complaintRegion(ctx, q, p, auth.CaseRead, f.Region)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	lo, hi := regioncode.Range(r)
	where := `a.region_code BETWEEN ? AND ?`
	args := []any{lo, hi}
	if f.After > 0 {
		where += ` AND a.id < ?`
		args = append(args, f.After)
	}
	return queryCases(ctx, q, where+` ORDER BY a.id DESC LIMIT ?`, append(args, f.Limit+1)...)
}

// Case returns one case the principal may read.
func (s *Service) Case(ctx context.Context, p *auth.Principal, id int64) (CaseRow, error) {
	if err := p.Require(auth.CaseRead); err != nil {
		return CaseRow{}, err
	}
	rows, err := queryCases(ctx, s.DB.Reader(), `a.id = ?`, id)
	if err != nil {
		return CaseRow{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].RegionCode) {
		return CaseRow{}, errNoCase
	}
	return rows[0], nil
}

func caseCursor(c CaseRow) string { return strconv.FormatInt(c.ID, 10) }
