package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// Fixed document keys of the tests (base64 of 32 bytes each).
var (
	docKey1 = bytes.Repeat([]byte{0x11}, 32)
	docKey2 = bytes.Repeat([]byte{0x22}, 32)
)

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// docFixture is an intervention scenario whose documents are stored in a directory of its own.
type docFixture struct {
	*ivFixture
	dir string // the file:// bucket
}

// newDocFixture starts a server storing documents under a temporary directory, encrypted with
// docKey1 unless opts say otherwise.
func newDocFixture(t *testing.T, opts testenv.Options) *docFixture {
	t.Helper()
	dir := t.TempDir()
	all := testenv.Options{"STORAGE_URL": "file://" + filepath.ToSlash(dir), "DOCUMENT_KEYS": b64(docKey1)}
	for k, v := range opts {
		all[k] = v
	}
	return &docFixture{ivFixture: newIvFixtureOn(t, testenv.NewEnv(t, pg, all)), dir: dir}
}

// sharedIv is an intervention on the demo client's machine assigned to the demo technicien:
// every demo account may read it.
func (f *docFixture) sharedIv() int64 {
	f.t.Helper()
	return f.insert("affectee", f.machine(&f.company, nil), &f.techID)
}

// upload sends one file (and text fields) to POST /interventions/{id}/documents.
func (f *docFixture) upload(token string, iv int64, filename string, content []byte, fields map[string]string) (*http.Response, []byte) {
	f.t.Helper()
	ct, body := multipartFile("file", filename, content, fields)
	return f.env.Do(http.MethodPost, ivPath(iv, "/documents"), token, ct, body, false)
}

// mustUpload uploads and fails the test unless it gets 201.
func (f *docFixture) mustUpload(token string, iv int64, filename string, content []byte, fields map[string]string) api.Document {
	f.t.Helper()
	resp, b := f.upload(token, iv, filename, content, fields)
	if resp.StatusCode != http.StatusCreated {
		f.t.Fatalf("upload %s: %d %s", filename, resp.StatusCode, b)
	}
	return decodeInto[api.Document](f.t, b)
}

// get sends a GET with a token (may be "") and extra headers.
func (f *docFixture) fetch(path, token string, headers map[string]string) (*http.Response, []byte) {
	f.t.Helper()
	return f.do(http.MethodGet, path, token, "", headers, false)
}

// docPath is /api/v1/documents/{id} plus rest.
func docPath(id int64, rest string) string {
	return "/api/v1/documents/" + strconv.FormatInt(id, 10) + rest
}

// blobFiles lists the files of the bucket directory (blobs and temporary files).
func (f *docFixture) blobFiles() []string {
	f.t.Helper()
	var out []string
	err := filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// blobPath is the file holding a document's blob.
func (f *docFixture) blobPath(docID int64) string {
	f.t.Helper()
	var key string
	if err := f.env.Pool.QueryRow(f.t.Context(), "SELECT storage_key FROM documents WHERE id = $1", docID).Scan(&key); err != nil {
		f.t.Fatal(err)
	}
	return filepath.Join(f.dir, filepath.FromSlash(key))
}

// streamTransport validates requests and responses against the contract without buffering
// bodies: request bodies are not validated (uploads are exempt, as on the server), JSON response
// bodies are, binary ones are streamed (their status and headers still are validated).
type streamTransport struct {
	t      testing.TB
	router routers.Router
	next   http.RoundTripper
}

func newStreamClient(t testing.TB) *http.Client {
	t.Helper()
	return &http.Client{Transport: &streamTransport{t: t, router: testenv.ContractRouter(t), next: &http.Transport{}}}
}

func (st *streamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	probe := req.Clone(req.Context())
	probe.URL = &url.URL{Path: strings.TrimPrefix(req.URL.Path, "/api/v1"), RawQuery: req.URL.RawQuery}
	probe.Body = http.NoBody
	route, params, err := st.router.FindRoute(probe)
	if err != nil {
		st.t.Errorf("contract: no operation for %s %s", req.Method, req.URL.Path)
		return st.next.RoundTrip(req)
	}
	input := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		st.t.Errorf("contract: request %s %s: %v", req.Method, req.URL.Path, err)
	}
	resp, err := st.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		rin.Body = io.NopCloser(bytes.NewReader(b))
	} else {
		rin.Options.ExcludeResponseBody = true
		rin.Body = http.NoBody
	}
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		st.t.Errorf("contract: response %d to %s %s: %v", resp.StatusCode, req.Method, req.URL.Path, err)
	}
	return resp, nil
}

// waitFor polls cond for up to 10 s (the server finishes a refused or aborted request a little
// after the client sees it end).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
