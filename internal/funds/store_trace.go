package funds

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"golang.org/x/sync/errgroup"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/regioncode"
)

// Read-side queries of tracing and evaluation. A fund's transfers are read grouped through
// the index ledger_transfers_trace (fund_id, kind, from_account, region_code, to_account,
// amount_fen, on_date): payments group by payer and village, so a fund with a million
// payments answers in a few thousand groups without reading the table.

// flow is money that moved within one fund, net of reversals: between two accounts
// (allocate, transfer) or from a payer to the passbooks of one region (payment, To = 0).
type flow struct {
	kind   string
	from   int64
	to     int64  // 0 for payments (grouped by the passbooks' region)
	region string // payments: the passbooks' region (the receiving account's region)
	amount int64
	count  int64
}

type flowKey struct {
	kind     string
	from, to int64
	region   string
}

// book is what one passbook holds of a fund: the net of the payments into it.
type book struct {
	region string
	amount int64
}

// fundFlows reads the flows of a fund, each net of the reversals of its transfers (flows
// reversed in full are dropped), and what each passbook received net. Payments are read
// grouped by payer, village and passbook, in the order of ledger_transfers_trace, so the
// database streams the groups without sorting.
func fundFlows(ctx context.Context, q db.Queryer, fundID int64) ([]flow, map[int64]*book, error) {
	books := map[int64]*book{}
	m := map[flowKey]*flow{}
	var order []flowKey
	add := func(k flowKey, amount, count int64) {
		f, ok := m[k]
		if !ok {
			f = &flow{kind: k.kind, from: k.from, to: k.to, region: k.region}
			m[k] = f
			order = append(order, k)
		}
		f.amount += amount
		f.count += count
	}
	rows, err := q.QueryContext(ctx, `SELECT kind, from_account, to_account, SUM(amount_fen), COUNT(*) FROM ledger_transfers
		WHERE fund_id = ? AND kind IN ('allocate', 'transfer') GROUP BY kind, from_account, to_account`, fundID)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var k flowKey
		var amount, count int64
		if err := rows.Scan(&k.kind, &k.from, &k.to, &amount, &count); err != nil {
			rows.Close()
			return nil, nil, err
		}
		add(k, amount, count)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// Payments leave only accounts the fund's money reached (allocate, transfer), so the
	// payments are read per payer, a few payers at a time on separate connections.
	var payers []int64
	seenPayer := map[int64]bool{}
	for _, k := range order {
		if !seenPayer[k.to] {
			seenPayer[k.to] = true
			payers = append(payers, k.to)
		}
	}
	parts := make([][]payGroup, len(payers))
	var g errgroup.Group
	g.SetLimit(payerScans)
	for i, payer := range payers {
		g.Go(func() error {
			var err error
			parts[i], err = paymentsOf(ctx, q, fundID, payer)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	for i, part := range parts {
		var lastRegion string
		var lastFlow *flow
		for _, r := range part {
			if lastFlow == nil || r.region != lastRegion { // rows come grouped by region: one lookup per village
				k := flowKey{kind: "payment", from: payers[i], region: r.region}
				add(k, 0, 0)
				lastRegion, lastFlow = r.region, m[k]
			}
			lastFlow.amount += r.amount
			lastFlow.count += r.count
			if b, ok := books[r.to]; ok {
				b.amount += r.amount
			} else {
				books[r.to] = &book{region: r.region, amount: r.amount}
			}
		}
	}
	// A reversal nets against the transfer it undoes, on that transfer's own link.
	rows, err = q.QueryContext(ctx, `SELECT o.kind, o.from_account, o.to_account, o.region_code, SUM(r.amount_fen), COUNT(*)
		FROM ledger_transfers r JOIN ledger_transfers o ON o.id = r.reverses_id
		WHERE r.fund_id = ? AND r.kind = 'reversal' GROUP BY o.kind, o.from_account, o.to_account, o.region_code`, fundID)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var k flowKey
		var amount, count int64
		if err := rows.Scan(&k.kind, &k.from, &k.to, &k.region, &amount, &count); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if k.kind == "payment" {
			if b, ok := books[k.to]; ok {
				b.amount -= amount
			}
			k.to = 0
		} else {
			k.region = ""
		}
		add(k, -amount, -count)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out := make([]flow, 0, len(order))
	for _, k := range order {
		if f := m[k]; f.amount > 0 {
			out = append(out, *f)
		}
	}
	return out, books, nil
}

// fundHead reads a fund with its items and what it has issued, leaving PaidFen to the
// caller (the trace adds up its passbooks instead of joining every balance of the fund).
func fundHead(ctx context.Context, q db.Queryer, id int64) (Fund, error) {
	f, err := scanFund(q.QueryRowContext(ctx, `SELECT `+fundCols+` FROM funds f LEFT JOIN regions r ON r.code = f.region_code WHERE f.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, errNoFund
	}
	if err != nil {
		return f, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, fund_id, code, name, basis, standard_fen FROM fund_items WHERE fund_id = ? ORDER BY id`, id)
	if err != nil {
		return f, err
	}
	f.Items = []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.FundID, &it.Code, &it.Name, &it.Basis, &it.StandardFen); err != nil {
			rows.Close()
			return f, err
		}
		f.Items = append(f.Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	err = q.QueryRowContext(ctx, `SELECT -balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, f.SourceAccount, id).Scan(&f.IssuedFen)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return f, err
}

// payerScans is how many payers' payments are read at once.
const payerScans = 2

// payGroup is the payments of one payer into one passbook.
type payGroup struct {
	region        string
	to            int64
	amount, count int64
}

// paymentsOf reads one payer's payments of a fund grouped by village and passbook: a range
// of ledger_transfers_trace (fund_id, kind, from_account, region_code, to_account, …).
func paymentsOf(ctx context.Context, q db.Queryer, fundID, payer int64) ([]payGroup, error) {
	rows, err := q.QueryContext(ctx, `SELECT region_code, to_account, SUM(amount_fen), COUNT(*) FROM ledger_transfers
		WHERE fund_id = ? AND kind = 'payment' AND from_account = ? GROUP BY region_code, to_account`, fundID, payer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payGroup
	for rows.Next() {
		var r payGroup
		if err := rows.Scan(&r.region, &r.to, &r.amount, &r.count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// acctNode is an account as the trace shows it, with its balance in one fund.
type acctNode struct {
	id       int64
	kind     string
	name     string
	region   string
	balance  int64
	lastMove string // the later of last in and last out ("" = never held money)
}

// fundAccounts reads accounts with their balance in a fund.
func fundAccounts(ctx context.Context, q db.Queryer, fundID int64, ids []int64) (map[int64]*acctNode, error) {
	out := map[int64]*acctNode{}
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, 0, len(part)+1)
		args = append(args, fundID)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT a.id, a.kind, a.name, a.region_code, COALESCE(b.balance_fen, 0), COALESCE(b.last_in_on, ''),
			COALESCE(b.last_out_on, '') FROM ledger_accounts a LEFT JOIN ledger_balances b ON b.account_id = a.id AND b.fund_id = ?
			WHERE a.id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			a := &acctNode{}
			var in, outOn string
			if err := rows.Scan(&a.id, &a.kind, &a.name, &a.region, &a.balance, &in, &outOn); err != nil {
				rows.Close()
				return nil, err
			}
			a.lastMove = maxDate(in, outOn)
			out[a.id] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// regionNames reads the names of region codes.
func regionNames(ctx context.Context, q db.Queryer, codes []string) (map[string]string, error) {
	out := map[string]string{}
	const chunk = 500
	for i := 0; i < len(codes); i += chunk {
		part := codes[i:min(i+chunk, len(codes))]
		args := make([]any, len(part))
		for j, c := range part {
			args[j] = c
		}
		rows, err := q.QueryContext(ctx, `SELECT code, name FROM regions WHERE code IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c, n string
			if err := rows.Scan(&c, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[c] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// regionCond limits a region column to region (a code in the principal's scope; "" = the
// whole scope).
func regionCond(p *auth.Principal, region, col string) (string, []any) {
	if region == "" {
		return p.ScopeCond(col)
	}
	lo, hi := regioncode.Range(region)
	return col + " BETWEEN ? AND ?", []any{lo, hi}
}

// villageHouseholds counts the distinct households paid by a fund (payments not reversed), by
// the passbooks' region.
func villageHouseholds(ctx context.Context, q db.Queryer, fundID int64, cond string, args []any) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.region_code, COUNT(DISTINCT a.household_id) FROM ledger_transfers t
		JOIN ledger_accounts a ON a.id = t.to_account
		WHERE t.fund_id = ? AND t.kind = 'payment' AND a.household_id IS NOT NULL AND `+cond+`
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id)
		GROUP BY t.region_code`, append([]any{fundID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, rows.Err()
}

// paidByDate sums a fund's payments that are not reversed, by date: count, amount and the
// part paid through plans (ref line:<plan line id>).
type paidDay struct {
	date          string
	count, amount int64
	direct        int64
}

func paidByDate(ctx context.Context, q db.Queryer, fundID int64, cond string, args []any) ([]paidDay, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.on_date, COUNT(*), SUM(t.amount_fen),
		COALESCE(SUM(CASE WHEN t.ref LIKE 'line:%' THEN t.amount_fen ELSE 0 END), 0)
		FROM ledger_transfers t WHERE t.fund_id = ? AND t.kind = 'payment' AND `+cond+`
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id)
		GROUP BY t.on_date ORDER BY t.on_date`, append([]any{fundID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []paidDay
	for rows.Next() {
		var d paidDay
		if err := rows.Scan(&d.date, &d.count, &d.amount, &d.direct); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// paidByMonth sums a fund's payments into the regions of cond by month, reversals subtracted
// in the month they were booked.
func paidByMonth(ctx context.Context, q db.Queryer, fundID int64, cond string, args []any) (map[string]int64, error) {
	out := map[string]int64{}
	read := func(query string, sign int64) error {
		rows, err := q.QueryContext(ctx, query, append([]any{fundID}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			var n int64
			if err := rows.Scan(&d, &n); err != nil {
				return err
			}
			if len(d) >= 7 {
				out[d[:7]] += sign * n
			}
		}
		return rows.Err()
	}
	if err := read(`SELECT t.on_date, SUM(t.amount_fen) FROM ledger_transfers t WHERE t.fund_id = ? AND t.kind = 'payment' AND `+
		cond+` GROUP BY t.on_date`, 1); err != nil {
		return nil, err
	}
	if err := read(`SELECT r.on_date, SUM(r.amount_fen) FROM ledger_transfers r JOIN ledger_transfers t ON t.id = r.reverses_id
		WHERE r.fund_id = ? AND r.kind = 'reversal' AND t.kind = 'payment' AND `+cond+` GROUP BY r.on_date`, -1); err != nil {
		return nil, err
	}
	return out, nil
}

// batchLineCounts counts a fund's bank batch lines and the failed ones, for plan lines in the
// regions of cond (the payments package's tables, read directly).
func batchLineCounts(ctx context.Context, q db.Queryer, fundID int64, cond string, args []any) (all, failed int64, err error) {
	var f sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT COUNT(*), SUM(CASE WHEN bl.status = 'failed' THEN 1 ELSE 0 END)
		FROM payment_batch_lines bl JOIN plan_lines l ON l.id = bl.plan_line_id JOIN distribution_plans d ON d.id = l.plan_id
		WHERE d.fund_id = ? AND `+cond, append([]any{fundID}, args...)...).Scan(&all, &f)
	return all, f.Int64, err
}
