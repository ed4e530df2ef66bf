package disclosure

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"sunshine/internal/errs"
)

// Cache holds encoded public answers for a short time. A miss runs its fill once however many
// clients ask at the same moment (singleflight); the entries are bounded (least recently used
// out first). A "not found" is cached like an answer, so requests for an unknown region cannot
// reach the database in a loop either; other errors are not cached.
type Cache struct {
	TTL time.Duration
	Max int
	Now func() time.Time

	mu    sync.Mutex
	ll    *list.List // front: most recently used
	items map[string]*list.Element
	sf    singleflight.Group

	fills int64 // how many fills ran (tests, metrics)
}

type cacheEntry struct {
	key string
	val []byte
	err error
	exp time.Time
}

// NewCache returns a cache of up to max entries kept for ttl, timed by now.
func NewCache(ttl time.Duration, max int, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{TTL: ttl, Max: max, Now: now, ll: list.New(), items: map[string]*list.Element{}}
}

// Get answers key from the cache or by fill. fill runs detached from the asking request's
// cancellation (others may be waiting on it), within fillTimeout.
func (c *Cache) Get(ctx context.Context, key string, fill func(context.Context) ([]byte, error)) ([]byte, error) {
	if v, err, ok := c.lookup(key); ok {
		return v, err
	}
	ch := c.sf.DoChan(key, func() (any, error) {
		if v, err, ok := c.lookup(key); ok {
			return v, err
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fillTimeout)
		defer cancel()
		v, err := fill(fctx)
		c.mu.Lock()
		c.fills++
		c.mu.Unlock()
		if err == nil || errs.CodeOf(err) == errs.NotFound {
			c.store(key, v, err)
		}
		return v, err
	})
	select {
	case r := <-ch:
		v, _ := r.Val.([]byte)
		return v, r.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

const fillTimeout = 15 * time.Second

func (c *Cache) lookup(key string) ([]byte, error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, nil, false
	}
	e := el.Value.(*cacheEntry)
	if !c.Now().Before(e.exp) {
		c.ll.Remove(el)
		delete(c.items, key)
		return nil, nil, false
	}
	c.ll.MoveToFront(el)
	return e.val, e.err, true
}

func (c *Cache) store(key string, v []byte, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &cacheEntry{key: key, val: v, err: err, exp: c.Now().Add(c.TTL)}
	if el, ok := c.items[key]; ok {
		el.Value = e
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(e)
	for c.Max > 0 && c.ll.Len() > c.Max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// Len is the number of entries held (expired ones included until they are asked for or pushed out).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// Fills is how many times a fill ran.
func (c *Cache) Fills() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fills
}

// Forget drops key (after a write the public should see at once).
func (c *Cache) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.Remove(el)
		delete(c.items, key)
	}
}
