package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/mif-erp/erp/api"
)

// The contract's `date` fields also take a full RFC 3339 timestamp (what a front end's date
// picker gives), whose day as written is the date (api.DayOfTimestamp). The validator accepts
// both; datesAsDays then rewrites the timestamps of a valid request to their day, so that the
// handlers, which decode days, see only days.

// timestampInJSON finds a JSON string that starts like a timestamp: a body without one needs
// no rewriting and is not decoded again.
var timestampInJSON = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T`)

// datesAsDays rewrites the timestamps given for `date` query parameters and JSON body fields
// of a validated request to their day.
func datesAsDays(route *routers.Route, req *http.Request) error {
	daysInQuery(route, req)
	return daysInBody(route, req)
}

func daysInQuery(route *routers.Route, req *http.Request) {
	if req.URL.RawQuery == "" {
		return
	}
	query := req.URL.Query()
	changed := false
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, ref := range params {
			p := ref.Value
			if p == nil || p.In != openapi3.ParameterInQuery || p.Schema == nil || !takesDays(p.Schema.Value) {
				continue
			}
			for i, v := range query[p.Name] {
				if day, ok := api.DayOfTimestamp(v); ok {
					query[p.Name][i] = day
					changed = true
				}
			}
		}
	}
	if changed {
		req.URL.RawQuery = query.Encode()
	}
}

// takesDays reports whether a parameter's schema is a date or a list of dates.
func takesDays(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	return s.Format == "date"
}

func daysInBody(route *routers.Route, req *http.Request) error {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil || req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		return nil
	}
	body, err := io.ReadAll(req.Body) // the validator has read it already: these are its bytes
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if !timestampInJSON.Match(body) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers stay as written (int64 ids)
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil // the validator accepted it; the handler answers what it must
	}
	doc, changed := daysIn(doc, mt.Schema.Value)
	if !changed {
		return nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(out))
	req.ContentLength = int64(len(out))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	return nil
}

// daysIn rewrites, in a decoded JSON value, the timestamps that schema s (walked through its
// properties, items and compositions) types as a date.
func daysIn(v any, s *openapi3.Schema) (any, bool) {
	if s == nil {
		return v, false
	}
	changed := false
	for _, subs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range subs {
			var c bool
			v, c = daysIn(v, sub.Value)
			changed = changed || c
		}
	}
	switch x := v.(type) {
	case string:
		if s.Format == "date" {
			if day, ok := api.DayOfTimestamp(x); ok {
				return day, true
			}
		}
	case map[string]any:
		for k, child := range x {
			prop, ok := s.Properties[k]
			if !ok || prop.Value == nil {
				continue
			}
			if nv, c := daysIn(child, prop.Value); c {
				x[k], changed = nv, true
			}
		}
	case []any:
		if s.Items == nil {
			break
		}
		for i, child := range x {
			if nv, c := daysIn(child, s.Items.Value); c {
				x[i], changed = nv, true
			}
		}
	}
	return v, changed
}
