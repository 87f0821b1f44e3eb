package httpapi

import (
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// corsHeaders lists, from the contract, the request headers a browser on another origin may
// send (every header parameter, plus the ones every request may carry) and the response headers
// its scripts may read (every declared response header, plus the request id), so that a header
// added to the contract reaches cross-origin front ends without a second list to keep.
func corsHeaders(doc *openapi3.T) (allow, expose []string) {
	allow = []string{"Authorization", "Content-Type", "Accept", "Origin", "X-Requested-With", "X-Request-ID"}
	expose = []string{"X-Request-ID", "Content-Length"}
	add := func(list []string, name string) []string {
		name = http.CanonicalHeaderKey(name)
		if !slices.Contains(list, name) {
			list = append(list, name)
		}
		return list
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range params {
					if p.Value != nil && p.Value.In == openapi3.ParameterInHeader {
						allow = add(allow, p.Value.Name)
					}
				}
			}
			if op.Responses == nil {
				continue
			}
			for _, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for name := range r.Value.Headers {
					expose = add(expose, name)
				}
			}
		}
	}
	for name := range doc.Components.Headers { // the rate limit's, on every response
		expose = add(expose, name)
	}
	slices.Sort(allow)
	slices.Sort(expose)
	return allow, expose
}
