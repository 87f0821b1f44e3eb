package httpapi_test

import (
	"net/http"
	"testing"
)

func TestAScalarQueryParameterSentTwiceIs422NotAServerOr400Answer(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	admin := env.Token("admin")
	for _, path := range []string{"/api/v1/users?limit=1&limit=2", "/api/v1/users?sort=id&sort=-id", "/users?role=admin&role=client"} {
		resp, b := env.Do(http.MethodGet, path, admin, "", nil, true)
		p := decodeProblem(t, b)
		if resp.StatusCode != http.StatusUnprocessableEntity || p.Errors == nil || len(*p.Errors) != 1 {
			t.Errorf("%s: got %d %s, want 422 naming the parameter", path, resp.StatusCode, b)
		}
	}
}
