package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	contract "github.com/mif-erp/erp/api"
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/live"
	"github.com/mif-erp/erp/internal/testenv"
)

// sseEvent is one event of a stream, or a comment (heartbeat).
type sseEvent struct {
	ID, Event, Data string
	Comment         string
}

// liveOpts keeps streams open long enough for a test.
var liveOpts = testenv.Options{"LIVE_STREAM_MAX_SECONDS": "60"}

// openStream opens GET /notifications/stream (bearer when token is set; query as given) with a
// plain client (the contract transport reads whole bodies), checks the 200 and its media type,
// and returns the events as they arrive. The stream is closed when the test ends.
func openStream(t *testing.T, env *testenv.Env, token, query, lastEventID string) <-chan sseEvent {
	t.Helper()
	return openStreamAt(t, env.URL, token, query, lastEventID)
}

// openStreamAt is openStream on the API at base (e.g. http://host/api/v1).
func openStreamAt(t *testing.T, base, token, query, lastEventID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	u := base + "/notifications/stream"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.ID != "" || e.Data != "" || e.Event != "" {
					out <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ":"):
				out <- sseEvent{Comment: strings.TrimSpace(line[1:])}
			case strings.HasPrefix(line, "id: "):
				e.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.Data += line[6:]
			}
		}
	}()
	return out
}

// nextEvent returns the next notification event (skipping heartbeats), failing when none comes
// within deliveryWait.
func nextEvent(t *testing.T, events <-chan sseEvent) sseEvent {
	t.Helper()
	deadline := time.After(deliveryWait)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if e.Comment == "" {
				return e
			}
		case <-deadline:
			t.Fatalf("no event within %v", deliveryWait)
		}
	}
}

// noEvent checks that no notification event arrives during d.
func noEvent(t *testing.T, events <-chan sseEvent, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case e, ok := <-events:
			if ok && e.Comment == "" {
				t.Fatalf("unexpected event %+v", e)
			}
			if !ok {
				return
			}
		case <-deadline:
			return
		}
	}
}

// checkNotificationEvent checks an event against the contract's Notification and returns it.
func checkNotificationEvent(t *testing.T, e sseEvent, wantID, wantUser int64) api.Notification {
	t.Helper()
	if e.Event != "notification" || e.ID != strconv.FormatInt(wantID, 10) {
		t.Errorf("event %q id %q, want notification %d", e.Event, e.ID, wantID)
	}
	doc, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal([]byte(e.Data), &v); err != nil {
		t.Fatalf("data %q: %v", e.Data, err)
	}
	if err := doc.Components.Schemas["Notification"].Value.VisitJSON(v); err != nil {
		t.Errorf("data breaks the Notification schema: %v\n%s", err, e.Data)
	}
	var n api.Notification
	if err := json.Unmarshal([]byte(e.Data), &n); err != nil {
		t.Fatal(err)
	}
	if n.Id != wantID || n.UserId != wantUser {
		t.Errorf("notification %d of user %d, want %d of %d", n.Id, n.UserId, wantID, wantUser)
	}
	return n
}

