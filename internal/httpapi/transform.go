package httpapi

import (
	"time"

	"github.com/mif-erp/erp/internal/apitypes"
)

// Transformers turn domain values into the generated contract types, one file per resource
// (<resource>_transform.go). The handlers answer with the generated response types, so a
// response is encoded straight from the api.* value: nullable fields are plain pointers there
// (see oapi-codegen.overlay.yaml), which encoding/json writes without a MarshalJSON call.

// mapAll converts every element of a page with a transformer.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// utcPtr is an optional time in UTC, as the API writes times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// apiDate is an optional day of the domain as an API date.
func apiDate(t *time.Time) *apitypes.Date {
	if t == nil {
		return nil
	}
	d := apitypes.Of(*t)
	return &d
}

// apiInt is an optional int32 of the domain as the API's int.
func apiInt(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}
