package apidocs

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

const testSpecURL = "/openapi.json"

func newServer(t *testing.T) *echo.Echo {
	t.Helper()
	e := echo.New()
	Register(e, testSpecURL)
	return e
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, e *echo.Echo, target string, hdr ...string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{rec.Code, rec.Result().Header, string(b)}
}

func mustHTML(t *testing.T, r response, target string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", target, r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q, want text/html", target, ct)
	}
}

func mustJS(t *testing.T, e *echo.Echo, target string) response {
	t.Helper()
	r := get(t, e, target)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", target, r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Fatalf("GET %s: Content-Type %q, want a javascript type", target, ct)
	}
	if len(r.body) == 0 {
		t.Fatalf("GET %s: empty body", target)
	}
	return r
}

func TestSwaggerUI(t *testing.T) {
	e := newServer(t)
	for _, p := range []string{"/docs", "/docs/", "/docs/index.html"} {
		r := get(t, e, p)
		mustHTML(t, r, p)
		if !strings.Contains(r.body, `src="/docs/swagger-ui-bundle.js"`) {
			t.Errorf("GET %s: no reference to the swagger-ui bundle:\n%s", p, r.body)
		}
		if !strings.Contains(r.body, `data-spec-url="`+testSpecURL+`"`) {
			t.Errorf("GET %s: spec URL %q not in the page", p, testSpecURL)
		}
	}

	bundle := mustJS(t, e, "/docs/swagger-ui-bundle.js")
	if !strings.Contains(bundle.body, "SwaggerUIBundle") {
		t.Error("swagger-ui-bundle.js does not define SwaggerUIBundle")
	}
	initJS := mustJS(t, e, "/docs/init.js")
	if !strings.Contains(initJS.body, "SwaggerUIBundle(") || !strings.Contains(initJS.body, "data-spec-url") {
		t.Error("/docs/init.js does not start Swagger UI from data-spec-url")
	}
	if r := get(t, e, "/docs/swagger-ui.css"); r.status != http.StatusOK ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /docs/swagger-ui.css: %d %q", r.status, r.header.Get("Content-Type"))
	}

	// The upstream petstore initializer and the OAuth2 page (inline script) are not served.
	for _, p := range []string{"/docs/swagger-initializer.js", "/docs/oauth2-redirect.html", "/docs/nope.js", "/docs/../go.mod"} {
		if r := get(t, e, p); r.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, r.status)
		}
	}
}

func TestRedoc(t *testing.T) {
	e := newServer(t)
	for _, p := range []string{"/redoc", "/redoc/"} {
		r := get(t, e, p)
		mustHTML(t, r, p)
		if !strings.Contains(r.body, `src="/redoc/redoc.standalone.js"`) {
			t.Errorf("GET %s: no reference to the local redoc bundle:\n%s", p, r.body)
		}
		if !strings.Contains(r.body, `data-spec-url="`+testSpecURL+`"`) {
			t.Errorf("GET %s: spec URL %q not in the page", p, testSpecURL)
		}
	}
	bundle := mustJS(t, e, "/redoc/redoc.standalone.js")
	if len(bundle.body) < 500_000 || !strings.Contains(bundle.body, "Redoc") {
		t.Errorf("redoc.standalone.js looks wrong (%d bytes)", len(bundle.body))
	}
	initJS := mustJS(t, e, "/redoc/init.js")
	if !strings.Contains(initJS.body, "Redoc.init(") {
		t.Error("/redoc/init.js does not call Redoc.init")
	}
	if r := get(t, e, "/redoc/LICENSE"); r.status != http.StatusOK || !strings.Contains(r.body, "MIT") {
		t.Errorf("GET /redoc/LICENSE: %d", r.status)
	}
	if r := get(t, e, "/redoc/apidocs.go"); r.status != http.StatusNotFound {
		t.Errorf("GET /redoc/apidocs.go: status %d, want 404", r.status)
	}
}

func TestConditionalGet(t *testing.T) {
	e := newServer(t)
	r := get(t, e, "/redoc/redoc.standalone.js")
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on the bundle")
	}
	if r2 := get(t, e, "/redoc/redoc.standalone.js", "If-None-Match", etag); r2.status != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", r2.status)
	}
}

var (
	absURL  = regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.\-]+(?::\d+)?`)
	refAttr = regexp.MustCompile(`(?i)\b(?:src|href)="([^"]*)"`)
	inline  = regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]|<style\b|\son[a-z]+=|\sstyle=`)
)

// TestNoExternalReferences checks that the pages and their init scripts name no other host
// (no CDN), have no inline script or style, and that every asset they reference is served.
func TestNoExternalReferences(t *testing.T) {
	e := newServer(t)
	for _, p := range []string{"/docs", "/docs/init.js", "/redoc", "/redoc/init.js", "/redoc/redoc.css"} {
		r := get(t, e, p)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", p, r.status)
		}
		for _, m := range absURL.FindAllString(r.body, -1) {
			u, err := url.Parse(m)
			if err != nil || u.Host != "example.com" { // httptest's default host
				t.Errorf("%s references another host: %s", p, m)
			}
		}
		if strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			if m := inline.FindString(r.body); m != "" {
				t.Errorf("%s has inline script or style: %q", p, m)
			}
			for _, ref := range refAttr.FindAllStringSubmatch(r.body, -1) {
				target := ref[1]
				if target == testSpecURL {
					continue
				}
				if !strings.HasPrefix(target, "/") {
					t.Errorf("%s: asset %q is not a same-origin absolute path", p, target)
					continue
				}
				if a := get(t, e, target); a.status != http.StatusOK {
					t.Errorf("%s references %s, which answers %d", p, target, a.status)
				}
			}
		}
	}
}

// TestBundlesFetchNothingElsewhere: the script bundles the pages load reference no CDN (ReDoc's
// footer logo came from cdn.redoc.ly, which the pages' CSP then blocked).
func TestBundlesFetchNothingElsewhere(t *testing.T) {
	e := newServer(t)
	for _, p := range []string{"/redoc/redoc.standalone.js", "/docs/swagger-ui-bundle.js"} {
		r := get(t, e, p)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", p, r.status)
		}
		for _, cdn := range []string{"cdn.redoc.ly", "cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com"} {
			if strings.Contains(r.body, cdn) {
				t.Errorf("%s references %s", p, cdn)
			}
		}
	}
}

// TestRedocBundlePinned guards RedocCSP's style hashes: they were measured on this exact
// bundle. A re-vendored bundle must come with re-checked hashes (see redocStyleHashes).
func TestRedocBundlePinned(t *testing.T) {
	b, err := assets.ReadFile("assets/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != redocBundleSHA256 {
		t.Errorf("redoc.standalone.js sha256 = %s, want %s: re-check redocStyleHashes, then update redocBundleSHA256", got, redocBundleSHA256)
	}
	if !strings.Contains(string(b), `"`+RedocVersion+`"`) {
		t.Errorf("redoc.standalone.js does not carry version %q", RedocVersion)
	}
	for _, csp := range []string{SwaggerUICSP, RedocCSP} {
		if strings.Contains(csp, "unsafe-") || strings.Contains(csp, "http") {
			t.Errorf("CSP is not strict: %s", csp)
		}
	}
}
