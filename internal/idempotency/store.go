// Package idempotency keeps the answers of requests sent with an Idempotency-Key, so that a
// retry gets the first answer again instead of running twice. It owns the table
// idempotency_keys: who holds a key, the answer stored under it, and when it expires. The HTTP
// side (reading the header, recording the response, replaying it) is the caller's.
package idempotency

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
)

const (
	// TTL is how long an answer is replayed; older entries are ignored, overwritten, and purged.
	TTL = 24 * time.Hour
	// Abandoned is how long a claim may stay unanswered before it is taken to belong to a request
	// that failed without releasing it (its server died, or the database stayed unreachable this
	// long), and may be claimed again: a retry waits this long at most. The request holding a
	// claim is cut off after MaxRun, well before, so that it never runs beside its retry.
	Abandoned = 30 * time.Second
	// MaxRun is how long the request holding a claim may run.
	MaxRun = 20 * time.Second
)

// Errors of Begin.
var (
	// ErrKeyReused: the key was used for another request (another hash).
	ErrKeyReused = errors.New("idempotency: key used for another request")
	// ErrInProgress: the request holding the key has not answered yet.
	ErrInProgress = errors.New("idempotency: request still in progress")
)

// Key names one entry: a key is scoped per user and operation.
type Key struct {
	UserID    int64
	Operation string
	Key       string
}

// Answer is a stored response.
type Answer struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Claim is the right to answer under a key, fenced by the time it was taken: once the claim is
// taken over (abandoned or expired), its Complete and Release change nothing.
type Claim struct {
	key Key
	at  time.Time
}

// Store holds the entries in PostgreSQL, so that every replica sees the same keys.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore keeps the entries in pool's database.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Begin claims k for a request identified by hash. It returns the claim when this request is to
// run (then Complete or Release it), or the stored answer when a request with the same hash was
// answered already. The same key with another hash is ErrKeyReused; a key whose request still
// runs is ErrInProgress.
func (s *Store) Begin(ctx context.Context, k Key, hash []byte) (Claim, *Answer, error) {
	q := db.New(s.pool)
	// A few rounds: the entry seen as taken may be released (a 5xx) before it can be read.
	for range 3 {
		at, err := q.ClaimIdempotencyKey(ctx, db.ClaimIdempotencyKeyParams{
			UserID: k.UserID, Operation: k.Operation, Key: k.Key, RequestHash: hash,
			TtlSeconds: TTL.Seconds(), AbandonSeconds: Abandoned.Seconds(),
		})
		if err == nil {
			return Claim{key: k, at: at}, nil, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return Claim{}, nil, fmt.Errorf("idempotency: claim key: %w", err)
		}
		stored, err := q.GetIdempotencyKey(ctx, db.GetIdempotencyKeyParams{UserID: k.UserID, Operation: k.Operation, Key: k.Key})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return Claim{}, nil, fmt.Errorf("idempotency: read key: %w", err)
		}
		if !bytes.Equal(stored.RequestHash, hash) {
			return Claim{}, nil, ErrKeyReused
		}
		if stored.Status == nil {
			return Claim{}, nil, ErrInProgress
		}
		a := &Answer{Status: int(*stored.Status), Body: stored.Body}
		if len(stored.Headers) > 0 {
			if err := json.Unmarshal(stored.Headers, &a.Headers); err != nil {
				return Claim{}, nil, fmt.Errorf("idempotency: decode stored headers: %w", err)
			}
		}
		return Claim{}, a, nil
	}
	return Claim{}, nil, ErrInProgress
}

// Complete stores the answer of the claimed request; it is replayed until TTL.
func (s *Store) Complete(ctx context.Context, c Claim, a Answer) error {
	headers := a.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	hb, err := json.Marshal(headers)
	if err != nil {
		return fmt.Errorf("idempotency: encode headers: %w", err)
	}
	status := int32(a.Status)
	if _, err := db.New(s.pool).CompleteIdempotencyKey(ctx, db.CompleteIdempotencyKeyParams{
		Status: &status, Headers: hb, Body: a.Body,
		UserID: c.key.UserID, Operation: c.key.Operation, Key: c.key.Key, ClaimedAt: c.at,
	}); err != nil {
		return fmt.Errorf("idempotency: store answer of %s: %w", c.key.Operation, err)
	}
	return nil
}

// Release forgets an unanswered claim (its request failed), so that a retry runs again.
func (s *Store) Release(ctx context.Context, c Claim) error {
	if _, err := db.New(s.pool).ReleaseIdempotencyKey(ctx, db.ReleaseIdempotencyKeyParams{
		UserID: c.key.UserID, Operation: c.key.Operation, Key: c.key.Key, ClaimedAt: c.at,
	}); err != nil {
		return fmt.Errorf("idempotency: release key of %s: %w", c.key.Operation, err)
	}
	return nil
}

// Purge deletes the entries past TTL (Begin ignores them already) and returns how many.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	n, err := db.New(s.pool).PurgeIdempotencyKeys(ctx, TTL.Seconds())
	if err != nil {
		return 0, fmt.Errorf("idempotency: purge expired keys: %w", err)
	}
	return n, nil
}
