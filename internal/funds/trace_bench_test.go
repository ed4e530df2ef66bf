package funds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
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
)

// benchLedger is one county fund paid to households: allocated to the county's finance,
// passed to 10 towns' finance, and paid from there in SUNSHINE_BENCH_FUND_PAYMENTS payments
// (default 1,000,000) to a tenth as many households' passbooks (10 monthly payments each),
// booked through funds.Poster in bulk flushes, with 100 payments reversed.
type benchLedger struct {
	d          *db.DB
	s          *funds.Service
	fund       int64
	payments   int
	payer      int64 // one town's finance account
	households []int64
	passbooks  []int64 // passbooks[i] belongs to households[i]
}

func benchPayments(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("SUNSHINE_BENCH_FUND_PAYMENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("SUNSHINE_BENCH_FUND_PAYMENTS=%q: want a number ≥ 100", v)
		}
	}
	return n
}

func newBenchLedger(b *testing.B) *benchLedger {
	b.Helper()
	return buildBenchLedger(b, dbtest.Open(b))
}

func buildBenchLedger(b *testing.B, d *db.DB) *benchLedger {
	b.Helper()
	ctx := context.Background()
	d.Clock = func() time.Time { return time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) }
	l := &benchLedger{d: d, s: &funds.Service{DB: d, Audit: &audit.Service{DB: d}}, payments: benchPayments(b)}
	start := time.Now()
	const county = "320921000000"
	var towns, villages []string
	for t := 0; t < 10; t++ {
		town := fmt.Sprintf("320921%03d000", 100+t)
		towns = append(towns, town)
		for v := 0; v < 10; v++ {
			villages = append(villages, town[:9]+fmt.Sprintf("%03d", 201+v))
		}
	}
	nh := max(l.payments/10, 10)
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		regions := [][]any{{"320900000000", "盐城市", "city", nil, now, now}, {county, "响水县", "county", "320900000000", now, now}}
		for i, t := range towns {
			regions = append(regions, []any{t, fmt.Sprintf("第%d镇", i+1), "town", county, now, now})
		}
		for i, v := range villages {
			regions = append(regions, []any{v, fmt.Sprintf("第%d村", i+1), "village", v[:9] + "000", now, now})
		}
		if err := tx.BulkLoad(ctx, "regions", []string{"code", "name", "level", "parent_code", "created_at", "updated_at"}, regions); err != nil {
			return err
		}
		rows := make([][]any, nh)
		for i := range rows {
			rows[i] = []any{fmt.Sprintf("H%07d", i), villages[i%len(villages)], fmt.Sprintf("户主%d", i), fmt.Sprintf("ID%016d", i),
				"general", "registered", 1, now, now}
		}
		return tx.BulkLoad(ctx, "households", []string{"household_no", "region_code", "head_name", "head_id_number", "household_type",
			"status", "members_count", "created_at", "updated_at"}, rows)
	}); err != nil {
		b.Fatal(err)
	}
	root := &auth.Principal{UserID: 1, Role: auth.Admin, Root: true}
	f, err := l.s.CreateFund(ctx, root, funds.FundInput{Code: "BENCH", Name: "基准资金", SourceLevel: "province", Category: "subsidy", Year: 2026,
		AmountYuan: strconv.Itoa(l.payments*100 + 1_000_000), RegionCode: county, ViaCity: true, ReceivedOn: "2026-01-05", Deadline: "2026-12-31",
		Items: []funds.ItemInput{{Code: "dibao", Name: "低保金", Basis: "household", StandardYuan: "100"}}})
	if err != nil {
		b.Fatal(err)
	}
	l.fund = f.ID
	var cf int64
	tf := make([]int64, len(towns))
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		if cf, err = funds.FinanceAccount(ctx, tx, 1, county); err != nil {
			return err
		}
		for i, t := range towns {
			if tf[i], err = funds.FinanceAccount(ctx, tx, 1, t); err != nil {
				return err
			}
		}
		now := db.Time(tx.Now)
		rows := make([][]any, 0, nh)
		hrows, err := tx.QueryContext(ctx, `SELECT id, region_code FROM households ORDER BY id`)
		if err != nil {
			return err
		}
		for hrows.Next() {
			var id int64
			var region string
			if err := hrows.Scan(&id, &region); err != nil {
				hrows.Close()
				return err
			}
			l.households = append(l.households, id)
			rows = append(rows, []any{"passbook", fmt.Sprintf("户主%d一折通", id), region, id, fmt.Sprintf("PB%016d", id), 1, now})
		}
		hrows.Close()
		if err := tx.BulkLoad(ctx, "ledger_accounts", []string{"kind", "name", "region_code", "household_id", "id_number", "created_by", "created_at"}, rows); err != nil {
			return err
		}
		prows, err := tx.QueryContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'passbook' ORDER BY household_id`)
		if err != nil {
			return err
		}
		defer prows.Close()
		for prows.Next() {
			var id int64
			if err := prows.Scan(&id); err != nil {
				return err
			}
			l.passbooks = append(l.passbooks, id)
		}
		return prows.Err()
	}); err != nil {
		b.Fatal(err)
	}
	l.payer = tf[0]
	item := f.Items[0].ID
	perTown := int64(l.payments/len(towns)+1) * 10_000
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		post := funds.NewPoster(ctx, tx, 1)
		if err := post.Post(funds.Posting{FundID: f.ID, From: f.SourceAccount, To: cf, AmountFen: perTown * int64(len(towns)), OnDate: "2026-01-06", Kind: "allocate"}); err != nil {
			return err
		}
		for i := range towns {
			if err := post.Post(funds.Posting{FundID: f.ID, From: cf, To: tf[i], AmountFen: perTown, OnDate: "2026-01-08", Kind: "transfer"}); err != nil {
				return err
			}
		}
		_, err := post.Flush()
		return err
	}); err != nil {
		b.Fatal(err)
	}
	// Payments: household i is paid from its town's finance once a month, in transactions of
	// 100,000 postings (bulk flushes).
	const chunk = 100_000
	for startAt := 0; startAt < l.payments; startAt += chunk {
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			post := funds.NewPoster(ctx, tx, 1)
			for i := startAt; i < min(startAt+chunk, l.payments); i++ {
				h := i % nh
				month := 1 + (i/nh)%10
				on := fmt.Sprintf("2026-%02d-%02d", month, 10+h%15)
				if err := post.Post(funds.Posting{FundID: f.ID, From: tf[(h%100)/10], To: l.passbooks[h], AmountFen: 10_000, OnDate: on,
					Kind: "payment", ItemID: item, Period: on[:7], AccountNo: fmt.Sprintf("62284800%08d", h), AccountHolder: fmt.Sprintf("户主%d", h),
					Ref: "line:" + strconv.Itoa(i), Purpose: "低保金"}); err != nil {
					return err
				}
			}
			_, err := post.Flush()
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	// Reverse 100 payments, as mistakes corrected.
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, from_account, to_account, amount_fen, on_date FROM ledger_transfers WHERE kind = 'payment' ORDER BY id LIMIT 100`)
		if err != nil {
			return err
		}
		var ps []funds.Posting
		for rows.Next() {
			var p funds.Posting
			if err := rows.Scan(&p.ReversesID, &p.To, &p.From, &p.AmountFen, &p.OnDate); err != nil {
				rows.Close()
				return err
			}
			p.FundID, p.Kind, p.Purpose, p.ItemID, p.Period = f.ID, "reversal", "冲销: 错发", item, p.OnDate[:7]
			ps = append(ps, p)
		}
		rows.Close()
		post := funds.NewPoster(ctx, tx, 1)
		for _, p := range ps {
			if err := post.Post(p); err != nil {
				return err
			}
		}
		_, err = post.Flush()
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx, "ledger_transfers", "ledger_accounts", "ledger_balances", "households"); err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		// Autovacuum visits a freshly loaded table within a minute or so (insert threshold) and
		// sets its visibility map, which index-only scans need; do now what it would.
		for _, t := range []string{"ledger_transfers", "ledger_balances", "ledger_accounts"} {
			rows, err := d.Reader().QueryContext(ctx, "VACUUM "+t)
			if err != nil {
				b.Fatal(err)
			}
			rows.Close()
		}
	}
	b.Logf("%s: %d payments to %d households booked in %v", d.Dialect, l.payments, nh, time.Since(start).Round(time.Millisecond))
	return l
}

