package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
)

func TestUsersUnlockClearsTheAccountsLockoutAndIsAudited(t *testing.T) {
	dbURL := emptyDatabase(t)
	t.Setenv("ENVIRONMENT", "test")
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("BCRYPT_COST", "4")
	t.Setenv("SECRET_KEY", "test-secret-key-0123456789abcdefghijklmnop")
	for _, args := range [][]string{{"migrate", "up"}, {"seed"}} {
		if err := run(args, io.Discard, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	ctx := t.Context()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(pool, auth.Config{
		Tokens: auth.NewTokens([]byte("test-secret-key-0123456789abcdefghijklmnop"), time.Minute), Hasher: hasher,
		RefreshTTL: time.Hour, Throttle: auth.ThrottlePolicy{MaxFailures: 3, Window: time.Hour, Lockout: time.Hour},
	})
	from := audit.WithMeta(ctx, audit.Meta{ClientIP: "203.0.113.7"})
	locked := func(ctx context.Context) bool {
		t.Helper()
		_, err := svc.Login(ctx, "responsable", "Responsable123!")
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.KindLocked {
			return true
		}
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		return false
	}
	for range 3 {
		if _, err := svc.Login(from, "responsable", "wrong-password"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if !locked(from) {
		t.Fatal("the account is not locked for the address after 3 failures")
	}

	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"users"}, "want unlock"},
		{[]string{"users", "unlock"}, "usage: erp users unlock <email-or-username>"},
		{[]string{"users", "unlock", "nobody@mif.ma"}, `no account "nobody@mif.ma"`},
	} {
		if err := run(tc.args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.wantErr)
		}
	}
	var stdout bytes.Buffer
	if err := run([]string{"users", "unlock", "RESPONSABLE@mif.ma"}, &stdout, io.Discard); err != nil {
		t.Fatalf("users unlock: %v", err)
	}
	if !strings.HasPrefix(stdout.String(), "users unlock: responsable (") {
		t.Errorf("stdout %q", stdout.String())
	}
	if locked(from) {
		t.Error("still locked after `erp users unlock`")
	}

	count := func(action string) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log a JOIN users u ON a.resource_id = u.id::text
			WHERE a.action = $1 AND u.username = 'responsable'`, action).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("auth.lockout"); n != 1 {
		t.Errorf("auth.lockout entries = %d, want 1", n)
	}
	if n := count("auth.unlock"); n != 1 {
		t.Errorf("auth.unlock entries = %d, want 1", n)
	}
}
