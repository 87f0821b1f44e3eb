package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

const (
	// outageWorkers send requests concurrently: enough for several to be inside the server, at
	// every stage of a request, when PostgreSQL goes away, few enough for two cores and -race.
	outageWorkers = 6
	// outageDown is how long PostgreSQL stays down under load at least: every pooled connection
	// is used (and found dead) or pinged meanwhile.
	outageDown = 2 * time.Second
	// outageLimit bounds every wait for a condition; reaching it fails the test.
	outageLimit = 30 * time.Second
	// outageTitle prefixes the titles of the interventions the load creates.
	outageTitle = "outage-"
)

// outageCall is one request of the load and its answer.
type outageCall struct {
	op             string // "create", "get" or "list"
	title, key     string // of a creation
	sent, answered time.Time
	status         int   // 0: no answer (err)
	err            error // transport or decoding error
	id             int64 // the intervention created (201) or read (200 on get)
	retryAfter     *int  // the parsed Retry-After of a 503
	contentType    string
	problem        *api.Problem // the body of a 503
	body           []byte
}

func (c outageCall) String() string {
	return fmt.Sprintf("%s %s sent %s: status %d err %v: %.300s", c.op, c.title, c.sent.Format("15:04:05.000"), c.status, c.err, c.body)
}

// outageLoad runs creations (with an Idempotency-Key) and reads of interventions from several
// workers until stopped, and records every call.
type outageLoad struct {
	env     *testenv.Env
	token   string
	machine int64
	seq     atomic.Int64

	mu    sync.Mutex
	calls []outageCall
	acked []int64 // ids of the acknowledged creations, for the reads

	stop atomic.Bool
	wg   sync.WaitGroup
}

func (l *outageLoad) start(workers int) {
	for range workers {
		l.wg.Go(func() {
			for !l.stop.Load() {
				l.record(l.call())
			}
		})
	}
}

// halt stops the workers and waits for their last calls.
func (l *outageLoad) halt() {
	l.stop.Store(true)
	l.wg.Wait()
}

// call sends the next request: two creations for one read.
func (l *outageLoad) call() outageCall {
	n := l.seq.Add(1)
	// The test's context would be cancelled under a request still running when the test fails:
	// each request has the client's own timeout.
	ctx := context.Background()
	c := outageCall{sent: time.Now()}
	switch {
	case n%3 != 0:
		c.op, c.title, c.key = "create", fmt.Sprintf("%s%05d", outageTitle, n), fmt.Sprintf("outage-key-%05d", n)
		r, err := l.create(ctx, c.title, c.key)
		c.answered, c.err = time.Now(), err
		if r != nil {
			c.status, c.body, c.contentType = r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("Content-Type")
			if r.JSON201 != nil {
				c.id = r.JSON201.Id
			}
			if r.ApplicationproblemJSON503 != nil {
				c.problem = (*api.Problem)(r.ApplicationproblemJSON503)
				c.retryAfter = r.Headers503.RetryAfter
			}
		}
	case n%6 == 3:
		c.op = "list"
		limit := api.Limit(5)
		r, err := l.env.Client.ListInterventionsWithResponse(ctx, &api.ListInterventionsParams{Limit: &limit}, testenv.As(l.token))
		c.answered, c.err = time.Now(), err
		if r != nil {
			c.status, c.body, c.contentType = r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("Content-Type")
			if r.ApplicationproblemJSON503 != nil {
				c.problem = (*api.Problem)(r.ApplicationproblemJSON503)
				c.retryAfter = r.Headers503.RetryAfter
			}
		}
	default:
		c.op = "get"
		l.mu.Lock()
		if len(l.acked) > 0 {
			c.id = l.acked[int(n/3)%len(l.acked)]
		}
		l.mu.Unlock()
		if c.id == 0 {
			return l.call() // nothing to read yet
		}
		r, err := l.env.Client.GetInterventionWithResponse(ctx, c.id, testenv.As(l.token))
		c.answered, c.err = time.Now(), err
		if r != nil {
			c.status, c.body, c.contentType = r.StatusCode(), r.Body, r.HTTPResponse.Header.Get("Content-Type")
			if r.ApplicationproblemJSON503 != nil {
				c.problem = (*api.Problem)(r.ApplicationproblemJSON503)
				c.retryAfter = r.Headers503.RetryAfter
			}
		}
	}
	return c
}

