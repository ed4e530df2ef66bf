package oversight

import (
	"context"
	"database/sql"
	"errors"
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

// EvaluatePayments evaluates the payments booked after afterID (at most incrementalBatch of
// them) and answers the run (a zero RunInfo when there was nothing to evaluate) and the new
// watermark: the last transfer id looked at.
func (s *Service) EvaluatePayments(ctx context.Context, afterID int64) (RunInfo, int64, error) {
	q := s.DB.Reader()
	var top sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(id) FROM ledger_transfers`).Scan(&top); err != nil {
		return RunInfo{}, afterID, err
	}
	if top.Int64 <= afterID {
		return RunInfo{}, afterID, nil
	}
	// new payments, in id order, by the primary key
	var payees []int64
	var accts []string
	mark := top.Int64
	n := 0
	err := forRows(ctx, q, `SELECT id, to_account, account_no FROM ledger_transfers WHERE id > ? AND id <= ? AND kind = 'payment' ORDER BY id LIMIT ?`,
		[]any{afterID, top.Int64, incrementalBatch}, func(rows *sql.Rows) error {
			var id, to int64
			var acct string
			if err := rows.Scan(&id, &to, &acct); err != nil {
				return err
			}
			n++
			if n == incrementalBatch {
				mark = id // more may follow: the next run starts after this one
			}
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
	if err := d.loadItems(ctx, in.Q); err != nil {
		return err
	}
	payees = uniq(payees)
	accts = uniqStrings(accts)
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
		if i, ok := d.byID[id]; ok {
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
	d.sortRecs()
	d.checkPayees(in, mine, emit)
	only := map[uint32]bool{}
	for _, a := range accts {
		if i, ok := d.acctIdx[a]; ok {
			only[i] = true
		}
	}
	d.checkShared(in, only, emit)
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
