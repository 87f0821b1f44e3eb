package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// fakeClock is a settable clock for the memory limiter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newMemoryAt(t *testing.T, perMinute int) (*Memory, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	m := NewMemory(perMinute)
	m.now = clock.Now
	return m, clock
}

func allow(t *testing.T, l Limiter, key string) Result {
	t.Helper()
	res, err := l.Allow(context.Background(), key)
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return res
}

func TestMemoryAllowsABurstUpToTheLimitWithDecreasingRemaining(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 5, 7, 120} {
		m, _ := newMemoryAt(t, limit)
		for i := range limit {
			res := allow(t, m, "203.0.113.1")
			if !res.Allowed {
				t.Fatalf("limit %d: request %d refused: %+v", limit, i+1, res)
			}
			if res.Limit != limit || res.Remaining != limit-i-1 || res.RetryAfter != 0 {
				t.Errorf("limit %d: request %d: got %+v, want Limit %d Remaining %d", limit, i+1, res, limit, limit-i-1)
			}
			if res.ResetAfter <= 0 || res.ResetAfter > time.Minute {
				t.Errorf("limit %d: request %d: ResetAfter %v outside (0, 1m]", limit, i+1, res.ResetAfter)
			}
		}
	}
}

func TestMemoryRefusesBeyondTheLimitForAboutOneEmissionInterval(t *testing.T) {
	t.Parallel()
	m, _ := newMemoryAt(t, 5) // one request every 12 s
	for range 5 {
		allow(t, m, "k")
	}
	res := allow(t, m, "k")
	if res.Allowed || res.Remaining != 0 || res.Limit != 5 {
		t.Fatalf("6th request: got %+v, want refused with Remaining 0", res)
	}
	if res.RetryAfter != 12*time.Second {
		t.Errorf("RetryAfter = %v, want 12s (one emission interval)", res.RetryAfter)
	}
	if res.ResetAfter != time.Minute {
		t.Errorf("ResetAfter = %v, want 1m (the whole quota is used)", res.ResetAfter)
	}
	// Refused requests do not push the window further.
	for range 10 {
		if again := allow(t, m, "k"); again.Allowed || again.RetryAfter != 12*time.Second {
			t.Fatalf("repeated refusal: got %+v, want RetryAfter still 12s", again)
		}
	}
}

func TestMemoryRecoversOneRequestPerEmissionInterval(t *testing.T) {
	t.Parallel()
	m, clock := newMemoryAt(t, 5)
	for range 5 {
		allow(t, m, "k")
	}
	clock.Advance(12*time.Second - time.Millisecond)
	if res := allow(t, m, "k"); res.Allowed {
		t.Fatalf("1 ms before the interval: allowed %+v", res)
	} else if res.RetryAfter != time.Millisecond {
		t.Errorf("RetryAfter = %v, want 1ms", res.RetryAfter)
	}
	clock.Advance(time.Millisecond)
	if res := allow(t, m, "k"); !res.Allowed || res.Remaining != 0 {
		t.Fatalf("after one interval: got %+v, want one request allowed, Remaining 0", res)
	}
	if res := allow(t, m, "k"); res.Allowed {
		t.Fatalf("only one request regained, but a second passed: %+v", res)
	}
	// After a full minute of silence the whole burst is available again.
	clock.Advance(time.Minute)
	for i := range 5 {
		if res := allow(t, m, "k"); !res.Allowed || res.Remaining != 4-i {
			t.Fatalf("after a minute, request %d: %+v", i+1, res)
		}
	}
	if res := allow(t, m, "k"); res.Allowed {
		t.Fatalf("burst never exceeds the limit: %+v", res)
	}
}

func TestMemoryKeysHaveIndependentQuotas(t *testing.T) {
	t.Parallel()
	m, _ := newMemoryAt(t, 3)
	for range 3 {
		allow(t, m, "a")
	}
	if res := allow(t, m, "a"); res.Allowed {
		t.Fatalf("a: 4th allowed: %+v", res)
	}
	for i := range 3 {
		if res := allow(t, m, "b"); !res.Allowed || res.Remaining != 2-i {
			t.Fatalf("b request %d: got %+v, want allowed (a's exhaustion does not affect b)", i+1, res)
		}
	}
}

