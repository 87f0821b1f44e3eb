package mif_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/mif-erp/erp/sdk/go/mif"
)

func TestNewBaseURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://erp.example.com", "http://erp.example.com/api/v1"},
		{"http://erp.example.com/", "http://erp.example.com/api/v1"},
		{"https://erp.example.com/api/v1", "https://erp.example.com/api/v1"},
		{"https://erp.example.com/api/v1/", "https://erp.example.com/api/v1"},
		{" https://erp.example.com:8443/gmao ", "https://erp.example.com:8443/gmao/api/v1"},
	} {
		c, err := mif.New(tc.in)
		if err != nil {
			t.Errorf("New(%q): %v", tc.in, err)
			continue
		}
		if got := c.BaseURL(); got != tc.want {
			t.Errorf("New(%q).BaseURL() = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"", "erp.example.com", "ftp://erp.example.com", "http://", "http://h/?a=1",
		"http://user:pw@h", "http://h/#x", "http://%zz"} {
		if _, err := mif.New(in); err == nil {
			t.Errorf("New(%q) accepted", in)
		}
	}
}

// Every request carries the User-Agent; the caller's http.Client is used but not changed.
func TestUserAgentAndHTTPClient(t *testing.T) {
	var mu sync.Mutex
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok","timestamp":"2026-11-26T10:00:00Z","service":"MIF ERP"}`))
	}))
	defer srv.Close()

	hc := &http.Client{}
	def, err := mif.New(srv.URL, mif.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	custom, err := mif.New(srv.URL, mif.WithUserAgent("atelier/2.0"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*mif.Client{def, custom} {
		if _, err := mif.Call(c.GetHealthWithResponse(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = def.Login(t.Context(), "x", "y") // not JSON tokens: an error, but the agent is sent
	if hc.Transport != nil {
		t.Error("WithHTTPClient changed the caller's client")
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{mif.DefaultUserAgent, "atelier/2.0", mif.DefaultUserAgent}
	if len(agents) != len(want) {
		t.Fatalf("agents %q, want %q", agents, want)
	}
	for i := range want {
		if agents[i] != want[i] {
			t.Errorf("agents %q, want %q", agents, want)
		}
	}
}
