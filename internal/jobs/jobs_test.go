package jobs

import (
	"errors"
	"io"
	"log/slog"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

type answer struct {
	ID, State string
	Rows      int
}

// A job is visible to the user who started it and to nobody else, and reports progress and
// its end; errors that are not the API's own become a safe message.
func TestTracker(t *testing.T) {
	var tr Tracker[answer]
	owner := &auth.Principal{UserID: 7, Username: "poverty_office_320921"}
	j := tr.Start(owner, func(id string) answer { return answer{ID: id, State: Running} })
	id := j.Snapshot().ID
	if len(id) != 24 {
		t.Fatalf("job id %q", id)
	}
	j.Update(func(a *answer) { a.Rows = 5 })
	if a, ok := tr.Get(owner, id); !ok || a.Rows != 5 || a.State != Running {
		t.Fatalf("owner sees %+v %v", a, ok)
	}
	for _, p := range []*auth.Principal{nil, {UserID: 8, Username: "x"}, {UserID: 7, Username: "renamed"}} {
		if _, ok := tr.Get(p, id); ok {
			t.Fatalf("%+v sees another user's job", p)
		}
	}
	j.End(func(a *answer) { a.State = Done })
	if a, _ := tr.Get(owner, id); a.State != Done {
		t.Fatalf("after End: %+v", a)
	}
	if _, ok := tr.Get(owner, "nope"); ok {
		t.Fatal("unknown id found")
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if e := Failure(log, "x", errs.Field("kind", "未知")); e.Code != errs.Invalid || e.Message == "" {
		t.Fatalf("domain error shown as %+v", e)
	}
	if e := Failure(log, "x", errors.New("disk on fire at /var/secret")); e.Code != errs.Internal || e.Message == "disk on fire at /var/secret" {
		t.Fatalf("internal error leaked: %+v", e)
	}
}
