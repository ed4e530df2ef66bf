package projects

// The projects figures: the Kanban board, the project list, the asset register (summary and
// map) and the asset list over SUNSHINE_BENCH_PROJECTS projects (default 20,000, nine stage
// rows each) and SUNSHINE_BENCH_ASSETS assets (default 100,000) across the nine counties of a
// synthetic city (10 towns × 20 villages each), each reporting p99-ms and mean-ms over b.N
// calls, beside two baselines measured in the same run: one project by id (BenchmarkProjectGet)
// and a bare SELECT 1 round trip (BenchmarkSelect1).
//
//	SUNSHINE_TEST_DB=postgres go test -run '^$' -bench 'Board|AssetRegister|ProjectList|AssetList|ProjectGet|Select1' ./internal/projects/
//
// The data is seeded once per process with bulk SQL (db.Tx.BulkLoad) and shared by every
// benchmark of the run; TestMain drops it at the end.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/benchmem"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/idcard"
)

func TestMain(m *testing.M) {
	code := m.Run()
	projBenchCleanup()
	os.Exit(code)
}

// projBenchKeep is a testing.TB whose cleanups outlive the benchmark that opened the database:
// they run when the process ends (TestMain), so every benchmark of the run shares one seed.
type projBenchKeep struct{ testing.TB }

var (
	projBenchMu       sync.Mutex
	projBenchCleanups []func()
	projBenchOnce     sync.Once
	projBenchData     *projBench
	projBenchErr      error
)

func (k projBenchKeep) Cleanup(f func()) {
	projBenchMu.Lock()
	projBenchCleanups = append(projBenchCleanups, f)
	projBenchMu.Unlock()
}

func (k projBenchKeep) TempDir() string {
	dir, err := os.MkdirTemp("", "sunshine-projects-bench-")
	if err != nil {
		k.TB.Fatal(err)
	}
	k.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func projBenchCleanup() {
	projBenchMu.Lock()
	defer projBenchMu.Unlock()
	for i := len(projBenchCleanups) - 1; i >= 0; i-- {
		projBenchCleanups[i]()
	}
	projBenchCleanups = nil
}

// projBench is the seeded city.
type projBench struct {
	d        *db.DB
	s        *Service
	city     *auth.Principal
	county   *auth.Principal // the office of the first county
	counties []string
	projects int
	assets   int
	maxID    int64
}

const projBenchCity = "320900000000"

var projBenchCounties = []string{"320902", "320903", "320904", "320921", "320922", "320923", "320924", "320925", "320981"}

func projBenchEnv(b *testing.B, name string, def, least int) int {
	n := def
	if s := os.Getenv(name); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < least {
			b.Fatalf("%s=%q: want a number ≥ %d", name, s, least)
		}
	}
	return n
}

func benchProjects(b *testing.B) *projBench {
	b.Helper()
	projBenchOnce.Do(func() {
		start := time.Now()
		projBenchData, projBenchErr = seedProjBench(projBenchKeep{b}, projBenchEnv(b, "SUNSHINE_BENCH_PROJECTS", 20_000, 1800),
			projBenchEnv(b, "SUNSHINE_BENCH_ASSETS", 100_000, 100))
		if projBenchErr == nil {
			b.Logf("seeded %d projects, %d assets in %s", projBenchData.projects, projBenchData.assets, time.Since(start).Round(time.Millisecond))
		}
	})
	if projBenchErr != nil {
		b.Fatal(projBenchErr)
	}
	return projBenchData
}

