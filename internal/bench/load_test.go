package bench

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI answers logins with a token per account and every other request with 200, recording
// the paths and tokens it saw.
type fakeAPI struct {
	mu     sync.Mutex
	paths  map[string]int
	tokens map[string]int
	conns  int
}

func newFakeAPI(t *testing.T) (*fakeAPI, string) {
	f := &fakeAPI{paths: map[string]int{}, tokens: map[string]int{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/auth/token" {
			_ = r.ParseForm()
			_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "tok-" + r.PostForm.Get("username")})
			return
		}
		f.mu.Lock()
		f.paths[strings.TrimPrefix(r.URL.Path, "/api/v1")+"?"+r.URL.RawQuery]++
		f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]++
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"items":[]}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return f, srv.URL + "/api/v1"
}

func TestSessionMixThenAloneReusesTokensAndConnections(t *testing.T) {
	api, base := newFakeAPI(t)
	sess, err := Login(context.Background(), Config{
		BaseURL: base, Users: 4, Admins: 1, Duration: 100 * time.Millisecond,
		User: Account{Email: "resp"}, Admin: Account{Email: "adm"}, EquipementID: []int64{1}, InterventionID: []int64{42},
		OpenInterventionID: []int64{43}, PieceID: []int64{7},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if len(sess.Login.Latencies) != 4 || sess.Login.Errors != 0 {
		t.Fatalf("logins: %+v", sess.Login)
	}
	mix, err := sess.Mix(context.Background())
	if err != nil || len(mix.Ops) < 2 || len(mix.Login.Latencies) != 4 {
		t.Fatalf("mix: %+v %v", mix, err)
	}
	api.mu.Lock()
	admTok := api.tokens["tok-adm"]
	api.tokens = map[string]int{}
	api.paths = map[string]int{}
	api.mu.Unlock()
	if admTok == 0 {
		t.Error("the admin never sent its own token in the mix")
	}

	for _, name := range []string{"get_intervention", "filter_interventions", "search_interventions"} {
		r, err := sess.Alone(context.Background(), name, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		st := r.Stats(name)
		if len(r.Ops) != 1 || st.Requests == 0 || st.Errors != 0 || st.RPS == 0 {
			t.Fatalf("%s alone: %+v", name, r)
		}
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	for tok := range api.tokens {
		if tok != "tok-resp" {
			t.Errorf("an operation alone was sent with %q, want the regular user's token", tok)
		}
	}
	for p := range api.paths {
		if p != "/interventions/42?" && p != "/interventions?"+SearchQuery && p != "/filters/interventions?"+FilterQuery {
			t.Errorf("unexpected request %s", p)
		}
	}
	t.Logf("%d connections", api.conns)
	if api.conns > 4+4 { // logins may open their own, then one per user
		t.Errorf("%d connections for 4 users: keep-alive is not working", api.conns)
	}
	if _, err := sess.Alone(context.Background(), "nope", time.Millisecond); err == nil {
		t.Error("unknown operation accepted")
	}
}

func TestLoginNeedsARegularUserAndAnIntervention(t *testing.T) {
	for _, cfg := range []Config{{Users: 1, Admins: 1, InterventionID: []int64{1}}, {Users: 1}} {
		if _, err := Login(context.Background(), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
