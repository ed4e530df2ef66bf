package oversight

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/benchmem"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

// The engine's figures: the full evaluation over SUNSHINE_BENCH_EVAL_PAYMENTS payments
// (default 10,000,000) and SUNSHINE_BENCH_EVAL_MEMBERS members (default 1,000,000), beside the
// time to merely read the same rows in the same run, and the incremental evaluation of one new
// payment.

func benchEnv(b *testing.B, name string, def, least int) int {
	n := def
	if s := os.Getenv(name); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < least {
			b.Fatalf("%s=%q: want a number ≥ %d", name, s, least)
		}
	}
	return n
}

// evalBench is one county of 10 towns × 10 villages: members in households of three, each
// member a payee paid ten times (one payment a month of 生活补助, 100.00 元) until the
// payments run out, with a sprinkle of anomalies for the checks to find: one payee in a
// hundred outside the registry, one member in two hundred dead since March, one payee in a
// hundred paid twice for a month, one in a thousand paid into another household's account,
// one in five hundred into an account under another name, and 100 payments reversed.
type evalBench struct {
	d        *db.DB
	s        *Service
	payments int
	members  int
	fund     funds.Fund
	item     int64
	fin      int64
	pbs      []int64
}

var benchCity = "320900000000"

func benchID(prefix string, i int) string {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
	return idcard.Make(prefix, birth, i%500, idcard.Sex(i/500%2))
}

