package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/idcard"
	"sunshine/internal/registry"
	"sunshine/web"
)

// The public portal's figures (issue 9): the village page and the own-household query on the
// city demo through the whole binary's handler on a loopback socket, beside a bare static file
// (a hashed asset) served by the same handler in the same run; each quiet and again while the
// office console is busy.
//
// The load generator runs in this process on the same two cores as the server: every figure,
// the static-file baseline included, pays for its client side too (cpu-us/req is the whole
// process's CPU per public request: server, generator and, in the busy runs, the console).
//
// "console" is the office console in use: four office users each listing their village's
// households every consolePace and one editing a household record every 2×consolePace (GET
// the file, PUT it with its version: a write transaction with its audit event), about 50
// console requests a second, a busy city office. "console-flat-out" is the same five in
// closed loops with no think time: the console alone then takes both cores (a list page of a
// city-demo village costs milliseconds of CPU), and what the public gets is Go's scheduler's
// share; it shows the limit, not an office. console-req/s is what the console got done
// meanwhile.
//
// The own-household queries are half right pairs (active members of the demo, those whose
// household has payments first, each asked at most four times in the whole run) and half
// unknown ID numbers, each query from its own client address, as a surge of different people
// would come: the bench's server sets the request's RemoteAddr
// from a header the generator sends (the only thing it changes), so the limiter runs with the
// production limits (10 an hour a client, 5 an ID number) and never refuses. Captchas are
// drawn before the timer (GET /api/v1/public/captcha is its own cost, see selfquery's
// BenchmarkCaptcha). queries/commit is how many queries shared a write transaction.
func BenchmarkPublicUnderConsole(b *testing.B) {
	e := newPublicEnv(b)
	for _, mode := range []string{"quiet", "console", "console-flat-out"} {
		pace := map[string]time.Duration{"quiet": -1, "console": consolePace, "console-flat-out": 0}[mode]
		b.Run(mode+"/static-file", func(b *testing.B) { e.run(b, pace, e.get(e.srv.URL+"/"+e.asset)) })
		b.Run(mode+"/village-page", func(b *testing.B) { e.run(b, pace, e.get(e.srv.URL+"/api/v1/public/regions/"+e.village)) })
		b.Run(mode+"/household-query", func(b *testing.B) {
			c0, q0 := e.app.SelfQuery.CommitStats()
			e.run(b, pace, e.queries(b))
			if c, q := e.app.SelfQuery.CommitStats(); c > c0 {
				b.ReportMetric(float64(q-q0)/float64(c-c0), "queries/commit")
			}
		})
	}
}

// BenchmarkPublicPortalCity: the console's household list alone and while 32 public clients
// hammer the village page (the other direction: the console under a public surge).
func BenchmarkPublicPortalCity(b *testing.B) {
	e := newPublicEnv(b)
	page := e.srv.URL + "/api/v1/public/regions/" + e.village
	b.Run("village-households", func(b *testing.B) {
		load(b, e.srv.URL+"/api/v1/public/regions/"+e.village+"/households?limit=50", http.Header{}, 32)
	})
	console := e.srv.URL + "/api/v1/households?region=" + e.village
	b.Run("console-alone", func(b *testing.B) { load(b, console, http.Header{"Cookie": {e.cookie}}, 4) })
	b.Run("console-during-surge", func(b *testing.B) {
		var stop atomic.Bool
		var wg sync.WaitGroup
		var surge atomic.Int64
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					r, err := client.Get(page)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, r.Body)
					r.Body.Close()
					surge.Add(1)
				}
			}()
		}
		load(b, console, http.Header{"Cookie": {e.cookie}}, 4)
		stop.Store(true)
		wg.Wait()
		b.ReportMetric(float64(surge.Load()), "portal-reqs")
	})
}

type publicEnv struct {
	app          *App
	srv          *httptest.Server
	village      string
	asset        string
	cookie, csrf string
	households   []int64     // of the village, edited by the console's writer
	pairs        [][2]string // right (ID number, name) pairs, those with payments first
	asked        int         // queries made so far: each run asks new ID numbers
}

func newPublicEnv(b *testing.B) *publicEnv {
	ctx := context.Background()
	e := &publicEnv{}
	_ = fs.WalkDir(web.Assets(), "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && e.asset == "" && strings.HasSuffix(p, ".css") {
			e.asset = p
		}
		return nil
	})
	if e.asset == "" {
		b.Skip("web/dist not built")
	}
	d := dbtest.Open(b)
	e.app = New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// The whole city demo, as `sunshine demo --scale city` loads it (funds and payments,
	// projects, social, oversight).
	if err := loadDemo(ctx, e.app, demo.City.Name, io.Discard); err != nil {
		b.Fatal(err)
	}
	h := e.app.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := r.Header.Get(benchClient); c != "" {
			r.RemoteAddr = c + ":1"
		}
		h.ServeHTTP(w, r)
	}))
	b.Cleanup(e.srv.Close)
	q := d.Reader()
	if err := q.QueryRowContext(ctx, `SELECT region_code FROM households GROUP BY region_code ORDER BY COUNT(*) DESC, region_code LIMIT 1`).Scan(&e.village); err != nil {
		b.Fatal(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM households WHERE region_code = ? AND status = 'registered' ORDER BY id LIMIT 20`, e.village)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		e.households = append(e.households, id)
	}
	rows.Close()
	// Right pairs: active members of registered households, those with payments first.
	rows, err = q.QueryContext(ctx, `SELECT m.id_number, m.name FROM members m JOIN households h ON h.id = m.household_id
		WHERE m.active = 1 AND h.status = 'registered'
		ORDER BY EXISTS (SELECT 1 FROM ledger_accounts a JOIN ledger_transfers t ON t.to_account = a.id AND t.kind = 'payment'
			WHERE a.household_id = h.id AND a.kind = 'passbook') DESC, m.id_number LIMIT 40000`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var p [2]string
		_ = rows.Scan(&p[0], &p[1])
		e.pairs = append(e.pairs, p)
	}
	rows.Close()
	if len(e.pairs) == 0 || len(e.households) == 0 {
		b.Fatal("the city demo has no paid members or no households")
	}
	res, err := http.Post(e.srv.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"poverty_office_`+e.village[:6]+`","password":"`+demo.Password+`"}`))
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("login: %v %v", err, res)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	e.csrf = me.CSRF
	for _, c := range res.Cookies() {
		e.cookie += c.Name + "=" + c.Value + "; "
	}
	return e
}

