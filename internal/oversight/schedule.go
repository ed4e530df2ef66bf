package oversight

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
)

// scheduleHour is when the daily full run starts, Shanghai time.
const scheduleHour = 2

// SystemPrincipal is who the scheduled runs are recorded as: the system itself over the whole
// tree (user id 0).
func SystemPrincipal() *auth.Principal {
	return &auth.Principal{UserID: 0, Username: "system", Name: "系统定时评估", Role: auth.Admin, Root: true}
}

// nextScheduled is the first 02:00 Shanghai strictly after now.
func nextScheduled(now time.Time) time.Time {
	s := now.In(db.Shanghai)
	t := time.Date(s.Year(), s.Month(), s.Day(), scheduleHour, 0, 0, 0, db.Shanghai)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// lastFullRun is when the newest finished full run (done) started, zero when none.
func (s *Service) lastFullRun(ctx context.Context) (time.Time, error) {
	var at string
	err := s.DB.Reader().QueryRowContext(ctx, `SELECT started_at FROM alert_runs WHERE mode = 'full' AND status = 'done'
		ORDER BY id DESC LIMIT 1`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return db.ParseTime(at), err
}

// scheduledRun runs the engine over the whole tree as the system, logging the outcome.
func (s *Service) scheduledRun(ctx context.Context) {
	info, err := s.RunFull(ctx, SystemPrincipal(), "")
	if s.Log == nil {
		return
	}
	if err != nil {
		s.Log.Error("scheduled alert run failed", "run", info.ID, "err", err)
		return
	}
	s.Log.Info("scheduled alert run", "run", info.ID, "region", info.RegionCode, "found", info.Found, "new", info.New,
		"updated", info.Updated, "suppressed", info.Suppressed, "ms", info.DurationMS)
}

// Schedule runs the full evaluation of the whole tree (the city) as the system: at once when
// the last finished full run is older than 24 hours (or there is none), then daily at 02:00
// Asia/Shanghai, until ctx ends. serve starts it in a goroutine after Recover.
func (s *Service) Schedule(ctx context.Context) {
	last, err := s.lastFullRun(ctx)
	if err != nil && s.Log != nil {
		s.Log.Error("read last alert run", "err", err)
	}
	if err == nil && s.DB.Clock().Sub(last) > 24*time.Hour {
		s.scheduledRun(ctx)
	}
	for {
		wait := time.Until(nextScheduled(time.Now()))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			s.scheduledRun(ctx)
		}
	}
}
