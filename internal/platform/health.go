package platform

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/mif-erp/erp/gen/db"
)

// healthTimeout bounds each probe, so a dependency that hangs answers "unhealthy" in time for
// the load balancer's readiness check.
const healthTimeout = 2 * time.Second

// Check is the state of one dependency.
type Check struct {
	Configured bool          // false: the dependency is not set up (Redis without REDIS_URL)
	Err        error         // nil: it answered its ping
	Latency    time.Duration // round trip of the ping, when it answered
	Version    string        // server version (detailed checks only; empty when unknown)
}

// DatabaseCheck is the state of PostgreSQL, with the applied migration in detailed checks.
type DatabaseCheck struct {
	Check
	Migration      *int64 // nil when unknown
	MigrationDirty *bool  // nil when unknown
}

// Health probes the dependencies the API serves with: PostgreSQL, critical, and Redis, which
// only shares the rate limit.
type Health struct {
	pool  *pgxpool.Pool
	redis *redis.Client
}

// NewHealth probes pool and rdb (nil when REDIS_URL is not set).
func NewHealth(pool *pgxpool.Pool, rdb *redis.Client) *Health {
	return &Health{pool: pool, redis: rdb}
}

// Database pings PostgreSQL; detailed also reads its version and the applied migration.
func (h *Health) Database(ctx context.Context, detailed bool) DatabaseCheck {
	out := DatabaseCheck{Check: Check{Configured: true}}
	out.Latency, out.Err = timed(ctx, h.pool.Ping)
	if out.Err != nil || !detailed {
		return out
	}
	if v, err := db.New(h.pool).ServerVersion(ctx); err == nil {
		out.Version = v
	}
	if v, dirty, err := SchemaVersion(ctx, h.pool); err == nil {
		out.Migration, out.MigrationDirty = &v, &dirty
	}
	return out
}

// Redis pings Redis when it is configured; detailed also reads its version.
func (h *Health) Redis(ctx context.Context, detailed bool) Check {
	if h.redis == nil {
		return Check{}
	}
	out := Check{Configured: true}
	out.Latency, out.Err = timed(ctx, func(ctx context.Context) error { return h.redis.Ping(ctx).Err() })
	if out.Err != nil || !detailed {
		return out
	}
	if info, err := h.redis.InfoMap(ctx, "server").Result(); err == nil {
		out.Version = info["Server"]["redis_version"]
	}
	return out
}

// timed runs ping under healthTimeout and returns its round trip. The error is the driver's,
// unwrapped: it is the message the health answers show.
func timed(ctx context.Context, ping func(context.Context) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	start := time.Now()
	if err := ping(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