func TestMemorySweepForgetsIdleKeysButKeepsActiveOnes(t *testing.T) {
	t.Parallel()
	m, clock := newMemoryAt(t, 60) // one per second
	for i := range 100 {
		allow(t, m, fmt.Sprintf("idle-%d", i))
	}
	if got := len(m.tat); got != 100 {
		t.Fatalf("tracked keys = %d, want 100", got)
	}
	clock.Advance(30 * time.Second)
	for range 50 {
		allow(t, m, "busy") // tat ends 50 s ahead
	}
	clock.Advance(31 * time.Second) // 61 s after the idle keys: their quota is full again
	allow(t, m, "trigger")
	m.mu.Lock()
	_, busy := m.tat["busy"]
	n := len(m.tat)
	m.mu.Unlock()
	if !busy {
		t.Error("sweep forgot a key whose quota is not full again")
	}
	if n != 2 {
		t.Errorf("tracked keys after sweep = %d, want 2 (busy, trigger)", n)
	}
	// The busy key's state survived the sweep: it is still limited.
	if res := allow(t, m, "busy"); res.Remaining >= 59 {
		t.Errorf("busy key lost its state: %+v", res)
	}
}

func TestMemoryIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	m := NewMemory(100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 20 {
		wg.Go(func() {
			for range 10 {
				res, _ := m.Allow(context.Background(), "shared")
				if res.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	// 200 requests within far less than a minute: the burst (100) plus at most a few regained.
	if allowed < 100 || allowed > 102 {
		t.Errorf("allowed %d of 200 concurrent requests, want about 100", allowed)
	}
}

// redisURL is the test Redis; `make test` sets TEST_REDIS_URL.
func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// testRedis connects to the test Redis and fails (never skips) when it is unreachable.
func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis unreachable at %s (`make test` starts one; set TEST_REDIS_URL): %v", redisURL(), err)
	}
	return c
}

// uniqueKey returns a key no other test (or test run) uses, deleted from Redis at the end.
func uniqueKey(t *testing.T, c *redis.Client) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	key := "test-" + hex.EncodeToString(b)
	t.Cleanup(func() { _ = c.Del(context.Background(), "rate:ratelimit:"+key).Err() })
	return key
}

func TestRedisAllowsTheLimitThenRefusesWithRetryAfter(t *testing.T) {
	t.Parallel()
	c := testRedis(t)
	l := NewRedis(c, 5)
	key := uniqueKey(t, c)
	for i := range 5 {
		res := allow(t, l, key)
		if !res.Allowed || res.Limit != 5 || res.Remaining != 4-i || res.RetryAfter != 0 {
			t.Fatalf("request %d: got %+v, want allowed, Limit 5, Remaining %d", i+1, res, 4-i)
		}
	}
	res := allow(t, l, key)
	if res.Allowed || res.Remaining != 0 {
		t.Fatalf("6th request: got %+v, want refused", res)
	}
	if res.RetryAfter < 11*time.Second || res.RetryAfter > 12*time.Second {
		t.Errorf("RetryAfter = %v, want about 12s (one emission interval)", res.RetryAfter)
	}
	if res.ResetAfter < 59*time.Second || res.ResetAfter > time.Minute {
		t.Errorf("ResetAfter = %v, want about 1m", res.ResetAfter)
	}
	if n, err := c.Exists(context.Background(), "rate:ratelimit:"+key).Result(); err != nil || n != 1 {
		t.Errorf("state not stored under rate:ratelimit:<key> (%d, %v)", n, err)
	}
}

func TestRedisLimitersShareOneQuotaPerKey(t *testing.T) {
	t.Parallel()
	c := testRedis(t)
	a, b := NewRedis(c, 4), NewRedis(testRedis(t), 4) // two replicas, two connections
	key, other := uniqueKey(t, c), uniqueKey(t, c)
	allow(t, a, key)
	allow(t, b, key)
	allow(t, a, key)
	if res := allow(t, b, key); !res.Allowed || res.Remaining != 0 {
		t.Fatalf("4th request (on b): got %+v, want allowed with Remaining 0", res)
	}
	for name, l := range map[string]Limiter{"a": a, "b": b} {
		if res := allow(t, l, key); res.Allowed {
			t.Errorf("5th request on %s allowed: the quota is not shared", name)
		}
	}
	if res := allow(t, a, other); !res.Allowed || res.Remaining != 3 {
		t.Errorf("another key: got %+v, want a full quota", res)
	}
}

func TestRedisUnreachableReturnsAnError(t *testing.T) {
	t.Parallel()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = c.Close() })
	_, err := NewRedis(c, 5).Allow(context.Background(), "k")
	if err == nil {
		t.Fatal("Allow against an unreachable Redis returned no error")
	}
	if !strings.HasPrefix(err.Error(), "redis rate limit") {
		t.Errorf("error %q does not say it comes from the Redis rate limiter", err)
	}
}
