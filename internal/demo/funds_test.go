package demo_test

import (
	"context"
	"testing"

	"sunshine/internal/audit"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/funds"
)

func TestFundsDemo(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, d, tiny); err != nil {
		t.Fatal(err)
	}
	s := &funds.Service{DB: d, Audit: &audit.Service{DB: d}}
	sum, err := demo.Funds(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	// Four funds, the provincial one once per county; payments to households.
	if sum.Funds != 3+len(tiny.Counties) || sum.Payments == 0 || sum.Transfers <= sum.Payments {
		t.Fatalf("summary %+v", sum)
	}
	again, err := demo.Funds(ctx, s)
	if err != nil || again.Funds != 0 {
		t.Fatalf("second load: %+v %v", again, err)
	}
	q := d.Reader()
	var unfiled, badFunds, reversals, negative int
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM funds WHERE via_city = 0 AND filed_on IS NULL`).Scan(&unfiled)
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT fund_id FROM ledger_balances GROUP BY fund_id HAVING SUM(balance_fen) <> 0) x`).Scan(&badFunds)
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'reversal'`).Scan(&reversals)
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
		WHERE a.kind <> 'source' AND b.balance_fen < 0`).Scan(&negative)
	if unfiled != 1 || badFunds != 0 || reversals == 0 || negative != 0 {
		t.Fatalf("unfiled %d, unbalanced funds %d, reversals %d, negative balances %d", unfiled, badFunds, reversals, negative)
	}
	// Every passbook payment is at a registered household of the fund's region.
	var stray int
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transfers t JOIN ledger_accounts a ON a.id = t.to_account
		JOIN funds f ON f.id = t.fund_id WHERE a.kind = 'passbook' AND (a.household_id IS NULL OR a.region_code NOT LIKE substr(f.region_code, 1, 4) || '%' OR f.region_code NOT LIKE '%00000000' AND a.region_code NOT LIKE substr(f.region_code, 1, 6) || '%')`).Scan(&stray)
	if stray != 0 {
		t.Fatalf("%d payments outside their fund's region or household", stray)
	}
}
