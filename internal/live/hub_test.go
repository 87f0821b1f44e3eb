package live_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/live"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// setup returns a pool on a fresh migrated database with one user, and a started hub on it.
func setup(t *testing.T, opts live.Options) (*pgxpool.Pool, *live.Hub, int64) {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), pg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var uid int64
	if err := pool.QueryRow(t.Context(), `INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ('live', 'Live', 'live@example.com', 'x', 'technicien') RETURNING id`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	h := live.New(pool.Config().ConnConfig, opts)
	h.Start(context.Background())
	t.Cleanup(h.Stop)
	waitListening(t, h)
	return pool, h, uid
}

func waitListening(t *testing.T, h *live.Hub) {
	t.Helper()
	select {
	case <-h.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("the hub is not listening after 10 s")
	}
}

func insert(t *testing.T, pool *pgxpool.Pool, uid int64) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(t.Context(), `INSERT INTO notifications (user_id, type, titre) VALUES ($1, 'information', 'Test')
		RETURNING id`, uid).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// next returns the next event that is not a resync.
func next(t *testing.T, s *live.Subscription, within time.Duration) live.Event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e := <-s.Events():
			if !e.Resync() {
				return e
			}
		case <-s.Done():
			t.Fatalf("subscription ended: %v", s.Err())
		case <-deadline:
			t.Fatalf("no event within %v", within)
		}
	}
}

func TestAnInsertReachesItsRecipientsSubscriptionsOnly(t *testing.T) {
	t.Parallel()
	pool, h, uid := setup(t, live.Options{})
	a, b := h.Subscribe(uid), h.Subscribe(uid)
	other := h.Subscribe(uid + 1000)
	defer a.Close()
	defer b.Close()
	defer other.Close()
	if n := h.Subscribers(); n != 3 {
		t.Errorf("%d subscribers, want 3", n)
	}
	id := insert(t, pool, uid)
	for _, s := range []*live.Subscription{a, b} {
		if e := next(t, s, time.Second); e.ID != id || e.UserID != uid {
			t.Errorf("event %+v, want id %d user %d", e, id, uid)
		}
	}
	select {
	case e := <-other.Events():
		if !e.Resync() {
			t.Errorf("another user's subscription got %+v", e)
		}
	case <-time.After(200 * time.Millisecond):
	}

	// Rolled back: never announced.
	tx, err := pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `INSERT INTO notifications (user_id, type, titre) VALUES ($1, 'information', 'x')`, uid); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback(t.Context())
	id2 := insert(t, pool, uid)
	if e := next(t, a, time.Second); e.ID != id2 {
		t.Errorf("after a rollback got %+v, want the next committed id %d", e, id2)
	}

	a.Close()
	if n := h.Subscribers(); n != 2 {
		t.Errorf("%d subscribers after Close, want 2", n)
	}
	if a.Err() != nil {
		t.Errorf("closed subscription Err %v, want nil", a.Err())
	}
}

func TestMalformedAnnouncementsAreIgnored(t *testing.T) {
	t.Parallel()
	pool, h, uid := setup(t, live.Options{})
	s := h.Subscribe(uid)
	defer s.Close()
	for _, p := range []string{"not json", `{"id":"x"}`, `{"id":0,"user_id":1}`, `{}`} {
		if _, err := pool.Exec(t.Context(), "SELECT pg_notify('notifications', $1)", p); err != nil {
			t.Fatal(err)
		}
	}
	id := insert(t, pool, uid)
	if e := next(t, s, time.Second); e.ID != id {
		t.Errorf("got %+v, want %d", e, id)
	}
}

