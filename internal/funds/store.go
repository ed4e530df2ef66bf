package funds

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

const fundCols = `f.id, f.code, f.name, f.source_level, f.category, f.year, f.doc_no, f.amount_fen, f.purpose, f.region_code,
	COALESCE(r.name, ''), f.via_city, f.received_on, f.deadline, f.filed_on, f.filed_doc, f.created_at,
	(SELECT a.id FROM ledger_accounts a WHERE a.fund_id = f.id AND a.kind = 'source')`

func scanFund(sc interface{ Scan(...any) error }) (Fund, error) {
	var f Fund
	var via int
	var filed sql.NullString
	err := sc.Scan(&f.ID, &f.Code, &f.Name, &f.SourceLevel, &f.Category, &f.Year, &f.DocNo, &f.AmountFen, &f.Purpose, &f.RegionCode,
		&f.RegionName, &via, &f.ReceivedOn, &f.Deadline, &filed, &f.FiledDoc, &f.CreatedAt, &f.SourceAccount)
	f.ViaCity = via == 1
	if filed.Valid {
		f.FiledOn = &filed.String
	}
	f.NeedsFiling = !f.ViaCity && f.FiledOn == nil
	return f, err
}

// getFund reads a fund with its items and how much it has issued and paid.
func getFund(ctx context.Context, q db.Queryer, id int64) (Fund, error) {
	f, err := scanFund(q.QueryRowContext(ctx, `SELECT `+fundCols+` FROM funds f LEFT JOIN regions r ON r.code = f.region_code WHERE f.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, errNoFund
	}
	if err != nil {
		return f, err
	}
	fs := []Fund{f}
	if err := fillFunds(ctx, q, fs); err != nil {
		return f, err
	}
	return fs[0], nil
}

// fillFunds adds items and the issued and paid totals.
func fillFunds(ctx context.Context, q db.Queryer, fs []Fund) error {
	for i := range fs {
		f := &fs[i]
		rows, err := q.QueryContext(ctx, `SELECT id, fund_id, code, name, basis, standard_fen FROM fund_items WHERE fund_id = ? ORDER BY id`, f.ID)
		if err != nil {
			return err
		}
		f.Items = []Item{}
		for rows.Next() {
			var it Item
			if err := rows.Scan(&it.ID, &it.FundID, &it.Code, &it.Name, &it.Basis, &it.StandardFen); err != nil {
				rows.Close()
				return err
			}
			f.Items = append(f.Items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(-SUM(CASE WHEN a.kind = 'source' THEN b.balance_fen ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN a.kind = 'passbook' THEN b.balance_fen ELSE 0 END), 0)
			FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE b.fund_id = ? AND a.kind IN ('source', 'passbook')`, f.ID).
			Scan(&f.IssuedFen, &f.PaidFen); err != nil {
			return err
		}
	}
	return nil
}

