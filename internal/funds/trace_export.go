package funds

import (
	"context"
	"io"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// LedgerColumns are the columns of a fund's ledger export (资金台账).
var LedgerColumns = []string{"transfer_id", "on_date", "kind", "fund_code", "from_account", "from_name", "to_account", "to_name",
	"amount_yuan", "item_name", "period", "doc_no", "purpose", "account_no", "account_holder", "ref", "reverses_id", "region_code",
	"created_at"}

// ExportLedger writes every transfer of the fund with code that touches the caller's scope,
// oldest first, as CSV or XLSX. Bank account numbers are written in full only for root (the
// command-line operator); everyone else gets them masked.
func (s *Service) ExportLedger(ctx context.Context, p *auth.Principal, code, format string, w io.Writer) error {
	if format != "csv" && format != "xlsx" {
		return errs.Field("format", "应为 csv 或 xlsx")
	}
	if err := p.Require(auth.FundRead); err != nil {
		return err
	}
	q := s.DB.Reader()
	id, err := fundByCode(ctx, q, code)
	if err != nil {
		return err
	}
	if _, err := s.Fund(ctx, p, id); err != nil {
		return err
	}
	cond, args := "1 = 1", []any{id}
	if !p.Root {
		lo, hi := regioncode.Range(p.Scope)
		cond, args = "(t.region_code BETWEEN ? AND ? OR fa.region_code BETWEEN ? AND ?)", append(args, lo, hi, lo, hi)
	}
	var tw *tabular.Writer
	if format == "xlsx" {
		tw, err = tabular.NewXLSXWriter(w, "资金台账", LedgerColumns)
	} else {
		tw, err = tabular.NewCSVWriter(w, LedgerColumns)
	}
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+transferCols+transferFrom+` WHERE t.fund_id = ? AND `+cond+` ORDER BY t.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			return err
		}
		if !p.Root {
			t.AccountNo = MaskAccount(t.AccountNo)
		}
		rev := ""
		if t.ReversesID != nil {
			rev = i64(*t.ReversesID)
		}
		if err := tw.Write([]string{i64(t.ID), t.OnDate, t.Kind, t.FundCode, i64(t.FromAccount), t.FromName, i64(t.ToAccount), t.ToName,
			money.FormatPlain(t.AmountFen), t.ItemName, t.Period, t.DocNo, t.Purpose, t.AccountNo, t.AccountHolder, t.Ref, rev,
			t.RegionCode, shanghai(t.CreatedAt)}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tw.Close()
}

// shanghai shows a stored timestamp in Shanghai time.
func shanghai(stored string) string {
	t := db.ParseTime(stored)
	if t.IsZero() {
		return stored
	}
	return t.In(db.Shanghai).Format("2006-01-02 15:04:05")
}
