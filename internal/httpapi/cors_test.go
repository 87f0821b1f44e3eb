package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCORSLetsAFrontEndUseEveryHeaderOfTheContract: a browser app on another (allowed) origin
// may send every header the contract takes (resuming the live stream, ranges, conditional
// requests, idempotency) and read every header it answers (download names, unread count,
// capped totals, rate limit).
func TestCORSLetsAFrontEndUseEveryHeaderOfTheContract(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	const origin = "http://localhost:5173"
	resp, _ := platformReq{method: http.MethodOptions, path: "/api/v1/notifications/stream", header: map[string]string{
		"Origin":                         origin,
		"Access-Control-Request-Method":  "GET",
		"Access-Control-Request-Headers": "authorization, last-event-id, range, if-range, if-none-match, if-match, idempotency-key",
	}}.on(t, env)
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "last-event-id", "range", "if-range", "if-none-match", "if-match", "idempotency-key"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("preflight: %s not allowed (Allow-Headers %q)", h, allowed)
		}
	}

	get, _ := platformReq{path: "/api/v1/health", header: map[string]string{"Origin": origin}}.on(t, env)
	exposed := get.Header.Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Content-Disposition", "Content-Range", "X-Unread-Count", "X-Total-Count", "X-Total-Count-Capped",
		"Etag", "Location", "Idempotent-Replayed", "Retry-After", "X-Ratelimit-Remaining", "X-Request-Id"} {
		if !strings.Contains(strings.ToLower(exposed), strings.ToLower(h)) {
			t.Errorf("%s not exposed (Expose-Headers %q)", h, exposed)
		}
	}
}
