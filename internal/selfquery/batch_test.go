package selfquery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/httpx"
)

// holdWriter starts a write transaction that holds the audit chain's head (so the queries'
// batch waits behind it on both dialects) until the returned release is called.
func (f *fixture) holdWriter() (release func()) {
	f.t.Helper()
	held, done := make(chan struct{}), make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(done)
		err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
			if err := audit.Record(f.Ctx, tx, audit.System, audit.Change{Action: "test.hold", EntityType: "system"}); err != nil {
				return err
			}
			close(held)
			<-stop
			return nil
		})
		if err != nil {
			f.t.Error(err)
		}
	}()
	<-held
	return func() { close(stop); <-done }
}

// waitQueued waits until a writer is at work and n queries wait for the next batch.
func (f *fixture) waitQueued(n int) {
	f.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		f.S.group.mu.Lock()
		q, w := len(f.S.group.queue), f.S.group.writing
		f.S.group.mu.Unlock()
		if w && q == n {
			return
		}
	}
	f.t.Fatalf("no writer with %d queries queued", n)
}

// burst sends the first body, and once its batch waits behind a held write transaction the
// others at once; it returns the statuses and bodies. All but the first share one batch.
func (f *fixture) burst(rt *httpx.Router, addrs, bodies []string) ([]int, [][]byte) {
	f.t.Helper()
	release := f.holdWriter()
	codes, outs := make([]int, len(bodies)), make([][]byte, len(bodies))
	var wg sync.WaitGroup
	send := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], outs[i] = f.post(rt, addrs[i], bodies[i])
		}()
	}
	send(0)
	f.waitQueued(0)
	for i := 1; i < len(bodies); i++ {
		send(i)
	}
	f.waitQueued(len(bodies) - 1)
	release()
	wg.Wait()
	return codes, outs
}

// N concurrent queries: N answers, N audit events, and far fewer write transactions.
func TestBatchAuditsEveryQuery(t *testing.T) {
	f := newFixture(t)
	rt := f.router()
	p := f.person(villageA, 0)
	const n = 40
	addrs, bodies := make([]string, n), make([]string, n)
	for i := range n {
		tok, ans := f.solved()
		id, name := p.id, p.name
		if i%2 == 1 {
			id, name = f.IDNumber(i), "张三"
		}
		b, _ := json.Marshal(map[string]string{"id_number": id, "name": name, "captcha_token": tok, "captcha_answer": ans})
		addrs[i], bodies[i] = fmt.Sprintf("10.0.8.%d", i), string(b)
	}
	f.S.IDPerHour = n
	c0, q0 := f.S.CommitStats()
	codes, outs := f.burst(rt, addrs, bodies)
	for i := range n {
		if codes[i] != 200 || bytes.Contains(outs[i], []byte(`"found":true`)) != (i%2 == 0) {
			t.Fatalf("query %d: %d %s", i, codes[i], outs[i])
		}
	}
	if got := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'household.self_query'`); got != n {
		t.Fatalf("%d audit events, want %d", got, n)
	}
	if got := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'household.self_query' AND entity_id = ?`, fmt.Sprint(p.hh)); got != n/2 {
		t.Fatalf("%d audit events name the household, want %d", got, n/2)
	}
	c, q := f.S.CommitStats()
	if q-q0 != n || c-c0 != 2 {
		t.Fatalf("%d queries in %d commits, want %d in 2", q-q0, c-c0, n)
	}
	// The chain is whole after the batches.
	if res, err := audit.Verify(f.Ctx, f.DB.Reader()); err != nil || !res.OK {
		t.Fatalf("audit chain: %+v %v", res, err)
	}
}

// Inside one batch the limits are exact and a captcha is spent once.
func TestBatchLimitsExact(t *testing.T) {
	f := newFixture(t)
	rt := f.router()
	// One ID number asked by 3×IDPerHour different clients at once: IDPerHour answers.
	n := 3 * IDPerHour
	addrs, bodies := make([]string, n), make([]string, n)
	for i := range n {
		tok, ans := f.solved()
		b, _ := json.Marshal(map[string]string{"id_number": f.IDNumber(7), "name": "张三", "captcha_token": tok, "captcha_answer": ans})
		addrs[i], bodies[i] = fmt.Sprintf("10.0.9.%d", i), string(b)
	}
	codes, _ := f.burst(rt, addrs, bodies)
	got := map[int]int{}
	for _, c := range codes {
		got[c]++
	}
	if got[200] != IDPerHour || got[429] != n-IDPerHour {
		t.Fatalf("statuses %v, want %d × 200 and the rest 429", got, IDPerHour)
	}
	// One client, 2×ClientPerHour queries at once: ClientPerHour answers.
	n = 2 * ClientPerHour
	addrs, bodies = make([]string, n), make([]string, n)
	for i := range n {
		tok, ans := f.solved()
		b, _ := json.Marshal(map[string]string{"id_number": f.IDNumber(100 + i), "name": "张三", "captcha_token": tok, "captcha_answer": ans})
		addrs[i], bodies[i] = "10.0.10.1", string(b)
	}
	codes, _ = f.burst(rt, addrs, bodies)
	got = map[int]int{}
	for _, c := range codes {
		got[c]++
	}
	if got[200] != ClientPerHour || got[429] != n-ClientPerHour {
		t.Fatalf("statuses %v, want %d × 200 and the rest 429", got, ClientPerHour)
	}
	// One captcha sent by ten clients at once: one answer, nine refused as spent.
	tok, ans := f.solved()
	n = 10
	addrs, bodies = make([]string, n), make([]string, n)
	for i := range n {
		b, _ := json.Marshal(map[string]string{"id_number": f.IDNumber(200 + i), "name": "张三", "captcha_token": tok, "captcha_answer": ans})
		addrs[i], bodies[i] = fmt.Sprintf("10.0.11.%d", i), string(b)
	}
	codes, outs := f.burst(rt, addrs, bodies)
	spent := 0
	got = map[int]int{}
	for i, c := range codes {
		got[c]++
		if c == 400 && bytes.Contains(outs[i], []byte("已使用")) {
			spent++
		}
	}
	if got[200] != 1 || spent != n-1 {
		t.Fatalf("statuses %v (%d spent), want one 200 and %d spent", got, spent, n-1)
	}
	// Every query counted against its client, the refused ones too.
	if c := f.count(`SELECT COUNT(*) FROM selfquery_hits WHERE kind = 'client'`); c != int64(3*IDPerHour+ClientPerHour+10) {
		t.Fatalf("%d client hits, want %d", c, 3*IDPerHour+ClientPerHour+10)
	}
}