func latencies(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// BenchmarkTraceFund: the Sankey trace of the fund (as the county's finance office, encoded
// as JSON) beside a bare COUNT(*) of the fund's transfers. Goal: < 1 s at 1,000,000 payments.
func BenchmarkTraceFund(b *testing.B) {
	l := newBenchLedger(b)
	ctx := context.Background()
	p := &auth.Principal{UserID: 1, Role: auth.Finance, Scope: "320921000000"}
	plan(b, l.d, `SELECT region_code, to_account, SUM(amount_fen), COUNT(*) FROM ledger_transfers
		WHERE fund_id = ? AND kind = 'payment' AND from_account = ? GROUP BY region_code, to_account`, l.fund, l.payer)
	b.Run("Trace", func(b *testing.B) {
		var tr funds.FundTrace
		cpu0 := benchmem.CPU()
		for i := 0; i < b.N; i++ {
			var err error
			if tr, err = l.s.Trace(ctx, p, l.fund); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(tr); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		var paid int64
		for _, lk := range tr.Links {
			if lk.Target[:3] == "pb:" {
				paid += lk.AmountFen
			}
		}
		if want := int64(l.payments-100) * 10_000; paid != want {
			b.Fatalf("trace pays %d, want %d", paid, want)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/trace")
		// this process's CPU a trace (SQLite works in the process; for PostgreSQL it is the client's share)
		b.ReportMetric(float64((benchmem.CPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/trace")
		b.ReportMetric(float64(l.payments), "payments")
	})
	b.Run("Count", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var n int
			if err := l.d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transfers WHERE fund_id = ?`, l.fund).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/count")
	})
}

// BenchmarkStatement: one household's statement (payments with their path back to the fund,
// JSON-encoded) over many random households, p50/p99, beside a bare read of the same
// household's payments by passbook. Goal: p99 < 50 ms.
func BenchmarkStatement(b *testing.B) {
	l := newBenchLedger(b)
	ctx := context.Background()
	p := &auth.Principal{UserID: 1, Role: auth.PovertyOffice, Scope: "320921000000"}
	b.Run("Statement", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			h := l.households[r.IntN(len(l.households))]
			t0 := time.Now()
			st, err := l.s.Statement(ctx, p, h)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(st); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			if len(st.Entries) == 0 || len(st.Entries[0].Path) != 3 {
				b.Fatalf("statement of %d: %+v", h, st)
			}
		}
		b.StopTimer()
		latencies(b, lat)
	})
	b.Run("Floor", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			pb := l.passbooks[r.IntN(len(l.passbooks))]
			t0 := time.Now()
			rows, err := l.d.Reader().QueryContext(ctx, `SELECT id, amount_fen, on_date FROM ledger_transfers WHERE to_account = ?`, pb)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var id, amount int64
				var on string
				if err := rows.Scan(&id, &amount, &on); err != nil {
					b.Fatal(err)
				}
			}
			rows.Close()
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		latencies(b, lat)
	})
}

// plan logs how the database runs a query (to spot a plan that reads the table).
func plan(b *testing.B, d *db.DB, q string, args ...any) {
	prefix := "EXPLAIN QUERY PLAN "
	if d.Dialect == db.Postgres {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := d.Reader().QueryContext(context.Background(), prefix+q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		b.Log(fmt.Sprint(vals[len(vals)-1]))
	}
}
