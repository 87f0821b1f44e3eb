package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/idempotency"
)

// Housekeeping deletes rows nothing needs any more: refresh tokens expired for a day, login
// failure counters whose window is over and whose last lock ended a window ago (so their
// failures are forgotten), idempotency answers past their replay window. Every statement is idempotent, so replicas may run it concurrently.
func Housekeeping(cfg config.Config, pool *pgxpool.Pool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		q := db.New(pool)
		now := time.Now()
		_, errTokens := q.DeleteExpiredRefreshTokens(ctx)
		_, errThrottle := q.DeleteStaleLoginThrottle(ctx, now.Add(-cfg.LoginFailureWindow))
		_, errKeys := idempotency.NewStore(pool).Purge(ctx)
		if err := errors.Join(errTokens, errThrottle, errKeys); err != nil {
			return fmt.Errorf("housekeeping: %w", err)
		}
		return nil
	}
}
