package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestOffsetBeyondInt32IsRefusedByEveryList: an offset of 2^31 or more answered 500 on some
// lists (users, notifications, e-mails), silently wrapped round on others (2^32 + k gave page
// k) and 422 on the interventions: every list answers 422 naming offset.
func TestOffsetBeyondInt32IsRefusedByEveryList(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	admin := env.Token("admin")
	for _, path := range []string{"/users", "/notifications", "/notifications/me", "/notifications/user/me",
		"/notifications/user/1", "/emails", "/interventions", "/equipements", "/clients"} {
		for _, offset := range []string{"2147483648", "4294967297", "99999999999999999999"} {
			resp, b := env.Do(http.MethodGet, "/api/v1"+path+"?offset="+offset, admin, "", nil, true)
			var p api.Problem
			_ = json.Unmarshal(b, &p) // a page, before the fix
			if resp.StatusCode != http.StatusUnprocessableEntity || !names(p, "offset") {
				t.Errorf("%s?offset=%s: got %d %s, want 422 naming offset", path, offset, resp.StatusCode, truncated(b))
			}
		}
	}
}

// TestEveryIntegerParameterOfTheContractRefusesValuesBeyondItsBound is generated from the
// contract: every integer parameter of every operation, sent one beyond its bound (its
// maximum; the largest int64 for an int64; the largest int32 for a plain integer, which the
// database stores as an int4), as 10^20, and (not an int64) as 2^32 + 1, answers a 4xx, and a
// 422 names it; never a 5xx nor a 2xx.
func TestEveryIntegerParameterOfTheContractRefusesValuesBeyondItsBound(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	admin := env.Token("admin")
	checked := 0
	for _, o := range sweepOps(t) {
		var params []*openapi3.Parameter
		for _, ref := range o.Params {
			if s := single(ref.Value.Schema); s.Type.Is(openapi3.TypeInteger) {
				params = append(params, ref.Value)
			}
		}
		if len(params) == 0 {
			continue
		}
		checked += len(params)
		t.Run(o.String(), func(t *testing.T) {
			t.Parallel()
			env := env.For(t)
			for who, token := range identities(o, admin) {
				for _, p := range params {
					values := []string{plusOne(integerBound(single(p.Schema))), "100000000000000000000"}
					if single(p.Schema).Format != "int64" {
						values = append(values, "4294967297") // 2^32 + 1, which an int32 cast wraps to 1
					}
					for _, v := range values {
						r := baseRequest(o, nil)
						switch p.In {
						case openapi3.ParameterInPath:
							r.path[p.Name] = v
						case openapi3.ParameterInQuery:
							r.query.Set(p.Name, v)
						case openapi3.ParameterInHeader:
							r.header.Set(p.Name, v)
						}
						r.withBody(o.mediaTypes()[0], nil, "")
						status, prob, b := r.send(t, env, token)
						what := fmt.Sprintf("%s=%s as %s", p.Name, v, who)
						switch {
						case status < 400 || status >= 500:
							t.Errorf("%s: got %d %s, want a 4xx", what, status, truncated(b))
						case status == http.StatusUnprocessableEntity && !names(prob, p.Name):
							t.Errorf("%s: got 422 %s, want it to name %s", what, truncated(b), p.Name)
						}
					}
				}
			}
		})
	}
	if checked < 100 {
		t.Errorf("only %d integer parameters found in the contract", checked)
	}
}
