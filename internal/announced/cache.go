// Package announced holds the per-instance caches that PostgreSQL's announcements keep fresh
// (LISTEN/NOTIFY, through internal/live): the accounts authentication reads (internal/auth) and
// the names the lists of interventions show (internal/namecache).
//
// Such a cache is only used while it hears of every change:
//
//   - it serves nothing until its feed says it is listening, and forgets everything, and stops
//     serving, when that connection is lost (changes announced meanwhile are missed);
//   - an announced change forgets the entries it concerns;
//   - an entry is read again after the TTL at the latest, a bound on staleness should
//     announcements stop without the connection reporting an error.
//
// A value read from the database is stored only if nothing was forgotten since the read began
// (the epoch Get returned), so a read that raced a change cannot put the old value back. A nil
// *Cache caches nothing.
package announced

import (
	"sync"
	"time"
)

// Cache maps keys to values read from the database.
type Cache[K comparable, V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.RWMutex
	ready   bool
	epoch   uint64 // bumped by every forget: a read started before it is not stored
	entries map[K]entry[V]
}

type entry[V any] struct {
	v  V
	at time.Time
}

// New returns a cache whose entries live ttl at most and which starts again empty when it holds
// max entries; nil when ttl is not positive (no cache). It serves nothing until told
// Listening(true).
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	if ttl <= 0 {
		return nil
	}
	return &Cache[K, V]{ttl: ttl, max: max, now: time.Now, entries: map[K]entry[V]{}}
}

// SetClock replaces the clock the TTL is measured with (tests).
func (c *Cache[K, V]) SetClock(now func() time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

// Get returns the cached value of k, or the epoch to Put a fresh read of it with.
func (c *Cache[K, V]) Get(k K) (v V, epoch uint64, ok bool) {
	if c == nil {
		return v, 0, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, found := c.entries[k]
	if c.ready && found && c.now().Sub(e.at) < c.ttl {
		return e.v, c.epoch, true
	}
	return v, c.epoch, false
}

// Epoch is the epoch to Put values with that are about to be read from the database.
func (c *Cache[K, V]) Epoch() uint64 {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// Put keeps v, read from the database after Get returned epoch, unless something was forgotten
// meanwhile or the cache is not listening.
func (c *Cache[K, V]) Put(k K, v V, epoch uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ready || c.epoch != epoch {
		return
	}
	if len(c.entries) >= c.max {
		c.entries = map[K]entry[V]{}
	}
	c.entries[k] = entry[V]{v: v, at: c.now()}
}

// Forget drops k: its next Get misses.
func (c *Cache[K, V]) Forget(k K) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.entries, k)
}

// ForgetAll drops every entry.
func (c *Cache[K, V]) ForgetAll() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.entries = map[K]entry[V]{}
}

// Listening tells the cache whether it hears of every change: it starts serving on true and
// forgets everything, and stops serving, on false.
func (c *Cache[K, V]) Listening(ok bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.ready = ok
	c.entries = map[K]entry[V]{}
}

// Len counts the cached entries (tests, metrics).
func (c *Cache[K, V]) Len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
