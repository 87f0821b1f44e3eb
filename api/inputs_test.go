package api

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// operationsOf calls f for every operation of the contract, in path then method order, with its
// parameters (the path item's, overridden by the operation's).
func operationsOf(t *testing.T, f func(name string, op *openapi3.Operation, params openapi3.Parameters)) {
	t.Helper()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			op := ops[method]
			var params openapi3.Parameters
			for _, p := range item.Parameters {
				if op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
					params = append(params, p)
				}
			}
			f(method+" "+path, op, append(params, op.Parameters...))
		}
	}
}

// TestEveryRequestBodyObjectIsClosed: every object schema a request body reaches (its
// properties, items and compositions, at any depth) sets additionalProperties to false, so an
// unknown or misspelt key is refused naming its path rather than ignored. A map, whose
// additionalProperties is a schema of its values, is the one exception.
func TestEveryRequestBodyObjectIsClosed(t *testing.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if ref.Ref != "" {
			where += " (" + ref.Ref + ")"
		}
		if (s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0) && len(s.AllOf) == 0 && len(s.OneOf) == 0 {
			ap := s.AdditionalProperties
			if ap.Schema == nil && (ap.Has == nil || *ap.Has) {
				t.Errorf("%s: an object without additionalProperties: false", where)
			}
		}
		for _, name := range sortedKeys(s.Properties) {
			walk(where+"."+name, s.Properties[name])
		}
		walk(where+"[]", s.Items)
		walk(where+"{}", s.AdditionalProperties.Schema)
		for _, subs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for i, sub := range subs {
				walk(fmt.Sprintf("%s/%d", where, i), sub)
			}
		}
	}
	operationsOf(t, func(name string, op *openapi3.Operation, _ openapi3.Parameters) {
		if op.RequestBody == nil || op.RequestBody.Value == nil {
			return
		}
		for _, mt := range sortedKeys(op.RequestBody.Value.Content) {
			walk(name+" "+mt, op.RequestBody.Value.Content[mt].Schema)
		}
	})
}

// TestEveryIntegerParameterIsBounded: every integer parameter has a maximum, or is an int64 (the
// server's binding refuses what exceeds it), so that no value overflows the int4 of a query: a
// plain integer without maximum would be bound to an int and cut to 32 bits in SQL.
func TestEveryIntegerParameterIsBounded(t *testing.T) {
	operationsOf(t, func(name string, _ *openapi3.Operation, params openapi3.Parameters) {
		for _, ref := range params {
			s := ref.Value.Schema.Value
			if s.Items != nil {
				s = s.Items.Value
			}
			if !s.Type.Is(openapi3.TypeInteger) {
				continue
			}
			switch {
			case s.Max != nil && s.Format != "int64" && *s.Max > math.MaxInt32:
				t.Errorf("%s: %s has a maximum beyond the int32 range without format int64", name, ref.Value.Name)
			case s.Max == nil && s.Format != "int64":
				t.Errorf("%s: %s has no maximum", name, ref.Value.Name)
			}
		}
	})
}

// TestListsShareLimitAndOffset: every paginated list takes the shared `limit` and `offset`
// parameters (components/parameters Limit and Offset), and every export the shared ExportLimit,
// so that all of them answer a page the same way; offset has a maximum.
func TestListsShareLimitAndOffset(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if off := doc.Components.Parameters["Offset"].Value.Schema.Value; off.Max == nil {
		t.Error("components/parameters/Offset has no maximum")
	}
	operationsOf(t, func(name string, _ *openapi3.Operation, params openapi3.Parameters) {
		hasOffset := slices.ContainsFunc(params, func(p *openapi3.ParameterRef) bool { return p.Value.Name == "offset" })
		for _, p := range params {
			want := ""
			switch {
			case p.Value.Name == "offset":
				want = "#/components/parameters/Offset"
			case p.Value.Name == "limit" && hasOffset:
				want = "#/components/parameters/Limit"
			case p.Value.Name == "limit" && strings.HasSuffix(name, "/export"):
				want = "#/components/parameters/ExportLimit"
			}
			if want != "" && p.Ref != want {
				t.Errorf("%s: %s is not %s (but %q)", name, p.Value.Name, want, p.Ref)
			}
		}
	})
}

// TestDatesAreYears1900To2999: the contract's `date` and `date-time` formats take the years 1900
// to 2999 only (a year 0000 or 9999 is a typo or a sentinel, not a date of this domain).
func TestDatesAreYears1900To2999(t *testing.T) {
	if _, err := Load(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format, value string
		want          error // nil: valid; errAny: invalid; else the error it wraps
	}{
		{"date", "1900-01-01", nil}, {"date", "2999-12-31", nil}, {"date", "2026-02-28T23:30:00-05:00", nil},
		{"date", "0000-01-01", ErrYearOutOfRange}, {"date", "1899-12-31", ErrYearOutOfRange},
		{"date", "3000-01-01", ErrYearOutOfRange}, {"date", "9999-12-31", ErrYearOutOfRange},
		{"date", "9999-12-31T00:00:00Z", ErrYearOutOfRange}, {"date", "2026-02-30", errAny},
		{"date-time", "1900-01-01T00:00:00Z", nil}, {"date-time", "2999-12-31T23:59:59.999+14:00", nil},
		{"date-time", "0000-01-01T00:00:00Z", ErrYearOutOfRange}, {"date-time", "9999-12-31T23:59:59Z", ErrYearOutOfRange},
		{"date-time", "1899-12-31T23:59:59Z", ErrYearOutOfRange}, {"date-time", "2026-02-30T00:00:00Z", errAny},
		{"date-time", "2026-01-01", errAny},
	} {
		s := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Format: c.format}
		err := s.VisitJSON(c.value)
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s %q: got %v, want valid", c.format, c.value, err)
		case c.want != nil && err == nil:
			t.Errorf("%s %q: valid, want refused", c.format, c.value)
		case c.want != nil && c.want != errAny && !errors.Is(err, c.want):
			t.Errorf("%s %q: got %v, want %v", c.format, c.value, err, c.want)
		}
	}
}

var errAny = errors.New("any error")

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