// seedProjBench writes the city: regions; 10 registered households per village; one fund
// whose money county finance moved into three projects in five (and the implementer was paid
// from one in three); projects of the three kinds spread over the stages (completed, failed,
// overdue ones among them) with their nine stage rows and three beneficiaries each; assets
// of accepted projects with two entitled households each, coordinates, one in ten with a
// year's income (the older ones distributed).
func seedProjBench(tb testing.TB, nProjects, nAssets int) (*projBench, error) {
	ctx := context.Background()
	d := dbtest.Open(tb)
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	d.Clock = func() time.Time { return now }
	pb := &projBench{d: d, s: &Service{DB: d, Audit: &audit.Service{DB: d}}, counties: projBenchCounties, projects: nProjects, assets: nAssets}
	pb.city = &auth.Principal{UserID: 1, Username: "bench", Name: "基准", Role: auth.PovertyOffice, Scope: projBenchCity}
	pb.county = &auth.Principal{UserID: 2, Username: "bench-county", Name: "基准县", Role: auth.PovertyOffice, Scope: projBenchCounties[3] + "000000"}
	day := func(offset int) string { return db.Date(now.AddDate(0, 0, offset)) }

	var towns, villages []string
	load := func(fn func(tx *db.Tx, ts string) error) error {
		return d.InTx(ctx, func(tx *db.Tx) error { return fn(tx, db.Time(tx.Now)) })
	}
	if err := load(func(tx *db.Tx, ts string) error {
		regions := [][]any{{projBenchCity, "盐城市", "city", nil, ts, ts}}
		for ci, c := range projBenchCounties {
			county := c + "000000"
			regions = append(regions, []any{county, "县" + strconv.Itoa(ci), "county", projBenchCity, ts, ts})
			for t := 0; t < 10; t++ {
				town := fmt.Sprintf("%s%03d000", c, 100+t)
				towns = append(towns, town)
				regions = append(regions, []any{town, fmt.Sprintf("县%d镇%d", ci, t), "town", county, ts, ts})
				for v := 0; v < 20; v++ {
					village := town[:9] + strconv.Itoa(201+v)
					villages = append(villages, village)
					regions = append(regions, []any{village, fmt.Sprintf("镇%d村%d", t, v), "village", town, ts, ts})
				}
			}
		}
		return tx.BulkLoad(ctx, "regions", []string{"code", "name", "level", "parent_code", "created_at", "updated_at"}, regions)
	}); err != nil {
		return nil, err
	}
	// households: 10 per village, ids 1.. in village order
	const perVillage = 10
	hhOf := func(v, k int) int64 { return int64(v*perVillage + k%perVillage + 1) }
	if err := load(func(tx *db.Tx, ts string) error {
		rows := make([][]any, 0, len(villages)*perVillage)
		for vi, v := range villages {
			for k := 0; k < perVillage; k++ {
				id := hhOf(vi, k)
				birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(id)/500)
				rows = append(rows, []any{id, fmt.Sprintf("H%s%03d", v, k), v, "户主" + strconv.FormatInt(id, 10),
					idcard.Make(v[:6], birth, int(id)%500, idcard.Sex(id%2)), "general", "registered", "2024-01-01", 1,
					fmt.Sprintf("622848%013d", id), ts, ts})
			}
		}
		return tx.BulkLoad(ctx, "households", []string{"id", "household_no", "region_code", "head_name", "head_id_number", "household_type",
			"status", "registered_on", "members_count", "account_no", "created_at", "updated_at"}, rows)
	}); err != nil {
		return nil, err
	}

	// projects: project i sits in village i % len(villages) (village and household kinds), or
	// in that village's town (household kind, every other one; carriers) or county (carriers,
	// every third one). Stage from a spread that leaves most projects early and a long tail
	// completed; one in thirty failed (stage kept).
	type proj struct {
		id      int64
		region  string
		village int
		stage   int
		status  string
		kind    string
		account int64
	}
	ps := make([]proj, nProjects)
	kinds := []string{"village", "village", "household", "carrier"}
	spread := []int{0, 0, 1, 1, 2, 3, 4, 5, 5, 5, 6, 7, 7, 8, 9, 9, 9, 9, 9, 9}
	// ledger: account ids 1..9 county finance, 10 the fund's source, then one per project, then
	// one village collective account per village, then one implementer (enterprise) per county
	const fundID = 1
	finance := func(ci int) int64 { return int64(1 + ci) }
	const source = int64(10)
	projAcct := func(i int) int64 { return int64(11 + i) }
	villageAcct := func(vi int) int64 { return int64(11 + nProjects + vi) }
	enterprise := func(ci int) int64 { return int64(11 + nProjects + len(villages) + ci) }
	countyOf := func(region string) int { return slices.Index(projBenchCounties, region[:6]) }
	for i := range ps {
		vi := i % len(villages)
		v := villages[vi]
		p := proj{id: int64(i + 1), village: vi, kind: kinds[(i/len(villages)+i)%len(kinds)], status: "active", account: projAcct(i)}
		p.stage = spread[(i*7+i/len(villages))%len(spread)]
		if i < len(villages) {
			p.kind, p.stage = "village", Done // every village has a completed village project
		}
		switch {
		case p.kind == "village":
			p.region = v
		case p.kind == "household" && i%2 == 0:
			p.region = v
		case p.kind == "household", p.kind == "carrier" && i%3 != 0:
			p.region = v[:9] + "000"
		default:
			p.region = v[:6] + "000000"
		}
		if p.stage == Done {
			p.status = "completed"
		} else if i%30 == 17 {
			p.status = "failed"
		}
		ps[i] = p
	}
	if err := load(func(tx *db.Tx, ts string) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO funds (id, code, name, source_level, category, year, amount_fen, region_code,
			via_city, received_on, deadline, created_by, created_at) VALUES (?, 'BENCH-XM', '基准项目资金', 'province', 'fiscal', 2026, ?, ?, 1,
			'2026-01-05', '2026-12-31', 1, ?)`, fundID, int64(1)<<50, projBenchCity, ts); err != nil {
			return err
		}
		accts := make([][]any, 0, 11+nProjects+len(villages)+9)
		for ci, c := range projBenchCounties {
			accts = append(accts, []any{finance(ci), "finance", "县财政" + strconv.Itoa(ci), c + "000000", nil, 1, ts})
		}
		accts = append(accts, []any{source, "source", "资金来源: 基准项目资金", projBenchCity, fundID, 1, ts})
		for i, p := range ps {
			accts = append(accts, []any{projAcct(i), "project", fmt.Sprintf("XM%d-%06d 基准项目%d", 2024+i%3, i+1, i+1), p.region, nil, 1, ts})
		}
		for vi, v := range villages {
			accts = append(accts, []any{villageAcct(vi), "village", v + "村集体", v, nil, 1, ts})
		}
		for ci, c := range projBenchCounties {
			accts = append(accts, []any{enterprise(ci), "enterprise", "施工单位" + strconv.Itoa(ci), c + "000000", nil, 1, ts})
		}
		if err := tx.BulkLoad(ctx, "ledger_accounts", []string{"id", "kind", "name", "region_code", "fund_id", "created_by", "created_at"}, accts); err != nil {
			return err
		}
		// money: source → county finance (allocate), finance → project (transfer) for three
		// projects in five, project → implementer for one in three of those
		var transfers [][]any
		bal := map[int64]int64{}
		move := func(from, to int64, amount int64, on, kind, region string) {
			transfers = append(transfers, []any{fundID, from, to, amount, on, kind, "基准", region, 1, ts})
			bal[from] -= amount
			bal[to] += amount
		}
		received := make([]int64, len(ps))
		var perCounty [9]int64
		for i, p := range ps {
			if i%5 < 3 {
				received[i] = 30_000_000 + int64(i%7)*10_000_000
				perCounty[countyOf(p.region)] += received[i]
			}
		}
		for ci, c := range projBenchCounties {
			move(source, finance(ci), perCounty[ci]+100_000_000, "2026-01-10", "allocate", c+"000000")
		}
		for i, p := range ps {
			if received[i] == 0 {
				continue
			}
			move(finance(countyOf(p.region)), p.account, received[i], day(-200+i%150), "transfer", p.region)
			if i%3 == 0 {
				ci := countyOf(p.region)
				move(p.account, enterprise(ci), received[i]/2, day(-30+i%20), "transfer", projBenchCounties[ci]+"000000")
			}
		}
		if err := tx.BulkLoad(ctx, "ledger_transfers", []string{"fund_id", "from_account", "to_account", "amount_fen", "on_date", "kind",
			"doc_no", "region_code", "created_by", "created_at"}, transfers); err != nil {
			return err
		}
		balances := make([][]any, 0, len(bal))
		for acct, v := range bal {
			balances = append(balances, []any{acct, fundID, v, "2026-01-10", day(-1)})
		}
		slices.SortFunc(balances, func(a, b []any) int { return int(a[0].(int64) - b[0].(int64)) })
		return tx.BulkLoad(ctx, "ledger_balances", []string{"account_id", "fund_id", "balance_fen", "first_in_on", "last_in_on"}, balances)
	}); err != nil {
		return nil, err
	}
	// projects and their stages, in chunks
	const chunk = 5000
	for lo := 0; lo < len(ps); lo += chunk {
		if err := load(func(tx *db.Tx, ts string) error {
			var prow, srow, brow [][]any
			for i := lo; i < min(lo+chunk, len(ps)); i++ {
				p := ps[i]
				subkind := ""
				budget := int64(60_000_000)
				switch p.kind {
				case "village":
					subkind = VillageSubkinds[i%len(VillageSubkinds)]
					if subkind == "land_share" {
						budget = 200_000_000
					}
				case "carrier":
					subkind = CarrierSubkinds[i%2]
					budget = 150_000_000
				case "household":
					budget = 30_000_000
				}
				// stage k of the project ran [start+k*40, start+k*40+40); the current stage
				// began at its planned start and is due 40 days later, so one project in six is
				// overdue by a few weeks
				startOff := -40*p.stage - 10 - i%25
				if p.stage < Done && i%6 == 1 {
					startOff -= 30
				}
				var since string
				var due any
				for k := 0; k < Done; k++ {
					ps0, pe0 := day(startOff+40*k), day(startOff+40*k+39)
					var as, ae, signer, name, role, scope any = nil, nil, nil, "", "", ""
					if k < p.stage {
						as, ae, signer, name, role, scope = ps0, pe0, int64(1), "签字人", string(auth.PovertyOffice), p.region
					} else if k == p.stage {
						as, since, due = ps0, ps0, pe0
					}
					srow = append(srow, []any{p.id, k, ps0, pe0, as, ae, signer, name, role, scope})
				}
				if p.stage == Done {
					since, due = day(startOff+40*Done), nil
				}
				prow = append(prow, []any{p.id, fmt.Sprintf("XM%d-%s-%04d", 2024+i%3, p.region[:6], i+1), fmt.Sprintf("基准项目%d", i+1), p.kind,
					subkind, p.region, 2024 + i%3, budget, "实施单位" + strconv.Itoa(i%97), p.stage, since, due, p.status, p.account, 1, ts, ts})
				for k := 0; k < 3; k++ {
					status := "approved"
					if p.kind == "household" {
						status = []string{"applied", "village", "town", "approved", "approved", "rejected"}[(i+k)%6]
					}
					brow = append(brow, []any{p.id, hhOf(p.village, i/len(villages)*3+k), "dividend", int64(100_000), status,
						villages[p.village], 1, ts, ts})
				}
			}
			if err := tx.BulkLoad(ctx, "projects", []string{"id", "code", "name", "kind", "subkind", "region_code", "year", "budget_fen", "implementer",
				"stage", "stage_since", "stage_due", "status", "account_id", "created_by", "created_at", "updated_at"}, prow); err != nil {
				return err
			}
			if err := tx.BulkLoad(ctx, "project_stages", []string{"project_id", "stage", "planned_start", "planned_end", "actual_start", "actual_end",
				"signed_by", "signed_by_name", "signed_role", "signed_scope"}, srow); err != nil {
				return err
			}
			return tx.BulkLoad(ctx, "project_beneficiaries", []string{"project_id", "household_id", "link", "expected_income_fen", "status",
				"region_code", "created_by", "created_at", "updated_at"}, brow)
		}); err != nil {
			return nil, err
		}
	}
	// assets: asset j in village j % len(villages), formed by an accepted (stage ≥ 7, not
	// failed) village project of that village — the completed one every village has, or a
	// later one. One in ten has a year's income, as its own fund.
	byVillage := make([][]int, len(villages))
	for i, p := range ps {
		if p.kind == "village" && p.stage > Acceptance && p.status != "failed" {
			byVillage[p.village] = append(byVillage[p.village], i)
		}
	}
	statuses := []string{"in_use", "in_use", "in_use", "in_use", "in_use", "in_use", "in_use", "in_use", "in_use", "in_use", "in_use",
		"in_use", "in_use", "in_use", "in_use", "in_use", "idle", "idle", "lost", "disposed"}
	nextFund := int64(fundID + 1)
	for lo := 0; lo < nAssets; lo += 20_000 {
		if err := load(func(tx *db.Tx, ts string) error {
			var arow, brow, frow, irow [][]any
			for j := lo; j < min(lo+20_000, nAssets); j++ {
				vi := j % len(villages)
				v := villages[vi]
				cands := byVillage[vi]
				pi := cands[(j/len(villages))%len(cands)]
				id := int64(j + 1)
				code := fmt.Sprintf("ZC%d-%s-%05d", 2024+j%3, v[:6], j+1)
				var lat, lng any
				if j%10 != 9 { // one in ten has no coordinates
					lat = 33.0 + float64(countyOf(v))*0.12 + float64(vi%200)*0.002 + float64(j%13)*0.0001
					lng = 119.8 + float64(countyOf(v))*0.09 + float64(vi%200)*0.0015 + float64(j%7)*0.0001
				}
				arow = append(arow, []any{id, code, fmt.Sprintf("资产%d", j+1), ps[pi].id, AssetKinds[(j+j/len(villages))%len(AssetKinds)], int64(1_000_000 + (j%50)*200_000),
					"村集体", v, fmt.Sprintf("不动产权第%07d号", j+1), "管护人" + strconv.Itoa(j%89), "村部东侧", lat, lng,
					statuses[(j+j/len(villages)*7)%len(statuses)], day(-300 + j%200), villageAcct(vi), 1, ts, ts})
				for k := 0; k < 2; k++ {
					brow = append(brow, []any{id, hhOf(vi, j/len(villages)*2+k), 1 + k, ts})
				}
				if j%10 == 3 {
					fid := nextFund
					nextFund++
					amount := int64(500_000 + (j%20)*10_000)
					status, on := "distributed", day(-200+j%60)
					var distributed any = day(-150 + j%60)
					if j%30 == 3 { // one in three incomes waits, some beyond the 90 days
						status, on, distributed = "recorded", day(-150+j%140), nil
					}
					frow = append(frow, []any{fid, "SY-" + code + "-2025", fmt.Sprintf("资产%d2025年资产收益", j+1), "village", "income", 2025, amount, v, 1,
						on, day(-150 + j%140 + UndistributedDays), 1, ts})
					irow = append(irow, []any{id, 2025, amount, on, fid, status, distributed, v, 1, ts})
				}
			}
			if err := tx.BulkLoad(ctx, "assets", []string{"id", "code", "name", "project_id", "kind", "value_fen", "ownership", "region_code",
				"property_reg_no", "custodian", "location", "lat", "lng", "status", "formed_on", "account_id", "created_by", "created_at", "updated_at"}, arow); err != nil {
				return err
			}
			if err := tx.BulkLoad(ctx, "asset_beneficiaries", []string{"asset_id", "household_id", "share", "created_at"}, brow); err != nil {
				return err
			}
			if err := tx.BulkLoad(ctx, "funds", []string{"id", "code", "name", "source_level", "category", "year", "amount_fen", "region_code",
				"via_city", "received_on", "deadline", "created_by", "created_at"}, frow); err != nil {
				return err
			}
			return tx.BulkLoad(ctx, "asset_incomes", []string{"asset_id", "year", "amount_fen", "received_on", "fund_id", "status", "distributed_on",
				"region_code", "created_by", "created_at"}, irow)
		}); err != nil {
			return nil, err
		}
	}
	// the register's tallies, which the service keeps on every asset write
	if err := load(func(tx *db.Tx, _ string) error { return fillTallies(ctx, tx) }); err != nil {
		return nil, err
	}
	if d.Dialect == db.Postgres {
		if err := load(func(tx *db.Tx, _ string) error {
			for _, t := range []string{"households", "ledger_accounts", "funds", "projects", "assets"} {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if err := d.Analyze(ctx, "regions", "households", "ledger_accounts", "ledger_transfers", "ledger_balances", "funds", "projects", "project_stages",
		"project_beneficiaries", "assets", "asset_beneficiaries", "asset_incomes", "asset_tallies"); err != nil {
		return nil, err
	}
	pb.maxID = int64(nProjects)
	return pb, nil
}

// projBenchLatency collects call latencies and reports p99-ms and mean-ms (and p50-ms).
type projBenchLatency []time.Duration

func (l projBenchLatency) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := slices.Clone(l)
	slices.Sort(s)
	q := func(p float64) float64 { return float64(s[int(math.Ceil(p*float64(len(s)))-1)].Microseconds()) / 1000 }
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(s)), "mean-ms")
}

// projBenchLoop runs call b.N times, JSON-encoding each answer as the API would, and reports.
func projBenchLoop(b *testing.B, call func(i int) (any, error)) {
	b.Helper()
	lat := make(projBenchLatency, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchmem.CPU()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		v, err := call(i)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	cpu := benchmem.CPU() - cpu0
	lat.report(b)
	// the process's CPU a call (on SQLite this includes the database's work; on PostgreSQL
	// only the client's): steadier than wall time on a busy machine
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms")
}

// BenchmarkBoard is the Kanban of the whole city and of one county (all kinds, every year).
func BenchmarkBoard(b *testing.B) {
	pb := benchProjects(b)
	ctx := context.Background()
	b.Run("City", func(b *testing.B) {
		projBenchLoop(b, func(int) (any, error) { return pb.s.Board(ctx, pb.city, projBenchCity, "", 0) })
		b.ReportMetric(float64(pb.projects), "projects")
	})
	b.Run("County", func(b *testing.B) {
		projBenchLoop(b, func(int) (any, error) { return pb.s.Board(ctx, pb.county, pb.county.Scope, "", 0) })
	})
}

// BenchmarkProjectList is the first page of the project list filtered by county and stage
// (cycling through the counties and stages), as the city office opens it.
func BenchmarkProjectList(b *testing.B) {
	pb := benchProjects(b)
	ctx := context.Background()
	projBenchLoop(b, func(i int) (any, error) {
		return pb.s.Projects(ctx, pb.city, ProjectFilter{Region: pb.counties[i%len(pb.counties)] + "000000", Stage: i % Done, Limit: 51})
	})
	b.ReportMetric(float64(pb.projects), "projects")
}

// BenchmarkAssetRegister is the asset register's summary and map of the whole city.
func BenchmarkAssetRegister(b *testing.B) {
	pb := benchProjects(b)
	ctx := context.Background()
	projBenchLoop(b, func(int) (any, error) { return pb.s.AssetRegister(ctx, pb.city, AssetFilter{Region: projBenchCity}) })
	b.ReportMetric(float64(pb.assets), "assets")
}

// BenchmarkAssetList is the first page of the asset list filtered by county and status.
func BenchmarkAssetList(b *testing.B) {
	pb := benchProjects(b)
	ctx := context.Background()
	projBenchLoop(b, func(i int) (any, error) {
		return pb.s.Assets(ctx, pb.city, AssetFilter{Region: pb.counties[i%len(pb.counties)] + "000000", Status: AssetStatuses[i%len(AssetStatuses)], Limit: 51})
	})
	b.ReportMetric(float64(pb.assets), "assets")
}

// BenchmarkProjectGet is the baseline: one project page by id (stages, documents, funding).
func BenchmarkProjectGet(b *testing.B) {
	pb := benchProjects(b)
	ctx := context.Background()
	projBenchLoop(b, func(i int) (any, error) { return pb.s.Project(ctx, pb.city, 1+int64(i*7919)%pb.maxID) })
}

// BenchmarkSelect1 is the floor: a bare round trip to the database.
func BenchmarkSelect1(b *testing.B) {
	pb := benchProjects(b)
	ctx := context.Background()
	projBenchLoop(b, func(int) (any, error) {
		var one int
		err := pb.d.Reader().QueryRowContext(ctx, `SELECT 1`).Scan(&one)
		return one, err
	})
}
