package selfquery

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/db"
)

// Group commit. Every query writes: a limiter row per key it counts against, its captcha's
// spent nonce and its audit event. One write transaction per query made the own-household
// query a queue at SQLite's single writer (a few hundred queries a second, each paying a
// BEGIN, the audit head's read and write and a COMMIT's WAL pages). Instead the writes of
// all queries waiting at one moment run in one transaction, in arrival order, and each query
// answers only after the transaction holding its writes has committed.
//
// Nothing about a single query changes:
//   - Limits are exact: the batch applies its queries one after another inside the
//     transaction, each limiter INSERT counting the rows the earlier ones wrote, exactly as
//     serial transactions in the same order would; the count stays in the database, so two
//     processes on one PostgreSQL database still share the limits.
//   - A captcha is spent once: its nonce's INSERT … ON CONFLICT DO NOTHING inside the batch
//     sees a nonce spent earlier in the same batch.
//   - Every answered query is audited before it answers: the answer is released only after
//     COMMIT returned.
//
// Crash safety: a query whose batch had not committed when the process died got no answer
// (its connection dropped with the process), and SQLite or PostgreSQL roll the whole
// uncommitted transaction back: nothing was answered that is not audited, and no limiter
// row or spent nonce is half-written. A batch that fails (a database error) is retried one
// query per transaction, so one query's failure cannot fail the others it was batched with.
//
// There is no timer and no standing goroutine: the first query to find nobody writing
// becomes the writer of its own batch, and while queries keep arriving a goroutine goes on
// writing the next batch (each what arrived during the previous commit) until none waits.
// Alone, a query commits at once; under a surge, batches grow by themselves.

// maxBatch bounds one transaction (a surge's batch stays a few milliseconds of writing).
const maxBatch = 256

// job is one query's writes and, once its batch committed, how the query ended.
type job struct {
	clientKey, idKey string
	nonce            string
	expiry           int64 // the token's, unix seconds
	expired, solved  bool  // as the query saw them before the lookup
	found            bool
	householdID      int64
	villageCode      string
	idNumber         string // already masked
	channel          string

	out  outcome
	err  error
	done chan struct{}
}

// group queues the jobs of concurrent queries; one of them at a time writes.
type group struct {
	mu      sync.Mutex
	queue   []*job
	writing bool

	commits, queries atomic.Int64 // batches committed and the queries they held
}

// CommitStats reports how many write transactions the queries' writes took and how many
// queries they held (metrics and benchmarks: queries/commits is the batching achieved).
func (s *Service) CommitStats() (commits, queries int64) {
	return s.group.commits.Load(), s.group.queries.Load()
}

// commit runs j's writes in the next batch and returns when that batch has committed (or
// failed). If ctx ends first the query gives up waiting, but its writes still run: it was
// asked, so it is counted and audited.
func (s *Service) commit(ctx context.Context, j *job) (outcome, error) {
	j.done = make(chan struct{})
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, j)
	lead := !g.writing
	g.writing = true
	g.mu.Unlock()
	if lead {
		// The writer serves other requests' queries too: its request's cancellation must not
		// roll theirs back. It writes its own batch, then leaves the next ones to a goroutine:
		// under a steady surge no request waits for more batches than its own.
		bctx := context.WithoutCancel(ctx)
		if s.writeNext(bctx) {
			go s.drain(bctx)
		}
	}
	select {
	case <-j.done:
		return j.out, j.err
	case <-ctx.Done():
		return answered, ctx.Err()
	}
}

// drain writes batches until no query waits.
func (s *Service) drain(ctx context.Context) {
	for s.writeNext(ctx) {
	}
}

// writeNext writes the next batch of waiting queries and reports whether more may wait; with
// none waiting it gives up the writer's place and reports false.
func (s *Service) writeNext(ctx context.Context) bool {
	g := &s.group
	g.mu.Lock()
	n := min(len(g.queue), maxBatch)
	if n == 0 {
		g.writing = false
		g.mu.Unlock()
		return false
	}
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	if len(g.queue) == 0 {
		g.queue = nil // let the old array go
	}
	g.mu.Unlock()
	if err := s.writeBatch(ctx, batch); err != nil && len(batch) > 1 {
		for _, j := range batch {
			j.err = s.writeBatch(ctx, batch[:0:0], j)
		}
	} else {
		for _, j := range batch {
			j.err = err
		}
		if err == nil {
			g.commits.Add(1)
			g.queries.Add(int64(len(batch)))
		}
	}
	for _, j := range batch {
		close(j.done)
	}
	return true
}

// writeBatch applies the jobs in order in one transaction, setting each one's outcome. A
// panic is returned as an error: the waiting queries must hear of it, and the next query
// must find the writer's place free.
func (s *Service) writeBatch(ctx context.Context, batch []*job, more ...*job) (err error) {
	batch = append(batch, more...)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("selfquery: batch write panicked: %v", p)
		}
	}()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := s.prune(ctx, tx); err != nil {
			return err
		}
		for _, j := range batch {
			var err error
			if j.out, err = s.apply(ctx, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// apply is one query's writes, in the order a lone query always did them: the client's
// limit (captcha failures count too), the expiry, the nonce (spent by any attempt, right or
// wrong: one token, one guess), the answer, the ID number's limit, the audit event.
func (s *Service) apply(ctx context.Context, tx *db.Tx, j *job) (outcome, error) {
	if ok, err := s.hit(ctx, tx, "client", j.clientKey, s.clientLimit()); err != nil || !ok {
		return throttledClient, err
	}
	if j.expired || j.expiry <= tx.Now.Unix() {
		return captchaExpired, nil
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO captcha_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`,
		j.nonce, db.Time(time.Unix(j.expiry, 0)))
	if err != nil {
		return answered, err
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return captchaUsed, err
	}
	if !j.solved {
		return captchaWrong, nil
	}
	if ok, err := s.hit(ctx, tx, "id", j.idKey, s.idLimit()); err != nil || !ok {
		return throttledID, err
	}
	ch := audit.Change{Action: "household.self_query", EntityType: "household",
		After: map[string]any{"id_number": j.idNumber, "found": j.found, "channel": j.channel}}
	if j.found {
		ch.EntityID, ch.RegionCode = strconv.FormatInt(j.householdID, 10), j.villageCode
	}
	return answered, audit.Record(ctx, tx, publicActor(j.channel), ch)
}
