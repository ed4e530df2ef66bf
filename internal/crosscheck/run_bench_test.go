package crosscheck

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sunshine/internal/benchmem"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/idcard"
)

// The figures of issue 5: SUNSHINE_BENCH_CC_MEMBERS registry members
// (default 1,000,000, loaded into the test database and read back by
// LoadSnapshot inside the measured run) and ten dataset files of
// SUNSHINE_BENCH_ROWS rows in all (default 20,000,000), run at a quarter,
// half and all of that to show growth is linear. About 2% of the rows are
// registry members, the rest people the registry does not know, as in
// real datasets. Beside each run, in the same process: `cat FILES >
// /dev/null`, `wc -l FILES` (the read floor) and the sqlite3 command-line
// shell loading the same files and joining them with the members.
// `make bench` runs it; plain `go test` never does.
//
//	SUNSHINE_BENCH_ROWS=2000000 SUNSHINE_BENCH_CC_MEMBERS=100000 go test -run '^$' -bench CrosscheckRun -benchtime 1x ./internal/crosscheck
func BenchmarkCrosscheckRun(b *testing.B) {
	rows := benchEnv(b, "SUNSHINE_BENCH_ROWS", 20_000_000)
	members := benchEnv(b, "SUNSHINE_BENCH_CC_MEMBERS", 1_000_000)
	d := dbtest.Open(b)
	start := time.Now()
	ids := seedBenchRegistry(b, d, members)
	b.Logf("registry of %d members loaded in %v", members, time.Since(start).Round(time.Millisecond))
	dir := b.TempDir()
	membersCSV := filepath.Join(dir, "members.csv")
	writeMembersCSV(b, membersCSV, ids)
	for _, n := range []int{rows / 4, rows / 2, rows} {
		b.Run("rows="+strconv.Itoa(n), func(b *testing.B) {
			files, size := writeBenchFiles(b, filepath.Join(dir, "ds"), n, ids, len(benchKinds))
			defer os.RemoveAll(filepath.Join(dir, "ds"))
			paths := make([]string, len(files))
			for i, f := range files {
				paths[i] = f.Path
			}
			run(b, "cat", paths...) // warm the page cache: every figure reads from memory
			catT := minOf(3, func() time.Duration { return run(b, "cat", paths...) })
			wcT := minOf(3, func() time.Duration { return run(b, "wc", append([]string{"-l"}, paths...)...) })

			var took, load, cpu time.Duration
			var rss, heap float64
			var res Result
			for i := 0; i < b.N; i++ {
				runtime.GC()
				peak := benchmem.Start()
				t0, cpu0 := time.Now(), benchmem.CPU()
				snap, err := LoadSnapshot(context.Background(), d.Reader())
				if err != nil {
					b.Fatal(err)
				}
				load += time.Since(t0)
				res, err = Run(context.Background(), snap, files, DefaultRules(), nil)
				if err != nil {
					b.Fatal(err)
				}
				took += time.Since(t0)
				cpu += benchmem.CPU() - cpu0
				r, h := peak.Stop()
				rss, heap = max(rss, r), max(heap, h)
			}
			if res.Rows != int64(n) {
				b.Fatalf("run read %d rows, want %d", res.Rows, n)
			}
			per := took / time.Duration(b.N)
			sqliteT := sqliteLoadJoin(b, dir, membersCSV, files)
			b.ReportMetric(float64(n)/per.Seconds(), "rows/s")
			b.ReportMetric(float64(size)/per.Seconds()/1e6, "MB/s")
			b.ReportMetric(float64(size)/1e6, "file-MB")
			b.ReportMetric(per.Seconds(), "run-s")
			b.ReportMetric((load / time.Duration(b.N)).Seconds(), "snapshot-s")
			b.ReportMetric((per - load/time.Duration(b.N)).Seconds(), "scan-s") // scan + rules, without the snapshot
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
			b.ReportMetric(rss, "peak-rss-MB")
			b.ReportMetric(heap, "peak-heap-MB")
			b.ReportMetric(catT.Seconds(), "cat-s")
			b.ReportMetric(wcT.Seconds(), "wc-s")
			b.ReportMetric(per.Seconds()/wcT.Seconds(), "x-wc")
			b.ReportMetric((per-load/time.Duration(b.N)).Seconds()/wcT.Seconds(), "x-wc-scan")
			b.ReportMetric(sqliteT.Seconds(), "sqlite-s")
			b.ReportMetric(sqliteT.Seconds()/per.Seconds(), "sqlite-x")
			b.ReportMetric(float64(res.Matched), "matched")
			b.ReportMetric(float64(len(res.Doubts)), "doubts")
		})
	}
}

