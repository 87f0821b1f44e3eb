package idempotency_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/idempotency"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// newStore returns a store on a fresh database holding one user, and that user's id.
func newStore(t *testing.T) (*idempotency.Store, *pgxpool.Pool, int64) {
	t.Helper()
	pool := pg.NewPool(t, 4)
	var userID int64
	err := pool.QueryRow(context.Background(), `INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ('idem', 'Idem Potent', 'idem@example.com', 'x', 'responsable') RETURNING id`).Scan(&userID)
	if err != nil {
		t.Fatal(err)
	}
	return idempotency.NewStore(pool), pool, userID
}

func TestStoreReplaysTheAnswerOfTheSameRequestOnly(t *testing.T) {
	t.Parallel()
	store, _, user := newStore(t)
	ctx := context.Background()
	k := idempotency.Key{UserID: user, Operation: "createEquipement", Key: "k1"}

	claim, stored, err := store.Begin(ctx, k, []byte("hash-a"))
	if err != nil || stored != nil {
		t.Fatalf("first Begin: stored %v, err %v; want a claim", stored, err)
	}
	if _, _, err := store.Begin(ctx, k, []byte("hash-a")); !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("Begin while running: %v, want ErrInProgress", err)
	}
	if _, _, err := store.Begin(ctx, k, []byte("hash-b")); !errors.Is(err, idempotency.ErrKeyReused) {
		t.Errorf("Begin with another hash: %v, want ErrKeyReused", err)
	}

	answer := idempotency.Answer{Status: 201, Headers: map[string]string{"Location": "/equipements/7"}, Body: []byte(`{"id":7}`)}
	if err := store.Complete(ctx, claim, answer); err != nil {
		t.Fatal(err)
	}
	_, stored, err = store.Begin(ctx, k, []byte("hash-a"))
	if err != nil || stored == nil {
		t.Fatalf("Begin after Complete: stored %v, err %v; want the answer", stored, err)
	}
	if stored.Status != 201 || stored.Headers["Location"] != "/equipements/7" || string(stored.Body) != `{"id":7}` {
		t.Errorf("stored answer = %+v", stored)
	}
	if _, _, err := store.Begin(ctx, k, []byte("hash-b")); !errors.Is(err, idempotency.ErrKeyReused) {
		t.Errorf("Begin with another hash after Complete: %v, want ErrKeyReused", err)
	}

	// Keys are scoped per operation.
	other := k
	other.Operation = "createIntervention"
	if _, stored, err := store.Begin(ctx, other, []byte("hash-b")); err != nil || stored != nil {
		t.Errorf("same key, other operation: stored %v, err %v; want a claim", stored, err)
	}
}

func TestStoreReleasedClaimRunsAgain(t *testing.T) {
	t.Parallel()
	store, _, user := newStore(t)
	ctx := context.Background()
	k := idempotency.Key{UserID: user, Operation: "createEquipement", Key: "k2"}

	claim, _, err := store.Begin(ctx, k, []byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Release(ctx, claim); err != nil {
		t.Fatal(err)
	}
	if _, stored, err := store.Begin(ctx, k, []byte("h")); err != nil || stored != nil {
		t.Errorf("Begin after Release: stored %v, err %v; want a new claim", stored, err)
	}
}

func TestStoreExpiredEntriesAreTakenOverAndPurged(t *testing.T) {
	t.Parallel()
	store, pool, user := newStore(t)
	ctx := context.Background()
	k := idempotency.Key{UserID: user, Operation: "createEquipement", Key: "k3"}

	old, _, err := store.Begin(ctx, k, []byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	// The claim is older than Abandoned: its server is taken to be dead.
	if _, err := pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '31 seconds'`); err != nil {
		t.Fatal(err)
	}
	fresh, stored, err := store.Begin(ctx, k, []byte("other"))
	if err != nil || stored != nil {
		t.Fatalf("Begin over an abandoned claim: stored %v, err %v; want a claim", stored, err)
	}
	// The old claim's late answer changes nothing: the fresh claim holds the key.
	if err := store.Complete(ctx, old, idempotency.Answer{Status: 201, Body: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Begin(ctx, k, []byte("other")); !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("Begin after the stale Complete: %v, want ErrInProgress", err)
	}
	if err := store.Complete(ctx, fresh, idempotency.Answer{Status: 201, Body: []byte("fresh")}); err != nil {
		t.Fatal(err)
	}

	if n, err := store.Purge(ctx); err != nil || n != 0 {
		t.Errorf("Purge of a fresh entry: %d, %v; want 0", n, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours'`); err != nil {
		t.Fatal(err)
	}
	if n, err := store.Purge(ctx); err != nil || n != 1 {
		t.Errorf("Purge past TTL: %d, %v; want 1", n, err)
	}
}

// TestAClaimLeftBehindByAnOutageIsFreeWithin30Seconds: a request whose database went away could
// neither store its answer nor release its key; its retry gets 409 "in progress" for at most
// 30 seconds, then runs.
func TestAClaimLeftBehindByAnOutageIsFreeWithin30Seconds(t *testing.T) {
	t.Parallel()
	store, pool, user := newStore(t)
	ctx := context.Background()
	k := idempotency.Key{UserID: user, Operation: "createIntervention", Key: "outage"}
	if _, _, err := store.Begin(ctx, k, []byte("h")); err != nil {
		t.Fatal(err)
	}
	age := func(seconds int) {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $1)`, seconds); err != nil {
			t.Fatal(err)
		}
	}
	age(int(idempotency.MaxRun.Seconds()))
	if _, _, err := store.Begin(ctx, k, []byte("h")); !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("a claim within its lease: %v, want ErrInProgress", err)
	}
	age(30)
	if _, stored, err := store.Begin(ctx, k, []byte("h")); err != nil || stored != nil {
		t.Errorf("a claim 30 s old: stored %v, err %v; want a new claim", stored, err)
	}
	if idempotency.MaxRun >= idempotency.Abandoned {
		t.Errorf("MaxRun %v must end a request before its claim counts as abandoned (%v)", idempotency.MaxRun, idempotency.Abandoned)
	}
}
