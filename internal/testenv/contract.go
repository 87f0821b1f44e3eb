package testenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	contract "github.com/mif-erp/erp/api"
)

// HeaderInvalidOnPurpose marks a request that breaks the contract on purpose (to test the
// server's 4xx answers): its request is not validated, its response still is.
const HeaderInvalidOnPurpose = "X-Test-Invalid-On-Purpose"

// InvalidOnPurpose is a client RequestEditorFn that sets HeaderInvalidOnPurpose.
func InvalidOnPurpose(_ context.Context, req *http.Request) error {
	req.Header.Set(HeaderInvalidOnPurpose, "1")
	return nil
}

// contractTransport validates every request and response against api/openapi.yaml and fails
// the test on any mismatch.
type contractTransport struct {
	t      testing.TB
	next   http.RoundTripper
	router routers.Router
}

// registerDecoders teaches kin-openapi the text media types of the contract it does not know, so
// their responses are validated as strings (its decoder registry is package-wide).
var registerDecoders = sync.OnceFunc(func() {
	for _, mt := range []string{"text/calendar", "text/event-stream", "text/csv"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
	}
})

// contractRouter finds the operation of a request in the shared contract. It is built once per
// process: finding a route only reads the router and the document.
var contractRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := contract.Shared()
	if err != nil {
		return nil, fmt.Errorf("load contract: %w", err)
	}
	clone := *doc // the paths without the server prefix, without touching the shared document
	clone.Servers = nil
	r, err := gorillamux.NewRouter(&clone)
	if err != nil {
		return nil, fmt.Errorf("contract router: %w", err)
	}
	return r, nil
})

// ContractRouter returns the process's router over the contract (paths without /api/v1), for
// tests that validate traffic of their own.
func ContractRouter(t testing.TB) routers.Router {
	t.Helper()
	r, err := contractRouter()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newContractTransport(t testing.TB) *contractTransport {
	t.Helper()
	registerDecoders()
	return &contractTransport{t: t, next: http.DefaultTransport, router: ContractRouter(t)}
}

func (ct *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	onPurpose := req.Header.Get(HeaderInvalidOnPurpose) != ""
	req.Header.Del(HeaderInvalidOnPurpose)

	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}

	// The route as the server sees it: without the /api/v1 prefix and trailing slash.
	probe := req.Clone(req.Context())
	probe.URL.Path = strings.TrimPrefix(probe.URL.Path, "/api/v1")
	if len(probe.URL.Path) > 1 {
		probe.URL.Path = strings.TrimRight(probe.URL.Path, "/")
	}
	if probe.URL.Path == "" {
		probe.URL.Path = "/"
	}
	probe.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, routeErr := ct.router.FindRoute(probe)

	var input *openapi3filter.RequestValidationInput
	if routeErr == nil {
		input = &openapi3filter.RequestValidationInput{
			Request: probe, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		}
		if !onPurpose {
			if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil {
				ct.t.Errorf("contract: request %s %s breaks the contract: %v", req.Method, req.URL.Path, err)
			}
		}
	}

	resp, err := ct.next.RoundTrip(req)
	if err != nil || routeErr != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), rin); err != nil {
		ct.t.Errorf("contract: response %d to %s %s breaks the contract: %v\nbody: %s",
			resp.StatusCode, req.Method, req.URL.Path, err, truncate(body, 600))
	}
	return resp, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// NewContractClient returns an HTTP client that validates every request and response against
// the contract, for tests that serve a handler of their own (NewEnv's Client and HTTP already do).
func NewContractClient(t testing.TB) *http.Client {
	return &http.Client{Transport: newContractTransport(t), Timeout: 30 * time.Second}
}