func newEvalBench(b *testing.B) *evalBench {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	eb := &evalBench{d: dbtest.Open(b), payments: benchEnv(b, "SUNSHINE_BENCH_EVAL_PAYMENTS", 10_000_000, 100),
		members: benchEnv(b, "SUNSHINE_BENCH_EVAL_MEMBERS", 1_000_000, 30)}
	d := eb.d
	d.Clock = func() time.Time { return time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) }
	a := &audit.Service{DB: d}
	eb.s = &Service{DB: d, Audit: a, Dir: b.TempDir()}
	const county = "320921000000"
	var villages []string
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		regions := [][]any{{benchCity, "盐城市", "city", nil, now, now}, {county, "响水县", "county", benchCity, now, now}}
		for t := 0; t < 10; t++ {
			town := fmt.Sprintf("320921%03d000", 100+t)
			regions = append(regions, []any{town, "镇" + strconv.Itoa(t), "town", county, now, now})
			for v := 0; v < 10; v++ {
				village := town[:9] + strconv.Itoa(201+v)
				villages = append(villages, village)
				regions = append(regions, []any{village, "村" + strconv.Itoa(v), "village", town, now, now})
			}
		}
		return tx.BulkLoad(ctx, "regions", []string{"code", "name", "level", "parent_code", "created_at", "updated_at"}, regions)
	}); err != nil {
		b.Fatal(err)
	}
	// households of three and their members
	nh := (eb.members + 2) / 3
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈美华", "杨洋", "赵丽娟", "黄海"}
	const chunk = 50_000
	for lo := 0; lo < nh; lo += chunk {
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			now := db.Time(tx.Now)
			var hh, mm [][]any
			for h := lo; h < min(lo+chunk, nh); h++ {
				v := villages[h%len(villages)]
				size := min(3, eb.members-3*h)
				hh = append(hh, []any{h + 1, fmt.Sprintf("H%09d", h), v, names[h%len(names)], benchID("320921", 3*h), "dibao", "registered",
					"2024-01-01", size, now, now})
				for j := 3 * h; j < 3*h+size; j++ {
					var dead any
					if j%200 == 3 {
						dead = "2026-03-01"
					}
					rel := "head"
					if j%3 != 0 {
						rel = "child"
					}
					mm = append(mm, []any{j + 1, h + 1, v, benchID("320921", j), names[j%len(names)], rel, "male", "1960-01-01", dead, 1, now, now})
				}
			}
			if err := tx.BulkLoad(ctx, "households", []string{"id", "household_no", "region_code", "head_name", "head_id_number", "household_type",
				"status", "registered_on", "members_count", "created_at", "updated_at"}, hh); err != nil {
				return err
			}
			return tx.BulkLoad(ctx, "members", []string{"id", "household_id", "region_code", "id_number", "name", "relation", "sex", "birth_date",
				"deceased_on", "active", "created_at", "updated_at"}, mm)
		}); err != nil {
			b.Fatal(err)
		}
	}
	root := &auth.Principal{UserID: 1, Username: "bench", Name: "基准", Role: auth.Admin, Root: true}
	fs := &funds.Service{DB: d, Audit: a}
	var err error
	eb.fund, err = fs.CreateFund(ctx, root, funds.FundInput{Code: "BENCH", Name: "基准资金", SourceLevel: "province", Category: "subsidy", Year: 2026,
		AmountYuan: "9000000000", RegionCode: county, ViaCity: true, ReceivedOn: "2026-01-05", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "living", Name: "生活补助", Basis: "household", StandardYuan: "100"}}})
	if err != nil {
		b.Fatal(err)
	}
	eb.item = eb.fund.Items[0].ID
	if err := d.InTx(ctx, func(tx *db.Tx) (err error) {
		if eb.fin, err = funds.FinanceAccount(ctx, tx, 1, county); err != nil {
			return err
		}
		p := funds.NewPoster(ctx, tx, 1)
		if err := p.Post(funds.Posting{FundID: eb.fund.ID, From: eb.fund.SourceAccount, To: eb.fin, AmountFen: 800_000_000_000, OnDate: "2026-01-06", Kind: "allocate"}); err != nil {
			return err
		}
		_, err = p.Flush()
		return err
	}); err != nil {
		b.Fatal(err)
	}
	// passbooks: payee i is member i, except one in a hundred, who is in no household
	payees := min(max(eb.payments/10, 1), eb.members)
	idOf := func(i int) (string, int64) {
		if i%100 == 99 {
			return benchID("320922", i), 0
		}
		return benchID("320921", i), int64(i/3 + 1)
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		rows := make([][]any, 0, payees)
		for i := 0; i < payees; i++ {
			idn, hh := idOf(i)
			rows = append(rows, []any{"passbook", names[i%len(names)] + "一折通", villages[(i/3)%len(villages)], db.NullID(hh), idn, 1, now})
		}
		if err := tx.BulkLoad(ctx, "ledger_accounts", []string{"kind", "name", "region_code", "household_id", "id_number", "created_by", "created_at"}, rows); err != nil {
			return err
		}
		eb.pbs = make([]int64, 0, payees)
		return forRows(ctx, tx, `SELECT id FROM ledger_accounts WHERE kind = 'passbook' ORDER BY id`, nil, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			eb.pbs = append(eb.pbs, id)
			return err
		})
	}); err != nil {
		b.Fatal(err)
	}
	// payments, in rounds: round r pays every payee for month r+1
	cols := []string{"fund_id", "from_account", "to_account", "amount_fen", "on_date", "kind", "item_id", "period", "account_no", "account_holder",
		"region_code", "created_by", "created_at"}
	for lo := 0; lo < eb.payments; lo += chunk {
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			now := db.Time(tx.Now)
			rows := make([][]any, 0, chunk)
			for j := lo; j < min(lo+chunk, eb.payments); j++ {
				i, round := j%payees, j/payees
				month := 1 + round%10
				if i%100 == 7 && round%10 == 9 {
					month = 1 // paid twice for January
				}
				acct := i
				if i%1000 == 5 {
					acct = i - 3 // another household's account
				}
				holder := names[i%len(names)]
				if i%500 == 11 {
					holder = "某某"
				}
				on := fmt.Sprintf("2026-%02d-%02d", 1+round%10, 10+i%15)
				rows = append(rows, []any{eb.fund.ID, eb.fin, eb.pbs[i], 10_000, on, "payment", eb.item, fmt.Sprintf("2026-%02d", month),
					fmt.Sprintf("6228480%09d", acct), holder, villages[(i/3)%len(villages)], 1, now})
			}
			return tx.BulkLoad(ctx, "ledger_transfers", cols, rows)
		}); err != nil {
			b.Fatal(err)
		}
	}
	// 100 payments reversed
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		var rows [][]any
		err := forRows(ctx, tx, `SELECT id, to_account, region_code FROM ledger_transfers WHERE kind = 'payment' ORDER BY id LIMIT 100`, nil, func(r *sql.Rows) error {
			var id, to int64
			var region string
			if err := r.Scan(&id, &to, &region); err != nil {
				return err
			}
			rows = append(rows, []any{eb.fund.ID, to, eb.fin, 10_000, "2026-11-01", "reversal", id, region, 1, now})
			return nil
		})
		if err != nil {
			return err
		}
		return tx.BulkLoad(ctx, "ledger_transfers", []string{"fund_id", "from_account", "to_account", "amount_fen", "on_date", "kind", "reverses_id",
			"region_code", "created_by", "created_at"}, rows)
	}); err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx, "ledger_transfers", "ledger_accounts", "ledger_balances", "households", "members"); err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		for _, t := range []string{"ledger_transfers", "ledger_accounts", "members", "households"} {
			if rows, err := d.Reader().QueryContext(ctx, "VACUUM "+t); err == nil {
				rows.Close()
			}
		}
	}
	b.Logf("%s: %d payments to %d payees, %d members, loaded in %v", d.Dialect, eb.payments, payees, eb.members, time.Since(start).Round(time.Millisecond))
	return eb
}

