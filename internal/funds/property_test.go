package funds_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/money"
)

// Random sequences of ledger operations, many of them bound to fail (over-drawn, beyond the
// fund, reversing twice, bulk postings with one bad line), checked after every step against
// a model that applies only what succeeded, and against the ledger invariants.
func TestLedgerPropertyRandomOperations(t *testing.T) {
	f := newFixture(t)
	type key struct{ acct, fund int64 }
	model := map[key]int64{}
	var fds []funds.Fund
	for i := range 2 {
		fds = append(fds, f.fund(fmt.Sprintf("P-%d", i), county, "5000", true, "province"))
	}
	accts := []int64{f.finance(county)}
	for i := range 2 {
		a, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "department", Name: fmt.Sprintf("部门%d", i), RegionCode: county})
		if err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a.ID)
	}
	var passbooks []int64
	for i := range 3 {
		pb, _ := f.payee(i)
		passbooks = append(passbooks, pb)
	}
	type booked struct {
		id, fund, from, to, amount int64
		kind                       string
		reversed                   bool
	}
	var transfers []*booked
	r := rand.New(rand.NewPCG(6, 2026))
	amount := func() int64 { return r.Int64N(150000) + 1 } // up to 1,500 yuan against 5,000-yuan funds
	yuan := func(fen int64) string { return money.FormatPlain(fen) }
	apply := func(fund, from, to, amt int64) {
		model[key{from, fund}] -= amt
		model[key{to, fund}] += amt
	}
	var ok, failed int
	for step := range 250 {
		fd := fds[r.IntN(len(fds))]
		var err error
		var desc string
		switch op := r.IntN(10); {
		case op < 2: // allocate from the source
			to, amt := accts[r.IntN(len(accts))], amount()
			desc = fmt.Sprintf("allocate %d → %d", amt, to)
			var tr funds.Transfer
			if tr, err = f.move("finance", fd.ID, fd.SourceAccount, to, yuan(amt), 0); err == nil {
				apply(fd.ID, fd.SourceAccount, to, amt)
				transfers = append(transfers, &booked{id: tr.ID, fund: fd.ID, from: fd.SourceAccount, to: to, amount: amt, kind: "allocate"})
			}
		case op < 5: // between office accounts
			from, to, amt := accts[r.IntN(len(accts))], accts[r.IntN(len(accts))], amount()
			desc = fmt.Sprintf("transfer %d %d → %d", amt, from, to)
			var tr funds.Transfer
			if tr, err = f.move("finance", fd.ID, from, to, yuan(amt), 0); err == nil {
				apply(fd.ID, from, to, amt)
				transfers = append(transfers, &booked{id: tr.ID, fund: fd.ID, from: from, to: to, amount: amt, kind: "transfer"})
			}
		case op < 7: // pay a passbook
			from, to, amt := accts[r.IntN(len(accts))], passbooks[r.IntN(len(passbooks))], amount()/10
			desc = fmt.Sprintf("payment %d %d → %d", amt, from, to)
			var tr funds.Transfer
			if tr, err = f.move("finance", fd.ID, from, to, yuan(amt), fd.Items[0].ID); err == nil {
				apply(fd.ID, from, to, amt)
				transfers = append(transfers, &booked{id: tr.ID, fund: fd.ID, from: from, to: to, amount: amt, kind: "payment"})
			}
		case op < 9: // reverse something (maybe already reversed, maybe spent since)
			if len(transfers) == 0 {
				continue
			}
			b := transfers[r.IntN(len(transfers))]
			desc = fmt.Sprintf("reverse %d", b.id)
			if _, err = f.s.Reverse(f.ctx, f.users["finance"], b.id, funds.ReverseInput{Reason: "随机冲销"}); err == nil {
				if b.reversed {
					t.Fatalf("step %d: transfer %d reversed twice", step, b.id)
				}
				b.reversed = true
				apply(b.fund, b.to, b.from, b.amount)
			}
		default: // a bulk booking whose last posting may be bad: all or nothing
			from := accts[r.IntN(len(accts))]
			n := r.IntN(5) + 2
			desc = fmt.Sprintf("bulk %d payments from %d", n, from)
			var plan []funds.Posting
			for range n {
				plan = append(plan, funds.Posting{FundID: fd.ID, From: from, To: passbooks[r.IntN(len(passbooks))], AmountFen: amount() / 5,
					OnDate: "2026-03-01", Kind: "payment", ItemID: fd.Items[1].ID, Period: "2026"})
			}
			err = f.d.InTx(f.ctx, func(tx *db.Tx) error {
				p := funds.NewPoster(f.ctx, tx, 1)
				for _, x := range plan {
					if err := p.Post(x); err != nil {
						return err
					}
				}
				_, err := p.Flush()
				return err
			})
			if err == nil {
				for _, x := range plan {
					apply(x.FundID, x.From, x.To, x.AmountFen)
				}
			}
		}
		if err != nil {
			failed++
			if c := errs.CodeOf(err); c != errs.Conflict && c != errs.Invalid {
				t.Fatalf("step %d %s: unexpected error %v", step, desc, err)
			}
		} else {
			ok++
		}
		// The stored balances are exactly the model's.
		rows, qerr := f.d.Reader().QueryContext(f.ctx, `SELECT account_id, fund_id, balance_fen FROM ledger_balances`)
		if qerr != nil {
			t.Fatal(qerr)
		}
		seen := map[key]bool{}
		for rows.Next() {
			var k key
			var bal int64
			_ = rows.Scan(&k.acct, &k.fund, &bal)
			seen[k] = true
			if model[k] != bal {
				t.Errorf("step %d after %s (err %v): account %d fund %d stored %d, model %d", step, desc, err, k.acct, k.fund, bal, model[k])
			}
		}
		rows.Close()
		for k, v := range model {
			if v != 0 && !seen[k] {
				t.Errorf("step %d: account %d fund %d missing, model %d", step, k.acct, k.fund, v)
			}
		}
		checkInvariants(t, f.ctx, f.d)
		if t.Failed() {
			t.FailNow()
		}
	}
	if ok < 50 || failed < 20 {
		t.Fatalf("the sequence did not exercise both paths: %d ok, %d failed", ok, failed)
	}
}

// Two offices spending the same money at the same moment: exactly one succeeds, on
// PostgreSQL with real concurrency (SQLite serialises the writers).
func TestConcurrentSpendingNeverOverdraws(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("C-1", county, "1000", true, "province")
	cf := f.finance(county)
	if _, err := f.move("finance", fd.ID, fd.SourceAccount, cf, "1000", 0); err != nil {
		t.Fatal(err)
	}
	var targets []int64
	for i := range 8 {
		a, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "department", Name: fmt.Sprintf("部门%d", i), RegionCode: county})
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, a.ID)
	}
	var wg sync.WaitGroup
	results := make([]error, len(targets))
	for i, to := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = f.move("finance", fd.ID, cf, to, "300", 0)
		}()
	}
	wg.Wait()
	var won int
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case errs.CodeOf(err) != errs.Conflict:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 3 {
		t.Fatalf("%d of 8 transfers of 300 yuan from 1000 went through, want 3", won)
	}
	checkInvariants(t, f.ctx, f.d)
}
