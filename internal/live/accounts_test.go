package live_test

import (
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/live"
)

// watcher records what the hub tells an AccountWatcher.
type watcher struct {
	changed chan int64
	state   chan bool
}

func newWatcher() *watcher {
	return &watcher{changed: make(chan int64, 16), state: make(chan bool, 16)}
}

func (w *watcher) AccountChanged(id int64) { w.changed <- id }
func (w *watcher) Listening(ok bool)       { w.state <- ok }

func (w *watcher) nextState(t *testing.T) bool {
	t.Helper()
	select {
	case ok := <-w.state:
		return ok
	case <-time.After(10 * time.Second):
		t.Fatal("no change of the connection's state in 10 s")
		return false
	}
}

func (w *watcher) nextChange(t *testing.T) int64 {
	t.Helper()
	select {
	case id := <-w.changed:
		return id
	case <-time.After(5 * time.Second):
		t.Fatal("no account change heard in 5 s")
		return 0
	}
}

func TestTheHubTellsAccountChangesAndWhenItMayMissThem(t *testing.T) {
	t.Parallel()
	pool, h, uid := setup(t, live.Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	w := newWatcher()
	h.WatchAccounts(w)
	if !w.nextState(t) {
		t.Fatal("a watcher added to a listening hub was told it is not listening")
	}

	// The triggers of migration 000012 announce what authentication reads, and only that:
	// another account's login (last_login) is not announced, so the first change heard (in
	// commit order) is this account's role.
	var other int64
	if err := pool.QueryRow(t.Context(), `INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ('other', 'Other', 'other@example.com', 'x', 'client') RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), "UPDATE users SET last_login = now(), full_name = 'Autre' WHERE id = $1", other); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), "UPDATE users SET role = 'responsable' WHERE id = $1", uid); err != nil {
		t.Fatal(err)
	}
	if id := w.nextChange(t); id != uid {
		t.Fatalf("first change announced for %d, want the role change of %d (a login or a name is not announced)", id, uid)
	}
	if _, err := pool.Exec(t.Context(), "INSERT INTO techniciens (user_id) VALUES ($1)", uid); err != nil {
		t.Fatal(err)
	}
	if id := w.nextChange(t); id != uid {
		t.Fatalf("new technician profile announced for %d, want %d", id, uid)
	}
	if _, err := pool.Exec(t.Context(), "UPDATE users SET is_active = false WHERE id = $1", uid); err != nil {
		t.Fatal(err)
	}
	if id := w.nextChange(t); id != uid {
		t.Fatalf("deactivation announced for %d, want %d", id, uid)
	}

	// The connection is lost: the watcher is told at once, then again when the hub listens anew.
	tag, err := pool.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminate the listener: %v (%d rows)", err, tag.RowsAffected())
	}
	if w.nextState(t) {
		t.Fatal("told listening, want lost first")
	}
	if !w.nextState(t) {
		t.Fatal("not told when the hub listens again")
	}
	if _, err := pool.Exec(t.Context(), "DELETE FROM techniciens WHERE user_id = $1", uid); err != nil {
		t.Fatal(err)
	}
	if id := w.nextChange(t); id != uid {
		t.Fatalf("after reconnecting: %d announced, want %d", id, uid)
	}

	h.Stop()
	if w.nextState(t) {
		t.Error("a stopped hub still says it listens")
	}
}
