package oversight

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"sunshine/internal/db"
)

// Incremental evaluation: every new payment is checked soon after it is booked, without a full
// pass. Only the checks a payment can change run (paymentChecks), over the payees the new
// payments went to (all their payments, found by ledger_transfers_to) and the account numbers
// they were paid into (every payment into them, found by ledger_transfers_account_no), with the
// person facts cached between runs. The findings are the ones a full run would make for those
// payees and accounts, so the same alert keys and evidence hashes come out of both.

// watermarkPayments names the watermark of incremental payment evaluation.
const watermarkPayments = "payments"

// incrementalBatch bounds how many new payments one incremental run takes (a bulk import is
// worked through in several runs, the watermark advancing after each).
var incrementalBatch = 20_000

// EvaluatePayments evaluates the payments among the transfers booked after afterID (at most
// incrementalBatch transfers) and answers the run (a zero RunInfo when there was nothing to
// evaluate) and the new watermark: the last transfer id looked at.
func (s *Service) EvaluatePayments(ctx context.Context, afterID int64) (RunInfo, int64, error) {
	// the transfers booked since, in id order by the primary key (one query: the watermark
	// moves past every transfer looked at, payments or not)
	var payees []int64
	var accts []string
	mark := afterID
	n := 0
	err := forRows(ctx, s.DB.Reader(), `SELECT id, kind, COALESCE(to_account, 0), COALESCE(account_no, '') FROM ledger_transfers WHERE id > ? ORDER BY id LIMIT ?`,
		[]any{afterID, incrementalBatch}, func(rows *sql.Rows) error {
			var id, to int64
			var kind, acct string
			if err := rows.Scan(&id, &kind, &to, &acct); err != nil {
				return err
			}
			mark = id
			if kind != "payment" {
				return nil
			}
			n++
			payees = append(payees, to)
			if acct != "" {
				accts = append(accts, acct)
			}
			return nil
		})
	if err != nil {
		return RunInfo{}, afterID, err
	}
	if n == 0 {
		return RunInfo{}, mark, nil
	}
	info, err := s.evaluate(ctx, SystemPrincipal(), "", "incremental", func(ctx context.Context, in *evalInput, emit func(Finding)) error {
		return s.collectPayments(ctx, in, payees, accts, emit)
	})
	if err != nil {
		return info, afterID, err
	}
	return info, mark, nil
}

// collectPayments runs the payment checks for the payees and account numbers given.
func (s *Service) collectPayments(ctx context.Context, in *evalInput, payees []int64, accts []string, emit func(Finding)) error {
	on := false
	for _, c := range paymentChecks {
		on = on || in.rule(c) != nil
	}
	if !on {
		return nil
	}
	if in.Facts == nil {
		facts, err := datasetFacts(ctx, in.Cache, in.Q, in.Dir, in.Lo)
		if err != nil {
			return err
		}
		in.Facts = facts
	}
	d := newFundsData(in.Facts)
	payees = uniq(payees)
	accts = uniqStrings(accts)
	if len(payees) > 0 && len(payees) <= fewPayments && len(accts) <= fewPayments {
		if err := d.loadFew(ctx, in, payees, accts); err != nil {
			return err
		}
		d.checkIncremental(in, payees, accts, emit)
		return nil
	}
	if err := d.loadItems(ctx, in.Q); err != nil {
		return err
	}
	// every payment into the new payments' accounts: who else is paid into them
	var more []int64
	for start := 0; start < len(accts); start += 500 {
		part := accts[start:min(start+500, len(accts))]
		args := make([]any, len(part))
		for i, a := range part {
			args[i] = a
		}
		err := forRows(ctx, in.Q, `SELECT DISTINCT to_account FROM ledger_transfers WHERE account_no IN (`+qmarks(len(part))+`) AND account_no <> '' AND kind = 'payment'`,
			args, func(rows *sql.Rows) error {
				var to int64
				if err := rows.Scan(&to); err != nil {
					return err
				}
				more = append(more, to)
				return nil
			})
		if err != nil {
			return err
		}
	}
	if err := d.loadPayees(ctx, in.Q, uniq(append(append([]int64{}, payees...), more...))); err != nil {
		return err
	}
	// the new payments' payees: all their payments (reversed ones left out)
	notReversed := ` AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id)`
	inRange := ` AND t.region_code BETWEEN ? AND ?`
	for start := 0; start < len(payees); start += 500 {
		part := payees[start:min(start+500, len(payees))]
		args := make([]any, 0, len(part)+2)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := in.Q.QueryContext(ctx, `SELECT `+paymentCols+` FROM ledger_transfers t WHERE t.to_account IN (`+qmarks(len(part))+
			`) AND t.kind = 'payment'`+inRange+notReversed, append(args, in.Lo, in.Hi)...)
		if err != nil {
			return err
		}
		if err := d.readPayments(rows, nil); err != nil {
			return err
		}
	}
	mine := map[int32]bool{}
	for _, id := range payees {
		if i, ok := d.payeeIdx(id); ok {
			mine[i] = true
		}
	}
	// other payees' payments into the same account numbers (account_shared only)
	if in.rule(CheckAccountShared) != nil {
		for start := 0; start < len(accts); start += 500 {
			part := accts[start:min(start+500, len(accts))]
			args := make([]any, 0, len(part)+2)
			for _, a := range part {
				args = append(args, a)
			}
			rows, err := in.Q.QueryContext(ctx, `SELECT `+paymentCols+` FROM ledger_transfers t WHERE t.account_no IN (`+qmarks(len(part))+
				`) AND t.account_no <> '' AND t.kind = 'payment'`+inRange+notReversed, append(args, in.Lo, in.Hi)...)
			if err != nil {
				return err
			}
			// keep only the rows not read above (payments of the new payees are in already)
			before := len(d.recs)
			if err := d.readPayments(rows, nil); err != nil {
				return err
			}
			kept := d.recs[:before]
			for _, r := range d.recs[before:] {
				if !mine[r.payee] {
					kept = append(kept, r)
				}
			}
			d.recs = kept
		}
	}
	d.checkIncremental(in, payees, accts, emit)
	return nil
}

