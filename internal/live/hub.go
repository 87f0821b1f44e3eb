// Package live pushes new notifications to their recipients' open event streams, whichever
// server instance created them.
//
// Every inserted notification is announced by PostgreSQL on the channel 'notifications' (a
// trigger, migration 000008: pg_notify with its id and user_id, delivered on commit). Each server
// instance runs one Hub: one dedicated connection LISTENing on the channel, which fans every
// announcement out to the subscriptions of its recipient. When the connection is lost the hub
// reconnects with exponential backoff and, once listening again, sends every subscription a
// resync event (ID 0): announcements made meanwhile were lost, so the stream catches up from the
// database (its rows after the last id it sent).
//
// The same connection LISTENs on 'auth_accounts' (migration 000012: a user's id whenever what
// authentication reads of that account changes) and tells the AccountWatchers, so each instance
// drops its cached copy of the account at once; a watcher also learns when the connection is
// lost, since changes announced meanwhile are missed. It also LISTENs on 'intervention_noms'
// (migration 000032: a machine renamed, an account's full name changed) and tells the
// NamesWatchers, so each instance forgets the names it shows beside interventions.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the PostgreSQL notification channel the trigger announces new notifications on.
const Channel = "notifications"

// AccountsChannel is the channel on which account changes are announced; the payload is the
// user's id.
const AccountsChannel = "auth_accounts"

// AccountWatcher hears of the account changes announced on AccountsChannel.
type AccountWatcher interface {
	// AccountChanged: what was cached of account userID is stale.
	AccountChanged(userID int64)
	// Listening is the state of the connection: true once the hub LISTENs (again), false as
	// soon as it is lost or stopped (changes may be missed until the next true).
	Listening(ok bool)
}

// NamesChannel is the channel on which changes of the names shown beside interventions are
// announced (a machine's nom, an account's full name); the payload is empty.
const NamesChannel = "intervention_noms"

// NamesWatcher hears of the changes announced on NamesChannel.
type NamesWatcher interface {
	// NamesChanged: the cached names may be stale.
	NamesChanged()
	// Listening is the state of the connection, as for AccountWatcher.
	Listening(ok bool)
}

// Event announces notification ID for user UserID. ID 0 is a resync: announcements may have been
// missed, the subscriber reads its new rows from the database.
type Event struct {
	ID     int64 `json:"id"`
	UserID int64 `json:"user_id"`
}

// Resync reports whether the event asks the subscriber to catch up from the database.
func (e Event) Resync() bool { return e.ID == 0 }

// Errors ending a subscription.
var (
	// ErrLagged: the subscriber did not keep up and its buffer overflowed; it should end its
	// stream (the client resumes with Last-Event-ID).
	ErrLagged = errors.New("live: subscriber too slow")
	// ErrStopped: the hub stopped (server shutdown).
	ErrStopped = errors.New("live: hub stopped")
)

// Options tune a hub; zero values take the defaults.
type Options struct {
	Logger     *slog.Logger
	MinBackoff time.Duration // first wait before reconnecting (default 250 ms)
	MaxBackoff time.Duration // longest wait between attempts (default 30 s)
	Buffer     int           // events buffered per subscription (default 64)
}

// Hub fans the announcements of one LISTEN connection out to the subscriptions.
type Hub struct {
	connect func(ctx context.Context) (*pgx.Conn, error)
	opts    Options

	mu      sync.Mutex
	subs    map[int64]map[*Subscription]struct{}
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{} // closed when Run returns (nil: never started)

	listening chan struct{} // closed on the first successful LISTEN
	listenOne sync.Once

	wmu      sync.Mutex // watchers and up; held while calling the watchers, so they see every change in order
	watchers []AccountWatcher
	names    []NamesWatcher
	up       bool // LISTENing now
}

// New returns a hub connecting with cfg (a copy of the pool's connection configuration); Start it.
func New(cfg *pgx.ConnConfig, opts Options) *Hub {
	return NewWithConnect(func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.ConnectConfig(ctx, cfg.Copy())
	}, opts)
}

// NewWithConnect returns a hub opening its connection with connect (tests).
func NewWithConnect(connect func(ctx context.Context) (*pgx.Conn, error), opts Options) *Hub {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(30*time.Second, opts.MinBackoff)
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 64
	}
	return &Hub{connect: connect, opts: opts, subs: map[int64]map[*Subscription]struct{}{},
		listening: make(chan struct{})}
}

// Start runs the hub in the background until ctx is cancelled or Stop is called. Starting a
// hub twice, or after Stop, does nothing.
func (h *Hub) Start(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done != nil || h.stopped {
		return
	}
	ctx, h.cancel = context.WithCancel(ctx)
	h.done = make(chan struct{})
	go func() {
		defer close(h.done)
		h.run(ctx)
		h.closeAll(ErrStopped)
	}()
}

// Stop ends the hub, waits for its connection to close and ends every subscription
// (ErrStopped). Safe to call several times, and on a hub never started.
func (h *Hub) Stop() {
	h.mu.Lock()
	h.stopped = true
	cancel, done := h.cancel, h.done
	h.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	h.closeAll(ErrStopped)
}