func TestTheHubReconnectsAndAsksForAResync(t *testing.T) {
	t.Parallel()
	pool, h, uid := setup(t, live.Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	s := h.Subscribe(uid)
	defer s.Close()
	// Drain the resync of the first connection.
	for len(s.Events()) > 0 {
		<-s.Events()
	}
	// Kill the hub's LISTEN connection.
	tag, err := pool.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminate the listener: %v (%d rows)", err, tag.RowsAffected())
	}
	select {
	case e := <-s.Events():
		if !e.Resync() {
			t.Fatalf("first event after the reconnection %+v, want a resync", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no resync after the connection was killed")
	}
	id := insert(t, pool, uid)
	if e := next(t, s, time.Second); e.ID != id {
		t.Errorf("after reconnecting got %+v, want %d", e, id)
	}
}

func TestASlowSubscriberIsEndedNotSilentlyGapped(t *testing.T) {
	t.Parallel()
	pool, h, uid := setup(t, live.Options{Buffer: 2})
	s := h.Subscribe(uid)
	for range 4 {
		insert(t, pool, uid)
	}
	select {
	case <-s.Done():
		if !errors.Is(s.Err(), live.ErrLagged) {
			t.Errorf("Err %v, want ErrLagged", s.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an overflowing subscription was not ended")
	}
	if n := h.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
}

func TestStopEndsSubscriptionsAndClosesTheConnection(t *testing.T) {
	t.Parallel()
	pool, h, uid := setup(t, live.Options{})
	s := h.Subscribe(uid)
	h.Stop()
	select {
	case <-s.Done():
		if !errors.Is(s.Err(), live.ErrStopped) {
			t.Errorf("Err %v, want ErrStopped", s.Err())
		}
	default:
		t.Fatal("Stop returned with a subscription still open")
	}
	after := h.Subscribe(uid)
	select {
	case <-after.Done():
	default:
		t.Error("a subscription to a stopped hub is open")
	}
	// The server ends the backend a moment after the client closes the connection: poll.
	var n int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 || time.Now().After(deadline) {
			break
		}
	}
	if n != 0 {
		t.Errorf("%d listening connections 5 s after Stop", n)
	}
	h.Stop() // twice: no panic
}

func TestTheHubRetriesUntilTheDatabaseAnswers(t *testing.T) {
	t.Parallel()
	url := pg.NewDatabase(t)
	fails := 3
	h := live.NewWithConnect(func(ctx context.Context) (*pgx.Conn, error) {
		if fails > 0 {
			fails--
			return nil, errors.New("connection refused")
		}
		return pgx.Connect(ctx, url)
	}, live.Options{MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	h.Start(ctx)
	waitListening(t, h)
	cancel()
	h.Stop()
}

func TestStreamTokens(t *testing.T) {
	t.Parallel()
	secret := []byte("test-secret-key-0123456789abcdefghijklmnop")
	now := time.Now()
	tokens := live.NewTokens(secret)
	tok, exp := tokens.Issue(42, 7)
	if d := time.Until(exp); d < 55*time.Second || d > 61*time.Second {
		t.Errorf("expires in %v, want about 60 s", d)
	}
	if id, sv, err := tokens.Verify(tok); err != nil || id != 42 || sv != 7 {
		t.Errorf("Verify(valid) = %d, %d, %v", id, sv, err)
	}
	if len(tok) > 200 {
		t.Errorf("token of %d characters, the contract allows 200", len(tok))
	}
	expired, _ := tokens.WithClock(func() time.Time { return now.Add(-2 * time.Minute) }).Issue(42, 7)
	other, _ := live.NewTokens([]byte("another-secret-0123456789abcdefghijklmnop")).Issue(42, 7)
	parts := strings.Split(tok, ".") // user, session version, expiry, signature
	forged := "43." + parts[1] + "." + parts[2] + "." + parts[3]
	newer := parts[0] + ".8." + parts[2] + "." + parts[3]
	longer := parts[0] + "." + parts[1] + "." + strconv.FormatInt(exp.Unix()+3600, 10) + "." + parts[3]
	for name, bad := range map[string]string{
		"expired": expired, "another key": other, "another user": forged, "another session": newer, "later expiry": longer,
		"empty": "", "garbage": "garbage", "no signature": parts[0] + "." + parts[1] + "." + parts[2] + ".", "dots": "...",
		"negative user": "-1." + parts[1] + "." + parts[2] + "." + parts[3], "too long": strings.Repeat("a", 300) + "." + parts[3],
	} {
		if id, _, err := tokens.Verify(bad); !errors.Is(err, live.ErrBadStreamToken) {
			t.Errorf("%s: Verify = %d, %v, want ErrBadStreamToken", name, id, err)
		}
	}
	// A JWT access token signed with the same secret is not a stream token.
	if _, _, err := tokens.Verify("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln"); err == nil {
		t.Error("a JWT passed as a stream token")
	}
}