// checkIncremental runs the payee checks for payees and account_shared for accts over the
// records loaded.
func (d *fundsData) checkIncremental(in *evalInput, payees []int64, accts []string, emit func(Finding)) {
	mine := map[int32]bool{}
	for _, id := range payees {
		if i, ok := d.payeeIdx(id); ok {
			mine[i] = true
		}
	}
	d.sortRecs()
	d.checkPayees(in, mine, emit)
	only := map[uint32]bool{}
	for _, a := range accts {
		if i, ok := d.acctIdx[a]; ok {
			only[i] = true
		}
	}
	d.checkShared(in, only, emit)
}

// fewPayments bounds the payees and account numbers loadFew takes in one query each.
const fewPayments = 500

// loadFew loads what the checks of a few new payments read in two queries: the payees (the
// new payments' and everyone else's paid into the same account numbers) with their member
// and household, then every payment to the new payments' payees and into their account
// numbers, with its item. (The general path takes six.)
func (d *fundsData) loadFew(ctx context.Context, in *evalInput, payees []int64, accts []string) error {
	shared := in.rule(CheckAccountShared) != nil && len(accts) > 0
	args := make([]any, 0, len(payees)+len(accts))
	for _, id := range payees {
		args = append(args, id)
	}
	// each branch of the UNION by its own index (an OR of the two would let PostgreSQL's
	// generic plan scan the table)
	const sel = `SELECT a.id, COALESCE(a.id_number, ''), a.name, a.region_code, COALESCE(a.household_id, 0),
		COALESCE(m.household_id, 0), COALESCE(m.name, ''), COALESCE(m.deceased_on, ''),
		COALESCE(h.id, 0), COALESCE(h.household_no, ''), COALESCE(h.head_name, ''), COALESCE(h.status, ''), COALESCE(h.members_count, 0),
		COALESCE(h.exited_on, ''), COALESCE(h.policy_until, ''), COALESCE(h.removed_on, '')
		FROM ledger_accounts a LEFT JOIN members m ON m.id_number = a.id_number AND m.active = 1
		LEFT JOIN households h ON h.id = COALESCE(m.household_id, a.household_id)
		WHERE a.kind = 'passbook' AND a.id IN `
	query := sel + `(` + qmarks(len(payees)) + `)`
	if len(accts) > 0 {
		for _, a := range accts {
			args = append(args, a)
		}
		query += ` UNION ALL ` + sel + `(SELECT to_account FROM ledger_transfers WHERE account_no IN (` + qmarks(len(accts)) +
			`) AND account_no <> '' AND kind = 'payment')`
	}
	err := forRows(ctx, in.Q, query, args, d.scanPayeeHousehold)
	if err != nil {
		return err
	}
	if err := d.fallbackMembers(ctx, in.Q); err != nil {
		return err
	}
	for i := range d.payees {
		d.payees[i].norm = normName(d.payees[i].name)
	}
	// the payments, each with its item
	region := "t.region_code"
	if in.Q.Dialect() == db.SQLite {
		region = "+t.region_code" // the to_account and account_no indexes, not the region's
	}
	// the payees' payments, then (account_shared) the others' into the same account numbers
	sel2 := `SELECT ` + paymentCols + `, COALESCE(i.id, 0), COALESCE(i.fund_id, 0), COALESCE(i.code, ''),
		COALESCE(i.name, ''), COALESCE(i.basis, ''), COALESCE(i.standard_fen, 0)
		FROM ledger_transfers t LEFT JOIN fund_items i ON i.id = t.item_id
		WHERE t.kind = 'payment' AND ` + region + ` BETWEEN ? AND ?
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id) AND `
	mine := qmarks(len(payees))
	args = append(args[:0], in.Lo, in.Hi)
	for _, id := range payees {
		args = append(args, id)
	}
	query = sel2 + `t.to_account IN (` + mine + `)`
	if shared {
		args = append(args, in.Lo, in.Hi)
		for _, a := range accts {
			args = append(args, a)
		}
		for _, id := range payees {
			args = append(args, id)
		}
		query += ` UNION ALL ` + sel2 + `t.account_no IN (` + qmarks(len(accts)) + `) AND t.account_no <> '' AND t.to_account NOT IN (` + mine + `)`
	}
	rows, err := in.Q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id, to, amount, item, fund, itemID int64
	var onDate, period, acct, holder sql.RawBytes
	var it fitem
	for rows.Next() {
		if err := rows.Scan(&id, &to, &amount, &onDate, &item, &period, &acct, &holder, &fund, &itemID, &it.fund, &it.code, &it.name,
			&it.basis, &it.standard); err != nil {
			return err
		}
		if itemID != 0 {
			d.items[itemID] = it
		}
		d.addPayment(id, to, amount, onDate, item, period, acct, holder, fund)
	}
	return rows.Err()
}

