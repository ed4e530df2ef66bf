package exchange

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"sync"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// Job is an import running in the background: an upload of a hundred megabytes takes longer
// to apply than a browser should wait on one request, so the upload answers at once and the
// console polls the job.
type Job struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	File       string    `json:"file"`
	State      string    `json:"state"` // running | done | failed
	BytesRead  int64     `json:"bytes_read"`
	BytesTotal int64     `json:"bytes_total"`
	Rows       int       `json:"rows"`
	Report     *Report   `json:"report,omitempty"`
	Error      *JobError `json:"error,omitempty"`
}

// JobError is why a job failed, in the API's error shape.
type JobError struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
}

// Job states.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// jobTTL is how long a finished job stays to be read; jobs live in memory only (a restart
// forgets them, while the import itself is committed or not, and audited, in the database).
const jobTTL = time.Hour

type job struct {
	mu       sync.Mutex
	Job      // guarded by mu
	owner    int64
	username string
	finished time.Time
}

type jobs struct {
	mu  sync.Mutex
	all map[string]*job
}

func (js *jobs) add(j *job) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.all == nil {
		js.all = map[string]*job{}
	}
	now := time.Now()
	for id, old := range js.all {
		old.mu.Lock()
		stale := old.State != JobRunning && now.Sub(old.finished) > jobTTL
		old.mu.Unlock()
		if stale {
			delete(js.all, id)
		}
	}
	js.all[j.ID] = j
}

// get returns a copy of the job if p started it: another user's job is as good as absent.
func (js *jobs) get(p *auth.Principal, id string) (Job, bool) {
	js.mu.Lock()
	j, ok := js.all[id]
	js.mu.Unlock()
	if !ok || p == nil || j.owner != p.UserID || j.username != p.Username {
		return Job{}, false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.Job, true
}

func newJobID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	return hex.EncodeToString(b)
}

// Start runs an import of r (size bytes) in the background and returns the job at once.
// done is called when the import has finished with r (to remove an uploaded file).
func (s *Service) Start(p *auth.Principal, kind, name string, r io.Reader, size int64, validOnly bool, done func()) Job {
	j := &job{Job: Job{ID: newJobID(), Kind: kind, File: name, State: JobRunning, BytesTotal: size}, owner: p.UserID, username: p.Username}
	s.jobs.add(j)
	first := j.Job
	go func() {
		defer done()
		rep, err := s.Import(context.Background(), p, kind, r, name, Options{ValidOnly: validOnly, Progress: func(read int64, rows int) {
			j.mu.Lock()
			j.BytesRead, j.Rows = read, rows
			j.mu.Unlock()
		}})
		j.mu.Lock()
		defer j.mu.Unlock()
		j.finished = time.Now()
		j.Rows = rep.Rows
		if rep.SHA256 != "" {
			j.Report = &rep
		}
		if err == nil {
			j.State, j.BytesRead = JobDone, j.BytesTotal
			return
		}
		j.State = JobFailed
		e, ok := errs.As(err)
		if !ok {
			s.logger().Error("import job failed", "job", j.ID, "kind", kind, "file", name, "err", err)
			e = &errs.Error{Code: errs.Internal, Message: "服务器内部错误,导入未完成,已记录,请稍后重试"}
		}
		j.Error = &JobError{Code: e.Code, Message: e.Message}
	}()
	return first
}

func (s *Service) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
