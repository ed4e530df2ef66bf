package registry

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
	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// The import figures of the registry issue: a members file of SUNSHINE_BENCH_MEMBERS rows
// (default 1,000,000; about a third as many households already registered) imported in
// at most three times the time it takes just to read and validate the same file, in under
// 500 MB. `make bench` runs it on SQLite and PostgreSQL; plain `go test` never does.
//
//	SUNSHINE_BENCH_MEMBERS=100000 go test -run '^$' -bench ImportMembers -benchtime 1x ./internal/registry
func BenchmarkImportMembers(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("SUNSHINE_BENCH_MEMBERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 3 {
			b.Fatalf("SUNSHINE_BENCH_MEMBERS=%q: want a number ≥ 3", s)
		}
	}
	fx := newBenchFixture(b, n)
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
		if parse == 0 { // run alone: measure the baseline all the same
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
	// The export of what was imported streams: its memory stays flat however many rows.
	b.Run("export", func(b *testing.B) {
		runtime.GC()
		peak := benchmem.Start()
		start := time.Now()
		for b.Loop() {
			if err := fx.ex.Export(context.Background(), benchRoot, "members", "csv", io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		per := time.Since(start) / time.Duration(b.N)
		rss, heap := peak.Stop()
		b.ReportMetric(float64(n)/per.Seconds(), "rows/s")
		b.ReportMetric(rss, "peak-rss-MB")
		b.ReportMetric(heap, "peak-heap-MB")
	})
}

type benchFixture struct {
	d    *db.DB
	ex   *exchange.Service
	file string
	now  time.Time
}

var benchRoot = &auth.Principal{Username: "bench", Name: "基准", Role: auth.Admin, Root: true}

// newBenchFixture registers ten towns of ten villages, n/3 households in them (loaded in
// bulk, not through the import being measured) and writes the members file to disk.
func newBenchFixture(b *testing.B, n int) *benchFixture {
	ctx := context.Background()
	fx := &benchFixture{d: dbtest.Open(b), file: filepath.Join(b.TempDir(), "members.csv"), now: time.Now()}
	fx.ex = &exchange.Service{DB: fx.d}
	fx.ex.Register(MembersKind())
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
		for i := 0; i < (n+2)/3; i++ {
			hh = append(hh, []any{benchHouseholdNo(i), villages[i%len(villages)], "户主", benchID(3 * i), "general", "registered", now, now})
			if len(hh) == exBatchRows {
				if err := tx.BulkLoad(ctx, "households", []string{"household_no", "region_code", "head_name", "head_id_number",
					"household_type", "status", "created_at", "updated_at"}, hh); err != nil {
					return err
				}
				hh = hh[:0]
			}
		}
		return tx.BulkLoad(ctx, "households", []string{"household_no", "region_code", "head_name", "head_id_number",
			"household_type", "status", "created_at", "updated_at"}, hh)
	})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(fx.file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("household_no,id_number,name,relation,health,disability_grade,labour,in_school,medical_insurance,deceased_on\r\n")
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈美华", "杨洋", "赵丽娟", "黄海"}
	for i := 0; i < n; i++ {
		rel, health, labour, school := "head", "healthy", "full", "0"
		switch i % 3 {
		case 1:
			rel, health, labour = "spouse", "chronic", "partial"
		case 2:
			rel, labour, school = "child", "none", "1"
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,0,%s,%s,1,\r\n", benchHouseholdNo(i/3), benchID(i), names[i%len(names)], rel, health, labour, school)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return fx
}

func benchHouseholdNo(i int) string { return fmt.Sprintf("32092110%08d", i) }

// benchID is the i-th of a run of distinct valid ID numbers.
func benchID(i int) string {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
	return idcard.Make("320921", birth, i%500, idcard.Sex(i/500%2))
}

// parse is the baseline: open, read every row and validate it exactly as the import does,
// without a database.
func (fx *benchFixture) parse(b *testing.B) int {
	f, err := os.Open(fx.file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r, err := tabular.Open(f, fx.file, exMemberSchema, tabular.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rows := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := parseMember(row, fx.now); err != nil {
			b.Fatal(err)
		}
		rows++
	}
}

func (fx *benchFixture) importFile(b *testing.B) exchange.Report {
	f, err := os.Open(fx.file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rep, err := fx.ex.Import(context.Background(), benchRoot, "members", f, "members.csv", exchange.Options{})
	if err != nil {
		b.Fatalf("import: %v (%d rejected, first %+v)", err, rep.RejectedTotal, rep.Rejected[:min(3, len(rep.Rejected))])
	}
	return rep
}

// reset empties what an import wrote, so every iteration imports into the same state.
func (fx *benchFixture) reset(b *testing.B) {
	ctx := context.Background()
	err := fx.d.InTx(ctx, func(tx *db.Tx) error {
		for _, q := range []string{`DELETE FROM members`, `UPDATE households SET members_count = 0`, `DELETE FROM audit_events`,
			`UPDATE audit_head SET seq = 0, hash = ''`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if fx.d.Dialect == db.Postgres {
		if err := fx.d.InTx(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, `ANALYZE members, households`); return err }); err != nil {
			b.Fatal(err)
		}
	}
}