// scanPayeeHousehold reads a row of loadFew's payee query: the passbook, its member and the
// household (the first row of a passbook wins, as in scanPayeeRows).
func (d *fundsData) scanPayeeHousehold(rows *sql.Rows) error {
	var p fpayee
	h := &fhousehold{}
	var idn, mName, deceased, region, ex, un, rm string
	var pbHousehold, mHousehold, hh int64
	if err := rows.Scan(&p.id, &idn, &p.name, &region, &pbHousehold, &mHousehold, &mName, &deceased,
		&hh, &h.hhNo, &h.head, &h.status, &h.size, &ex, &un, &rm); err != nil {
		return err
	}
	if _, dup := d.byID[p.id]; dup {
		return nil
	}
	p.region = region
	p.setID(idn)
	p.name = strings.TrimSuffix(p.name, "一折通")
	if mHousehold != 0 {
		p.member, p.deceased = true, ymdNum(deceased)
		if mName != "" {
			p.name = mName
		}
	}
	p.household = hh // 0: no such household
	p.fhousehold = noHousehold
	if hh != 0 {
		h.size = max(h.size, 1)
		h.exitedOn, h.policyUntil, h.removedOn = ymdNum(ex), ymdNum(un), ymdNum(rm)
		p.fhousehold = h
	}
	d.byID[p.id] = int32(len(d.payees))
	d.payees = append(d.payees, p)
	return nil
}

func uniqStrings(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Watch evaluates new payments every interval until ctx ends, advancing the 'payments'
// watermark after each run has stored its alerts. A crash between the two re-evaluates the
// same payments on the next start, which changes nothing (the alerts are already there). On
// the first start the watermark is set to the newest transfer: older payments are the daily
// full run's.
func (s *Service) Watch(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			more, err := s.watchOnce(ctx)
			if err != nil {
				if s.Log != nil && !errors.Is(err, context.Canceled) {
					s.Log.Error("incremental alert evaluation", "err", err)
				}
				break
			}
			if !more {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watchOnce runs one incremental evaluation from the stored watermark; more reports that the
// watermark moved (there may be more to do at once).
func (s *Service) watchOnce(ctx context.Context) (more bool, err error) {
	last, ok, err := s.watermark(ctx)
	if err != nil {
		return false, err
	}
	if !ok {
		var top sql.NullInt64
		if err := s.DB.Reader().QueryRowContext(ctx, `SELECT MAX(id) FROM ledger_transfers`).Scan(&top); err != nil {
			return false, err
		}
		return false, s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO alert_watermarks (name, last_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
				watermarkPayments, top.Int64, db.Time(tx.Now))
			return err
		})
	}
	_, mark, err := s.EvaluatePayments(ctx, last)
	if err != nil || mark <= last {
		return false, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_watermarks SET last_id = ?, updated_at = ? WHERE name = ? AND last_id < ?`,
			mark, db.Time(tx.Now), watermarkPayments, mark)
		return err
	})
	return err == nil, err
}

// watermark reads the 'payments' watermark; ok is false when none is stored yet.
func (s *Service) watermark(ctx context.Context) (int64, bool, error) {
	var last int64
	err := s.DB.Reader().QueryRowContext(ctx, `SELECT last_id FROM alert_watermarks WHERE name = ?`, watermarkPayments).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return last, err == nil, err
}
