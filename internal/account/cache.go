package account

import (
	"sync"
	"time"

	"sunshine/internal/auth"
)

// sessionCache keeps recently checked sessions and tokens for a few seconds, so an API call
// costs no extra database round trip. Changes made through this process drop entries at once;
// another server process sees them within the TTL.
type sessionCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cached
}

type cached struct {
	p    *auth.Principal
	csrf string
	at   time.Time
}

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{ttl: ttl, m: map[string]cached{}}
}

func (c *sessionCache) get(id string, now time.Time) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || now.Sub(e.at) > c.ttl {
		return cached{}, false
	}
	return e, true
}

func (c *sessionCache) put(id string, e cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 50000 {
		clear(c.m)
	}
	c.m[id] = e
}

func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

func (c *sessionCache) dropUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.p.UserID == userID {
			delete(c.m, k)
		}
	}
}

func (c *sessionCache) dropToken(tokenID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.p.TokenID == tokenID {
			delete(c.m, k)
		}
	}
}
