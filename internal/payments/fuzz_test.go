package payments

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/funds"
	"sunshine/internal/tabular"
)

var fuzzSent = map[int]sentLine{
	1: {planLine: 11, account: "6228000000000001", holder: "张三", fen: 15050},
	2: {planLine: 12, account: "6228000000000002", holder: "李四", fen: 100},
	3: {planLine: 13, account: "6228000000000003", holder: "王五", fen: 99_999_999},
}

// The return-file parser never panics, and what it accepts is exactly the batch: each line
// once, with the batch's account and amount, a known status, and nothing rejected.
func FuzzParseReturn(f *testing.F) {
	good := "batch_ref,line_no,account_no,account_holder,amount_yuan,status,reason\n" +
		"PB1-1,1,6228000000000001,张三,150.50,success,\nPB1-1,2,6228000000000002,李四,1.00,failed,销户\nPB1-1,3,6228000000000003,王五,\"999,999.99\",成功,\n"
	for _, seed := range []string{
		good,
		strings.Replace(good, "PB1-1,2", "PB1-2,2", 1),                                // another batch
		good + "PB1-1,2,6228000000000002,李四,1.00,failed,again\n",                      // a line twice
		strings.Replace(good, "150.50", "150.505", 1),                                 // three decimals
		strings.Replace(good, "150.50", "-150.50", 1),                                 // negative
		strings.Replace(good, ",3,", ",4,", 1),                                        // unknown line
		"批次号,序号,银行账号,户名,金额(元),状态,原因\nPB1-1,1,6228000000000001,张三,150.50,成功,\n",        // Chinese headers, lines missing
		"batch_ref,line_no\n\"PB1-1,1\n",                                              // unterminated quote
		"\xff\xfeb\x00a\x00",                                                          // UTF-16
		"batch_ref,line_no,account_no,amount_yuan,status\n\xb2\xe2\xca\xd4,1,1,1,1\n", // GBK bytes
		"batch_ref,line_no,account_no,amount_yuan,status\n" + strings.Repeat("9", 10_001) + ",1,6228000000000001,150.50,success\n",
		"batch_ref,line_no,account_no,amount_yuan,status\nPB1-1,1,6228000000000001,150.50," + strings.Repeat("失", 10_000) + "\n",
		"batch_ref,line_no,account_no,amount_yuan,status\nPB1-1,99999999999999999999,6228000000000001,150.50,success\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, rejected, err := parseReturn(bytes.NewReader(data), "return.csv", "PB1-1", fuzzSent)
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("file error is not a user error: %v", err)
			}
			return
		}
		for _, re := range rejected {
			if re.Reason == "" {
				t.Fatalf("rejected row without a reason: %+v", re)
			}
		}
		if len(rejected) > 0 {
			return
		}
		if len(got) != len(fuzzSent) {
			t.Fatalf("accepted %d lines of a batch of %d", len(got), len(fuzzSent))
		}
		seen := map[int]bool{}
		for _, r := range got {
			if _, ok := fuzzSent[r.lineNo]; !ok || seen[r.lineNo] {
				t.Fatalf("accepted line %d (unknown or twice)", r.lineNo)
			}
			seen[r.lineNo] = true
			if !r.paid && r.reason == "" {
				t.Fatalf("failed line %d without a reason", r.lineNo)
			}
		}
	})
}