func (l *outageLoad) create(ctx context.Context, title, key string) (*api.CreateInterventionResponse, error) {
	return l.env.Client.CreateInterventionWithResponse(ctx, &api.CreateInterventionParams{IdempotencyKey: &key},
		api.InterventionCreate{Titre: title, Type: ptrTo(api.InterventionTypeCorrective), EquipementId: l.machine},
		testenv.As(l.token))
}

func (l *outageLoad) record(c outageCall) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
	if c.op == "create" && c.status == http.StatusCreated {
		l.acked = append(l.acked, c.id)
	}
}

// count returns how many recorded calls match.
func (l *outageLoad) count(match func(outageCall) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls {
		if match(c) {
			n++
		}
	}
	return n
}

// snapshot returns the calls recorded so far.
func (l *outageLoad) snapshot() []outageCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// waitUntil polls cond until it holds, failing the test after outageLimit.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(outageLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", outageLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPostgresOutageUnderLoad stops the API's PostgreSQL (a private cluster, immediate mode: as
// a crash) while creations and reads run, and starts it again. While it is down every request
// answers 503 problem+json with Retry-After, never 500; the same server, not restarted, answers
// again once PostgreSQL is back; and no acknowledged creation is lost or doubled, including by
// the retries that clients send after the outage with the same Idempotency-Key.
// outagePoolSize is the server's pool in TestPostgresOutageUnderLoad.
const outagePoolSize = 8

