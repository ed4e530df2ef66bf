package selfquery

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkHouseholdQuery measures the query endpoint end to end in process (captcha
// validation, limiter, lookup, audit), half right pairs with two payments and half unknown ID
// numbers, from 16 clients a core (a surge: the writes of many queries wait together). It
// reports req/s and the 99th percentile latency in ms.
// Captchas are made before the timer starts (drawing them is not what is measured).
func BenchmarkHouseholdQuery(b *testing.B) {
	f := newFixture(b)
	f.S.ClientPerHour, f.S.IDPerHour = 1<<30, 1<<30
	p := f.person(villageA, 0)
	f.pay(p, villageA, 0, 1500, "2026-03-01")
	f.pay(p, villageA, 1, 20000, "2026-04-01")
	rt := f.router()
	bodies := make([]string, b.N)
	for i := range bodies {
		tok, ans := f.solved()
		id, name := p.id, p.name
		if i%2 == 1 {
			id, name = f.IDNumber(i), "张三"
		}
		raw, _ := json.Marshal(map[string]string{"id_number": id, "name": name, "captcha_token": tok, "captcha_answer": ans})
		bodies[i] = string(raw)
	}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := next.Add(1) - 1
			r := httptest.NewRequest(http.MethodPost, "/api/v1/public/household-query", strings.NewReader(bodies[i]))
			r.Header.Set("Content-Type", "application/json")
			r.RemoteAddr = fmt.Sprintf("10.1.%d.%d:1", i/250%250, i%250)
			w := httptest.NewRecorder()
			t0 := time.Now()
			rt.Mux.ServeHTTP(w, r)
			mine = append(mine, time.Since(t0))
			if w.Code != 200 {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[(len(lat)*99)/100])/1e6, "p99-ms")
}

// BenchmarkCaptcha: making and drawing one captcha (the public GET is not rate-limited, so it
// must stay cheap).
func BenchmarkCaptcha(b *testing.B) {
	f := newFixture(b)
	if _, err := f.S.NewCaptcha(f.Ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.S.NewCaptcha(f.Ctx); err != nil {
			b.Fatal(err)
		}
	}
}
