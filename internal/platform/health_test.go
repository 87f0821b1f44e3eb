package platform_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/mif-erp/erp/internal/platform"
)

func TestHealthReportsADatabaseThatAnswersWithItsVersionAndMigration(t *testing.T) {
	t.Parallel()
	h := platform.NewHealth(pg.NewPool(t, 2), nil)
	ctx := context.Background()

	c := h.Database(ctx, true)
	if !c.Configured || c.Err != nil || c.Latency <= 0 {
		t.Fatalf("database check = %+v", c)
	}
	if !strings.HasPrefix(c.Version, "PostgreSQL ") {
		t.Errorf("version = %q", c.Version)
	}
	if c.Migration == nil || *c.Migration <= 0 || c.MigrationDirty == nil || *c.MigrationDirty {
		t.Errorf("migration = %v dirty %v", c.Migration, c.MigrationDirty)
	}
	if quick := h.Database(ctx, false); quick.Err != nil || quick.Version != "" || quick.Migration != nil {
		t.Errorf("readiness check reads more than a ping: %+v", quick)
	}
	if r := h.Redis(ctx, true); r.Configured || r.Err != nil {
		t.Errorf("redis without REDIS_URL = %+v, want not configured", r)
	}
}

func TestHealthReportsAnUnreachableDatabase(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c := platform.NewHealth(pool, nil).Database(context.Background(), true)
	if c.Err == nil || c.Err.Error() == "" || c.Version != "" || c.Migration != nil {
		t.Errorf("unreachable database check = %+v", c)
	}
}

func TestHealthReportsRedisWithItsVersion(t *testing.T) {
	t.Parallel()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/15"
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	c := platform.NewHealth(pg.NewPool(t, 1), rdb).Redis(context.Background(), true)
	if !c.Configured || c.Err != nil || c.Version == "" {
		t.Errorf("redis check = %+v (is Redis up at %s?)", c, u)
	}
}
