package testenv

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
)

// shared is the one seeded server a package's read-only tests share (Postgres.Shared).
type shared struct {
	mu   sync.Mutex
	env  *Env
	life *packageLife
}

// packageLife stands for the package's test run while the shared server is built: it fails the
// test that asked for the server, and keeps the server's cleanups until Close.
type packageLife struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
}

func (l *packageLife) Cleanup(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cleanups = append(l.cleanups, f)
}

// close runs the cleanups, last registered first, as testing does.
func (l *packageLife) close() {
	l.mu.Lock()
	fs := slices.Clone(l.cleanups)
	l.cleanups = nil
	l.mu.Unlock()
	for _, f := range slices.Backward(fs) {
		f()
	}
}

// Shared returns the package's shared server, seeded with the demo data and built on first use:
// one database and one server for every test that only reads or is refused before writing
// anything (the demo accounts, routing, headers, documentation, refusals). A test that writes
// anything, or reads something other tests could change, takes its own NewEnv. The server lives
// until the package's tests end; the returned Env reports to t.
func (p *Postgres) Shared(t testing.TB) *Env {
	t.Helper()
	p.shared.mu.Lock()
	defer p.shared.mu.Unlock()
	if p.shared.env == nil {
		if p.shared.life == nil {
			p.shared.life = &packageLife{}
		}
		p.shared.life.TB = t // the builder's failures are this test's
		p.shared.env = newEnv(p.shared.life, p.NewDatabase(p.shared.life), nil, true)
	}
	return p.shared.env.For(t)
}

// For returns a view of e for test t: the same server, database and tokens, with a client whose
// contract checks and failures report to t.
func (e *Env) For(t testing.TB) *Env {
	t.Helper()
	hc := &http.Client{Transport: newContractTransport(t), Timeout: 30 * time.Second}
	client, err := api.NewClientWithResponses(e.URL, api.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, URL: e.URL, Root: e.Root, Pool: e.Pool, Config: e.Config, Client: client,
		HTTP: hc, Logs: e.Logs, Hub: e.Hub, tokens: e.tokens}
}