func userID(t *testing.T, env *testenv.Env, username string) int64 {
	t.Helper()
	var id int64
	if err := env.Pool.QueryRow(t.Context(), "SELECT id FROM users WHERE username = $1", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// notify inserts a notification for a user through env's database pool (any code path inserting
// a row announces it: the trigger of migration 000008).
func notify(t *testing.T, env *testenv.Env, user int64, titre string) int64 {
	t.Helper()
	var id int64
	if err := env.Pool.QueryRow(t.Context(), `INSERT INTO notifications (user_id, type, titre, contenu)
		VALUES ($1, 'information', $2, 'Contenu « test », ligne 1
ligne 2') RETURNING id`, user, titre).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func waitHub(t *testing.T, env *testenv.Env) {
	t.Helper()
	select {
	case <-env.Hub.Listening():
	case <-time.After(deliveryWait):
		t.Fatal("the hub is not listening")
	}
}

func TestStreamDeliversANewNotificationWithinASecond(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, liveOpts)
	waitHub(t, env)
	tech, client := userID(t, env, "technicien"), userID(t, env, "client")
	old := notify(t, env, tech, "Ancienne")
	events := openStream(t, env, env.Token("technicien"), "", "")

	notify(t, env, client, "Pour le client")
	start := time.Now()
	id := notify(t, env, tech, "Nouvelle intervention assignée")
	e := nextEvent(t, events)
	if d := time.Since(start); d > liveWithin {
		t.Errorf("delivered after %v", d)
	}
	n := checkNotificationEvent(t, e, id, tech)
	if n.Titre != "Nouvelle intervention assignée" || n.Lue || n.Type != api.NotificationTypeInformation ||
		*n.Contenu != "Contenu « test », ligne 1\nligne 2" || n.InterventionId != nil || n.ReadAt != nil {
		t.Errorf("notification %+v", n)
	}
	if id <= old {
		t.Fatal("ids not increasing")
	}
	// Neither the older notification nor another user's came.
	noEvent(t, events, 300*time.Millisecond)

	// A second stream of the same user gets the next one too.
	events2 := openStream(t, env, env.Token("technicien"), "", "")
	id2 := notify(t, env, tech, "Deuxième")
	checkNotificationEvent(t, nextEvent(t, events), id2, tech)
	checkNotificationEvent(t, nextEvent(t, events2), id2, tech)
}

func TestStreamDeliversAcrossTwoServerInstances(t *testing.T) {
	t.Parallel()
	a := testenv.NewEnv(t, pg, liveOpts)
	b := a.SecondInstance(liveOpts)
	waitHub(t, a)
	waitHub(t, b)
	tech := userID(t, a, "technicien")
	onB := openStream(t, b, b.Token("technicien"), "", "")
	onA := openStream(t, a, a.Token("technicien"), "", "")

	// Inserted through instance A (its pool): the stream on B gets it, and A's too. What is
	// checked is that it crosses instances; how fast a stream is served is the single-instance
	// test's concern, and a loaded machine delays the two hubs unevenly.
	id := notify(t, a, tech, "Créée sur A")
	checkNotificationEvent(t, nextEvent(t, onB), id, tech)
	checkNotificationEvent(t, nextEvent(t, onA), id, tech)
	// And the other way round.
	id = notify(t, b, tech, "Créée sur B")
	checkNotificationEvent(t, nextEvent(t, onA), id, tech)
	checkNotificationEvent(t, nextEvent(t, onB), id, tech)
}

func TestStreamResumesAfterLastEventIDWithoutGapOrDuplicate(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, liveOpts)
	waitHub(t, env)
	tech, client := userID(t, env, "technicien"), userID(t, env, "client")
	var ids []int64
	for i := range 4 {
		ids = append(ids, notify(t, env, tech, "Manquée "+strconv.Itoa(i)))
		notify(t, env, client, "Autre")
	}
	// Seen up to ids[1]: ids[2] and ids[3] are replayed, in order, then live ones follow.
	events := openStream(t, env, env.Token("technicien"), "", strconv.FormatInt(ids[1], 10))
	checkNotificationEvent(t, nextEvent(t, events), ids[2], tech)
	checkNotificationEvent(t, nextEvent(t, events), ids[3], tech)
	live1 := notify(t, env, tech, "En direct")
	checkNotificationEvent(t, nextEvent(t, events), live1, tech)
	noEvent(t, events, 300*time.Millisecond)

	// Inserts racing the opening of the stream: each arrives exactly once.
	done := make(chan []int64)
	go func() {
		var got []int64
		for range 20 {
			var id int64
			if err := env.Pool.QueryRow(context.Background(), `INSERT INTO notifications (user_id, type, titre)
				VALUES ($1, 'rappel', 'Course') RETURNING id`, tech).Scan(&id); err != nil {
				t.Error(err)
			}
			got = append(got, id)
		}
		done <- got
	}()
	events2 := openStream(t, env, env.Token("technicien"), "", strconv.FormatInt(live1, 10))
	inserted := <-done
	seen := map[string]int{}
	for range inserted {
		e := nextEvent(t, events2)
		seen[e.ID]++
	}
	noEvent(t, events2, 300*time.Millisecond)
	for _, id := range inserted {
		if seen[strconv.FormatInt(id, 10)] != 1 {
			t.Errorf("notification %d received %d times", id, seen[strconv.FormatInt(id, 10)])
		}
	}

	// Last-Event-ID 0: everything; a bad one: 422, not 500.
	all := openStream(t, env, env.Token("client"), "", "0")
	for range 4 {
		if e := nextEvent(t, all); e.Event != "notification" {
			t.Fatalf("event %+v", e)
		}
	}
	for _, bad := range []string{"abc", "-1", "1.5", "99999999999999999999"} {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/notifications/stream", nil)
		req.Header.Set("Authorization", "Bearer "+env.Token("client"))
		req.Header.Set("Last-Event-ID", bad)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("Last-Event-ID %q: %d, want 422", bad, resp.StatusCode)
		}
	}
}

