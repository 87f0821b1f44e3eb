package auth

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/platform"
)

// ThrottlePolicy says when failed logins lock a key and for how long.
type ThrottlePolicy struct {
	MaxFailures int           // failures within Window that lock the key
	Window      time.Duration // failures older than this are forgotten
	Lockout     time.Duration // first lock; doubled for each further failure, at most 8x
}

// LockFor is how long a key is locked after `failures` failures (0: not locked).
func (p ThrottlePolicy) LockFor(failures int) time.Duration {
	if failures < p.MaxFailures {
		return 0
	}
	factor := 1 << min(failures-p.MaxFailures, 3)
	return p.Lockout * time.Duration(factor)
}

// throttle counts failed logins in PostgreSQL so that every replica shares the counters.
type throttle struct {
	pool   *pgxpool.Pool
	policy ThrottlePolicy
	now    func() time.Time
}

func accountKey(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }
func identifierKey(id string) string { return "login:" + strings.ToLower(strings.TrimSpace(id)) }
func ipKey(ip string) string         { return "ip:" + ip }

// lockedFor returns how long the longest lock among keys still lasts (0 when none).
func (t *throttle) lockedFor(ctx context.Context, keys []string) (time.Duration, error) {
	now := t.now()
	rows, err := db.New(t.pool).GetLoginLocks(ctx, db.GetLoginLocksParams{Keys: keys, Now: now})
	if err != nil {
		return 0, fmt.Errorf("read login locks: %w", err)
	}
	var longest time.Duration
	for _, r := range rows {
		if r.LockedUntil != nil {
			longest = max(longest, r.LockedUntil.Sub(now))
		}
	}
	return longest, nil
}

// fail counts one failure on each key and locks those that reach the threshold.
func (t *throttle) fail(ctx context.Context, keys []string) error {
	now := t.now()
	return platform.InTx(ctx, t.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		for _, k := range keys {
			if err := q.EnsureLoginThrottle(ctx, db.EnsureLoginThrottleParams{Key: k, Now: now}); err != nil {
				return fmt.Errorf("count login failure: %w", err)
			}
			row, err := q.GetLoginThrottleForUpdate(ctx, k)
			if err != nil {
				return fmt.Errorf("count login failure: %w", err)
			}
			failures, start := int(row.Failures)+1, row.WindowStart
			if now.Sub(start) > t.policy.Window {
				failures, start = 1, now
			}
			var until *time.Time
			if d := t.policy.LockFor(failures); d > 0 {
				u := now.Add(d)
				until = &u
			}
			err = q.SaveLoginThrottle(ctx, db.SaveLoginThrottleParams{
				Key: k, Failures: int32(failures), WindowStart: start, LockedUntil: until,
			})
			if err != nil {
				return fmt.Errorf("count login failure: %w", err)
			}
		}
		return nil
	})
}

// clear forgets the failures of keys.
func (t *throttle) clear(ctx context.Context, q db.DBTX, keys []string) error {
	if err := db.New(q).ClearLoginFailures(ctx, keys); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// ClearAccountLock forgets the failed logins of an account (used when an admin reactivates it).
func ClearAccountLock(ctx context.Context, q db.DBTX, userID int64) error {
	if err := db.New(q).ClearLoginFailures(ctx, []string{accountKey(userID)}); err != nil {
		return fmt.Errorf("clear account lock: %w", err)
	}
	return nil
}
