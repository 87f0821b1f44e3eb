package mif_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/sdk/go/mif"
)

// loggedIn returns a client of the test server logged in with the given demo account.
func loggedIn(t *testing.T, login, password string, opts ...mif.Option) *mif.Client {
	t.Helper()
	c, err := mif.New(serverURL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(t.Context(), login, password); err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return c
}

// machine returns a new machine whose name starts with prefix and is unique.
func machine(prefix string) api.EquipementCreate {
	return api.EquipementCreate{Nom: prefix + " " + mif.NewIdempotencyKey(), Type: "test", Localisation: "Atelier"}
}

// counter is an http.RoundTripper counting the requests by path and the 401 answers.
type counter struct {
	next http.RoundTripper

	mu            sync.Mutex
	paths         map[string]int
	unauthorized  int
	authorization []string // the Authorization headers sent
}

func newCounter() *counter { return &counter{next: http.DefaultTransport, paths: map[string]int{}} }

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths[strings.TrimPrefix(req.URL.Path, mif.APIPrefix)]++
	c.authorization = append(c.authorization, req.Header.Get("Authorization"))
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		c.mu.Lock()
		c.unauthorized++
		c.mu.Unlock()
	}
	return resp, err
}

func (c *counter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

func (c *counter) unauthorizedCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unauthorized
}

func (c *counter) client() *http.Client { return &http.Client{Transport: c} }
