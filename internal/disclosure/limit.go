package disclosure

import (
	"sync"
	"time"
)

// Limits on public objections per client. The objections table has no column for the client
// (oversight's complaints keep client_hash and count in SQL), so the count is kept in memory:
// enough against a script, and it needs no schema change; a restart forgets it.
const (
	ObjectionsPerHour = 5
	ObjectionsPerDay  = 20
)

// maxClients bounds the limiter's memory: beyond it, clients with nothing in the last day are
// dropped, and if none can be dropped, new clients are refused until some expire.
const maxClients = 100_000

// Limiter counts what each client (a hash of its address) did in the last day.
type Limiter struct {
	PerHour, PerDay int
	Now             func() time.Time

	mu      sync.Mutex
	clients map[string][]time.Time // oldest first, at most PerDay, none older than a day
}

// NewLimiter returns a limiter with the objection limits.
func NewLimiter(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{PerHour: ObjectionsPerHour, PerDay: ObjectionsPerDay, Now: now, clients: map[string][]time.Time{}}
}

// Allow reports whether client may act now, and if so counts the act.
func (l *Limiter) Allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	ts := prune(l.clients[client], now)
	if len(ts) == 0 && len(l.clients) >= maxClients {
		for k, v := range l.clients {
			if len(prune(v, now)) == 0 {
				delete(l.clients, k)
			}
		}
		if len(l.clients) >= maxClients {
			return false
		}
	}
	hour := 0
	for _, t := range ts {
		if now.Sub(t) < time.Hour {
			hour++
		}
	}
	if hour >= l.PerHour || len(ts) >= l.PerDay {
		l.clients[client] = ts
		return false
	}
	l.clients[client] = append(ts, now)
	return true
}

// prune drops the times older than a day (ts is oldest first).
func prune(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= 24*time.Hour {
		i++
	}
	return ts[i:]
}
