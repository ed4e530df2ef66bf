package account

import (
	"sync"
	"time"
)

// Throttle limits failed sign-ins per username and per client address: after MaxFailures
// within Window, further attempts are refused until the window has passed. It lives in memory:
// a restart forgives, which is acceptable for slowing down guessing.
type Throttle struct {
	MaxFailures int
	Window      time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewThrottle returns a throttle with the given limits.
func NewThrottle(max int, window time.Duration) *Throttle {
	return &Throttle{MaxFailures: max, Window: window, failures: map[string][]time.Time{}}
}

// Blocked reports whether key is locked out, and for how long.
func (t *Throttle) Blocked(key string, now time.Time) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fs := t.recent(key, now)
	if len(fs) < t.MaxFailures {
		return false, 0
	}
	return true, fs[0].Add(t.Window).Sub(now)
}

// Fail records a failed attempt.
func (t *Throttle) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.recent(key, now), now)
	if len(t.failures) > 100000 {
		// Bound memory under a flood of random usernames: drop entries past their window.
		for k := range t.failures {
			if len(t.recent(k, now)) == 0 {
				delete(t.failures, k)
			}
		}
	}
}

// Reset forgets a key after a successful sign-in.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

func (t *Throttle) recent(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.Window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = fs
	}
	return fs
}
