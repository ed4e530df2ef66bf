package payments

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/benchmem"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/exchange"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// BenchmarkImportPayments imports SUNSHINE_BENCH_PAYMENTS payment rows (default 10,000,000)
// paid to n/10 payees (at most 1,000,000; four in five registered members) over ten months
// and two items, beside the parse-only baseline: read and validate the same file without a
// database.
func BenchmarkImportPayments(b *testing.B) {
	n := 10_000_000
	if s := os.Getenv("SUNSHINE_BENCH_PAYMENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 10 {
			b.Fatalf("SUNSHINE_BENCH_PAYMENTS=%q: want a number ≥ 10", s)
		}
	}
	fx := newPayBench(b, n)
	var parse time.Duration
	b.Run("parse", func(b *testing.B) {
		peak := benchmem.Start()
		start := time.Now()
		for b.Loop() {
			if rows := fx.parse(b); rows != n {
				b.Fatalf("parsed %d rows, want %d", rows, n)
			}
		}
		parse = time.Since(start) / time.Duration(b.N)
		rss, heap := peak.Stop()
		b.ReportMetric(float64(n)/parse.Seconds(), "rows/s")
		b.ReportMetric(rss, "peak-rss-MB")
		b.ReportMetric(heap, "peak-heap-MB")
	})
	b.Run("import", func(b *testing.B) {
		if parse == 0 {
			start := time.Now()
			fx.parse(b)
			parse = time.Since(start)
		}
		var took, cpu time.Duration
		var rss, heap float64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			fx.reset(b)
			runtime.GC()
			peak := benchmem.Start()
			b.StartTimer()
			start, cpu0 := time.Now(), benchmem.CPU()
			rep := fx.importFile(b)
			took += time.Since(start)
			cpu += benchmem.CPU() - cpu0
			b.StopTimer()
			r, h := peak.Stop()
			rss, heap = max(rss, r), max(heap, h)
			if rep.Inserted != n {
				b.Fatalf("import: %+v", rep)
			}
			b.StartTimer()
		}
		per := took / time.Duration(b.N)
		b.ReportMetric(float64(n)/per.Seconds(), "rows/s")
		b.ReportMetric(per.Seconds()/parse.Seconds(), "x-parse")
		b.ReportMetric(rss, "peak-rss-MB")
		b.ReportMetric(heap, "peak-heap-MB")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	})
}

var benchRoot = &auth.Principal{Username: "bench", Name: "基准", Role: auth.Admin, Root: true}

type payBench struct {
	d       *db.DB
	ex      *exchange.Service
	file    string
	fund    int64
	finance int64
	alloc   int64
}

func benchPayee(i int) string {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
	return idcard.Make("320921", birth, i%500, idcard.Sex(i/500%2))
}

