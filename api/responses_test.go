package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestEveryOperationDeclaresItsErrors: a client generated from the contract knows every error
// status an operation can answer, so each operation declares the ones the server's layers give
// to any request of its kind (the gate, the handlers, the middleware), each as a problem
// document:
//
//   - every operation: 429 (rate limit; not the health probes, which are exempt), 500, and 503
//     while the database cannot be reached (not the operations that need none);
//   - with a bearer token required or accepted: 401 and 403 (a role the operation is not for);
//   - with a path parameter: 404 (no such record, or not the caller's);
//   - with parameters or a body the validator checks: 422;
//   - with a request body: 400 (unreadable), 413 (too large) and 415 (another media type).
//
// rateLimitExempt are the health probes, which the rate limit lets through (exemptFromRateLimit
// in internal/httpapi/middleware.go).
var rateLimitExempt = map[string]bool{"/health": true, "/live": true, "/ready": true}

// needsNoDatabase are the operations that answer without PostgreSQL; every other one answers 503
// (ServiceUnavailable, with Retry-After) while the database cannot be reached. /ready answers
// its own 503, the readiness report.
var needsNoDatabase = map[string]bool{"/": true, "/health": true, "/live": true, "/ready": true}

func TestEveryOperationDeclaresItsErrors(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	operationsOf(t, func(name string, op *openapi3.Operation, params openapi3.Parameters) {
		_, path, _ := strings.Cut(name, " ")
		want := []string{"500"}
		if !rateLimitExempt[path] {
			want = append(want, "429")
		}
		if !needsNoDatabase[path] {
			want = append(want, "503")
		}
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		if slices.ContainsFunc(security, func(r openapi3.SecurityRequirement) bool { return len(r) > 0 }) {
			want = append(want, "401", "403")
		}
		if slices.ContainsFunc(params, func(p *openapi3.ParameterRef) bool { return p.Value.In == openapi3.ParameterInPath }) {
			want = append(want, "404")
		}
		if slices.ContainsFunc(params, func(p *openapi3.ParameterRef) bool {
			return p.Value.In != openapi3.ParameterInHeader || p.Value.Name != "Accept"
		}) || op.RequestBody != nil {
			want = append(want, "422")
		}
		if op.RequestBody != nil {
			want = append(want, "400", "413", "415")
		}
		for _, status := range want {
			r := op.Responses.Value(status)
			if r == nil || r.Value == nil {
				t.Errorf("%s does not declare %s", name, status)
				continue
			}
			if r.Value.Content.Get("application/problem+json") == nil {
				t.Errorf("%s: its %s is not a problem document", name, status)
			}
		}
		for status, r := range op.Responses.Map() {
			if path == "/ready" && status == "503" {
				continue // the readiness report, whose checks say what is down
			}
			if strings.HasPrefix(status, "4") || strings.HasPrefix(status, "5") {
				if r.Value != nil && r.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("%s: its %s is not a problem document", name, status)
				}
			}
		}
	})
}
