package projects

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// projectCols reads a project with its region name, what the ledger moved in and out of its
// account (net of reversals: a reversal moves the amount back the other way) and its approved
// beneficiaries. Every subquery is an index lookup by account or project.
const projectCols = `p.id, p.code, p.name, p.kind, p.subkind, p.region_code, COALESCE(r.name, ''), p.year, p.budget_fen,
	p.implementer, p.carrier_name, p.scale, p.benefit_mechanism, p.targets, p.stage, p.stage_since, p.stage_due, p.status,
	p.plan_id, p.account_id,
	COALESCE((SELECT SUM(CASE WHEN t.kind = 'reversal' THEN 0 ELSE t.amount_fen END) FROM ledger_transfers t WHERE t.to_account = p.account_id), 0)
	- COALESCE((SELECT SUM(t.amount_fen) FROM ledger_transfers t WHERE t.from_account = p.account_id AND t.kind = 'reversal'), 0),
	COALESCE((SELECT SUM(CASE WHEN t.kind = 'reversal' THEN 0 ELSE t.amount_fen END) FROM ledger_transfers t WHERE t.from_account = p.account_id), 0)
	- COALESCE((SELECT SUM(t.amount_fen) FROM ledger_transfers t WHERE t.to_account = p.account_id AND t.kind = 'reversal'), 0),
	(SELECT COUNT(*) FROM project_beneficiaries b WHERE b.project_id = p.id AND b.status = 'approved'),
	p.version, p.created_by, p.created_at, p.updated_at`

const projectFrom = ` FROM projects p LEFT JOIN regions r ON r.code = p.region_code`