// newPayBench registers one county of ten towns of ten villages, the registered payees as
// household heads (loaded in bulk), a fund allocated to the county's finance, and writes the
// payments file.
func newPayBench(b *testing.B, n int) *payBench {
	ctx := context.Background()
	fx := &payBench{d: dbtest.Open(b), file: filepath.Join(b.TempDir(), "payments.csv")}
	fx.ex = &exchange.Service{DB: fx.d}
	fx.ex.Register(PaymentsKind())
	payees := min(max(n/10, 1), 1_000_000)
	var villages []string
	err := fx.d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		regions := [][]any{{"320900000000", "盐城市", "city", nil, now, now}, {"320921000000", "响水县", "county", "320900000000", now, now}}
		for t := 0; t < 10; t++ {
			town := fmt.Sprintf("320921%03d000", 100+t)
			regions = append(regions, []any{town, "镇" + strconv.Itoa(t), "town", "320921000000", now, now})
			for v := 0; v < 10; v++ {
				village := town[:9] + strconv.Itoa(201+v)
				villages = append(villages, village)
				regions = append(regions, []any{village, "村" + strconv.Itoa(v), "village", town, now, now})
			}
		}
		if err := db.BulkInsert(ctx, tx, "regions", []string{"code", "name", "level", "parent_code", "created_at", "updated_at"}, regions); err != nil {
			return err
		}
		var hh [][]any
		flush := func() error {
			err := tx.BulkLoad(ctx, "households", []string{"id", "household_no", "region_code", "head_name", "head_id_number",
				"household_type", "status", "members_count", "created_at", "updated_at"}, hh)
			hh = hh[:0]
			return err
		}
		for i := 0; i < payees; i++ {
			if i%5 == 0 {
				continue // not a registered member
			}
			hh = append(hh, []any{i + 1, fmt.Sprintf("32092110%08d", i), villages[i%len(villages)], "户主", benchPayee(i), "dibao", "registered", 1, now, now})
			if len(hh) == 1000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO members (household_id, region_code, id_number, name, relation, sex, birth_date, created_at, updated_at)
			SELECT id, region_code, head_id_number, head_name, 'head', 'male', '1960-01-01', created_at, updated_at FROM households`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	fs := &funds.Service{DB: fx.d}
	fund, err := fs.CreateFund(ctx, benchRoot, funds.FundInput{Code: "BENCH", Name: "基准资金", SourceLevel: "county", Category: "subsidy",
		Year: 2026, AmountYuan: "10000000000", RegionCode: "320921000000", ReceivedOn: "2026-01-01", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "living", Name: "生活补助", Basis: "household", StandardYuan: "100"},
			{Code: "edu", Name: "教育补助", Basis: "person", StandardYuan: "50"}}})
	if err != nil {
		b.Fatal(err)
	}
	fx.fund, fx.alloc = fund.ID, 1_000_000_000_000
	if err := fx.d.InTx(ctx, func(tx *db.Tx) error {
		fx.finance, err = funds.FinanceAccount(ctx, tx, 0, "320921000000")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := fs.Transfer(ctx, benchRoot, funds.TransferInput{FundID: fund.ID, FromAccount: fund.SourceAccount, ToAccount: fx.finance,
		AmountYuan: "10000000000", OnDate: "2026-01-02", Purpose: "拨付"}); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(fx.file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("payment_ref,fund_code,item_code,period,payee_id_number,payee_name,bank,account_no,account_holder,amount_yuan,paid_on,region_code\r\n")
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈美华", "杨洋", "赵丽娟", "黄海"}
	items := []string{"living", "edu"}
	amounts := []string{"100.00", "50.00", "123.45", `"1,000.00"`}
	for j := 0; j < n; j++ {
		i := j % payees
		round := j / payees
		fmt.Fprintf(w, "PAY%010d,BENCH,%s,2026-%02d,%s,%s,江苏农村商业银行,6228%015d,,%s,2026-%02d-15,%s\r\n", j, items[round%2], 1+round/2%10,
			benchPayee(i), names[i%len(names)], i, amounts[j%len(amounts)], 1+round/2%10, villages[i%len(villages)])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return fx
}

// parse is the baseline: read every row and validate it as the import does, without a database.
func (fx *payBench) parse(b *testing.B) int {
	f, err := os.Open(fx.file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r, err := tabular.Open(f, fx.file, PaymentsSchema, tabular.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	now := time.Now()
	rows := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			b.Fatal(err)
		}
		if _, re := parsePayment(row, now); re != nil {
			b.Fatal(re)
		}
		rows++
	}
}

func (fx *payBench) importFile(b *testing.B) exchange.Report {
	f, err := os.Open(fx.file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rep, err := fx.ex.Import(context.Background(), benchRoot, "payments", f, "payments.csv", exchange.Options{})
	if err != nil {
		b.Fatalf("import: %v (%d rejected, first %+v)", err, rep.RejectedTotal, rep.Rejected[:min(3, len(rep.Rejected))])
	}
	return rep
}

// reset undoes what an import booked, so every iteration imports into the same state.
func (fx *payBench) reset(b *testing.B) {
	ctx := context.Background()
	err := fx.d.InTx(ctx, func(tx *db.Tx) error {
		for _, q := range []string{`DELETE FROM ledger_transfers WHERE kind = 'payment'`,
			`DELETE FROM ledger_balances WHERE account_id IN (SELECT id FROM ledger_accounts WHERE kind = 'passbook')`,
			`DELETE FROM ledger_accounts WHERE kind = 'passbook'`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE ledger_balances SET balance_fen = ? WHERE account_id = ? AND fund_id = ?`, fx.alloc, fx.finance, fx.fund)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if fx.d.Dialect == db.Postgres {
		if err := fx.d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `ANALYZE ledger_transfers, ledger_accounts, ledger_balances`)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