// BenchmarkLoadSnapshot reads SUNSHINE_BENCH_CC_MEMBERS members back
// from the database (the first step of every run).
func BenchmarkLoadSnapshot(b *testing.B) {
	members := benchEnv(b, "SUNSHINE_BENCH_CC_MEMBERS", 1_000_000)
	d := dbtest.Open(b)
	seedBenchRegistry(b, d, members)
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		snap, err := LoadSnapshot(context.Background(), d.Reader())
		if err != nil {
			b.Fatal(err)
		}
		n = len(snap.Members)
	}
	b.ReportMetric(float64(n), "members")
	b.ReportMetric(float64(n)/(b.Elapsed()/time.Duration(b.N)).Seconds(), "members/s")
}

// BenchmarkRunInMemory is Run alone (scan, match, rules) over ten files
// of SUNSHINE_BENCH_ROWS rows (default 4,000,000) against a snapshot of a
// million members built in memory: the engine without the database.
func BenchmarkRunInMemory(b *testing.B) {
	rows := benchEnv(b, "SUNSHINE_BENCH_ROWS", 4_000_000)
	members := 1_000_000
	ids := make([]string, members)
	hh := make([]Household, (members+2)/3)
	mm := make([]Member, members)
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈美华", "杨洋", "赵丽娟", "黄海"}
	for i := range ids {
		ids[i] = benchMemberID(i)
		mm[i] = Member{ID: int64(i + 1), Key: mustPack(ids[i]), Household: int32(i / 3), Name: names[i%8]}
	}
	for i := range hh {
		hh[i] = Household{ID: int64(i + 1), Status: "registered", RegisteredOn: 43000, Size: 3, Head: int32(3 * i), RegionCode: "320921100201"}
	}
	snap, _ := NewSnapshot(time.Now(), hh, mm)
	files, _ := writeBenchFiles(b, b.TempDir(), rows, ids, len(benchKinds))
	b.ResetTimer()
	cpu0 := benchmem.CPU()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), snap, files, DefaultRules(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Doubts)), "doubts")
	}
	b.ReportMetric(float64((benchmem.CPU()-cpu0).Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

// BenchmarkScanHot is the parser alone on one file against an in-memory
// snapshot: the per-row cost of the hot path, for tuning.
func BenchmarkScanHot(b *testing.B) {
	rows := benchEnv(b, "SUNSHINE_BENCH_ROWS", 2_000_000)
	members := benchEnv(b, "SUNSHINE_BENCH_CC_MEMBERS", 1_000_000)
	ids := make([]string, members)
	hh := make([]Household, (members+2)/3)
	mm := make([]Member, members)
	for i := range ids {
		ids[i] = benchMemberID(i)
		mm[i] = Member{ID: int64(i + 1), Key: mustPack(ids[i]), Household: int32(i / 3), Name: "张秀英"}
	}
	for i := range hh {
		hh[i] = Household{ID: int64(i + 1), Status: "registered", RegisteredOn: 43000, Size: 3, Head: int32(3 * i)}
	}
	snap, err := NewSnapshot(time.Now(), hh, mm)
	if err != nil {
		b.Fatal(err)
	}
	files, _ := writeBenchFiles(b, b.TempDir(), rows, ids, 1)
	f := files[0]
	fsize, _ := os.Stat(f.Path)
	run(b, "cat", f.Path)
	wcT := minOf(3, func() time.Duration { return run(b, "wc", "-l", f.Path) })
	b.ResetTimer()
	var matched int64
	cpu0 := benchmem.CPU()
	for i := 0; i < b.N; i++ {
		rep, err := Scan(context.Background(), f.Path, f.Kind, snap, func(Match) {})
		if err != nil {
			b.Fatal(err)
		}
		matched = rep.Matched
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64((benchmem.CPU()-cpu0).Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
	b.ReportMetric(float64(rows)/per.Seconds(), "rows/s")
	b.ReportMetric(float64(fsize.Size())/per.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(per.Nanoseconds())/float64(rows), "ns/row")
	b.ReportMetric(per.Seconds()/wcT.Seconds(), "x-wc")
	b.ReportMetric(float64(matched), "matched")
}

func benchEnv(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 {
		b.Fatalf("%s=%q: want a number ≥ 100", name, s)
	}
	return n
}

// benchMemberID is the i-th registry member's ID number (1,000 per birth
// day, so a million members span three years of births).
func benchMemberID(i int) string {
	return fastID("320921", i/1000, i%1000)
}

// fastID builds a valid ID number from a region, a day after 1950-01-01
// and a sequence: the generator writes tens of millions of them.
func fastID(region string, day, seq int) string {
	var b [18]byte
	copy(b[:], region)
	y, m, d := benchDate(day)
	putDigits(b[6:10], y)
	putDigits(b[10:12], m)
	putDigits(b[12:14], d)
	putDigits(b[14:17], seq)
	b[17] = idcard.CheckChar(string(b[:17]))
	return string(b[:])
}

var benchDates []([3]int)

func benchDate(day int) (int, int, int) {
	if benchDates == nil {
		t := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 20000; i++ {
			y, m, d := t.AddDate(0, 0, i).Date()
			benchDates = append(benchDates, [3]int{y, int(m), d})
		}
	}
	x := benchDates[day%len(benchDates)]
	return x[0], x[1], x[2]
}

// seedBenchRegistry loads members in households of three (two thirds
// registered since 2019, some exited, some applying) straight into the
// tables, the way the registry benchmark does.
func seedBenchRegistry(b *testing.B, d *db.DB, members int) []string {
	ctx := context.Background()
	ids := make([]string, members)
	for i := range ids {
		ids[i] = benchMemberID(i)
	}
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈美华", "杨洋", "赵丽娟", "黄海"}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		regions := [][]any{{"320900000000", "盐城市", "city", nil, now, now}, {"320921000000", "响水县", "county", "320900000000", now, now}}
		var villages []string
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
		hcols := []string{"household_no", "region_code", "head_name", "head_id_number", "household_type", "status", "registered_on", "exited_on",
			"policy_until", "members_count", "created_at", "updated_at"}
		mcols := []string{"household_id", "region_code", "id_number", "name", "relation", "sex", "birth_date", "created_at", "updated_at"}
		var hrows, mrows [][]any
		flush := func(force bool) error {
			// Households first: members refer to them.
			if len(hrows) >= 5000 || len(mrows) >= 5000 || (force && len(hrows) > 0) {
				if err := tx.BulkLoad(ctx, "households", hcols, hrows); err != nil {
					return err
				}
				hrows = hrows[:0]
			}
			if len(mrows) >= 5000 || (force && len(mrows) > 0) {
				if err := tx.BulkLoad(ctx, "members", mcols, mrows); err != nil {
					return err
				}
				mrows = mrows[:0]
			}
			return nil
		}
		for h := 0; h*3 < members; h++ {
			status, reg, exit, until := "registered", any("2019-05-01"), any(nil), any(nil)
			switch h % 10 {
			case 7:
				status, exit, until = "exited", "2023-12-31", "2099-12-31"
			case 8:
				status, reg = "applying", nil
			}
			village := villages[h%len(villages)]
			n := min(3, members-3*h)
			hrows = append(hrows, []any{fmt.Sprintf("B%011d", h), village, names[h%len(names)], ids[3*h], "general", status, reg, exit, until, n, now, now})
			for k := 0; k < n; k++ {
				i := 3*h + k
				rel := []string{"head", "spouse", "child"}[k]
				mrows = append(mrows, []any{int64(h + 1), village, ids[i], names[i%len(names)], rel, "male", "1960-01-01", now, now})
			}
			if err := flush(false); err != nil {
				return err
			}
		}
		return flush(true)
	})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		if err := d.InTx(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, `ANALYZE members, households`); return err }); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

func writeMembersCSV(b *testing.B, path string, ids []string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i, id := range ids {
		w.WriteString(id)
		w.WriteByte(',')
		w.WriteString(strconv.Itoa(i/3 + 1))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// benchKinds are the ten files of a run, each with a row writer: the
// columns after id_number and name. v is a pseudo-random number per row.
var benchKinds = []struct {
	kind   Kind
	header string
	row    func(w *bufio.Writer, v uint64)
	benign func(w *bufio.Writer, v uint64) // a row of a member that raises no doubt
}{
	{KindVehicle, "身份证号,姓名,号牌号码,车辆类型,登记日期,价值(元)", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "苏J·%05d,%s,20%02d-%02d-%02d,%d", v%100000, []string{"小型轿车", "普通二轮摩托车", "轻型货车", "电动自行车"}[v%4], 10+v%15, 1+v%12, 1+v%28, 5000+v%200000)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "苏J·%05d,普通二轮摩托车,20%02d-%02d-%02d,%d", v%100000, 10+v%15, 1+v%12, 1+v%28, 3000+v%5000)
	}},
	{KindSocialInsur, "身份证号,姓名,险种,参保单位,缴费基数,缴费起始年月,缴费终止年月", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "%s,盐城某某有限公司,%d,20%02d-%02d,", []string{"城乡居民基本养老保险", "职工基本养老保险", "城乡居民基本医疗保险", "职工基本医疗保险"}[v%4], 3000+v%5000, 10+v%15, 1+v%12)
		if v%3 == 0 {
			fmt.Fprintf(w, "20%02d-%02d", 10+v%15, 1+v%12)
		}
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "城乡居民基本医疗保险,,,20%02d-01,", 10+v%15)
	}},
	{KindTax, "身份证号,纳税人姓名,纳税年度,应纳税所得额,已缴税额", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "%d,%d.%02d,%d", 2020+v%5, v%120000, v%100, v%3000)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "%d,%d.%02d,0", 2020+v%5, v%5000, v%100)
	}},
	{KindRealEstate, "身份证号,权利人,不动产权证号,坐落,用途,建筑面积,登记日期", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "苏(20%02d)响水县不动产权第%07d号,响水县某镇某村%d号,%s,%d.%d,20%02d-%02d-%02d", 10+v%15, v%10000000, v%500, []string{"住宅", "住宅", "车库", "商业"}[v%4], 40+v%160, v%10, 10+v%15, 1+v%12, 1+v%28)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "苏(20%02d)响水县不动产权第%07d号,响水县某镇某村%d号,住宅,%d.%d,20%02d-%02d-%02d", 10+v%15, v%10000000, v%500, 40+v%160, v%10, 10+v%15, 1+v%12, 1+v%28)
	}},
	{KindDeposit, "身份证号,姓名,开户行,存款余额,余额日期", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "%s,%d.%02d,2025-05-31", []string{"中国工商银行响水支行", "中国农业银行响水支行", "响水农商银行"}[v%3], v%60000, v%100)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "响水农商银行,%d.%02d,2025-05-31", v%8000, v%100)
	}},
	{KindSecurities, "身份证号,投资者姓名,证券公司,市值,市值日期", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "%s,%d.%02d,2025-05-30", []string{"华泰证券", "东吴证券"}[v%2], v%50000, v%100)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "东吴证券,%d.%02d,2025-05-30", v%3000, v%100)
	}},
	{KindHousingFund, "身份证号,职工姓名,单位名称,月缴存额,账户余额,截至日期", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "响水县某单位,%d,%d,2025-05-31", (v%3)*(300+v%900), v%80000)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "原单位,0,%d,2025-05-31", v%8000)
	}},
	{KindBusiness, "身份证号,姓名,企业名称,统一社会信用代码,职务,注册资本(万元)", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "响水某某%d有限公司,91320921MA%08d,%s,%d", v%100000, v%100000000, []string{"法定代表人", "股东", "个体工商户经营者"}[v%3], 1+v%200)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "响水某某%d经营部,92320921MA%08d,个体工商户经营者,%d", v%100000, v%100000000, 1+v%5)
	}},
	{KindPublicEmployee, "身份证号,姓名,工作单位,职务,入职日期,离职日期", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "响水县某局,科员,20%02d-09-01,", v%25)
		if v%2 == 0 {
			fmt.Fprintf(w, "20%02d-12-31", 10+v%15)
		}
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "响水县某局,临时工,20%02d-09-01,20%02d-12-31", v%5, 5+v%5)
	}},
	{KindDeath, "身份证号,姓名,死亡日期", func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "20%02d-%02d-%02d", 15+v%10, 1+v%12, 1+v%28)
	}, func(w *bufio.Writer, v uint64) {
		fmt.Fprintf(w, "20%02d-%02d-%02d", 30+v%10, 1+v%12, 1+v%28)
	}},
}

