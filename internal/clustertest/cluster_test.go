// Package clustertest runs the API as `make cluster` does: three `erp serve` processes behind
// nginx (its configuration from scripts/cluster.sh) on one PostgreSQL, the scheduler on all
// three, and checks what a client sees while one replica is stopped and started again.
package clustertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/mail/mailtest"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

const (
	replicas = 3
	// limit bounds every wait for a condition; reaching it fails the test.
	limit = 30 * time.Second
	// loadWorkers send creations and reads concurrently through nginx.
	loadWorkers = 4
	// streams are opened one after the other before the load: nginx's round robin puts one on
	// each replica, so one of them is on the replica that is stopped.
	streams = replicas
	// plans are preventive plans due at once, created along the run.
	plans = 6
)

// replica is one `erp serve` process.
type replica struct {
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	err  error         // cmd.Wait's
	log  string
}

// cluster is the replicas, nginx in front, and what they need.
type cluster struct {
	t       *testing.T
	dir     string
	bin     string
	env     []string
	nginx   string // base URL
	replica [replicas]*replica
	runs    int // replicas started, for the log names
}

func TestReplicasFailover(t *testing.T) {
	nginxBin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			t.Fatalf("nginx is needed by this test (`make cluster` runs it too): apt-get install -y nginx (%v)", err)
		}
		nginxBin = "/usr/sbin/nginx"
	}
	began := time.Now()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: t.TempDir()}
	c.bin = filepath.Join(c.dir, "erp")
	build := exec.Command("go", "build", "-o", c.bin, "./cmd/erp")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/erp: %v\n%s", err, out)
	}
	built := time.Now()

	dbURL := pg.NewDatabase(t)
	pool, err := platform.OpenPool(t.Context(), dbURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(t.Context(), pool, hasher); err != nil {
		t.Fatal(err)
	}
	smtp := mailtest.Start(t)

	ports := freePorts(t, replicas+1)
	c.env = append(os.Environ(),
		"ENVIRONMENT=test", "DATABASE_URL="+dbURL, "MIGRATE_ON_START=false",
		"SECRET_KEY=cluster-test-secret-key-0123456789abcdef", "BCRYPT_COST=4", "LOG_LEVEL=INFO",
		"RATE_LIMIT_PER_MINUTE=0", "TRUSTED_PROXIES=127.0.0.1/32",
		// Fewer connections than jobs, which all start at once: the jobs' advisory locks must
		// not take the connections the jobs and the requests need (they did).
		"DB_MAX_CONNS=6",
		"ENABLE_SCHEDULER=true", "SCHEDULER_INTERVAL_SECONDS=1", "EMAIL_DELIVERY_INTERVAL_SECONDS=1",
		"SSE_HEARTBEAT_SECONDS=2", "SHUTDOWN_TIMEOUT_SECONDS=10",
		"SMTP_HOST="+smtp.Host, "SMTP_PORT="+strconv.Itoa(smtp.Port), "SMTP_TLS=none")
	if r := os.Getenv("TEST_REDIS_URL"); r != "" {
		c.env = append(c.env, "REDIS_URL="+r)
	}
	for i := range replicas {
		c.start(i, ports[i])
	}
	t.Cleanup(c.stopAll)
	for i := range replicas {
		c.waitReady(i)
	}

	// nginx, configured by the script `make cluster` runs.
	ndir := filepath.Join(c.dir, "nginx")
	if err := os.MkdirAll(filepath.Join(ndir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{filepath.Join(root, "scripts/cluster.sh"), "nginx-conf", ndir, strconv.Itoa(ports[replicas])}
	for i := range replicas {
		args = append(args, strconv.Itoa(ports[i]))
	}
	conf, err := exec.Command("bash", args...).Output()
	if err != nil {
		t.Fatalf("scripts/cluster.sh nginx-conf: %v", err)
	}
	if err := os.WriteFile(filepath.Join(ndir, "nginx.conf"), conf, 0o644); err != nil {
		t.Fatal(err)
	}
	ng := exec.Command(nginxBin, "-p", ndir, "-c", filepath.Join(ndir, "nginx.conf"), "-g", "daemon off;")
	ng.Stdout, ng.Stderr = os.Stderr, os.Stderr
	if err := ng.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	ngDone := make(chan struct{})
	go func() { _ = ng.Wait(); close(ngDone) }()
	t.Cleanup(func() {
		_ = ng.Process.Signal(syscall.SIGQUIT)
		select {
		case <-ngDone:
		case <-time.After(10 * time.Second):
			_ = ng.Process.Kill()
		}
	})
	c.nginx = fmt.Sprintf("http://127.0.0.1:%d", ports[replicas])
	waitUntil(t, "nginx answering /ready", func() bool {
		select {
		case <-ngDone:
			b, _ := os.ReadFile(filepath.Join(ndir, "nginx-error.log"))
			t.Fatalf("nginx exited: %s", b)
		default:
		}
		r, err := http.Get(c.nginx + "/ready")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == http.StatusOK
	})
	started := time.Now()

	cl := &client{base: c.nginx + "/api/v1", http: &http.Client{Timeout: 15 * time.Second}}
	admin := cl.login(t, "admin@mif.ma", "Admin12345!")
	var machine struct{ ID int64 }
	cl.mustJSON(t, "POST", "/equipements", admin, map[string]any{"nom": "Presse cluster", "type": "presse", "localisation": "Atelier"}, &machine)
	// The recipient of the notifications: a user of its own, so that no other notification
	// (the scheduler's) interleaves with them on its streams.
	var tech struct{ ID int64 }
	cl.mustJSON(t, "POST", "/users", admin, map[string]any{"username": "cluster-tech", "full_name": "Technicien Cluster",
		"email": "cluster-tech@mif.ma", "role": "technicien", "password": "Cluster12345!"}, &tech)
	techToken := cl.login(t, "cluster-tech@mif.ma", "Cluster12345!")
	prefs := map[string]any{"email": map[string]bool{"affectation": true, "cloture": true, "rappel": true, "retard": true, "information": true}}
	cl.mustJSON(t, "PUT", "/users/me/preferences", techToken, prefs, nil)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sts []*stream
	for i := range streams {
		st := &stream{name: fmt.Sprintf("stream %d", i), url: cl.base + "/notifications/stream", token: techToken, seen: map[int64]int{}}
		st.open(ctx, t) // one after the other: round robin puts each on another replica
		sts = append(sts, st)
	}
	var swg sync.WaitGroup
	for _, st := range sts {
		swg.Go(func() { st.run(ctx) })
	}
	t.Cleanup(func() { cancel(); swg.Wait() })

	load := &load{cl: cl, token: admin, machine: machine.ID}
	load.start(loadWorkers)
	t.Cleanup(load.halt)
	// Notifications and plans, one at a time (their commits in id order).
	side := &sideLoad{cl: cl, token: admin, recipient: tech.ID, machine: machine.ID}
	var sideWG sync.WaitGroup
	sideWG.Go(func() { side.run(ctx) })
	t.Cleanup(func() { side.stop.Store(true); sideWG.Wait() })

	waitUntil(t, "20 creations acknowledged before the stop", func() bool { return load.acked() >= 20 })
	waitUntil(t, "5 notifications and 2 plans before the stop", func() bool { n, p := side.counts(); return n >= 5 && p >= 2 })

	// Stop replica 0 gracefully, under load.
	victim := 0
	stopping := time.Now()
	ackedAtStop, notifAtStop := load.acked(), len(side.notifIDs())
	if err := c.replica[victim].cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.replica[victim].done:
	case <-time.After(limit):
		t.Fatalf("replica %d did not stop within %v of SIGTERM", victim, limit)
	}
	stopped := time.Now()
	if err := c.replica[victim].err; err != nil {
		t.Errorf("replica %d exited with %v after SIGTERM, want a clean exit\n%s", victim, err, tail(c.replica[victim].log))
	}
	if l := readFile(c.replica[victim].log); !strings.Contains(l, `"msg":"stopped"`) {
		t.Errorf("replica %d did not log its graceful stop:\n%s", victim, tail(c.replica[victim].log))
	}
	waitUntil(t, "a second, 20 creations and 5 notifications acknowledged while a replica is down", func() bool {
		return time.Since(stopped) >= time.Second && load.acked() >= ackedAtStop+20 && len(side.notifIDs()) >= notifAtStop+5
	})
	restarting := time.Now()
	c.start(victim, ports[victim])
	c.waitReady(victim)
	up := time.Now()
	ackedAtUp, notifAtUp := load.acked(), len(side.notifIDs())
	waitUntil(t, "20 creations, 5 notifications and every plan acknowledged after the restart", func() bool {
		n, p := side.counts()
		return load.acked() >= ackedAtUp+20 && len(side.notifIDs()) >= notifAtUp+5 && n > 0 && p >= plans
	})
	waitUntil(t, "the restarted replica serving requests through nginx", func() bool {
		return strings.Count(readFile(c.replica[victim].log), `"path":"/api/v1/`) > 0
	})
	side.stop.Store(true)
	sideWG.Wait()
	load.halt()
	ended := time.Now()

	// (1) Every acknowledged creation is in the database exactly once, under its id.
	rows := testenv.InterventionsByTitle(t, pool, "cluster-%")
	calls := load.snapshot()
	for _, r := range load.results() {
		if got := rows[r.title]; !slices.Equal(got, []int64{r.id}) {
			t.Errorf("acknowledged creation %s (id %d): rows %v, want exactly [%d]", r.title, r.id, got, r.id)
		}
	}
	// (2) Errors: reads never fail (nginx passes them to another replica); a creation may meet a
	// 502/503 or a lost connection once its replica goes, and then succeeds on retry with its key.
	var summary []string
	for _, op := range []string{"create", "get", "list", "notification", "plan"} {
		counts := map[string]int{}
		for _, c := range append(calls, side.snapshot()...) {
			if c.op == op {
				counts[c.outcome()]++
			}
		}
		summary = append(summary, fmt.Sprintf("%s %v", op, fmtCounts(counts)))
	}
	for _, c := range append(calls, side.snapshot()...) {
		switch {
		case c.status == http.StatusOK || c.status == http.StatusCreated:
		case c.op == "get" || c.op == "list":
			t.Errorf("read failed (nginx should have passed it to another replica): %v", c)
		case c.status == http.StatusBadGateway || c.status == http.StatusServiceUnavailable || c.err != nil ||
			(c.status == http.StatusConflict && c.op == "create"): // its key still held by the first attempt
			if c.sent.Before(stopping.Add(-time.Second)) || c.sent.After(up.Add(5*time.Second)) {
				t.Errorf("error outside the failover (stop at %s, up at %s): %v", stopping.Format("15:04:05.000"), up.Format("15:04:05.000"), c)
			}
		default:
			t.Errorf("unexpected answer: %v", c)
		}
	}
	for _, f := range load.failures() {
		t.Errorf("creation never acknowledged: %s", f)
	}
	for _, f := range side.failures() {
		t.Errorf("side request never acknowledged: %s", f)
	}

	// (3) Every plan due generated exactly one intervention, for its occurrence, whichever
	// replica ran the job.
	planIDs := side.planIDs()
	waitUntil(t, "the scheduler generating every plan's intervention", func() bool {
		return count(t, pool, `SELECT count(DISTINCT planning_id) FROM interventions WHERE planning_id = ANY($1)`, planIDs) == len(planIDs)
	})
	if n := count(t, pool, `SELECT count(*) FROM interventions WHERE planning_id = ANY($1)`, planIDs); n != len(planIDs) {
		t.Errorf("%d generated interventions for %d plans due once each", n, len(planIDs))
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT planning_id, occurrence FROM interventions
		WHERE planning_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d occurrences generated more than once", n)
	}

	// (4) Every e-mail of the outbox is delivered, exactly once.
	notifIDs := side.notifIDs()
	emails := count(t, pool, `SELECT count(*) FROM email_outbox WHERE notification_id = ANY($1)`, notifIDs)
	if emails != len(notifIDs) {
		t.Errorf("%d e-mails queued for %d notifications wanted by e-mail", emails, len(notifIDs))
	}
	waitUntil(t, "every queued e-mail sent", func() bool {
		return count(t, pool, `SELECT count(*) FROM email_outbox WHERE statut <> 'sent'`) == 0
	})
	total := count(t, pool, `SELECT count(*) FROM email_outbox`)
	msgs := smtp.WaitFor(t, total, limit)
	perTitle := map[string]int{}
	for _, m := range msgs {
		body, _ := m.Part("text/plain")
		for _, title := range side.notifTitles() {
			if strings.Contains(m.Subject(), title) || strings.Contains(body, title+"\n") || strings.HasSuffix(body, title) {
				perTitle[title]++
			}
		}
	}
	if len(msgs) != total {
		t.Errorf("the SMTP server accepted %d messages for %d e-mails of the outbox", len(msgs), total)
	}
	for _, title := range side.notifTitles() {
		if perTitle[title] != 1 {
			t.Errorf("notification %q: %d e-mails received, want 1", title, perTitle[title])
		}
	}

	// (5) Every stream received every notification once, in order, across its reconnections;
	// the one on the stopped replica reconnected.
	waitUntil(t, "every stream receiving every notification", func() bool {
		for _, st := range sts {
			if !st.has(notifIDs) {
				return false
			}
		}
		return true
	})
	cancel()
	swg.Wait()
	reconnected := 0
	for _, st := range sts {
		st.mu.Lock()
		for _, id := range notifIDs {
			if st.seen[id] != 1 {
				t.Errorf("%s: notification %d received %d times, want once", st.name, id, st.seen[id])
			}
		}
		if !slices.IsSorted(st.order) {
			t.Errorf("%s: notifications out of order: %v", st.name, st.order)
		}
		if st.reconnects > 0 {
			reconnected++
		}
		for _, e := range st.errs {
			t.Errorf("%s: %s", st.name, e)
		}
		st.mu.Unlock()
	}
	if reconnected == 0 {
		t.Errorf("no stream reconnected: none was on the stopped replica")
	}

	t.Logf("cluster: built in %v, started in %v; replica %d stopped in %v (SIGTERM to exit), restarted in %v; load %v",
		built.Sub(began).Round(time.Millisecond), started.Sub(built).Round(time.Millisecond), victim,
		stopped.Sub(stopping).Round(time.Millisecond), up.Sub(restarting).Round(time.Millisecond), ended.Sub(started).Round(time.Millisecond))
	t.Logf("failover summary: %d creations acknowledged, %d notifications, %d plans, %d e-mails, %d/%d streams reconnected; outcomes: %s",
		len(load.results()), len(notifIDs), len(planIDs), len(msgs), reconnected, len(sts), strings.Join(summary, "; "))
}

// start runs replica i on port (again).
func (c *cluster) start(i, port int) {
	c.t.Helper()
	c.runs++
	r := &replica{port: port, done: make(chan struct{}), log: filepath.Join(c.dir, fmt.Sprintf("erp-%d-run%d.log", port, c.runs))}
	f, err := os.Create(r.log)
	if err != nil {
		c.t.Fatal(err)
	}
	r.cmd = exec.Command(c.bin, "serve")
	r.cmd.Dir = c.dir
	r.cmd.Env = append(slices.Clone(c.env), "PORT="+strconv.Itoa(port))
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		f.Close()
		c.t.Fatalf("start replica %d: %v", i, err)
	}
	go func() { r.err = r.cmd.Wait(); f.Close(); close(r.done) }()
	c.replica[i] = r
}

