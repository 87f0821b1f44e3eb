package testenv_test

import (
	"net/http"
	"testing"

	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// Two tests asking for the shared server reach the same seeded server and database, each with a
// client of its own.
func TestSharedServerIsBuiltOnceAndSeeded(t *testing.T) {
	var first *testenv.Env
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			env := pg.Shared(t)
			if env.T != t {
				t.Error("the shared server's view does not report to the test that asked for it")
			}
			if first == nil {
				first = env
			} else if env.URL != first.URL || env.Config.DatabaseURL != first.Config.DatabaseURL || env.Client == first.Client {
				t.Errorf("second view: url %s db %s, want the first's (%s, %s) with its own client",
					env.URL, env.Config.DatabaseURL, first.URL, first.Config.DatabaseURL)
			}
			resp, b := env.Do(http.MethodGet, "/api/v1/auth/me", env.Token("admin"), "", nil, false)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /auth/me as the demo admin: %d %s", resp.StatusCode, b)
			}
		})
	}
}
