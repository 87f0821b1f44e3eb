// Package apidocs serves offline API documentation: Swagger UI at /docs and ReDoc at /redoc.
//
// Every asset is embedded in the binary (Swagger UI from github.com/swaggo/files/v2, ReDoc's
// standalone bundle vendored from the npm package "redoc" by scripts/vendor-redoc.sh), so the
// pages render on a machine without internet access. The pages contain no inline script and
// reference no other host; the spec is loaded from the URL given to Register.
//
// Content-Security-Policy: the pages need no inline script and no eval. SwaggerUICSP and
// RedocCSP are the minimal policies, checked in headless Chromium with CSP violation
// reports (no violation other than the one noted on RedocCSP):
//
//   - both: script-src 'self' (bundles and init scripts are same-origin files),
//     img-src 'self' data: (SVG icons as data: URIs), connect-src 'self' (the spec fetch,
//     and Swagger UI's "Try it out" against the relative server URL /api/v1).
//   - Swagger UI: style-src 'self' (no inline styles).
//   - ReDoc: its styled-components insert an empty <style> element (filled through CSSOM)
//     and perfect-scrollbar injects a fixed <style>; both are allowed by their sha256 hash
//     instead of 'unsafe-inline'. worker-src blob: is for the search index, which runs in a
//     worker built from a blob: URL (without it the page renders but search is blocked).
package apidocs

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	swaggerfiles "github.com/swaggo/files/v2"
)

// RedocVersion is the version of the npm package "redoc" vendored in assets/.
const RedocVersion = "2.5.4"

// Content-Security-Policy values for the documentation pages, to be sent by the server on
// /docs, /docs/*, /redoc and /redoc/*. Add frame-ancestors, base-uri and form-action as the
// rest of the server does. RedocCSP also suits /docs if one policy is wanted for both.
//
// ReDoc renders an "API docs by Redocly" footer with an <img> that upstream loads from
// cdn.redoc.ly; scripts/vendor-redoc.sh rewrites it to a data: URI, so the pages fetch
// nothing from another host.
const (
	SwaggerUICSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' data:; connect-src 'self'"
	RedocCSP = "default-src 'none'; script-src 'self'; style-src 'self' " +
		redocStyleHashes + "; img-src 'self' data:; connect-src 'self'; worker-src blob:"
)

// redocStyleHashes are the hashes of the <style> elements ReDoc RedocVersion injects: the
// empty one of styled-components and perfect-scrollbar's CSS. They depend on the vendored
// bundle, pinned by redocBundleSHA256: after re-vendoring, re-check them (serve /redoc with
// RedocCSP, open it in a browser and read the hash in the console's CSP error).
const redocStyleHashes = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' " +
	"'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"

// redocBundleSHA256 is the SHA-256 of assets/redoc.standalone.js (redoc RedocVersion from npm,
// its CDN logo rewritten by scripts/vendor-redoc.sh).
const redocBundleSHA256 = "606e384c7757b02bf16f787a54cffe3a23dd197ecf2181ededa55f2a4c1b2865"

//go:embed assets
var assets embed.FS

// swaggerDistHidden are files of the Swagger UI dist not served: the upstream index and
// initializer (they point at the petstore demo and are replaced by ours), and the OAuth2
// redirect page (inline script; the API uses bearer tokens, not OAuth2 flows).
var swaggerDistHidden = map[string]bool{
	"index.html":             true,
	"swagger-initializer.js": true,
	"oauth2-redirect.html":   true,
}

// redocFiles are the files served under /redoc/, mapped to their name in assets/.
var redocFiles = map[string]string{
	"redoc.standalone.js":             "assets/redoc.standalone.js",
	"redoc.standalone.js.LICENSE.txt": "assets/redoc.standalone.js.LICENSE.txt",
	"LICENSE":                         "assets/redoc.LICENSE",
	"init.js":                         "assets/redoc-init.js",
	"redoc.css":                       "assets/redoc.css",
}

// Register adds GET routes for /docs, /docs/*, /redoc and /redoc/* to e. specURL is the
// URL the pages load the OpenAPI document from (e.g. "/openapi.json"); a path on the same
// origin keeps the pages within the CSP above.
func Register(e *echo.Echo, specURL string) {
	swaggerIndex := mustRender("assets/swagger-ui.html", specURL)
	redocIndex := mustRender("assets/redoc.html", specURL)
	etags := &etagCache{}

	docs := func(c echo.Context) error {
		name := c.Param("*")
		switch name {
		case "", "index.html":
			return page(c, swaggerIndex)
		case "init.js":
			return serveFile(c, etags, assets, "assets", "assets/swagger-init.js")
		}
		if swaggerDistHidden[name] || !fs.ValidPath(name) {
			return echo.ErrNotFound
		}
		return serveFile(c, etags, swaggerfiles.FS, "swagger", name)
	}
	redoc := func(c echo.Context) error {
		name := c.Param("*")
		if name == "" || name == "index.html" {
			return page(c, redocIndex)
		}
		file, ok := redocFiles[name]
		if !ok {
			return echo.ErrNotFound
		}
		return serveFile(c, etags, assets, "assets", file)
	}

	e.GET("/docs", docs)
	e.GET("/docs/*", docs)
	e.GET("/redoc", redoc)
	e.GET("/redoc/*", redoc)
}

func mustRender(name, specURL string) []byte {
	t := template.Must(template.ParseFS(assets, name))
	var buf bytes.Buffer
	if err := t.Execute(&buf, struct{ SpecURL string }{specURL}); err != nil {
		panic("apidocs: " + err.Error())
	}
	return buf.Bytes()
}

func page(c echo.Context, body []byte) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, body)
}

// contentTypes maps the extensions of the served files to their media type, so that the
// answer does not depend on the host's mime tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".png":  "image/png",
	".map":  "application/json; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}

func contentType(name string) string {
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		return ct
	}
	if strings.HasSuffix(name, "LICENSE") {
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// serveFile streams an embedded file with its content type and a content-hash ETag
// (embedded files have no modification time); conditional and range requests are
// handled by http.ServeContent.
func serveFile(c echo.Context, etags *etagCache, fsys fs.FS, fsName, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return echo.ErrNotFound
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return echo.ErrNotFound
	}
	etag, err := etags.get(fsys, fsName, name)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, contentType(name))
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, rs)
	return nil
}

type etagCache struct {
	mu sync.Mutex
	m  map[string]string // "<fs>:<name>" -> ETag
}

func (e *etagCache) get(fsys fs.FS, fsName, name string) (string, error) {
	k := fsName + ":" + name
	e.mu.Lock()
	tag, ok := e.m[k]
	e.mu.Unlock()
	if ok {
		return tag, nil
	}
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	tag = `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
	e.mu.Lock()
	if e.m == nil {
		e.m = map[string]string{}
	}
	e.m[k] = tag
	e.mu.Unlock()
	return tag, nil
}
