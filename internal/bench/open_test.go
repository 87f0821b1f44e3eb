package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func openSession(t *testing.T, base string, users, admins int) *Session {
	t.Helper()
	sess, err := Login(context.Background(), Config{
		BaseURL: base, Users: users, Admins: admins,
		User: Account{Email: "resp"}, Admin: Account{Email: "adm"}, EquipementID: []int64{1}, InterventionID: []int64{42},
		OpenInterventionID: []int64{43}, PieceID: []int64{7},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	return sess
}

func TestOpenLoopSendsEveryScheduledRequestWithEachUsersToken(t *testing.T) {
	api, base := newFakeAPI(t)
	sess := openSession(t, base, 4, 1)
	res, err := sess.Open(context.Background(), OpenLoop{Rate: 200, Duration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ops, overall, _ := res.Summarise()
	if res.Offered != 50 || overall.Requests != 50 || overall.Errors != 0 {
		t.Fatalf("offered %d, answered %d (%d errors), want 50 and 50 without error", res.Offered, overall.Requests, overall.Errors)
	}
	if len(ops) != len(OperationNames()) {
		t.Errorf("%d operation rows, want one per operation of the mix", len(ops))
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	// Request i is user i mod 4's: a quarter are the admin's, the rest the regular users'.
	if api.tokens["tok-adm"] != 13 || api.tokens["tok-resp"] != 37 {
		t.Errorf("tokens sent: %v, want 13 of the admin and 37 of the users", api.tokens)
	}
}

func TestOpenLoopCountsTheTimeARequestWaitsBehindASlowServer(t *testing.T) {
	// A server that answers one request at a time in 20 ms serves 50 a second; offered 200 a
	// second for 250 ms, the 50 requests queue and the last is answered about a second after the
	// start although it was due at 245 ms. A closed loop would see 20 ms; the open loop must see
	// the wait.
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/auth/token" {
			_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "tok"})
			return
		}
		mu.Lock()
		time.Sleep(20 * time.Millisecond)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	sess := openSession(t, srv.URL+"/api/v1", 2, 0)
	res, err := sess.Open(context.Background(), OpenLoop{Rate: 200, Duration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, overall, _ := res.Summarise()
	if overall.Requests != 50 {
		t.Fatalf("%d requests answered, want 50", overall.Requests)
	}
	// 50 x 20 ms of serial service end at >= 1000 ms; the last was due at 245 ms.
	if overall.MaxMs < 700 || overall.P50ms < 200 {
		t.Errorf("max %.1f ms, p50 %.1f ms: the queueing behind the slow server is not counted", overall.MaxMs, overall.P50ms)
	}
	if res.Elapsed < time.Second {
		t.Errorf("the run ended after %s, before the last answer could come", res.Elapsed)
	}
}

func TestOpenLoopNeedsARateAndADuration(t *testing.T) {
	_, base := newFakeAPI(t)
	sess := openSession(t, base, 1, 0)
	for _, o := range []OpenLoop{{Rate: 0, Duration: time.Second}, {Rate: 10}} {
		if _, err := sess.Open(context.Background(), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
