// Package patch describes partial updates: a field may be absent (keep), null (clear) or set.
package patch

// Field is one field of a partial update.
type Field[T any] struct {
	Set   bool // the field was sent
	Value *T   // nil when it was sent as null
}

// Keep is an absent field.
func Keep[T any]() Field[T] { return Field[T]{} }

// To sets the field to v.
func To[T any](v T) Field[T] { return Field[T]{Set: true, Value: &v} }

// Clear sets the field to null.
func Clear[T any]() Field[T] { return Field[T]{Set: true} }

// Or returns the new value when the field was sent, else current.
func (f Field[T]) Or(current *T) *T {
	if f.Set {
		return f.Value
	}
	return current
}
