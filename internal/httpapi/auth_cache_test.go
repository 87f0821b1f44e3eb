package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// authCacheOn turns the authentication cache on as `erp serve` has it (the test default is off).
var authCacheOn = testenv.Options{"AUTH_CACHE_TTL": "10s"}

// statementsOf counts the statements of sqlc query name among statements.
func statementsOf(name string, statements []string) int {
	n := 0
	for _, s := range statements {
		if strings.Contains(s, "name: "+name+" ") {
			n++
		}
	}
	return n
}

// accountReads counts Authenticate's reads of the account among statements.
func accountReads(statements []string) int { return statementsOf("AuthAccount", statements) }

// shownWithinASecond polls get until it returns want, for a second at most (scaled on a slow
// machine): what another instance shows once it has heard of a change.
func shownWithinASecond(t *testing.T, what, want string, get func() string) {
	t.Helper()
	start, limit := time.Now(), testenv.Scaled(time.Second)
	for {
		got := get()
		if got == want {
			t.Logf("%s: %q %s after the change", what, want, time.Since(start).Round(time.Microsecond))
			return
		}
		if time.Since(start) > limit {
			t.Fatalf("%s: still %q %s after the change, want %q", what, got, limit, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// statusOf sends GET path with token and returns the status, the answer checked against the contract.
func statusOf(env *testenv.Env, path, token string) int {
	env.T.Helper()
	resp, _ := env.Do(http.MethodGet, path, token, "", nil, false)
	return resp.StatusCode
}

func TestAuthCacheDropsAChangedAccountBeforeItsNextRequestOnTheSameInstance(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, authCacheOn)
	inst, counter := env.WithQueryCounter()
	waitHub(t, inst)
	u := mustCreateUser(t, env, newUserBody("cache.same", api.UserRoleResponsable))
	tok := inst.Login("cache.same", userPassword).AccessToken
	admin := inst.Token("admin")

	// The first request reads the account, the next ones are served from the cache.
	counter.Reset()
	if s := statusOf(inst, "/api/v1/users/me", tok); s != http.StatusOK {
		t.Fatalf("GET /users/me: %d", s)
	}
	if n := accountReads(counter.Statements()); n != 1 {
		t.Fatalf("first request: %d reads of the account, want 1", n)
	}
	counter.Reset()
	if s := statusOf(inst, "/api/v1/users", tok); s != http.StatusForbidden {
		t.Fatalf("a responsable lists the accounts: %d, want 403", s)
	}
	if n := accountReads(counter.Statements()); n != 0 {
		t.Fatalf("second request: %d reads of the account, want 0 (cached)", n)
	}

	// A role change ends the session on the very next request; logged in again, the new role
	// applies.
	role := api.UserRoleAdmin
	if r, err := inst.Client.UpdateUserWithResponse(t.Context(), u.Id, api.UserAdminUpdate{Role: &role}, testenv.As(admin)); err != nil || r.JSON200 == nil {
		t.Fatalf("promote: %v %+v", err, r)
	}
	if s := statusOf(inst, "/api/v1/users", tok); s != http.StatusUnauthorized {
		t.Errorf("promoted to admin, the next request with the old token got %d, want 401", s)
	}
	tok = inst.Login("cache.same", userPassword).AccessToken
	if s := statusOf(inst, "/api/v1/users", tok); s != http.StatusOK {
		t.Errorf("promoted to admin and logged in again, refused: %d", s)
	}

	// Deactivation: refused on the very next request.
	statusOf(inst, "/api/v1/users/me", tok) // cached again
	if r, err := inst.Client.DeactivateUserWithResponse(t.Context(), u.Id, testenv.As(admin)); err != nil || r.StatusCode() != http.StatusNoContent {
		t.Fatalf("deactivate: %v %+v", err, r)
	}
	if s := statusOf(inst, "/api/v1/users/me", tok); s != http.StatusForbidden {
		t.Errorf("deactivated, the next request got %d, want 403", s)
	}
}

func TestAuthCacheDropsAChangedAccountOnAnotherInstanceWithinASecond(t *testing.T) {
	t.Parallel()
	a := testenv.NewEnv(t, pg, authCacheOn)
	b, counter := a.WithQueryCounter() // another instance on the same database, its own cache
	waitHub(t, a)
	waitHub(t, b)
	u := mustCreateUser(t, a, newUserBody("cache.other", api.UserRoleTechnicien))
	tok := a.Login("cache.other", userPassword).AccessToken

	statusOf(b, "/api/v1/users/me", tok)
	counter.Reset()
	if s := statusOf(b, "/api/v1/users/me", tok); s != http.StatusOK {
		t.Fatalf("GET /users/me on b: %d", s)
	}
	if n := accountReads(counter.Statements()); n != 0 {
		t.Fatalf("b read the account %d times on the second request, want 0 (cached)", n)
	}

	// Deactivated through a; b hears of it through the announcement.
	if r, err := a.Client.DeactivateUserWithResponse(t.Context(), u.Id, testenv.As(a.Token("admin"))); err != nil || r.StatusCode() != http.StatusNoContent {
		t.Fatalf("deactivate: %v %+v", err, r)
	}
	shownWithinASecond(t, "b's answer to the deactivated account", "403", func() string {
		s := statusOf(b, "/api/v1/users/me", tok)
		if s != http.StatusOK && s != http.StatusForbidden {
			t.Fatalf("GET /users/me on b: %d", s)
		}
		return strconv.Itoa(s)
	})
}