// WatchAccounts makes w hear of account changes from now on; it is told the connection's state
// at once.
func (h *Hub) WatchAccounts(w AccountWatcher) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.watchers = append(h.watchers, w)
	w.Listening(h.up)
}

// WatchNames makes w hear of name changes from now on; it is told the connection's state at once.
func (h *Hub) WatchNames(w NamesWatcher) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.names = append(h.names, w)
	w.Listening(h.up)
}

// setUp records the connection's state and tells the watchers when it changes.
func (h *Hub) setUp(up bool) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if h.up == up {
		return
	}
	h.up = up
	for _, w := range h.watchers {
		w.Listening(up)
	}
	for _, w := range h.names {
		w.Listening(up)
	}
}

func (h *Hub) namesChanged() {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	for _, w := range h.names {
		w.NamesChanged()
	}
}

func (h *Hub) accountChanged(userID int64) {
	h.mu.Lock()
	for sub := range h.subs[userID] {
		select {
		case sub.account <- struct{}{}:
		default: // a check is already due
		}
	}
	h.mu.Unlock()
	h.wmu.Lock()
	defer h.wmu.Unlock()
	for _, w := range h.watchers {
		w.AccountChanged(userID)
	}
}

// Listening is closed once the hub listens for the first time (tests wait on it).
func (h *Hub) Listening() <-chan struct{} { return h.listening }

// Subscription receives the events of one user until it is closed.
type Subscription struct {
	hub     *Hub
	userID  int64
	c       chan Event
	account chan struct{} // the user's account changed (from any instance)
	done    chan struct{}
	once    sync.Once
	err     error
}

// Subscribe starts receiving the announcements of user's notifications. Close the
// subscription when done.
func (h *Hub) Subscribe(userID int64) *Subscription {
	s := &Subscription{hub: h, userID: userID, c: make(chan Event, h.opts.Buffer), account: make(chan struct{}, 1),
		done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		s.end(ErrStopped)
		return s
	}
	m := h.subs[userID]
	if m == nil {
		m = map[*Subscription]struct{}{}
		h.subs[userID] = m
	}
	m[s] = struct{}{}
	return s
}

// Events delivers the announcements, in the order received.
func (s *Subscription) Events() <-chan Event { return s.c }

// AccountChanged receives when the user's account changed (its session may have ended: a
// logout, a password, role or active flag change), announced by any instance; several changes
// may arrive as one.
func (s *Subscription) AccountChanged() <-chan struct{} { return s.account }

// Done is closed when the subscription ends by itself (Err says why).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended (ErrLagged, ErrStopped), nil while it runs or once Closed.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close unsubscribes.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	s.hub.remove(s)
	s.hub.mu.Unlock()
	s.end(nil)
}

func (s *Subscription) end(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

// remove drops s from the index; h.mu is held.
func (h *Hub) remove(s *Subscription) {
	if m := h.subs[s.userID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.userID)
		}
	}
}

// Subscribers counts the open subscriptions (metrics, tests).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}

func (h *Hub) closeAll(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.subs {
		for s := range m {
			s.end(err)
		}
	}
	h.subs = map[int64]map[*Subscription]struct{}{}
}

// deliver hands e to the subscriptions of its user, or to everyone for a resync. A
// subscription whose buffer is full is ended (ErrLagged): dropping one event silently would
// leave a gap in its stream.
func (h *Hub) deliver(e Event, all bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	send := func(s *Subscription) {
		select {
		case s.c <- e:
		default:
			h.remove(s)
			s.end(ErrLagged)
		}
	}
	if all {
		for _, m := range h.subs {
			for s := range m {
				send(s)
			}
		}
		return
	}
	for s := range h.subs[e.UserID] {
		send(s)
	}
}

// run listens until ctx ends, reconnecting with backoff.
func (h *Hub) run(ctx context.Context) {
	log := h.opts.Logger
	backoff := h.opts.MinBackoff
	for ctx.Err() == nil {
		err := h.listen(ctx, func() {
			backoff = h.opts.MinBackoff
			// Announcements made while not listening are lost: everyone catches up.
			h.deliver(Event{}, true)
			h.setUp(true)
			h.listenOne.Do(func() { close(h.listening) })
		})
		h.setUp(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("live notifications: connection lost, reconnecting", "error", err, "in", backoff.String())
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, h.opts.MaxBackoff)
	}
}

// listen opens the connection, LISTENs, calls ready, then dispatches until an error.
func (h *Hub) listen(ctx context.Context, ready func()) error {
	conn, err := h.connect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	channels := []string{Channel, AccountsChannel, NamesChannel}
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	h.opts.Logger.Debug("live notifications: listening", "channels", channels)
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == NamesChannel {
			h.namesChanged()
			continue
		}
		if n.Channel == AccountsChannel {
			id, err := strconv.ParseInt(n.Payload, 10, 64)
			if err != nil || id <= 0 {
				h.opts.Logger.Warn("live notifications: ignoring a malformed account change", "payload", n.Payload)
				continue
			}
			h.accountChanged(id)
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.ID <= 0 || e.UserID <= 0 {
			h.opts.Logger.Warn("live notifications: ignoring a malformed announcement", "payload", n.Payload)
			continue
		}
		h.deliver(e, false)
	}
}
