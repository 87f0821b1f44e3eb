package httpapi

import (
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/mif-erp/erp/internal/patch"
)

// nullableOf is the tri-state API form of an optional value, null when p is nil: the answer's
// PlanningModele is also the plan's partial update, so it keeps nullable.Nullable fields
// (oapi-codegen.overlay.yaml). An unspecified nullable.Nullable would encode as the zero value.
func nullableOf[T any](p *T) nullable.Nullable[T] {
	if p == nil {
		return nullable.NewNullNullable[T]()
	}
	return nullable.NewNullableWithValue(*p)
}

// fieldOf turns a nullable field of a PATCH body into a partial-update field.
func fieldOf[T any](n nullable.Nullable[T]) patch.Field[T] {
	switch {
	case !n.IsSpecified():
		return patch.Keep[T]()
	case n.IsNull():
		return patch.Clear[T]()
	default:
		return patch.To(n.MustGet())
	}
}

// fieldOfPtr turns a non-nullable optional field of a PATCH body into a partial-update field.
func fieldOfPtr[T any](p *T) patch.Field[T] {
	if p == nil {
		return patch.Keep[T]()
	}
	return patch.To(*p)
}

// dateField turns a partial-update field of API days into one of times.
func dateField(f patch.Field[openapi_types.Date]) patch.Field[time.Time] {
	if !f.Set {
		return patch.Keep[time.Time]()
	}
	if f.Value == nil {
		return patch.Clear[time.Time]()
	}
	return patch.To(f.Value.Time)
}
