package mif_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/sdk/go/mif"
)

// Many goroutines refused with the same stale access token at once: the refresh token is spent
// exactly once (a second use would revoke the session and fail the others), and every request,
// with or without a body, is sent again with the new token and succeeds.
func TestRefreshIsSingleFlight(t *testing.T) {
	ctx := t.Context()
	session := loggedIn(t, responsableLogin, responsablePassword)
	tok, err := session.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	store := &mif.MemoryTokenStore{}
	if err := store.SetToken(ctx, mif.Token{AccessToken: "not-a-valid-token", RefreshToken: tok.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	wire := newCounter()
	c, err := mif.New(serverURL, mif.WithHTTPClient(wire.client()), mif.WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}

	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 {
				r, err := mif.Call(c.GetAuthMeWithResponse(ctx))
				if err == nil && r.JSON200.Email != responsableLogin {
					err = fmt.Errorf("GET /auth/me as %s", r.JSON200.Email)
				}
				errs[i] = err
				return
			}
			m := machine("Concurrent")
			r, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m)) // a body to send again
			if err == nil && r.JSON201.Nom != m.Nom {
				err = fmt.Errorf("created %q, want %q", r.JSON201.Nom, m.Nom)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if got := wire.count("/auth/refresh"); got != 1 {
		t.Errorf("%d refreshes, want exactly 1", got)
	}
	if got := wire.unauthorizedCount(); got < 1 || got > n {
		t.Errorf("%d answers 401, want between 1 and %d", got, n)
	}
	now, err := store.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if now.AccessToken == "not-a-valid-token" || now.RefreshToken == tok.RefreshToken || now.Expiry.Before(time.Now()) {
		t.Errorf("store after the refresh: %+v", now)
	}
	// The session is intact: the new refresh token works (a reuse would have revoked it).
	if _, err := c.Refresh(ctx); err != nil {
		t.Errorf("refresh with the new refresh token: %v", err)
	}
}

// An access token about to expire is refreshed before the request, which is not refused.
func TestRefreshBeforeExpiry(t *testing.T) {
	ctx := t.Context()
	session := loggedIn(t, adminLogin, adminPassword)
	tok, err := session.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok.Expiry = time.Now().Add(time.Second)
	store := &mif.MemoryTokenStore{}
	_ = store.SetToken(ctx, tok)
	wire := newCounter()
	c, err := mif.New(serverURL, mif.WithHTTPClient(wire.client()), mif.WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mif.Call(c.GetAuthMeWithResponse(ctx)); err != nil {
		t.Fatal(err)
	}
	if r, u := wire.count("/auth/refresh"), wire.unauthorizedCount(); r != 1 || u != 0 {
		t.Errorf("%d refreshes and %d answers 401, want 1 and 0", r, u)
	}
}

// A refused refresh token ends the session: the 401 of the request stands, the store is
// emptied, and later requests do not try again.
func TestRefusedRefreshEndsSession(t *testing.T) {
	ctx := t.Context()
	store := &mif.MemoryTokenStore{}
	_ = store.SetToken(ctx, mif.Token{AccessToken: "stale", RefreshToken: "not-a-refresh-token"})
	wire := newCounter()
	c, err := mif.New(serverURL, mif.WithHTTPClient(wire.client()), mif.WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := mif.Call(c.GetAuthMeWithResponse(ctx))
		if !mif.HasStatus(err, http.StatusUnauthorized) {
			t.Fatalf("GET /auth/me: %v, want a 401 problem", err)
		}
	}
	if got := wire.count("/auth/refresh"); got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
	if tok, _ := store.Token(ctx); !tok.IsZero() {
		t.Errorf("store still holds %+v", tok)
	}
}

// After Logout the client forgets the tokens, and the server refuses the session's refresh
// token.
func TestLogoutThenRefreshRefused(t *testing.T) {
	ctx := t.Context()
	c := loggedIn(t, responsableLogin, responsablePassword)
	before, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if tok, _ := c.Token(ctx); !tok.IsZero() {
		t.Errorf("token after logout: %+v", tok)
	}
	if _, err := c.Refresh(ctx); !errors.Is(err, mif.ErrNoSession) {
		t.Errorf("refresh after logout: %v, want ErrNoSession", err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Errorf("second logout: %v", err)
	}

	// Someone who kept the tokens cannot refresh them.
	store := &mif.MemoryTokenStore{}
	_ = store.SetToken(ctx, before)
	other, err := mif.New(serverURL, mif.WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.Refresh(ctx)
	var p *mif.Problem
	if !errors.As(err, &p) || p.Status != http.StatusUnauthorized || p.Detail == "" {
		t.Fatalf("refresh of a logged out session: %v, want a 401 problem", err)
	}
	if tok, _ := store.Token(ctx); !tok.IsZero() {
		t.Errorf("store after the refused refresh: %+v", tok)
	}
}

func TestLoginRefused(t *testing.T) {
	c, err := mif.New(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Login(t.Context(), "personne@mif.ma", "Inconnu123!")
	var p *mif.Problem
	if !errors.As(err, &p) || p.Status != http.StatusUnauthorized || p.Detail != "Email ou mot de passe incorrect" {
		t.Fatalf("login of an unknown account: %v", err)
	}
	if tok, _ := c.Token(t.Context()); !tok.IsZero() {
		t.Errorf("a refused login stored %+v", tok)
	}
}

// Without a session, requests go out without a token; the caller's own Authorization header is
// kept; the token never leaves the API's origin.
func TestAuthorizationHeader(t *testing.T) {
	ctx := t.Context()
	var mu sync.Mutex
	var seen []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer elsewhere.Close()

	wire := newCounter()
	c, err := mif.New(serverURL, mif.WithHTTPClient(wire.client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mif.Call(c.GetHealthWithResponse(ctx)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, adminLogin, adminPassword); err != nil {
		t.Fatal(err)
	}
	tok, _ := c.Token(ctx)
	if _, err := mif.Call(c.GetAuthMeWithResponse(ctx)); err != nil {
		t.Fatal(err)
	}
	_, err = mif.Call(c.GetAuthMeWithResponse(ctx, func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer mine")
		return nil
	}))
	if !mif.HasStatus(err, http.StatusUnauthorized) {
		t.Errorf("GET /auth/me with the caller's own bad token: %v, want 401", err)
	}
	resp, err := c.HTTPClient().Get(elsewhere.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	wire.mu.Lock()
	got := append([]string(nil), wire.authorization...)
	wire.mu.Unlock()
	want := []string{"", "", "Bearer " + tok.AccessToken, "Bearer mine"} // health, login, me, me
	if fmt.Sprint(got[:len(want)]) != fmt.Sprint(want) {
		t.Errorf("Authorization headers sent %q, want %q", got, want)
	}
	if len(seen) != 1 || seen[0] != "" {
		t.Errorf("another host got Authorization %q, want one request without it", seen)
	}
	if wire.count("/auth/refresh") != 0 {
		t.Error("a refused caller's token triggered a refresh")
	}
}

var _ api.RequestEditorFn = mif.IfMatch("") // the editors plug into the generated client
