package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/auth"
)

// TestAnUnreachableDatabaseAnswers503WithRetryAfter: while PostgreSQL cannot be reached, a
// request that needs it gets 503 with Retry-After (declared in the contract), so a client can
// tell an outage from a bug and retry, rather than a bare 500.
func TestAnUnreachableDatabaseAnswers503WithRetryAfter(t *testing.T) {
	t.Parallel()
	const secret = "test-secret-key-0123456789abcdefghijklmnop"
	ts, hc := unreachableDatabaseServer(t, map[string]string{"SECRET_KEY": secret})
	token, _, err := auth.NewTokens([]byte(secret), time.Minute).Issue(1, "admin", "admin@mif.ma", 0)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"username": {"admin@mif.ma"}, "password": {"Admin12345!"}}.Encode()
	for _, r := range []platformReq{
		{method: http.MethodPost, path: "/api/v1/auth/token", body: strings.NewReader(form),
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{path: "/api/v1/equipements", token: token},
		{method: http.MethodPost, path: "/api/v1/interventions", token: token,
			body:   strings.NewReader(`{"titre":"Panne","type":"corrective","equipement_id":1}`),
			header: map[string]string{"Content-Type": "application/json", "Idempotency-Key": "outage-1"}},
	} {
		resp, b := platformSend(t, hc, ts.URL, r)
		p := checkProblem(t, r.method+" "+r.path, resp, b, http.StatusServiceUnavailable)
		if resp.Header.Get("Retry-After") != "5" {
			t.Errorf("%s: Retry-After %q, want 5", r.path, resp.Header.Get("Retry-After"))
		}
		if p.Detail == nil || !strings.Contains(*p.Detail, "indisponible") {
			t.Errorf("%s: detail %v", r.path, p.Detail)
		}
	}
}
