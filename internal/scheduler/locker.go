package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrLocked is returned by Locker.Lock while another session (another replica) holds the lock.
var ErrLocked = errors.New("scheduler: the job is running on another instance")

// Locker is a gocron.Locker on PostgreSQL session advisory locks. A lock holds one pooled
// connection for the length of the run; pg_try_advisory_lock never waits, so a replica finding
// the lock taken skips its run. If the connection dies the server releases the lock.
//
// Session locks need a session: behind a pooler in transaction mode (PgBouncer), point the
// application at PostgreSQL directly or use session pooling.
type Locker struct {
	pool *pgxpool.Pool
}

var _ gocron.Locker = (*Locker)(nil)

// NewLocker returns a locker on the database of pool.
func NewLocker(pool *pgxpool.Pool) *Locker { return &Locker{pool: pool} }

// LockID is the advisory lock key of a job name (64-bit FNV-1a of a namespaced name).
func LockID(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("mif-erp/scheduler/" + name))
	return int64(h.Sum64())
}

// Lock takes the lock of key, or fails at once with ErrLocked.
func (l *Locker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("scheduler lock %s: %w", key, err)
	}
	id := LockID(key)
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", id).Scan(&ok); err != nil {
		// The lock may have been taken before the error: close the session, which releases it.
		discard(conn)
		return nil, fmt.Errorf("scheduler lock %s: %w", key, err)
	}
	if !ok {
		conn.Release()
		return nil, ErrLocked
	}
	return &lock{conn: conn, id: id, key: key}, nil
}

type lock struct {
	conn *pgxpool.Conn
	id   int64
	key  string
}

// Unlock releases the lock and gives the connection back. It works with a cancelled context
// (gocron unlocks with the job's context, cancelled at shutdown); when the release fails the
// session is closed, which releases the lock too.
func (l *lock) Unlock(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	conn := l.conn
	l.conn = nil
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var released bool
	err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", l.id).Scan(&released)
	if err != nil || !released {
		discard(conn)
		if err == nil {
			err = errors.New("the lock was not held")
		}
		return fmt.Errorf("scheduler unlock %s: %w", l.key, err)
	}
	conn.Release()
	return nil
}

// discard closes a pooled connection instead of returning it to the pool.
func discard(conn *pgxpool.Conn) {
	c := conn.Hijack()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Close(ctx)
}
