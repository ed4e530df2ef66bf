package disclosure

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// The public village page under parallel clients on loopback, beside a bare static file from
// an http.FileServer in the same run (go test -bench 'PublicVillagePage|StaticFile' -cpu 2,8).
// Figures: req/s and p99-ms.

// load runs b.N GETs of url from parallel clients over keep-alive connections and reports
// throughput and the 99th percentile latency.
func load(b *testing.B, url string) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	get := func() error {
		res, err := client.Get(url)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Errorf("%s: %d", url, res.StatusCode)
		}
		return nil
	}
	if err := get(); err != nil { // warm: the first fill, one connection
		b.Fatal(err)
	}
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(4) // 4 clients per GOMAXPROCS
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			if err := get(); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

// benchFixture is the test fixture with money and notices in village A.
func benchFixture(b *testing.B) *fixture {
	f := newFixture(b)
	f.seedLedger()
	a := f.Households(villageA)
	f.notice(f.procedure(a[0], "registration", "open"), -24*time.Hour, 6*24*time.Hour)
	f.notice(f.procedure(a[1], "exit", "done"), -20*24*time.Hour, -13*24*time.Hour)
	return f
}

func BenchmarkPublicVillagePage(b *testing.B) {
	f := benchFixture(b)
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	load(b, srv.URL+"/api/v1/public/regions/"+villageA)
}

// BenchmarkPublicVillagePageUncached is the same page with the cache off (every request runs
// the queries; singleflight still merges simultaneous ones): what the database alone gives.
func BenchmarkPublicVillagePageUncached(b *testing.B) {
	f := benchFixture(b)
	f.S.Cache = NewCache(0, CacheMax, f.DB.Clock)
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	load(b, srv.URL+"/api/v1/public/regions/"+villageA)
}

func BenchmarkStaticFile(b *testing.B) {
	// The same size as the village page's answer, so the two compare like for like.
	f := benchFixture(b)
	page, err := f.S.RegionPageJSON(f.Ctx, villageA)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "page.json"), page, 0o644); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	load(b, srv.URL+"/page.json")
}