// waitReady waits for replica i's /ready, directly.
func (c *cluster) waitReady(i int) {
	c.t.Helper()
	r := c.replica[i]
	waitUntil(c.t, fmt.Sprintf("replica %d ready", i), func() bool {
		select {
		case <-r.done:
			c.t.Fatalf("replica %d exited: %v\n%s", i, r.err, tail(r.log))
		default:
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/ready", r.port))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// stopAll stops the replicas still running (SIGTERM, then SIGKILL after 15 s).
func (c *cluster) stopAll() {
	for _, r := range c.replica {
		if r != nil {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, r := range c.replica {
		if r == nil {
			continue
		}
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	}
	if c.t.Failed() {
		for _, r := range c.replica {
			if r != nil {
				c.t.Logf("replica :%d log tail:\n%s", r.port, tail(r.log))
			}
		}
	}
}

// client calls the API through nginx as a real client would.
type client struct {
	base string
	http *http.Client
}

// call is one HTTP exchange.
type call struct {
	op             string
	sent, answered time.Time
	status         int
	err            error
	body           []byte
	header         http.Header
}

func (c call) outcome() string {
	if c.err != nil {
		return "conn-error"
	}
	return strconv.Itoa(c.status)
}

func (c call) String() string {
	return fmt.Sprintf("%s sent %s: status %d err %v: %.200s", c.op, c.sent.Format("15:04:05.000"), c.status, c.err, c.body)
}

// retryable: the request may not have been handled, or its replica went away; the client sends
// it again (a creation with the same Idempotency-Key).
func (c call) retryable() bool {
	return c.err != nil || c.status == http.StatusBadGateway || c.status == http.StatusServiceUnavailable ||
		c.status == http.StatusGatewayTimeout || (c.status == http.StatusConflict && bytes.Contains(c.body, []byte("en cours")))
}

func (cl *client) do(op, method, path, token string, body any, header map[string]string) call {
	c := call{op: op, sent: time.Now()}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			panic(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, cl.base+path, rd)
	if err != nil {
		panic(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := cl.http.Do(req)
	if err == nil {
		c.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		c.status, c.header = resp.StatusCode, resp.Header
	}
	c.answered, c.err = time.Now(), err
	return c
}

func (cl *client) login(t *testing.T, user, password string) string {
	t.Helper()
	form := url.Values{"username": {user}, "password": {password}}
	resp, err := cl.http.PostForm(cl.base+"/auth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("login %s: %d %v", user, resp.StatusCode, err)
	}
	return tok.AccessToken
}

func (cl *client) mustJSON(t *testing.T, method, path, token string, body, out any) {
	t.Helper()
	c := cl.do("setup", method, path, token, body, nil)
	if c.err != nil || c.status >= 300 {
		t.Fatalf("%s %s: %v", method, path, c)
	}
	if out != nil {
		if err := json.Unmarshal(c.body, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// created is an acknowledged creation.
type created struct {
	title string
	id    int64
}

// load sends creations (with an Idempotency-Key, retried like a client does) and reads of
// interventions from several workers until halted.
type load struct {
	cl      *client
	token   string
	machine int64
	seq     atomic.Int64

	mu      sync.Mutex
	calls   []call
	done    []created
	gaveUp  []string
	stop    atomic.Bool
	wg      sync.WaitGroup
	stopped sync.Once
}

func (l *load) start(workers int) {
	for range workers {
		l.wg.Go(func() {
			for !l.stop.Load() {
				l.next()
			}
		})
	}
}

func (l *load) halt() { l.stopped.Do(func() { l.stop.Store(true); l.wg.Wait() }) }

func (l *load) next() {
	n := l.seq.Add(1)
	switch {
	case n%3 != 0:
		title, key := fmt.Sprintf("cluster-%05d", n), fmt.Sprintf("cluster-key-%05d", n)
		body := map[string]any{"titre": title, "type": "corrective", "equipement_id": l.machine}
		deadline := time.Now().Add(limit)
		for {
			c := l.cl.do("create", "POST", "/interventions", l.token, body, map[string]string{"Idempotency-Key": key})
			l.record(c)
			if c.status == http.StatusCreated {
				var out struct{ ID int64 }
				_ = json.Unmarshal(c.body, &out)
				l.mu.Lock()
				l.done = append(l.done, created{title, out.ID})
				l.mu.Unlock()
				return
			}
			if !c.retryable() || time.Now().After(deadline) {
				l.mu.Lock()
				l.gaveUp = append(l.gaveUp, fmt.Sprintf("%s: last answer %v", title, c))
				l.mu.Unlock()
				return
			}
			time.Sleep(50 * time.Millisecond) // as after Retry-After, shortened
		}
	case n%6 == 3:
		l.record(l.cl.do("list", "GET", "/interventions?limit=5", l.token, nil, nil))
	default:
		l.mu.Lock()
		var id int64
		if len(l.done) > 0 {
			id = l.done[int(n/3)%len(l.done)].id
		}
		l.mu.Unlock()
		if id != 0 {
			l.record(l.cl.do("get", "GET", "/interventions/"+strconv.FormatInt(id, 10), l.token, nil, nil))
		}
	}
}

func (l *load) record(c call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
}

func (l *load) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.done)
}

func (l *load) results() []created {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.done)
}

func (l *load) failures() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.gaveUp)
}

func (l *load) snapshot() []call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// sideLoad creates, one at a time, notifications for one recipient (wanted by e-mail) and now
// and then a preventive plan due at once. Neither takes an Idempotency-Key: after a 502 the
// client sends it again, which may create a second one (each is then checked on its own).
type sideLoad struct {
	cl        *client
	token     string
	recipient int64
	machine   int64
	stop      atomic.Bool

	mu     sync.Mutex
	calls  []call
	notifs []created
	plans  []int64
	gaveUp []string
}

func (s *sideLoad) run(ctx context.Context) {
	// Due yesterday in UTC: due today whatever the server's time zone.
	due := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	for i := 1; !s.stop.Load() && ctx.Err() == nil; i++ {
		if i%4 == 0 && len(s.planIDs()) < plans {
			s.create("plan", "/planning", map[string]any{"equipement_id": s.machine, "frequence": "mensuelle",
				"prochaine_date": due, "commentaire": fmt.Sprintf("cluster plan %d", i)}, "")
		} else {
			title := fmt.Sprintf("cluster-notif-%04d", i)
			s.create("notification", "/notifications", map[string]any{"user_id": s.recipient, "type": "information",
				"titre": title, "contenu": "Notification " + title}, title)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (s *sideLoad) create(op, path string, body any, title string) {
	deadline := time.Now().Add(limit)
	for {
		c := s.cl.do(op, "POST", path, s.token, body, nil)
		s.mu.Lock()
		s.calls = append(s.calls, c)
		s.mu.Unlock()
		if c.status == http.StatusCreated {
			var out struct{ ID int64 }
			_ = json.Unmarshal(c.body, &out)
			s.mu.Lock()
			if op == "plan" {
				s.plans = append(s.plans, out.ID)
			} else {
				s.notifs = append(s.notifs, created{title, out.ID})
			}
			s.mu.Unlock()
			return
		}
		if !c.retryable() || time.Now().After(deadline) {
			s.mu.Lock()
			s.gaveUp = append(s.gaveUp, c.String())
			s.mu.Unlock()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *sideLoad) counts() (notifs, plans int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.notifs), len(s.plans)
}

func (s *sideLoad) notifIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, n := range s.notifs {
		ids = append(ids, n.id)
	}
	return ids
}

func (s *sideLoad) notifTitles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.notifs {
		out = append(out, n.title)
	}
	return out
}

func (s *sideLoad) planIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.plans)
}

func (s *sideLoad) snapshot() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *sideLoad) failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gaveUp)
}

// stream is a Server-Sent Events client that reconnects with Last-Event-ID, as a browser's
// EventSource does.
type stream struct {
	name  string
	url   string
	token string

	resp *http.Response // the open connection

	mu         sync.Mutex
	last       int64
	seen       map[int64]int
	order      []int64
	reconnects int
	errs       []string
}

// open connects (again), retrying while the replicas change; it fails the test after limit.
func (st *stream) open(ctx context.Context, t *testing.T) bool {
	deadline := time.Now().Add(limit)
	for ctx.Err() == nil {
		req, err := http.NewRequestWithContext(ctx, "GET", st.url, nil)
		if err != nil {
			panic(err)
		}
		req.Header.Set("Authorization", "Bearer "+st.token)
		req.Header.Set("Accept", "text/event-stream")
		st.mu.Lock()
		if st.last > 0 {
			req.Header.Set("Last-Event-ID", strconv.FormatInt(st.last, 10))
		}
		st.mu.Unlock()
		resp, err := http.DefaultClient.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			st.resp = resp
			return true
		}
		msg := fmt.Sprint(err)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			msg = fmt.Sprintf("%d %.200s", resp.StatusCode, b)
		}
		if time.Now().After(deadline) {
			st.mu.Lock()
			st.errs = append(st.errs, "could not reconnect: "+msg)
			st.mu.Unlock()
			if t != nil {
				t.Fatalf("%s: %s", st.name, msg)
			}
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// run reads events until ctx ends, reconnecting whenever the stream ends.
func (st *stream) run(ctx context.Context) {
	for {
		st.read()
		if ctx.Err() != nil {
			return
		}
		st.mu.Lock()
		st.reconnects++
		st.mu.Unlock()
		if !st.open(ctx, nil) {
			return
		}
	}
}

// read consumes the open stream until it ends.
func (st *stream) read() {
	defer st.resp.Body.Close()
	sc := bufio.NewScanner(st.resp.Body)
	var id int64
	var data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id:"):
			id, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "id:")), 10, 64)
		case strings.HasPrefix(line, "data:"):
			data = strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		case line == "" && data != "":
			var n struct{ ID int64 }
			if err := json.Unmarshal([]byte(data), &n); err != nil || n.ID != id {
				st.mu.Lock()
				st.errs = append(st.errs, fmt.Sprintf("event id %d with data %.100s", id, data))
				st.mu.Unlock()
			}
			st.mu.Lock()
			st.seen[id]++
			st.order = append(st.order, id)
			st.last = max(st.last, id)
			st.mu.Unlock()
			id, data = 0, ""
		}
	}
}

func (st *stream) has(ids []int64) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, id := range ids {
		if st.seen[id] == 0 {
			return false
		}
	}
	return true
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// freePorts returns n ports free on 127.0.0.1 now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// waitUntil polls cond until it holds, failing the test after limit.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err.Error()
	}
	return string(b)
}

// tail returns the last lines of a log file.
func tail(path string) string {
	lines := strings.Split(strings.TrimRight(readFile(path), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

func fmtCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d×%s", m[k], k))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
