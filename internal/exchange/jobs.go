package exchange

import (
	"context"
	"io"
	"log/slog"

	"sunshine/internal/auth"
	"sunshine/internal/jobs"
)

// Job is an import running in the background, polled by the console (see package jobs).
type Job struct {
	ID         string      `json:"id"`
	Kind       string      `json:"kind"`
	File       string      `json:"file"`
	State      string      `json:"state"` // running | done | failed
	BytesRead  int64       `json:"bytes_read"`
	BytesTotal int64       `json:"bytes_total"`
	Rows       int         `json:"rows"`
	Report     *Report     `json:"report,omitempty"`
	Error      *jobs.Error `json:"error,omitempty"`
}

// Job states.
const (
	JobRunning = jobs.Running
	JobDone    = jobs.Done
	JobFailed  = jobs.Failed
)

// Start runs an import of r (size bytes) in the background and returns the job at once.
// done is called when the import has finished with r (to remove an uploaded file).
func (s *Service) Start(p *auth.Principal, kind, name string, r io.Reader, size int64, validOnly bool, done func()) Job {
	j := s.jobs.Start(p, func(id string) Job {
		return Job{ID: id, Kind: kind, File: name, State: JobRunning, BytesTotal: size}
	})
	first := j.Snapshot()
	go func() {
		defer done()
		rep, err := s.Import(context.Background(), p, kind, r, name, Options{ValidOnly: validOnly, Progress: func(read int64, rows int) {
			j.Update(func(j *Job) { j.BytesRead, j.Rows = read, rows })
		}})
		j.End(func(j *Job) {
			j.Rows = rep.Rows
			if rep.SHA256 != "" {
				j.Report = &rep
			}
			if err == nil {
				j.State, j.BytesRead = JobDone, j.BytesTotal
				return
			}
			j.State, j.Error = JobFailed, jobs.Failure(s.logger(), "import job "+j.ID+" ("+kind+", "+name+")", err)
		})
	}()
	return first
}

func (s *Service) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