func listFunds(ctx context.Context, q db.Queryer, p *auth.Principal, flt FundFilter) ([]Fund, error) {
	lo, hi := regioncode.Range(p.Scope)
	where := []string{"(f.region_code BETWEEN ? AND ?"}
	args := []any{lo, hi}
	if p.Root {
		where[0] = "(1 = 1"
		args = nil
	}
	if up := above(p.Scope); len(up) > 0 {
		where[0] += " OR f.region_code IN (?" + strings.Repeat(", ?", len(up)-1) + ")"
		args = append(args, up...)
	}
	where[0] += ")"
	if flt.Year != 0 {
		where, args = append(where, "f.year = ?"), append(args, flt.Year)
	}
	if flt.Category != "" {
		where, args = append(where, "f.category = ?"), append(args, flt.Category)
	}
	if flt.SourceLevel != "" {
		where, args = append(where, "f.source_level = ?"), append(args, flt.SourceLevel)
	}
	if s := strings.TrimSpace(flt.Query); s != "" {
		where, args = append(where, "(f.code LIKE ? OR f.name LIKE ? OR f.doc_no LIKE ?)"), append(args, "%"+s+"%", "%"+s+"%", "%"+s+"%")
	}
	if flt.Unfiled {
		where = append(where, "f.via_city = 0 AND f.filed_on IS NULL")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+fundCols+` FROM funds f LEFT JOIN regions r ON r.code = f.region_code
		WHERE `+strings.Join(where, " AND ")+` ORDER BY f.year DESC, f.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	out := []Fund{}
	for rows.Next() {
		f, err := scanFund(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, fillFunds(ctx, q, out)
}

const accountCols = `a.id, a.kind, a.name, a.region_code, COALESCE(r.name, ''), a.fund_id, a.household_id, COALESCE(a.id_number, ''), a.created_at,
	COALESCE((SELECT SUM(b.balance_fen) FROM ledger_balances b WHERE b.account_id = a.id), 0)`

func scanAccount(sc interface{ Scan(...any) error }, p *auth.Principal) (Account, error) {
	var a Account
	var fund, hh sql.NullInt64
	err := sc.Scan(&a.ID, &a.Kind, &a.Name, &a.RegionCode, &a.RegionName, &fund, &hh, &a.IDNumber, &a.CreatedAt, &a.BalanceFen)
	if fund.Valid {
		a.FundID = &fund.Int64
	}
	if hh.Valid {
		a.HouseholdID = &hh.Int64
	}
	if a.IDNumber != "" && !p.Can(auth.HouseholdExport) {
		a.IDNumber = idcard.Mask(a.IDNumber)
	}
	return a, err
}

// getAccount reads an account the principal may see, with its balance in each fund.
func getAccount(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, today string) (Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts a LEFT JOIN regions r ON r.code = a.region_code WHERE a.id = ?`, id), p)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !Covers(p, a.RegionCode) {
		return Account{}, errNoAccount
	}
	if err != nil {
		return a, err
	}
	rows, err := q.QueryContext(ctx, `SELECT b.account_id, b.fund_id, f.code, f.name, b.balance_fen, b.first_in_on, b.last_in_on, b.last_out_on
		FROM ledger_balances b JOIN funds f ON f.id = b.fund_id WHERE b.account_id = ? ORDER BY b.fund_id`, id)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	a.Balances = []Balance{}
	for rows.Next() {
		var b Balance
		var out sql.NullString
		if err := rows.Scan(&b.AccountID, &b.FundID, &b.FundCode, &b.FundName, &b.BalanceFen, &b.FirstInOn, &b.LastInOn, &out); err != nil {
			return a, err
		}
		if out.Valid {
			b.LastOutOn = &out.String
		}
		b.IdleDays = idleDays(maxDate(b.LastInOn, out.String), today)
		a.Balances = append(a.Balances, b)
	}
	return a, rows.Err()
}

func accountRegion(ctx context.Context, q db.Queryer, id int64) (string, error) {
	var r string
	err := q.QueryRowContext(ctx, `SELECT region_code FROM ledger_accounts WHERE id = ?`, id).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoAccount
	}
	return r, err
}

// AccountFilter narrows the account list.
type AccountFilter struct {
	Kind   string
	Region string // a region under the caller's scope ("" = all of it)
	Query  string
	After  int64
	Limit  int
}

