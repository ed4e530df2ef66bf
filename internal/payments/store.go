package payments

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

const planCols = `p.id, p.fund_id, f.code, f.name, p.item_id, i.code, i.name, p.period, p.region_code, COALESCE(r.name, ''), p.title,
	p.payer_account, a.name, p.source, p.status, p.lines, p.total_fen,
	(SELECT COUNT(*) FROM plan_lines l WHERE l.plan_id = p.id AND l.status = 'paid'),
	(SELECT COALESCE(SUM(l.amount_fen), 0) FROM plan_lines l WHERE l.plan_id = p.id AND l.status = 'paid'),
	(SELECT COUNT(*) FROM plan_lines l WHERE l.plan_id = p.id AND l.status = 'failed'),
	p.note, p.version, p.created_by, p.created_at, p.submitted_at, p.approved_by, p.approved_at`

const planFrom = ` FROM distribution_plans p JOIN funds f ON f.id = p.fund_id JOIN fund_items i ON i.id = p.item_id
	JOIN ledger_accounts a ON a.id = p.payer_account LEFT JOIN regions r ON r.code = p.region_code`

func scanPlan(sc interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var sub, appAt sql.NullString
	var appBy sql.NullInt64
	err := sc.Scan(&p.ID, &p.FundID, &p.FundCode, &p.FundName, &p.ItemID, &p.ItemCode, &p.ItemName, &p.Period, &p.RegionCode,
		&p.RegionName, &p.Title, &p.PayerAccount, &p.PayerName, &p.Source, &p.Status, &p.Lines, &p.TotalFen, &p.PaidLines,
		&p.PaidFen, &p.FailedLines, &p.Note, &p.Version, &p.CreatedBy, &p.CreatedAt, &sub, &appBy, &appAt)
	if sub.Valid {
		p.SubmittedAt = &sub.String
	}
	if appBy.Valid {
		p.ApprovedBy = &appBy.Int64
	}
	if appAt.Valid {
		p.ApprovedAt = &appAt.String
	}
	return p, err
}

func getPlan(ctx context.Context, q db.Queryer, id int64) (Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planCols+planFrom+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNoPlan
	}
	return p, err
}

func listPlans(ctx context.Context, q db.Queryer, p *auth.Principal, f PlanFilter) ([]Plan, error) {
	cond, args := p.ScopeCond("p.region_code")
	where := []string{cond, "p.id > ?"}
	args = append(args, f.After)
	if f.Region != "" {
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "p.region_code BETWEEN ? AND ?"), append(args, lo, hi)
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, f.Status)
	}
	if f.FundID != 0 {
		where, args = append(where, "p.fund_id = ?"), append(args, f.FundID)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+planCols+planFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id LIMIT ?`,
		append(args, f.Limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		pl, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, rows.Err()
}

const lineCols = `l.id, l.plan_id, l.household_id, COALESCE(h.household_no, ''), l.region_code, l.payee_id_number, l.payee_name,
	l.bank, l.account_no, l.account_holder, l.amount_fen, l.status, l.batch_id, l.fail_reason, l.transfer_id, l.attempts`

const lineFrom = ` FROM plan_lines l LEFT JOIN households h ON h.id = l.household_id`

func scanLine(sc interface{ Scan(...any) error }) (Line, error) {
	var l Line
	var hh, batch, tr sql.NullInt64
	err := sc.Scan(&l.ID, &l.PlanID, &hh, &l.HouseholdNo, &l.RegionCode, &l.PayeeIDNumber, &l.PayeeName, &l.Bank, &l.AccountNo,
		&l.AccountHolder, &l.AmountFen, &l.Status, &batch, &l.FailReason, &tr, &l.Attempts)
	if hh.Valid {
		l.HouseholdID = &hh.Int64
	}
	if batch.Valid {
		l.BatchID = &batch.Int64
	}
	if tr.Valid {
		l.TransferID = &tr.Int64
	}
	return l, err
}

// masked is the line as answers show it: ID and account numbers masked.
func (l Line) masked() Line {
	l.PayeeIDNumber = idcard.Mask(l.PayeeIDNumber)
	l.AccountNo = funds.MaskAccount(l.AccountNo)
	return l
}

func getLine(ctx context.Context, q db.Queryer, id int64) (Line, error) {
	l, err := scanLine(q.QueryRowContext(ctx, `SELECT `+lineCols+lineFrom+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, errNoLine
	}
	return l, err
}

// LineFilter narrows a line list.
type LineFilter struct {
	PlanID int64
	Status string
	Region string
	After  int64
	Limit  int
}

func listLines(ctx context.Context, q db.Queryer, p *auth.Principal, f LineFilter) ([]Line, error) {
	cond, args := p.ScopeCond("l.region_code")
	where := []string{cond, "l.id > ?"}
	args = append(args, f.After)
	if f.PlanID != 0 {
		where, args = append(where, "l.plan_id = ?"), append(args, f.PlanID)
	}
	if f.Status != "" {
		where, args = append(where, "l.status = ?"), append(args, f.Status)
	}
	if f.Region != "" {
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "l.region_code BETWEEN ? AND ?"), append(args, lo, hi)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+lineCols+lineFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY l.id LIMIT ?`,
		append(args, f.Limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l.masked())
	}
	return out, rows.Err()
}

const batchCols = `b.id, b.plan_id, b.batch_ref, b.region_code, b.lines, b.total_fen, b.status, b.paid_lines, b.paid_fen, b.failed_lines,
	b.paid_on, b.created_at, b.reconciled_at`

func scanBatch(sc interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var paidOn, rec sql.NullString
	err := sc.Scan(&b.ID, &b.PlanID, &b.BatchRef, &b.RegionCode, &b.Lines, &b.TotalFen, &b.Status, &b.PaidLines, &b.PaidFen,
		&b.FailedLines, &paidOn, &b.CreatedAt, &rec)
	if paidOn.Valid {
		b.PaidOn = &paidOn.String
	}
	if rec.Valid {
		b.ReconciledAt = &rec.String
	}
	return b, err
}

func getBatch(ctx context.Context, q db.Queryer, id int64) (Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchCols+` FROM payment_batches b WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errNoBatch
	}
	return b, err
}

func batchByRef(ctx context.Context, q db.Queryer, ref string) (Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchCols+` FROM payment_batches b WHERE b.batch_ref = ?`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return b, errNoBatch
	}
	return b, err
}

// BatchFilter narrows the batch list.
type BatchFilter struct {
	PlanID int64
	Status string
}

func listBatches(ctx context.Context, q db.Queryer, p *auth.Principal, f BatchFilter) ([]Batch, error) {
	cond, args := p.ScopeCond("b.region_code")
	where := []string{cond}
	if f.PlanID != 0 {
		where, args = append(where, "b.plan_id = ?"), append(args, f.PlanID)
	}
	if f.Status != "" {
		where, args = append(where, "b.status = ?"), append(args, f.Status)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+batchCols+` FROM payment_batches b WHERE `+strings.Join(where, " AND ")+
		` ORDER BY b.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Batch{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
