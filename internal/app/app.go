// Package app wires the configuration, the services and the HTTP layer together; the command
// and the integration tests build the server the same way.
package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/clients"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/httpapi"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/techniciens"
	"github.com/mif-erp/erp/internal/users"
)

// Handler wires the services into the HTTP layer.
func Handler(cfg config.Config, pool *pgxpool.Pool, rdb *redis.Client, log *slog.Logger, version string, started time.Time) (http.Handler, error) {
	hasher, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	authSvc := auth.NewService(pool, auth.Config{
		Tokens:       auth.NewTokens(cfg.SecretKey, cfg.AccessTokenTTL),
		Hasher:       hasher,
		RefreshTTL:   cfg.RefreshTokenTTL,
		Throttle:     auth.ThrottlePolicy{MaxFailures: cfg.LoginMaxFailures, Window: cfg.LoginFailureWindow, Lockout: cfg.LoginLockout},
		MetricsToken: cfg.MetricsToken,
		Logger:       log,
	})
	return httpapi.New(httpapi.Deps{
		Config:        cfg,
		Pool:          pool,
		Redis:         rdb,
		Logger:        log,
		Version:       version,
		Started:       started,
		Auth:          authSvc,
		Users:         users.NewService(pool, hasher),
		Equipements:   equipements.NewService(pool),
		Techniciens:   techniciens.NewService(pool),
		Clients:       clients.NewService(pool),
		Interventions: interventions.NewService(pool),
	})
}