// writeBenchFiles writes ten files of n rows in all; about one row in 50
// is a registry member, the others are outsiders (distinct people from
// another county). It returns the files and their total size.
func writeBenchFiles(b *testing.B, dir string, n int, ids []string, kinds int) ([]DatasetFile, int64) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	names := []string{"张秀英", "王建国", "李桂兰", "刘志强", "陈美华", "杨洋", "赵丽娟", "黄海"}
	var files []DatasetFile
	var total int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	errc := make(chan error, len(benchKinds))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k, spec := range benchKinds[:kinds] {
		path := filepath.Join(dir, fmt.Sprintf("%02d_%s.csv", k, spec.kind))
		files = append(files, DatasetFile{ID: int64(k + 1), Kind: spec.kind, Path: path, AsOf: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
		rows := n / kinds
		if k == 0 {
			rows += n % kinds
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f, err := os.Create(path)
			if err != nil {
				errc <- err
				return
			}
			w := bufio.NewWriterSize(f, 1<<20)
			w.WriteString(spec.header)
			w.WriteString("\r\n")
			x := uint64(k+1) * 0x9E3779B97F4A7C15
			var line [18]byte
			for i := 0; i < rows; i++ {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				name := names[x>>40%8]
				member := x%50 == 0
				if member {
					m := int(x>>20) % len(ids)
					w.WriteString(ids[m])
					name = names[m%len(names)] // as registered: no name mismatch
				} else {
					// An outsider: k, i give a distinct person per row.
					o := k*rows + i
					copy(line[:], fastID("110105", o/1000, o%1000))
					w.Write(line[:])
				}
				w.WriteByte(',')
				w.WriteString(name)
				w.WriteByte(',')
				if member && x>>30%10 != 0 {
					spec.benign(w, x>>8) // nine in ten members' rows are no doubt
				} else {
					spec.row(w, x>>8)
				}
				w.WriteString("\r\n")
			}
			if err := w.Flush(); err != nil {
				errc <- err
				return
			}
			st, _ := f.Stat()
			f.Close()
			mu.Lock()
			total += st.Size()
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	return files, total
}

func run(b *testing.B, name string, args ...string) time.Duration {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr // nil: /dev/null
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return time.Since(t0)
}

func minOf(n int, f func() time.Duration) time.Duration {
	best := f()
	for i := 1; i < n; i++ {
		best = min(best, f())
	}
	return best
}

// sqliteLoadJoin is the baseline: the sqlite3 shell imports the members
// and the ten files into a fresh database, indexes the members after the
// load (the faster order) and joins every file with them.
func sqliteLoadJoin(b *testing.B, dir, membersCSV string, files []DatasetFile) time.Duration {
	dbPath := filepath.Join(dir, "baseline.db")
	defer os.Remove(dbPath)
	var script strings.Builder
	script.WriteString("PRAGMA journal_mode=OFF;\nPRAGMA synchronous=OFF;\n.mode csv\n")
	script.WriteString("CREATE TABLE members (id_number TEXT, household_id INTEGER);\n.import " + membersCSV + " members\n")
	script.WriteString("CREATE INDEX members_id ON members (id_number);\n")
	for i, f := range files {
		fmt.Fprintf(&script, ".import %s d%d\n", f.Path, i)
	}
	for i := range files {
		fmt.Fprintf(&script, "SELECT count(*), count(DISTINCT m.household_id) FROM d%d d JOIN members m ON m.id_number = d.\"身份证号\";\n", i)
	}
	cmd := exec.Command("sqlite3", dbPath)
	cmd.Stdin = strings.NewReader(script.String())
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("sqlite3: %v", err)
	}
	took := time.Since(t0)
	b.Logf("sqlite3 load and join: %v, counts %q", took.Round(time.Millisecond), strings.Fields(string(out)))
	return took
}
