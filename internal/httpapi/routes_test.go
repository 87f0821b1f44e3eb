package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/mif-erp/erp/gen/api"
)

// TestContractRoutesFollowEchoRouting: the gate finds each operation of the contract from the
// route Echo matched, with its path parameters; a server missing an operation's route refuses
// to start rather than let its requests through unchecked.
func TestContractRoutesFollowEchoRouting(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	routes := spec.routes
	n := 0
	for _, paths := range routes {
		n += len(paths)
	}
	if ops := Operations(spec.doc); n != len(ops) {
		t.Fatalf("%d routes indexed for %d operations", n, len(ops))
	}

	e := echo.New()
	api.RegisterHandlers(e, api.NewStrictHandler(&Server{}, nil))
	if err := routes.checkRegistered(e); err != nil {
		t.Fatalf("every operation is registered, yet: %v", err)
	}
	var found []string
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			route, params, ok := routes.find(c)
			if ok {
				found = append(found, route.Operation.OperationID+" "+params["intervention_id"]+" "+params["action"])
			} else {
				found = append(found, "none")
			}
			return c.NoContent(http.StatusNoContent)
		}
	})
	for _, target := range []string{"/interventions/42", "/interventions/export", "/interventions/7/actions/demarrer", "/nowhere"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
	}
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/interventions/7/actions/demarrer", nil))
	want := []string{"getIntervention 42 ", "exportInterventions  ", "none", "none", "applyInterventionAction 7 demarrer"}
	if strings.Join(found, "|") != strings.Join(want, "|") {
		t.Errorf("operations found:\n%q\nwant\n%q", found, want)
	}

	partial := echo.New()
	partial.GET("/interventions/:intervention_id", func(echo.Context) error { return nil })
	err = routes.checkRegistered(partial)
	if err == nil || !strings.Contains(err.Error(), "POST /interventions") {
		t.Errorf("a server without most routes: err = %v, want the missing operations named", err)
	}
}