func TestStreamSendsHeartbeatsAndEndsAfterItsMaximumDuration(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"SSE_HEARTBEAT_SECONDS": "1", "LIVE_STREAM_MAX_SECONDS": "3"})
	start := time.Now()
	events := openStream(t, env, env.Token("admin"), "", "")
	pings := 0
	for e := range events {
		if e.Comment == "ping" {
			pings++
		}
	}
	d := time.Since(start)
	if pings < 2 {
		t.Errorf("%d heartbeats in %v, want at least 2", pings, d)
	}
	if d < 2500*time.Millisecond || d > 3*time.Second+testenv.Scaled(3*time.Second) {
		t.Errorf("stream lasted %v, want about 3 s", d)
	}
}

func TestStreamTokens(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, liveOpts)
	waitHub(t, env)
	tech := userID(t, env, "technicien")

	resp, err := env.Client.CreateStreamTokenWithResponse(t.Context(), testenv.As(env.Token("technicien")))
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON201 == nil {
		t.Fatalf("createStreamToken: %d %s", resp.StatusCode(), resp.Body)
	}
	tok := resp.JSON201.StreamToken
	if d := time.Until(resp.JSON201.ExpiresAt); d < 50*time.Second || d > 61*time.Second {
		t.Errorf("expires in %v, want 60 s", d)
	}
	// EventSource style: no Authorization header, the token in the query.
	events := openStream(t, env, "", "stream_token="+url.QueryEscape(tok), "")
	id := notify(t, env, tech, "Par jeton")
	checkNotificationEvent(t, nextEvent(t, events), id, tech)

	// Refused tokens: 401 with WWW-Authenticate, never 500.
	secret := env.Config.SecretKey
	expired, _ := live.NewTokens(secret).WithClock(func() time.Time { return time.Now().Add(-2 * time.Minute) }).Issue(tech, 0)
	otherKey, _ := live.NewTokens([]byte("another-secret-0123456789abcdefghijklmnop")).Issue(tech, 0)
	parts := strings.Split(tok, ".")
	admin := userID(t, env, "admin")
	forged := strconv.FormatInt(admin, 10) + "." + parts[1] + "." + parts[2] + "." + parts[3]
	for name, q := range map[string]string{
		"expired": expired, "another key": otherKey, "another user's id": forged, "garbage": "garbage",
		"empty": "", "unicode": "é.é.é", "dots": "..",
	} {
		r, b := env.Do(http.MethodGet, "/api/v1/notifications/stream?stream_token="+url.QueryEscape(q), "", "", nil, false)
		if r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d (WWW-Authenticate %q) %s, want 401", name, r.StatusCode, r.Header.Get("WWW-Authenticate"), b)
		}
	}
	// Too long for the contract: 422 (the gate), not 500.
	if r, _ := env.Do(http.MethodGet, "/api/v1/notifications/stream?stream_token="+strings.Repeat("a", 300), "", "", nil, true); r.StatusCode != 422 {
		t.Errorf("a 300-character token: %d, want 422", r.StatusCode)
	}

	// A deactivated account: 403, with its stream token as with its bearer token.
	gone := mustCreateUser(t, env, newUserBody("stream.gone", api.UserRoleTechnicien))
	goneTok, _ := live.NewTokens(secret).Issue(gone.Id, 0)
	bearer := env.Login(gone.Username, userPassword).AccessToken
	if _, err := env.Pool.Exec(t.Context(), "UPDATE users SET is_active = false WHERE id = $1", gone.Id); err != nil {
		t.Fatal(err)
	}
	if r, b := env.Do(http.MethodGet, "/api/v1/notifications/stream?stream_token="+url.QueryEscape(goneTok), "", "", nil, false); r.StatusCode != http.StatusForbidden {
		t.Errorf("deactivated user's stream token: %d %s, want 403", r.StatusCode, b)
	}
	if r, b := env.Do(http.MethodGet, "/api/v1/notifications/stream", bearer, "", nil, false); r.StatusCode != http.StatusForbidden {
		t.Errorf("deactivated user's bearer: %d %s, want 403", r.StatusCode, b)
	}
	// A deleted account's token: 401.
	if _, err := env.Pool.Exec(t.Context(), "DELETE FROM users WHERE id = $1", gone.Id); err != nil {
		t.Fatal(err)
	}
	if r, b := env.Do(http.MethodGet, "/api/v1/notifications/stream?stream_token="+url.QueryEscape(goneTok), "", "", nil, false); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("deleted user's stream token: %d %s, want 401", r.StatusCode, b)
	}
	// A bearer token wins over a stream token: a bad bearer is refused even with a good token.
	if r, _ := env.Do(http.MethodGet, "/api/v1/notifications/stream?stream_token="+url.QueryEscape(tok), "not-a-jwt", "", nil, false); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad bearer with a good stream token: %d, want 401", r.StatusCode)
	}
}

