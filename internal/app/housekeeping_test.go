package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func TestHousekeepingDeletesOnlyWhatNothingNeeds(t *testing.T) {
	ctx := context.Background()
	pool := pg.NewPool(t, 4)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO users (username, full_name, email, password_hash, role) VALUES ('uuu', 'U', 'u@x.ma', 'x', 'admin')`)
	exec(`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES
		(1, gen_random_uuid(), 'old', now() - interval '2 days'),
		(1, gen_random_uuid(), 'live', now() + interval '2 days')`)
	exec(`INSERT INTO login_throttle (account, address, kind, failures, window_start, locked_until) VALUES
		('', 'stale', 'address', 2, now() - interval '2 hours', NULL),
		('', 'recent', 'address', 2, now() - interval '1 minute', NULL),
		('', 'locked', 'address', 9, now() - interval '2 hours', now() + interval '1 hour'),
		('user:1', 'lock-ended', 'pair', 5, now() - interval '2 hours', now() - interval '5 minutes'),
		('user:1', 'lock-long-over', 'pair', 5, now() - interval '3 hours', now() - interval '2 hours'),
		('user:1', '', 'account', 3, now() - interval '2 hours', NULL)`)
	exec(`INSERT INTO idempotency_keys (user_id, operation, key, request_hash, status, created_at) VALUES
		(1, 'createEquipement', 'old', 'h', 201, now() - interval '25 hours'),
		(1, 'createEquipement', 'new', 'h', 201, now() - interval '1 hour')`)

	cfg := config.Config{LoginFailureWindow: 15 * time.Minute}
	for range 2 { // idempotent
		if err := app.Housekeeping(cfg, pool)(ctx); err != nil {
			t.Fatal(err)
		}
	}
	left := func(sql string) []string {
		rows, err := pool.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{"SELECT encode(token_hash, 'escape') FROM refresh_tokens ORDER BY 1", []string{"live"}},
		// A counter whose lock ended less than a window ago is kept: its next failure locks longer.
		{"SELECT kind || ':' || address FROM login_throttle ORDER BY 1", []string{"address:locked", "address:recent", "pair:lock-ended"}},
		{"SELECT key FROM idempotency_keys ORDER BY 1", []string{"new"}},
	} {
		got := left(tc.sql)
		if len(got) != len(tc.want) {
			t.Errorf("%s: left %v, want %v", tc.sql, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: left %v, want %v", tc.sql, got, tc.want)
			}
		}
	}
}