func (eb *evalBench) input() *evalInput {
	lo, hi := regioncode.Range(benchCity)
	return &evalInput{At: eb.d.Clock(), Lo: lo, Hi: hi, Rules: enabledRules(DefaultRules().Rules), Q: eb.d.Reader(), Dir: eb.s.Dir}
}

// scanFloor reads the rows the funds checks read (the same queries, every column scanned) and
// does nothing with them.
func (eb *evalBench) scanFloor(b *testing.B) int {
	ctx := context.Background()
	q := eb.d.Reader()
	lo, hi := regioncode.Range(benchCity)
	n := 0
	var id, a, c int64
	var s1, s2, s3, s4, s5 sql.RawBytes
	run := func(query string, args []any, dest ...any) {
		if err := forRows(ctx, q, query, args, func(r *sql.Rows) error { n++; return r.Scan(dest...) }); err != nil {
			b.Fatal(err)
		}
	}
	run(`SELECT reverses_id FROM ledger_transfers WHERE reverses_id IS NOT NULL`, nil, &id)
	run(payeeQuery, nil, &id, &s1, &s2, &s3, &a, &c, &s4, &s5)
	run(`SELECT id, household_no, head_name, status, members_count, COALESCE(exited_on, ''), COALESCE(policy_until, ''),
		COALESCE(removed_on, '') FROM households`, nil, &id, &s1, &s2, &s3, &a, &s4, &s5, &s5)
	var amount, item, fund int64
	run(paymentScanSQL(q.Dialect()), []any{lo, hi}, &id, &a, &amount, &s1, &item, &s2, &s3, &s4, &fund)
	return n
}