func scanProject(sc interface{ Scan(...any) error }, today string) (Project, error) {
	var x Project
	var due sql.NullString
	var plan sql.NullInt64
	err := sc.Scan(&x.ID, &x.Code, &x.Name, &x.Kind, &x.Subkind, &x.RegionCode, &x.RegionName, &x.Year, &x.BudgetFen,
		&x.Implementer, &x.CarrierName, &x.Scale, &x.BenefitMechanism, &x.Targets, &x.Stage, &x.StageSince, &due, &x.Status,
		&plan, &x.AccountID, &x.ReceivedFen, &x.SpentFen, &x.Beneficiaries, &x.Version, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	if due.Valid {
		x.StageDue = &due.String
	}
	if plan.Valid {
		x.PlanID = &plan.Int64
	}
	x.Overdue = x.Status == "active" && due.Valid && due.String < today
	return x, err
}

func queryProjects(ctx context.Context, q db.Queryer, today, where string, args ...any) ([]Project, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+projectCols+projectFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Project{}
	for rows.Next() {
		x, err := scanProject(rows, today)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// projectFor loads a project the principal may act on with action: errNoProject when it does
// not exist or lies outside the principal's scope (the same answer, so ids reveal nothing),
// forbidden when the role lacks the action. Support and asset code call it too.
func projectFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (Project, error) {
	if err := p.Require(action); err != nil {
		return Project{}, err
	}
	today := db.Date(projNow(q))
	rows, err := queryProjects(ctx, q, today, `p.id = ?`, id)
	if err != nil {
		return Project{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].RegionCode) {
		return Project{}, errNoProject
	}
	return rows[0], nil
}

// projNow is the transaction's time inside a transaction, the wall clock otherwise (only the
// overdue flag depends on it; services pass their own today where it matters).
func projNow(q db.Queryer) time.Time {
	if tx, ok := q.(*db.Tx); ok {
		return tx.Now
	}
	return time.Now()
}

// regionName is a region's name, "" when unknown.
func regionName(ctx context.Context, q db.Queryer, code string) string {
	var name string
	_ = q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&name)
	return name
}

// projRegionExists fails with a field error when the region is not in the regions table.
func projRegionExists(ctx context.Context, q db.Queryer, field, code string) error {
	var n string
	err := q.QueryRowContext(ctx, `SELECT code FROM regions WHERE code = ?`, code).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Field(field, "区划 "+code+" 不存在")
	}
	return err
}

// projStageRows loads a project's nine stages with their documents; today marks the current
// stage overdue.
func projStageRows(ctx context.Context, q db.Queryer, x Project, today string) ([]StageRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT stage, planned_start, planned_end, actual_start, actual_end, signed_by, signed_by_name,
		signed_role, signed_scope, opinion FROM project_stages WHERE project_id = ? ORDER BY stage`, x.ID)
	if err != nil {
		return nil, err
	}
	out := make([]StageRow, 0, len(Stages))
	for rows.Next() {
		var st StageRow
		var ps, pe, as, ae sql.NullString
		var by sql.NullInt64
		if err := rows.Scan(&st.Stage, &ps, &pe, &as, &ae, &by, &st.SignedByName, &st.SignedRole, &st.SignedScope, &st.Opinion); err != nil {
			rows.Close()
			return nil, err
		}
		st.PlannedStart, st.PlannedEnd, st.ActualStart, st.ActualEnd = projStrPtr(ps), projStrPtr(pe), projStrPtr(as), projStrPtr(ae)
		if by.Valid {
			st.SignedBy = &by.Int64
		}
		if st.Stage >= 0 && st.Stage < len(Stages) {
			r := Stages[st.Stage]
			st.Key, st.Label, st.Required = r.Key, r.Label, r.Docs
		}
		st.Overdue = x.Status == "active" && st.Stage == x.Stage && pe.Valid && pe.String < today
		st.Documents, st.Missing = []Document{}, []string{}
		out = append(out, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	docs, err := projDocuments(ctx, q, `d.project_id = ? ORDER BY d.stage, d.id`, x.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.Stage >= 0 && d.Stage < len(out) {
			out[d.Stage].Documents = append(out[d.Stage].Documents, d)
		}
	}
	for i := range out {
		out[i].Missing = projMissingDocs(out[i].Stage, out[i].Documents)
	}
	return out, nil
}

// projMissingDocs lists the required doc types of the stage not among docs.
func projMissingDocs(stage int, docs []Document) []string {
	missing := []string{}
	if stage < 0 || stage >= len(Stages) {
		return missing
	}
	for _, need := range Stages[stage].Docs {
		found := false
		for _, d := range docs {
			if d.DocType == need.Key {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, need.Key)
		}
	}
	return missing
}

const documentSelect = `SELECT d.id, d.project_id, d.stage, d.doc_type, d.title, d.attachment_id, a.name, a.sha256, a.size, a.content_type,
	d.created_by, d.created_at FROM project_documents d JOIN attachments a ON a.id = d.attachment_id WHERE `

func projDocuments(ctx context.Context, q db.Queryer, where string, args ...any) ([]Document, error) {
	rows, err := q.QueryContext(ctx, documentSelect+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Document{}
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.ID, &d.ProjectID, &d.Stage, &d.DocType, &d.Title, &d.AttachmentID, &d.FileName, &d.SHA256, &d.Size,
			&d.ContentType, &d.CreatedBy, &d.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// funding groups what the ledger moved into and out of the project's account by fund.
func projFunding(ctx context.Context, q db.Queryer, account int64) ([]FundingLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.fund_id, f.code, f.name, SUM(m.recv), SUM(m.spent) FROM (
		SELECT t.fund_id, CASE WHEN t.kind = 'reversal' THEN 0 ELSE t.amount_fen END AS recv,
			CASE WHEN t.kind = 'reversal' THEN -t.amount_fen ELSE 0 END AS spent
			FROM ledger_transfers t WHERE t.to_account = ?
		UNION ALL
		SELECT t.fund_id, CASE WHEN t.kind = 'reversal' THEN -t.amount_fen ELSE 0 END AS recv,
			CASE WHEN t.kind = 'reversal' THEN 0 ELSE t.amount_fen END AS spent
			FROM ledger_transfers t WHERE t.from_account = ?) m
		JOIN funds f ON f.id = m.fund_id GROUP BY m.fund_id, f.code, f.name ORDER BY m.fund_id`, account, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FundingLine{}
	for rows.Next() {
		var l FundingLine
		if err := rows.Scan(&l.FundID, &l.FundCode, &l.FundName, &l.ReceivedFen, &l.SpentFen); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// detail assembles the project page.
func projDetail(ctx context.Context, q db.Queryer, x Project, today string) (ProjectDetail, error) {
	d := ProjectDetail{Project: x}
	var err error
	if d.Stages, err = projStageRows(ctx, q, x, today); err != nil {
		return d, err
	}
	if d.Funding, err = projFunding(ctx, q, x.AccountID); err != nil {
		return d, err
	}
	if err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM project_risks WHERE project_id = ? AND status = 'open'`, x.ID).Scan(&d.Risks); err != nil {
		return d, err
	}
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM assets WHERE project_id = ?`, x.ID).Scan(&d.Assets)
	return d, err
}

func projStrPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

func projectCursor(x Project) string { return strconv.FormatInt(x.ID, 10) }

// projLevelRank orders the levels a project or a signer sits at: county above town above village.
func projLevelRank(l regioncode.Level) int {
	switch l {
	case regioncode.Province:
		return 0
	case regioncode.City:
		return 1
	case regioncode.County:
		return 2
	case regioncode.Town:
		return 3
	case regioncode.Village:
		return 4
	}
	return -1
}

var projLevelLabels = map[regioncode.Level]string{
	regioncode.Province: "省", regioncode.City: "市", regioncode.County: "县", regioncode.Town: "镇", regioncode.Village: "村",
}
