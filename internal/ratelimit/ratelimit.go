// Package ratelimit limits requests per key (a client IP) with the GCRA algorithm, in memory or
// shared by every replica through Redis.
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Result is the outcome of one request against the limit.
type Result struct {
	Allowed    bool
	Limit      int
	Remaining  int
	RetryAfter time.Duration // > 0 when refused
	ResetAfter time.Duration // until the full quota is available again
}

// Limiter decides whether a key may make one more request.
type Limiter interface {
	Allow(ctx context.Context, key string) (Result, error)
}

// Memory is a per-process GCRA limiter of perMinute requests per minute, bursting to perMinute.
type Memory struct {
	perMinute int
	interval  time.Duration // emission interval: one request every `interval`
	now       func() time.Time

	mu        sync.Mutex
	tat       map[string]time.Time // theoretical arrival time per key
	lastSweep time.Time
}

// NewMemory returns an in-memory limiter.
func NewMemory(perMinute int) *Memory {
	return &Memory{
		perMinute: perMinute,
		interval:  time.Minute / time.Duration(perMinute),
		now:       time.Now,
		tat:       make(map[string]time.Time),
	}
}

// Allow counts one request for key.
func (m *Memory) Allow(_ context.Context, key string) (Result, error) {
	now := m.now()
	burst := time.Duration(m.perMinute) * m.interval

	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	tat := m.tat[key]
	if tat.Before(now) {
		tat = now
	}
	newTat := tat.Add(m.interval)
	allowAt := newTat.Add(-burst)
	if now.Before(allowAt) {
		return Result{
			Limit:      m.perMinute,
			RetryAfter: allowAt.Sub(now),
			ResetAfter: tat.Sub(now),
		}, nil
	}
	m.tat[key] = newTat
	return Result{
		Allowed:    true,
		Limit:      m.perMinute,
		Remaining:  int(now.Sub(allowAt) / m.interval),
		ResetAfter: newTat.Sub(now),
	}, nil
}

// sweep forgets keys whose quota is full again, at most once a minute, so memory stays bounded
// by the number of clients seen in the last minute.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.lastSweep) < time.Minute {
		return
	}
	m.lastSweep = now
	for k, t := range m.tat {
		if t.Before(now) {
			delete(m.tat, k)
		}
	}
}

// Redis is a GCRA limiter shared by every replica through Redis.
type Redis struct {
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit
}

// NewRedis returns a limiter of perMinute requests per minute stored in Redis.
func NewRedis(client *redis.Client, perMinute int) *Redis {
	return &Redis{limiter: redis_rate.NewLimiter(client), limit: redis_rate.PerMinute(perMinute)}
}

// Allow counts one request for key.
func (r *Redis) Allow(ctx context.Context, key string) (Result, error) {
	res, err := r.limiter.Allow(ctx, "ratelimit:"+key, r.limit)
	if err != nil {
		return Result{}, fmt.Errorf("redis rate limit: %w", err)
	}
	out := Result{
		Allowed:    res.Allowed > 0,
		Limit:      r.limit.Rate,
		Remaining:  res.Remaining,
		ResetAfter: res.ResetAfter,
	}
	if !out.Allowed {
		out.RetryAfter = res.RetryAfter
	}
	return out, nil
}