// BenchmarkEvaluate: Scan reads the rows; Funds is every funds check (one pass over the
// payments), FundsSerial the same with the payments read by one query; All is every category's evaluator as a full run calls them (without storing
// alerts: what a run writes depends on what was there before); Incremental evaluates
// SUNSHINE_BENCH_EVAL_NEW (200) new payments one at a time on the same ledger.
func BenchmarkEvaluate(b *testing.B) {
	eb := newEvalBench(b)
	b.Run("Scan", func(b *testing.B) {
		runtime.GC()
		peak := benchmem.Start()
		cpu0 := benchmem.CPU()
		var rows int
		for b.Loop() {
			rows = eb.scanFloor(b)
		}
		rss, heap := peak.Stop()
		b.ReportMetric((benchmem.CPU()-cpu0).Seconds()/float64(b.N), "cpu-s")
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(rss, "peak-rss-MB")
		b.ReportMetric(heap, "peak-heap-MB")
		b.ReportMetric(float64(eb.payments), "payments")
	})
	run := func(name string, ev func(context.Context, *evalInput, func(Finding)) error) {
		b.Run(name, func(b *testing.B) {
			runtime.GC()
			peak := benchmem.Start()
			cpu0 := benchmem.CPU()
			found := 0
			for b.Loop() {
				found = 0
				if err := ev(context.Background(), eb.input(), func(Finding) { found++ }); err != nil {
					b.Fatal(err)
				}
			}
			rss, heap := peak.Stop()
			b.ReportMetric(float64(found), "findings")
			b.ReportMetric(rss, "peak-rss-MB")
			b.ReportMetric(heap, "peak-heap-MB")
			b.ReportMetric((benchmem.CPU()-cpu0).Seconds()/float64(b.N), "cpu-s")
			b.ReportMetric(float64(eb.payments), "payments")
		})
	}
	run("Funds", evalFunds)
	// the same pass read by one query (on SQLite the pass reads id ranges side by side)
	run("FundsSerial", func(ctx context.Context, in *evalInput, emit func(Finding)) error {
		defer func(n int64) { parallelScanMin = n }(parallelScanMin)
		parallelScanMin = math.MaxInt64
		return evalFunds(ctx, in, emit)
	})
	run("All", eb.s.collectFull)
	b.Run("Incremental", func(b *testing.B) {
		for b.Loop() {
			eb.incrementalFigures(b, benchEnv(b, "SUNSHINE_BENCH_EVAL_NEW", 200, 1))
		}
	})
}

// incrementalFigures books one payment at a time (untimed) and evaluates it, payments times:
// collect-ms is the checks alone, run-ms the whole incremental run (run record, rule set,
// alerts and audit stored), each the mean with its p99.
func (eb *evalBench) incrementalFigures(b *testing.B, payments int) {
	ctx := context.Background()
	var mark int64
	if err := eb.d.Reader().QueryRowContext(ctx, `SELECT MAX(id) FROM ledger_transfers`).Scan(&mark); err != nil {
		b.Fatal(err)
	}
	n := 0
	book := func() (int64, string) {
		n++
		pb := eb.pbs[(n*7919)%len(eb.pbs)]
		acct := fmt.Sprintf("6228481%09d", n)
		if err := eb.d.InTx(ctx, func(tx *db.Tx) error {
			return tx.BulkLoad(ctx, "ledger_transfers", []string{"fund_id", "from_account", "to_account", "amount_fen", "on_date", "kind", "item_id",
				"period", "account_no", "account_holder", "region_code", "created_by", "created_at"},
				[][]any{{eb.fund.ID, eb.fin, pb, 10_000, "2026-11-15", "payment", eb.item, "2026-11", acct, "", "320921100201", 1, db.Time(tx.Now)}})
		}); err != nil {
			b.Fatal(err)
		}
		return pb, acct
	}
	var collect, run []time.Duration
	for i := 0; i < payments; i++ {
		pb, acct := book()
		in := eb.input()
		start := time.Now()
		if err := eb.s.collectPayments(ctx, in, []int64{pb}, []string{acct}, func(Finding) {}); err != nil {
			b.Fatal(err)
		}
		collect = append(collect, time.Since(start))
	}
	if err := eb.d.Reader().QueryRowContext(ctx, `SELECT MAX(id) FROM ledger_transfers`).Scan(&mark); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < payments; i++ {
		book()
		start := time.Now()
		info, next, err := eb.s.EvaluatePayments(ctx, mark)
		if err != nil || info.ID == 0 {
			b.Fatalf("%+v %v", info, err)
		}
		run = append(run, time.Since(start))
		mark = next
	}
	report := func(name string, lat []time.Duration) {
		var sum time.Duration
		for _, l := range lat {
			sum += l
		}
		slices.Sort(lat)
		b.ReportMetric(float64(sum.Microseconds())/float64(len(lat))/1000, name+"-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, name+"-p99-ms")
	}
	report("collect", collect)
	report("run", run)
}