func TestStreamsEndWhenTheHubStops(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, liveOpts)
	waitHub(t, env)
	events := openStream(t, env, env.Token("responsable"), "", "")
	time.Sleep(100 * time.Millisecond)
	env.Hub.Stop()
	streamEnds(t, "after the hub stopped", events, deliveryWait)
}

// The stream outlives the server's read and write timeouts (60 s in `erp serve`, 1 s here).
func TestStreamOutlivesTheServerTimeouts(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, liveOpts)
	waitHub(t, env)
	h, err := app.Handler(env.Config, env.Pool, nil, slog.New(slog.DiscardHandler), "test", time.Now(), app.WithLive(env.Hub))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = time.Second, time.Second
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(env.Hub.Stop) // before ts.Close
	events := openStreamAt(t, ts.URL+"/api/v1", env.Token("technicien"), "", "")
	time.Sleep(2500 * time.Millisecond)
	id := notify(t, env, userID(t, env, "technicien"), "Après les délais")
	checkNotificationEvent(t, nextEvent(t, events), id, userID(t, env, "technicien"))
}

// liveWithin bounds how long a notification may take to reach a stream: the service delivers
// in milliseconds (pg_notify on commit, then a channel send), within a second on a quiet machine;
// the bound grows with the race detector and on few cores, where CI runs every package at once.
var liveWithin = testenv.Scaled(time.Second)

// deliveryWait is how long a test waits for an event whose delivery, not its speed, is checked:
// long enough that only an event that never comes fails.
var deliveryWait = testenv.Scaled(10 * time.Second)