// The payments import never panics or fails with anything but a user error, and whatever it
// commits keeps the ledger's invariants.
func FuzzImportPayments(f *testing.F) {
	ctx := context.Background()
	d := dbtest.Open(f)
	if _, err := demo.Load(ctx, d, demo.Scale{Name: "t", Counties: []string{"320921"}, TownsPerCounty: 1, VillagesPerTown: 1, HouseholdsPerVillage: 4}); err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	d.Clock = func() time.Time { return now }
	fin := &auth.Principal{UserID: 8, Name: "县财政", Role: auth.Finance, Scope: "320921000000"}
	fs := &funds.Service{DB: d}
	fund, err := fs.CreateFund(ctx, fin, funds.FundInput{Code: "F1", Name: "补助", SourceLevel: "county", Category: "subsidy", Year: 2026,
		AmountYuan: "10000", RegionCode: "320921000000", ReceivedOn: "2026-01-05", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "a", Name: "a", Basis: "household", StandardYuan: "1"}}})
	if err != nil {
		f.Fatal(err)
	}
	var finance int64
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		finance, err = funds.FinanceAccount(ctx, tx, fin.UserID, "320921000000")
		return err
	}); err != nil {
		f.Fatal(err)
	}
	if _, err := fs.Transfer(ctx, fin, funds.TransferInput{FundID: fund.ID, FromAccount: fund.SourceAccount, ToAccount: finance, AmountYuan: "5000",
		OnDate: "2026-01-06", Purpose: "拨付"}); err != nil {
		f.Fatal(err)
	}
	ex := &exchange.Service{DB: d}
	ex.Register(PaymentsKind())
	head := "payment_ref,fund_code,item_code,period,payee_id_number,payee_name,bank,account_no,account_holder,amount_yuan,paid_on,region_code\n"
	for _, seed := range []string{
		head + "R1,F1,a,2026-05,110101199003074514,张三,农商行,6228000000000001,,10.00,2026-05-20,320921000000\n",
		head + "R2,F1,a,2026-05,110101199003074514,张三,,6228000000000001,,10.001,2026-05-20,320921000000\n",
		head + "R3,F1,a,2026-05,110101199003074514,张三,,6228000000000001,,-10,2026-05-20,320921000000\n",
		head + "R4,F1,a,2026-13,110101199003074514,张三,,6228000000000001,,10,2026-05-20,320921000000\n",
		head + "R5,F1,a,2026,110101199003074514,张三,,6228000000000001,,99999,2026-05-20,320921000000\n",
		head + "R6,NOPE,a,2026,110101199003074514,张三,,6228000000000001,,1,2026-05-20,320921000000\n",
		head + "R7,F1,a,2026,110101199003074514," + strings.Repeat("名", 10_000) + ",,6228000000000001,,1,2026-05-20,320921000000\n",
		head + strings.Repeat("R", 10_001) + ",F1,a,2026,110101199003074514,张三,,6228000000000001,,1,2026-05-20,320921000000\n",
		head + "R8,F1,a,2026,110101199003074514,\xd5\xc5\xc8\xfd,,6228000000000001,,1,2026-05-20,320921000000\n",
		head + "R9,F1,a,2026,1.10101E+17,张三,,6228000000000001,,1,2026-05-20,320921000000\n",
		head + "R10,F1,a,2026,110101199003074514,张三,,6228000000000001,,1,2026-05-20,320921000000\nR10,F1,a,2026,110101199003074514,张三,,6228000000000001,,1,2026-05-20,320921000000\n",
		"\"unterminated,\n",
	} {
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, validOnly bool) {
		rep, err := ex.Import(ctx, fin, "payments", bytes.NewReader(data), "p.csv", exchange.Options{ValidOnly: validOnly})
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("import failed with a non-user error: %v", err)
			}
		}
		for _, re := range rep.Rejected {
			if re.Reason == "" || re.Line == 0 {
				t.Fatalf("rejected row without line or reason: %+v", re)
			}
		}
		var bad int
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
			WHERE a.kind <> 'source' AND b.balance_fen < 0`).Scan(&bad); err != nil || bad != 0 {
			t.Fatalf("%d negative balances %v", bad, err)
		}
		var sum int64
		if err := d.Reader().QueryRowContext(ctx, `SELECT COALESCE(SUM(balance_fen), 0) FROM ledger_balances`).Scan(&sum); err != nil || sum != 0 {
			t.Fatalf("balances sum to %d %v", sum, err)
		}
	})
}

var _ = tabular.RowError{}
