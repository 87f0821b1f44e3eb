package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/testenv"
)

// sessionEndWait is how long the other instance and the open streams may take to hear that a
// session ended (a second, with room for a loaded machine).
var sessionEndWait = time.Second + testenv.Scaled(time.Second)

// streamEnds waits for an open event stream to be closed by the server.
func streamEnds(t *testing.T, what string, events <-chan sseEvent, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-deadline:
			t.Errorf("%s: the stream is still open after %v", what, within)
			return
		}
	}
}

// status sends GET /auth/me with token to env and returns the status.
func meStatus(t *testing.T, env *testenv.Env, token string) int {
	t.Helper()
	resp, _ := env.Do(http.MethodGet, "/api/v1/auth/me", token, "", nil, false)
	return resp.StatusCode
}

// TestSessionsEndWhenTheyShould: a logout, a password change, a deactivation, a role change and
// the reuse of a refresh token end the account's sessions: its access tokens are refused on the
// very next request on the same instance and within a second on another, and its open event
// streams (opened with a bearer token or a stream token, on either instance) are closed within
// a second.
func TestSessionsEndWhenTheyShould(t *testing.T) {
	t.Parallel()
	a := testenv.NewEnv(t, pg, liveOpts)
	b := a.SecondInstance(liveOpts)
	waitHub(t, a)
	waitHub(t, b)
	admin := a.Token("admin")

	cases := []struct {
		name   string
		end    func(t *testing.T, u api.User, pair api.TokenResponse)
		status int // what the old access token then gets
	}{
		{"logout", func(t *testing.T, _ api.User, pair api.TokenResponse) {
			if resp, b := a.Do(http.MethodPost, "/api/v1/auth/logout", pair.AccessToken, "", nil, false); resp.StatusCode != http.StatusOK {
				t.Fatalf("logout: %d %s", resp.StatusCode, b)
			}
		}, http.StatusUnauthorized},
		{"password change", func(t *testing.T, _ api.User, pair api.TokenResponse) {
			form := url.Values{"current_password": {userPassword}, "new_password": {"Autre-Passw0rd!"}}
			if resp, b := a.Do(http.MethodPost, "/api/v1/auth/change-password", pair.AccessToken,
				"application/x-www-form-urlencoded", strings.NewReader(form.Encode()), false); resp.StatusCode != http.StatusOK {
				t.Fatalf("change password: %d %s", resp.StatusCode, b)
			}
		}, http.StatusUnauthorized},
		{"deactivation", func(t *testing.T, u api.User, _ api.TokenResponse) {
			if resp, b := a.Do(http.MethodDelete, fmt.Sprintf("/api/v1/users/%d", u.Id), admin, "", nil, false); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("deactivate: %d %s", resp.StatusCode, b)
			}
		}, http.StatusForbidden},
		{"role change", func(t *testing.T, u api.User, _ api.TokenResponse) {
			if resp, b := a.Do(http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", u.Id), admin, "application/json",
				strings.NewReader(`{"role":"client"}`), false); resp.StatusCode != http.StatusOK {
				t.Fatalf("role change: %d %s", resp.StatusCode, b)
			}
		}, http.StatusUnauthorized},
		{"refresh token reused", func(t *testing.T, _ api.User, pair api.TokenResponse) {
			form := url.Values{"refresh_token": {pair.RefreshToken}}.Encode()
			for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
				if resp, b := a.Do(http.MethodPost, "/api/v1/auth/refresh", "", "application/x-www-form-urlencoded",
					strings.NewReader(form), false); resp.StatusCode != want {
					t.Fatalf("refresh %d: %d %s, want %d", i+1, resp.StatusCode, b, want)
				}
			}
		}, http.StatusUnauthorized},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u := mustCreateUser(t, a, newUserBody(fmt.Sprintf("session.end%d", i), api.UserRoleTechnicien))
			pair := a.Login(u.Username, userPassword)
			other := a.Login(u.Username, userPassword) // a second session of the account
			if meStatus(t, a, pair.AccessToken) != http.StatusOK || meStatus(t, b, other.AccessToken) != http.StatusOK {
				t.Fatal("fresh tokens refused")
			}
			resp, body := a.Do(http.MethodPost, "/api/v1/notifications/stream-token", pair.AccessToken, "", nil, false)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("stream token: %d %s", resp.StatusCode, body)
			}
			st := decodeJSON[api.StreamToken](t, body)
			onA := openStream(t, a, pair.AccessToken, "", "")
			onB := openStream(t, b, "", "stream_token="+url.QueryEscape(st.StreamToken), "")

			c.end(t, u, pair)

			for _, tok := range []string{pair.AccessToken, other.AccessToken} {
				if got := meStatus(t, a, tok); got != c.status {
					t.Errorf("the next request on the same instance: %d, want %d", got, c.status)
				}
			}
			deadline := time.Now().Add(sessionEndWait)
			for meStatus(t, b, other.AccessToken) != c.status {
				if time.Now().After(deadline) {
					t.Fatalf("the other instance still accepts the token after %v", sessionEndWait)
				}
				time.Sleep(20 * time.Millisecond)
			}
			streamEnds(t, "bearer stream on the same instance", onA, sessionEndWait)
			streamEnds(t, "stream-token stream on the other instance", onB, sessionEndWait)
			// The stream token made in the ended session opens nothing any more.
			if resp, _ := b.Do(http.MethodGet, "/api/v1/notifications/stream?stream_token="+url.QueryEscape(st.StreamToken),
				"", "", nil, false); resp.StatusCode != c.status {
				t.Errorf("reopening with the old stream token: %d, want %d", resp.StatusCode, c.status)
			}
		})
	}
}

// TestAStreamEndsWithItsAccessToken: a stream opened with a bearer token closes when that token
// expires (the client reconnects with a fresh one).
func TestAStreamEndsWithItsAccessToken(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, liveOpts)
	waitHub(t, env)
	tech := userID(t, env, "technicien")
	short, claims, err := auth.NewTokens(env.Config.SecretKey, 2*time.Second).Issue(tech, "technicien", "technicien@mif.ma", 0)
	if err != nil {
		t.Fatal(err)
	}
	events := openStream(t, env, short, "", "")
	streamEnds(t, "stream of a 2-second token", events, 2*time.Second+sessionEndWait)
	if early := claims.ExpiresAt.Sub(time.Now()); early > 50*time.Millisecond {
		t.Errorf("the stream ended %v before its token expired", early)
	}
}