func listAccounts(ctx context.Context, q db.Queryer, p *auth.Principal, flt AccountFilter) ([]Account, error) {
	scope := p.Scope
	if flt.Region != "" {
		scope = flt.Region
	}
	lo, hi := regioncode.Range(scope)
	where := []string{"(a.region_code BETWEEN ? AND ?", "a.id > ?"}
	args := []any{lo, hi}
	if up := above(p.Scope); len(up) > 0 && flt.Region == "" {
		where[0] += " OR a.region_code IN (?" + strings.Repeat(", ?", len(up)-1) + ") AND a.kind <> 'passbook'"
		args = append(args, up...)
	}
	where[0] += ")"
	args = append(args, flt.After)
	if flt.Kind != "" {
		where, args = append(where, "a.kind = ?"), append(args, flt.Kind)
	}
	if s := strings.TrimSpace(flt.Query); s != "" {
		where, args = append(where, "a.name LIKE ?"), append(args, "%"+s+"%")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts a LEFT JOIN regions r ON r.code = a.region_code
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.id LIMIT ?`, append(args, flt.Limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows, p)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const transferCols = `t.id, t.fund_id, f.code, t.from_account, fa.name, t.to_account, ta.name, t.amount_fen, t.on_date, t.kind, t.doc_no,
	t.purpose, t.item_id, COALESCE(i.name, ''), t.period, t.account_no, t.account_holder, COALESCE(t.ref, ''), t.reverses_id,
	(SELECT r.id FROM ledger_transfers r WHERE r.reverses_id = t.id), t.region_code, t.created_by, t.created_at`

const transferFrom = ` FROM ledger_transfers t JOIN funds f ON f.id = t.fund_id JOIN ledger_accounts fa ON fa.id = t.from_account
	JOIN ledger_accounts ta ON ta.id = t.to_account LEFT JOIN fund_items i ON i.id = t.item_id`

func scanTransfer(sc interface{ Scan(...any) error }) (Transfer, error) {
	var t Transfer
	var item, rev, revBy sql.NullInt64
	err := sc.Scan(&t.ID, &t.FundID, &t.FundCode, &t.FromAccount, &t.FromName, &t.ToAccount, &t.ToName, &t.AmountFen, &t.OnDate, &t.Kind,
		&t.DocNo, &t.Purpose, &item, &t.ItemName, &t.Period, &t.AccountNo, &t.AccountHolder, &t.Ref, &rev, &revBy, &t.RegionCode,
		&t.CreatedBy, &t.CreatedAt)
	if item.Valid {
		t.ItemID = &item.Int64
	}
	if rev.Valid {
		t.ReversesID = &rev.Int64
	}
	if revBy.Valid {
		t.ReversedBy = &revBy.Int64
	}
	return t, err
}

// getTransfer reads a transfer with its account number in full (callers mask it for answers).
func getTransfer(ctx context.Context, q db.Queryer, id int64) (Transfer, error) {
	t, err := scanTransfer(q.QueryRowContext(ctx, `SELECT `+transferCols+transferFrom+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errNoTransfer
	}
	return t, err
}

// TransferFilter narrows the transfer list; results come newest first.
type TransferFilter struct {
	FundID    int64
	AccountID int64
	Kind      string
	FromDate  string
	ToDate    string
	Before    int64 // keyset: ids below this one (0 = from the newest)
	Limit     int
}

func listTransfers(ctx context.Context, q db.Queryer, p *auth.Principal, flt TransferFilter) ([]Transfer, error) {
	lo, hi := regioncode.Range(p.Scope)
	where := []string{"(t.region_code BETWEEN ? AND ? OR fa.region_code BETWEEN ? AND ?)"}
	args := []any{lo, hi, lo, hi}
	if p.Root {
		where, args = where[:0], args[:0]
	}
	if flt.Before > 0 {
		where, args = append(where, "t.id < ?"), append(args, flt.Before)
	}
	if flt.FundID != 0 {
		where, args = append(where, "t.fund_id = ?"), append(args, flt.FundID)
	}
	if flt.AccountID != 0 {
		where, args = append(where, "(t.from_account = ? OR t.to_account = ?)"), append(args, flt.AccountID, flt.AccountID)
	}
	if flt.Kind != "" {
		where, args = append(where, "t.kind = ?"), append(args, flt.Kind)
	}
	if flt.FromDate != "" {
		where, args = append(where, "t.on_date >= ?"), append(args, flt.FromDate)
	}
	if flt.ToDate != "" {
		where, args = append(where, "t.on_date <= ?"), append(args, flt.ToDate)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+transferCols+transferFrom+cond+` ORDER BY t.id DESC LIMIT ?`, append(args, flt.Limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Transfer
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			return nil, err
		}
		t.AccountNo = MaskAccount(t.AccountNo)
		out = append(out, t)
	}
	return out, rows.Err()
}