func TestPostgresOutageUnderLoad(t *testing.T) {
	t.Parallel()
	cluster := testenv.NewCluster(t)
	env := testenv.NewEnv(t, cluster.Postgres(), testenv.Options{"DB_MAX_CONNS": strconv.Itoa(outagePoolSize)})
	ctx := t.Context()
	admin := env.Token("admin")
	eq, err := env.Client.CreateEquipementWithResponse(ctx, nil,
		api.EquipementCreate{Nom: "Compresseur panne de base", Type: "compresseur", Localisation: "Atelier"}, testenv.As(admin))
	if err != nil {
		t.Fatalf("create the machine: %v", err)
	}
	if eq.JSON201 == nil {
		t.Fatalf("create the machine: %d %s", eq.StatusCode(), eq.Body)
	}

	load := &outageLoad{env: env, token: admin, machine: eq.JSON201.Id}
	load.start(outageWorkers)
	t.Cleanup(load.halt) // on failure too, before the server and the cluster go
	acked := func(after time.Time) func(outageCall) bool {
		return func(c outageCall) bool {
			return c.op == "create" && c.status == http.StatusCreated && c.sent.After(after)
		}
	}
	waitUntil(t, "creations acknowledged before the outage", func() bool { return load.count(acked(time.Time{})) >= 20 })

	stopping := time.Now()
	if err := cluster.Stop(ctx, "immediate"); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	waitUntil(t, "answers while PostgreSQL is down", func() bool {
		return time.Since(down) >= outageDown &&
			load.count(func(c outageCall) bool { return c.sent.After(down) && c.status != 0 }) >= 10
	})
	starting := time.Now()
	if err := cluster.Start(ctx); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	// (b) The same server answers again, with no restart: recovered is when the first request
	// that succeeded among those sent after the restart began was sent; none sent later may fail.
	var recovered time.Time
	waitUntil(t, "a success after PostgreSQL is back, without restarting the server", func() bool {
		for _, c := range load.snapshot() {
			if c.sent.After(starting) && (c.status == http.StatusOK || c.status == http.StatusCreated) {
				recovered = c.sent
				return true
			}
		}
		return false
	})
	waitUntil(t, "creations acknowledged after the recovery", func() bool { return load.count(acked(recovered)) >= 20 })
	load.halt()
	calls := load.snapshot()
	t.Logf("PostgreSQL stopped in %v, down for %v, started in %v, first success sent %v after the start",
		down.Sub(stopping).Round(time.Millisecond), starting.Sub(down).Round(time.Millisecond),
		up.Sub(starting).Round(time.Millisecond), recovered.Sub(starting).Round(time.Millisecond))
	t.Logf("calls: %s", outageSummary(calls, stopping, starting, recovered))

	// (a) Only successes and 503 problems with Retry-After; nothing but 503 while down, nothing
	// but successes once recovered.
	// After the first success, a connection the pool kept from before the stop fails once when
	// it is next used (and is then replaced): at most one 503 per connection of the pool.
	unavailable, staleAfterRecovery := 0, 0
	for _, c := range calls {
		switch {
		case c.err != nil || c.status == 0:
			t.Errorf("no answer: %v", c)
		case c.status == http.StatusOK || c.status == http.StatusCreated:
			if c.sent.After(down) && c.answered.Before(starting) {
				t.Errorf("success while PostgreSQL was down: %v", c)
			}
		case c.status == http.StatusServiceUnavailable:
			unavailable++
			if c.contentType != "application/problem+json" || c.problem == nil || c.problem.Status != http.StatusServiceUnavailable ||
				c.retryAfter == nil || *c.retryAfter <= 0 {
				t.Errorf("503 without a problem+json body or Retry-After (Content-Type %q, Retry-After %v): %v", c.contentType, c.retryAfter, c)
			}
			if c.sent.After(recovered) {
				staleAfterRecovery++
				if staleAfterRecovery > outagePoolSize {
					t.Errorf("503 after the recovery, more than the pool's %d stale connections: %v", outagePoolSize, c)
				}
			}
		default:
			t.Errorf("status %d, want 200, 201 or 503: %v\nserver log: %s", c.status, c, outageLog(env, c.body))
		}
	}
	if unavailable == 0 {
		t.Error("no 503 answered while PostgreSQL was down")
	}

	// (c) Every acknowledged creation is in the database, exactly once, under the acknowledged
	// id; an unacknowledged one at most once.
	checkAcked := func(rows map[string][]int64) {
		t.Helper()
		for _, c := range calls {
			if c.op == "create" && c.status == http.StatusCreated && !slices.Equal(rows[c.title], []int64{c.id}) {
				t.Errorf("acknowledged creation %s (id %d): rows %v, want exactly [%d]", c.title, c.id, rows[c.title], c.id)
			}
		}
	}
	rows := testenv.InterventionsByTitle(t, env.Pool, outageTitle+"%")
	checkAcked(rows)
	var retries []outageCall // sent again below with the same key
	refusedWhileDown := 0
	for _, c := range calls {
		switch {
		case c.op != "create":
		case c.status == http.StatusCreated:
			// The answers the outage may have cut off before they were stored.
			if c.answered.After(stopping.Add(-time.Second)) {
				retries = append(retries, c)
			}
		case len(rows[c.title]) > 1:
			t.Errorf("unacknowledged creation %s: rows %v", c.title, rows[c.title])
		case c.sent.Before(down):
			retries = append(retries, c) // cut off by the stop
		case refusedWhileDown < 20:
			refusedWhileDown++
			retries = append(retries, c)
		}
	}
	if n := countRows(t, env, `SELECT count(*) FROM interventions i WHERE i.titre LIKE $1
		AND NOT EXISTS (SELECT 1 FROM intervention_historique h WHERE h.intervention_id = i.id AND h.action = 'create')`,
		outageTitle+"%"); n != 0 {
		t.Errorf("%d interventions without their creation history row (a creation not atomic)", n)
	}
	// The acknowledged creations read back through the API, around the outage at least.
	for _, c := range calls {
		if c.op == "create" && c.status == http.StatusCreated && c.sent.After(stopping.Add(-time.Second)) {
			r, err := env.Client.GetInterventionWithResponse(ctx, c.id, testenv.As(admin))
			switch {
			case err != nil:
				t.Errorf("read back %s (id %d): %v", c.title, c.id, err)
			case r.JSON200 == nil || r.JSON200.Titre != c.title:
				t.Errorf("read back %s (id %d): %d %s", c.title, c.id, r.StatusCode(), r.Body)
			}
		}
	}

	// Retries with the same Idempotency-Key, as a client sends them after a 503's Retry-After or
	// after losing a 201: an acknowledged creation replays its answer, another one runs now. A
	// key whose request the outage cut off answers 409 "en cours" until the server has stored
	// that request's answer or released the key, which it must do once the database is back,
	// not after the key's lease (idempotency.Abandoned): by then, a retry would run an
	// acknowledged creation a second time.
	retrying := time.Now()
	deadline := retrying.Add(outageLimit)
	held := 0                     // keys still held at their first retry
	ackedRetries := 0             // retries of acknowledged creations
	retried := map[string]int64{} // title -> id, of the creations acknowledged on retry
	for _, c := range retries {
		if c.status == http.StatusCreated {
			ackedRetries++
		}
		for first := true; ; first = false {
			r, err := load.create(ctx, c.title, c.key)
			if err != nil {
				t.Errorf("retry of %s: %v", c.title, err)
				break
			}
			if r.StatusCode() == http.StatusConflict && strings.Contains(string(r.Body), "en cours") && time.Now().Before(deadline) {
				if first {
					held++
				}
				time.Sleep(50 * time.Millisecond)
				continue
			}
			replayed := r.HTTPResponse.Header.Get("Idempotent-Replayed") == "true"
			switch {
			case r.JSON201 == nil:
				t.Errorf("retry of %s: %d %s", c.title, r.StatusCode(), r.Body)
			case c.status == http.StatusCreated && (!replayed || r.JSON201.Id != c.id):
				t.Errorf("retry of acknowledged creation %s (id %d): id %d, replayed %v; want its first answer again",
					c.title, c.id, r.JSON201.Id, replayed)
			case c.status != http.StatusCreated:
				retried[c.title] = r.JSON201.Id
			}
			break
		}
	}
	rows = testenv.InterventionsByTitle(t, env.Pool, outageTitle+"%")
	checkAcked(rows)
	ambiguous := 0
	for title, id := range retried {
		switch got := rows[title]; {
		case slices.Equal(got, []int64{id}):
		case len(got) == 2 && got[1] == id:
			// The first attempt's COMMIT reached PostgreSQL, which was killed before it could
			// answer: the server could not know, answered 503, and the retry ran again.
			ambiguous++
		default:
			t.Errorf("creation %s acknowledged on retry (id %d): rows %v, want [%d]", title, id, got, id)
		}
	}
	t.Logf("%d retries (%d of acknowledged creations), %d found their key held, in %v; %d first attempts committed unanswered",
		len(retries), ackedRetries, held, time.Since(retrying).Round(time.Millisecond), ambiguous)
}

// outageSummary counts the calls by phase and status, for the log.
func outageSummary(calls []outageCall, stopping, starting, recovered time.Time) string {
	phase := func(c outageCall) string {
		switch {
		case c.sent.Before(stopping):
			return "before"
		case c.sent.Before(starting):
			return "down"
		case c.sent.Before(recovered):
			return "restarting"
		default:
			return "after"
		}
	}
	counts := map[string]map[int]int{}
	for _, c := range calls {
		p := phase(c)
		if counts[p] == nil {
			counts[p] = map[int]int{}
		}
		counts[p][c.status]++
	}
	var b strings.Builder
	for _, p := range []string{"before", "down", "restarting", "after"} {
		fmt.Fprintf(&b, " %s:", p)
		for _, s := range slices.Sorted(maps.Keys(counts[p])) {
			fmt.Fprintf(&b, " %d×%d", counts[p][s], s)
		}
	}
	return b.String()
}

// outageLog returns the server's log lines of the request whose problem body is given.
func outageLog(env *testenv.Env, body []byte) string {
	var p api.Problem
	if json.Unmarshal(body, &p) != nil || p.RequestId == nil {
		return "(no request id)"
	}
	var out []string
	for _, line := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(line, *p.RequestId) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
