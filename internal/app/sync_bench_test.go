package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sunshine/internal/account"
	"sunshine/internal/auth"
	"sunshine/internal/benchmem"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
)

// benchScale is one county with enough helpers for 50 phones.
var benchScale = demo.Scale{Name: "bench", Counties: []string{"320921"}, TownsPerCounty: 4, VillagesPerTown: 5, HouseholdsPerVillage: 25}

// phone is a helper's field app in the benchmark: its bearer token and its households.
type phone struct {
	token      string
	households []int64
}

// newFieldBench builds the full app on a fresh database of the dialect under test, served on
// loopback, with n helpers signed in to the field app (users linked by SQL, tokens issued
// through the accounts service as an administrator would).
func newFieldBench(b *testing.B, sc demo.Scale, n int) (*harness, []phone) {
	b.Helper()
	ctx := context.Background()
	d := dbtest.Open(b)
	if _, err := demo.Load(ctx, d, sc); err != nil {
		b.Fatal(err)
	}
	a := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(srv.Close)
	h := &harness{t: b, app: a, srv: srv}
	rows, err := d.Reader().QueryContext(ctx, `SELECT a.helper_id, a.household_id FROM assignments a JOIN helpers e ON e.id = a.helper_id
		WHERE a.to_date IS NULL AND e.active = 1 AND e.user_id IS NULL ORDER BY a.helper_id, a.household_id`)
	if err != nil {
		b.Fatal(err)
	}
	var order []int64
	byHelper := map[int64][]int64{}
	for rows.Next() {
		var helper, hh int64
		_ = rows.Scan(&helper, &hh)
		if _, ok := byHelper[helper]; !ok {
			order = append(order, helper)
		}
		byHelper[helper] = append(byHelper[helper], hh)
	}
	rows.Close()
	if len(order) < n {
		b.Fatalf("only %d helpers with households", len(order))
	}
	admin := &auth.Principal{UserID: 1, Name: "bench", Username: "bench", Role: auth.Admin, Scope: "320900000000"}
	phones := make([]phone, n)
	for i := range phones {
		var uid int64
		err := d.InTx(ctx, func(tx *db.Tx) error {
			now := db.Time(tx.Now)
			var err error
			if uid, err = tx.InsertID(ctx, `INSERT INTO users (username, display_name, role, scope_code, password_hash, created_at, updated_at)
				SELECT ?, name, 'helper', region_code, 'x', ?, ? FROM helpers WHERE id = ? RETURNING id`, fmt.Sprintf("bench_phone_%02d", i), now, now, order[i]); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE helpers SET user_id = ? WHERE id = ?`, uid, order[i])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		tok, err := a.Accounts.CreateToken(ctx, admin, uid, account.NewToken{Name: "手机APP bench", ExpiresDays: 180})
		if err != nil {
			b.Fatal(err)
		}
		phones[i] = phone{token: tok.Secret, households: byHelper[order[i]]}
	}
	return h, phones
}

// benchVisit is visit i of a phone, as the field app sends it.
func benchVisit(i int, household int64, sha string, at time.Time) []byte {
	v := map[string]any{"client_id": fmt.Sprintf("bench-%08d", i), "household_id": household,
		"visited_at": at.Format(time.RFC3339), "recorded_at": at.Add(8 * time.Minute).Format(time.RFC3339),
		"lat": 33.35, "lng": 120.16, "accuracy_m": 15,
		"guarantees": map[string]string{"food": "ok", "education": "na", "medical": "gap", "housing": "ok", "water": "ok"},
		"income_fen": 650000, "needs": "大病医疗费用负担重", "measures": "协助申请医疗救助", "notes": "",
		"confirmed": true, "confirmed_by": "户主", "photos": []any{map[string]any{"sha256": sha, "taken_at": at.Format(time.RFC3339)}}}
	body, _ := json.Marshal(map[string]any{"visits": []any{v}})
	return body
}

// BenchmarkSync50Phones: 50 phones on loopback each send visits through the whole stack —
// a 200 KB JPEG (distinct bytes per visit) as one part, then POST /api/v1/field/sync with the
// visit — with signals and audit written as in production. Reports visits/s and the p99
// latency of a visit (photo + sync); then checks nothing was lost or stored twice. Baseline
// in the same run: the same 50 clients POSTing 200 KB to a bare net/http handler that reads
// the body.
func BenchmarkSync50Phones(b *testing.B) {
	const clients = 50
	h, phones := newFieldBench(b, benchScale, clients)
	n := b.N
	pics := distinctPhotos(b, n, 200)
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DialContext: (&net.Dialer{}).DialContext}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	lat := make([]time.Duration, n)
	owner := make([]int, n) // which phone sent visit i
	var next atomic.Int64
	var accepted atomic.Int64
	visitedAt := time.Now().Add(-2 * time.Hour).UTC()
	post := func(url, token, ct string, body []byte) ([]byte, int, error) {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", ct)
		resp, err := client.Do(req)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		return out, resp.StatusCode, err
	}
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu0 := time.Now(), benchmem.CPU()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int, ph phone) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				pic := pics[i]
				sha := shaHex(pic)
				owner[i] = w
				body := benchVisit(i, ph.households[i%len(ph.households)], sha, visitedAt.Add(time.Duration(i)*time.Second))
				t0 := time.Now()
				out, st, err := post(fmt.Sprintf("%s/api/v1/field/photos/%s/parts?pos=0&size=%d", h.srv.URL, sha, len(pic)), ph.token, "application/octet-stream", pic)
				if err != nil || st != 200 || !bytes.Contains(out, []byte(`"complete":true`)) {
					b.Errorf("photo %d: %d %s %v", i, st, out, err)
					return
				}
				out, st, err = post(h.srv.URL+"/api/v1/field/sync", ph.token, "application/json", body)
				lat[i] = time.Since(t0)
				if err != nil || st != 200 || !bytes.Contains(out, []byte(`"status":"accepted"`)) {
					b.Errorf("sync %d: %d %s %v", i, st, out, err)
					return
				}
				accepted.Add(1)
			}
		}(w, phones[w])
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), benchmem.CPU()-cpu0
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "visits/s")
	// CPU (server and the simulated phones, one process) per visit: what the figure would be
	// on an idle machine is about cores × 1000 / this.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/visit")
	b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")

	// Nothing lost, nothing twice: every visit a row with its photo, its audit event; a replay
	// of each of the first visits is a duplicate and adds nothing.
	ctx := context.Background()
	q := h.app.DB.Reader()
	count := func(sql string) int {
		var c int
		if err := q.QueryRowContext(ctx, sql).Scan(&c); err != nil {
			b.Fatal(err)
		}
		return c
	}
	rowsN := count(`SELECT COUNT(*) FROM visits WHERE client_id LIKE 'bench-%'`)
	photosN := count(`SELECT COUNT(*) FROM visit_photos vp JOIN visits v ON v.id = vp.visit_id JOIN photos p ON p.sha256 = vp.sha256
		WHERE v.client_id LIKE 'bench-%' AND p.complete = 1`)
	events := count(`SELECT COUNT(*) FROM audit_events e JOIN visits v ON e.entity_type = 'visit' AND e.entity_id = ` + castText(h.app.DB.Dialect, "v.id") + `
		WHERE e.action = 'visit.create' AND v.client_id LIKE 'bench-%'`)
	if int(accepted.Load()) != n || rowsN != n || photosN != n || events != n {
		b.Fatalf("sent %d: accepted %d, rows %d, photos %d, audit events %d", n, accepted.Load(), rowsN, photosN, events)
	}
	for i := 0; i < min(n, clients); i++ {
		ph := phones[owner[i]]
		body := benchVisit(i, ph.households[i%len(ph.households)], shaHex(pics[i]), visitedAt.Add(time.Duration(i)*time.Second))
		out, st, err := post(h.srv.URL+"/api/v1/field/sync", ph.token, "application/json", body)
		if err != nil || st != 200 || !bytes.Contains(out, []byte(`"status":"duplicate"`)) {
			b.Fatalf("replay %d: %d %s %v", i, st, out, err)
		}
	}
	if after := count(`SELECT COUNT(*) FROM visits WHERE client_id LIKE 'bench-%'`); after != n {
		b.Fatalf("replays added rows: %d", after-n)
	}
	b.ReportMetric(0, "lost")
	b.ReportMetric(float64(rowsN-n), "duplicates")

	// Baseline: the same clients posting the same bytes to a bare handler that reads them.
	bare := benchBare(b, clients, n, pics[0])
	b.ReportMetric(bare.perSec, "bare-req/s")
	b.ReportMetric(bare.p99ms, "bare-p99-ms")
	b.ReportMetric(bare.cpuMs, "bare-cpu-ms/req")
}

func castText(d db.Dialect, col string) string {
	if d == db.Postgres {
		return col + "::text"
	}
	return "CAST(" + col + " AS TEXT)"
}

type bareResult struct{ perSec, p99ms, cpuMs float64 }

// benchBare posts body n times with c clients to a bare handler reading it.
func benchBare(b *testing.B, c, n int, body []byte) bareResult {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	url := "http://" + ln.Addr().String() + "/upload"
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), benchmem.CPU()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(url, "application/octet-stream", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	el, cpu := time.Since(start), benchmem.CPU()-cpu0
	slices.Sort(lat)
	return bareResult{perSec: float64(n) / el.Seconds(), p99ms: float64(lat[n*99/100].Microseconds()) / 1000,
		cpuMs: float64(cpu.Microseconds()) / 1000 / float64(n)}
}

// distinctPhotos makes n different pictures of about kb kilobytes each, before the clock
// starts: random colour noise, so each has its own bytes and its own perceptual hash (the same
// picture with other bytes would rightly raise same_photo on every visit), and decoding costs
// what a photo of that size costs.
func distinctPhotos(b *testing.B, n, kb int) [][]byte {
	side := 64
	for len(noisePicture(b, side, 1)) < kb*1000 {
		side += 16
	}
	out := make([][]byte, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i] = noisePicture(b, side, uint64(1000+i))
			}
		}()
	}
	wg.Wait()
	return out
}

// withComment returns jpeg with a COM segment carrying seed right after SOI: same picture,
// its own SHA-256.
func withComment(jpeg []byte, seed uint64) []byte {
	out := make([]byte, 0, len(jpeg)+12)
	out = append(out, 0xFF, 0xD8, 0xFF, 0xFE, 0, 10)
	for i := 0; i < 8; i++ {
		out = append(out, byte(seed>>(8*i)))
	}
	return append(out, jpeg[2:]...)
}

// BenchmarkFieldDownload: the field app's initial download (GET /api/v1/field/households) for
// a helper with 10 households, each with 3 members or so and four visits of two photos and a
// few sentences each; reports its size in bytes (goal < 200 KB before photos: photos are
// named, never sent, in the download).
func BenchmarkFieldDownload(b *testing.B) {
	h, phones := newFieldBench(b, demo.Scale{Name: "dl", Counties: []string{"320921"}, TownsPerCounty: 1, VillagesPerTown: 3, HouseholdsPerVillage: 20}, 1)
	ph := phones[0]
	ctx := context.Background()
	var helperID int64
	_ = h.app.DB.Reader().QueryRowContext(ctx, `SELECT a.helper_id FROM assignments a WHERE a.household_id = ? AND a.to_date IS NULL`, ph.households[0]).Scan(&helperID)
	// Exactly ten current households: take others' or end extra ones.
	err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		if len(ph.households) < 10 {
			_, err := tx.ExecContext(ctx, `UPDATE assignments SET helper_id = ? WHERE id IN (SELECT id FROM assignments
				WHERE to_date IS NULL AND helper_id <> ? ORDER BY id LIMIT ?)`, helperID, helperID, 10-len(ph.households))
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE assignments SET to_date = '2026-01-01' WHERE id IN (SELECT id FROM assignments
			WHERE to_date IS NULL AND helper_id = ? ORDER BY id LIMIT ?)`, helperID, len(ph.households)-10)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	rows, _ := h.app.DB.Reader().QueryContext(ctx, `SELECT household_id FROM assignments WHERE helper_id = ? AND to_date IS NULL`, helperID)
	var hhs []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		hhs = append(hhs, id)
	}
	rows.Close()
	if len(hhs) != 10 {
		b.Fatalf("%d households", len(hhs))
	}
	c := h.anon()
	c.bearer = ph.token
	at := time.Now().Add(-100 * 24 * time.Hour).UTC()
	for i, hh := range hhs {
		for k := 0; k < 4; k++ {
			p1 := c.uploadPhoto(noisePicture(b, 96, uint64(100*i+2*k)))
			p2 := c.uploadPhoto(noisePicture(b, 96, uint64(100*i+2*k+1)))
			v := testVisit(fmt.Sprintf("dl-%02d-%d-visit", i, k), hh, p1, p2)
			t := at.Add(time.Duration(30*k+i) * 24 * time.Hour)
			v["visited_at"], v["recorded_at"] = t.Format(time.RFC3339), t.Add(20*time.Minute).Format(time.RFC3339)
			v["needs"] = "家中老人患慢性病,长期服药,医疗支出较大,希望落实慢病门诊报销和家庭医生签约服务。"
			v["measures"] = "已协助办理慢病门诊证,联系村医每月上门随访一次;帮助联系镇上企业,为户主儿子推荐保洁岗位。"
			v["notes"] = "住房安全,饮水正常;户主对帮扶工作满意。"
			st, body := c.do("POST", "/api/v1/field/sync", map[string]any{"visits": []any{v}})
			if st != 200 || !strings.Contains(string(body), `"accepted"`) {
				b.Fatalf("visit: %d %s", st, body)
			}
		}
	}
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, body := c.do("GET", "/api/v1/field/households", nil)
		if st != 200 || strings.Count(string(body), `"household_no"`) != 10 || strings.Count(string(body), `"received_at"`) != 40 {
			b.Fatalf("download: %d %.300s", st, body)
		}
		size = len(body)
	}
	b.StopTimer()
	b.ReportMetric(float64(size), "bytes")
}
