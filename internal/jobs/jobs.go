// Package jobs keeps work that runs in the background — imports, dataset scans, cross-check
// runs — for the console to poll. An upload of a hundred megabytes takes longer to apply than a
// browser should wait on one request, so the request answers with the job at once. Jobs live in
// memory, visible only to the user who started them, and are dropped an hour after they end:
// what they did is in the database and the audit trail, not here.
package jobs

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// States a job's answer reports.
const (
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// TTL is how long a finished job stays to be read.
const TTL = time.Hour

// Error is why a job failed, in the API's error shape.
type Error struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
}

// Failure turns a job's error into what its owner is shown. An error that is not an
// *errs.Error is logged with its detail and shown as a safe message.
func Failure(log *slog.Logger, what string, err error) *Error {
	e, ok := errs.As(err)
	if !ok {
		log.Error(what+" failed", "err", err)
		e = &errs.Error{Code: errs.Internal, Message: "服务器内部错误,任务未完成,已记录,请稍后重试"}
	}
	return &Error{Code: e.Code, Message: e.Message}
}

// Tracker holds the jobs of one service; T is the job's answer (progress, result, error).
type Tracker[T any] struct {
	mu  sync.Mutex
	all map[string]*Job[T]
}

// Job is one background job; its answer is guarded by its own lock.
type Job[T any] struct {
	mu       sync.Mutex
	v        T
	owner    int64
	username string
	ended    time.Time
}

// Start registers a job for p; mk builds its first answer from the new job's id.
func (t *Tracker[T]) Start(p *auth.Principal, mk func(id string) T) *Job[T] {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	id := hex.EncodeToString(b)
	j := &Job[T]{v: mk(id), owner: p.UserID, username: p.Username}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.all == nil {
		t.all = map[string]*Job[T]{}
	}
	now := time.Now()
	for k, old := range t.all {
		old.mu.Lock()
		stale := !old.ended.IsZero() && now.Sub(old.ended) > TTL
		old.mu.Unlock()
		if stale {
			delete(t.all, k)
		}
	}
	t.all[id] = j
	return j
}

// Get returns a copy of the job's answer if p started it: another user's job is as good as absent.
func (t *Tracker[T]) Get(p *auth.Principal, id string) (T, bool) {
	t.mu.Lock()
	j, ok := t.all[id]
	t.mu.Unlock()
	if !ok || p == nil || j.owner != p.UserID || j.username != p.Username {
		var zero T
		return zero, false
	}
	return j.Snapshot(), true
}

// Update changes the answer while the job runs (progress).
func (j *Job[T]) Update(fn func(*T)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(&j.v)
}

// End records the final answer; the job is dropped TTL later.
func (j *Job[T]) End(fn func(*T)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ended = time.Now()
	fn(&j.v)
}

// Snapshot is a copy of the current answer.
func (j *Job[T]) Snapshot() T {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.v
}