// get makes request i as a GET of url.
func (e *publicEnv) get(url string) func(int) *http.Request {
	return func(int) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, url, nil)
		return r
	}
}

// queries draws b.N captchas and returns request i as the i-th own-household query.
func (e *publicEnv) queries(b *testing.B) func(int) *http.Request {
	bodies := make([][]byte, b.N)
	if (e.asked+b.N)/2 >= 4*len(e.pairs) {
		b.Fatalf("%d queries would ask a pair more than four times an hour", e.asked+b.N)
	}
	for i := range bodies {
		c, ans, err := e.app.SelfQuery.NewCaptchaWithAnswer(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		k := e.asked + i
		p := e.pairs[k/2%len(e.pairs)]
		if k%2 == 1 { // an ID number of Beijing's Dongcheng: nobody in the demo
			p = [2]string{idcard.Make("110101", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k/500), k%500, idcard.Male), "张三"}
		}
		bodies[i], _ = json.Marshal(map[string]string{"id_number": p[0], "name": p[1], "captcha_token": c.Token, "captcha_answer": ans})
	}
	first := e.asked
	e.asked += b.N
	url := e.srv.URL + "/api/v1/public/household-query"
	return func(i int) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
		r.Header.Set("Content-Type", "application/json")
		k := first + i
		r.Header.Set(benchClient, fmt.Sprintf("10.%d.%d.%d", k>>16&255, k>>8&255, k&255))
		return r
	}
}

// benchClient carries the client address the bench's server gives a request.
const benchClient = "X-Bench-Client"

// consolePace is the think time of each console user in the "console" runs.
const consolePace = 100 * time.Millisecond

// run sends b.N public requests from 32 keep-alive clients, with the console at pace (none
// when negative, flat out when 0), and reports req/s, p99-ms, cpu-us/req and, with the
// console, console-req/s.
func (e *publicEnv) run(b *testing.B, pace time.Duration, mk func(int) *http.Request) {
	var stopConsole func() float64
	if pace >= 0 {
		stopConsole = e.console(b, pace)
	}
	const c = 32
	n := b.N
	tr := &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c, DialContext: (&net.Dialer{}).DialContext}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				req := mk(i)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d: %.200s", resp.StatusCode, body)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if stopConsole != nil {
		b.ReportMetric(stopConsole()/elapsed.Seconds(), "console-req/s")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/req")
}

// console starts four readers, each listing every pace, and one writer editing every 2×pace
// (closed loops when pace is 0); the returned stop ends them and gives how many requests
// they completed.
func (e *publicEnv) console(b *testing.B, pace time.Duration) func() float64 {
	ctx, cancel := context.WithCancel(context.Background())
	var done atomic.Int64
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	client := &http.Client{Transport: tr}
	do := func(method, url string, body []byte) (int, []byte) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		r, _ := http.NewRequestWithContext(ctx, method, url, rd)
		r.Header.Set("Cookie", e.cookie)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-CSRF-Token", e.csrf)
		}
		resp, err := client.Do(r)
		if err != nil {
			return 0, nil
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done.Add(1)
		return resp.StatusCode, out
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next := time.Now(); ctx.Err() == nil; next = next.Add(pace) {
				wait(ctx, next)
				if st, body := do(http.MethodGet, e.srv.URL+"/api/v1/households?region="+e.village, nil); st != 200 && ctx.Err() == nil {
					b.Errorf("console list: %d %.200s", st, body)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, next := 0, time.Now(); ctx.Err() == nil; i, next = i+1, next.Add(2*pace) {
			wait(ctx, next)
			id := strconv.FormatInt(e.households[i%len(e.households)], 10)
			st, body := do(http.MethodGet, e.srv.URL+"/api/v1/households/"+id, nil)
			if st != 200 {
				if ctx.Err() == nil {
					b.Errorf("console file: %d %.200s", st, body)
				}
				return
			}
			var f struct{ Household json.RawMessage }
			var h struct{ Version int64 }
			var in registry.HouseholdInput
			_ = json.Unmarshal(body, &f)
			_ = json.Unmarshal(f.Household, &h)
			_ = json.Unmarshal(f.Household, &in)
			in.Address = strings.TrimRight(in.Address, "0123456789") + strconv.Itoa(i%10)
			put, _ := json.Marshal(map[string]any{"version": h.Version, "household": in})
			if st, body := do(http.MethodPut, e.srv.URL+"/api/v1/households/"+id, put); st != 200 && ctx.Err() == nil {
				b.Errorf("console edit: %d %.200s", st, body)
				return
			}
		}
	}()
	// Let the console get going before the public load starts.
	time.Sleep(200 * time.Millisecond)
	base := done.Load()
	return func() float64 {
		n := done.Load() - base
		cancel()
		wg.Wait()
		tr.CloseIdleConnections()
		return float64(n)
	}
}

// wait sleeps until t (at once if it has passed: a late console catches up) or ctx ends.
func wait(ctx context.Context, t time.Time) {
	if d := time.Until(t); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
}

// cpuTime is the process's user and system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
