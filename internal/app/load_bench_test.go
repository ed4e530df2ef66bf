package app

import (
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// load sends n GET requests with c concurrent keep-alive clients to url on loopback and
// reports requests/s and the 99th-percentile latency.
func load(b *testing.B, url string, header http.Header, c int) {
	b.Helper()
	n := b.N
	tr := &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c, DialContext: (&net.Dialer{}).DialContext}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	lat := make([]time.Duration, n)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				req, _ := http.NewRequest("GET", url, nil)
				req.Header = header.Clone()
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkHTTPRegionGet: authenticated GET /api/v1/regions/{code} through the whole stack
// (session lookup, permission and scope check, JSON) on a real loopback socket.
func BenchmarkHTTPRegionGet(b *testing.B) {
	h := newHarnessB(b, nil)
	c := h.login("poverty_office_320921")
	var cookie string
	for _, ck := range c.http.Jar.Cookies(mustURL(h.srv.URL)) {
		cookie = ck.Name + "=" + ck.Value
	}
	load(b, h.srv.URL+"/api/v1/regions/320921100201", http.Header{"Cookie": {cookie}}, 32)
}

// BenchmarkHTTPBare: the baseline, a bare net/http handler writing a similar JSON body.
func BenchmarkHTTPBare(b *testing.B) {
	body := []byte(`{"code":"320921100201","name":"小圩村","level":"village","parent_code":"320921100000","weak_level":"","weak_lax":false,"area":"渠北片区","children_count":0}` + "\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	load(b, "http://"+ln.Addr().String()+"/api/v1/regions/320921100201", http.Header{}, 32)
}
