package platform_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/internal/platform"
)

func tableCount(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsGoUpDownAndUpAgain(t *testing.T) {
	url := pg.NewDatabase(t) // already migrated up from the template
	m, err := platform.NewMigrator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	up := tableCount(t, url)
	if up < 4 {
		t.Fatalf("after up: %d tables, want users, refresh_tokens, login_throttle, audit_log", up)
	}
	if err := m.Down(0); err != nil {
		t.Fatal(err)
	}
	if v, _, err := m.Version(); err != nil || v != 0 {
		t.Fatalf("after down: version %d, %v", v, err)
	}
	if n := tableCount(t, url); n != 0 {
		t.Fatalf("after down: %d tables left", n)
	}
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	if n := tableCount(t, url); n != up {
		t.Fatalf("after up again: %d tables, want %d", n, up)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("a second up with nothing to do must succeed: %v", err)
	}
	v, dirty, err := m.Version()
	if err != nil || v == 0 || dirty {
		t.Fatalf("version %d dirty=%t err=%v", v, dirty, err)
	}
}
