package app

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/web"
)

// BenchmarkPublicPortalCity: the public village page on the city demo through the whole binary's
// handler, beside a bare static file (a hashed asset) served by the same handler in the same
// run, and the console's household list while 32 public clients hammer the portal.
func BenchmarkPublicPortalCity(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	if _, err := demo.Load(ctx, d, demo.City); err != nil {
		b.Fatal(err)
	}
	a := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	var village string
	if err := d.Reader().QueryRowContext(ctx, `SELECT region_code FROM households GROUP BY region_code ORDER BY COUNT(*) DESC, region_code LIMIT 1`).Scan(&village); err != nil {
		b.Fatal(err)
	}
	var asset string
	_ = fs.WalkDir(web.Assets(), "assets", func(p string, e fs.DirEntry, err error) error {
		if err == nil && asset == "" && strings.HasSuffix(p, ".css") {
			asset = p
		}
		return nil
	})
	if asset == "" {
		b.Skip("web/dist not built")
	}
	page := srv.URL + "/api/v1/public/regions/" + village
	b.Run("village-page", func(b *testing.B) { load(b, page, http.Header{}, 32) })
	b.Run("village-households", func(b *testing.B) {
		load(b, srv.URL+"/api/v1/public/regions/"+village+"/households?limit=50", http.Header{}, 32)
	})
	b.Run("static-file", func(b *testing.B) { load(b, srv.URL+"/"+asset, http.Header{}, 32) })

	// The console while the portal is under load.
	res, err := http.Post(srv.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"poverty_office_`+village[:6]+`","password":"`+demo.Password+`"}`))
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("login: %v %v", err, res)
	}
	var me struct{}
	_ = json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	cookie := ""
	for _, c := range res.Cookies() {
		cookie += c.Name + "=" + c.Value + "; "
	}
	console := srv.URL + "/api/v1/households?region=" + village
	b.Run("console-alone", func(b *testing.B) { load(b, console, http.Header{"Cookie": {cookie}}, 4) })
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
		load(b, console, http.Header{"Cookie": {cookie}}, 4)
		stop.Store(true)
		wg.Wait()
		b.ReportMetric(float64(surge.Load()), "portal-reqs")
	})
}
