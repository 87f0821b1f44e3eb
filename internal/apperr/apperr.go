// Package apperr holds the typed errors that domain services return. The HTTP layer maps each
// kind to one status code in a single place, so no handler picks a status by hand.
package apperr

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a domain failure.
type Kind int

// Kinds of domain failures, each mapped to one HTTP status at the edge.
const (
	KindBadRequest   Kind = iota + 1 // 400
	KindUnauthorized                 // 401
	KindForbidden                    // 403
	KindNotFound                     // 404
	KindConflict                     // 409
	KindInvalid                      // 422
	KindLocked                       // 429 (login lockout)
	KindPrecondition                 // 412 (stale If-Match)
	KindGone                         // 410 (a resource that existed and was deleted for good)
)

// FieldError is one invalid field.
type FieldError struct {
	Field   string
	Message string
}

// Error is a domain failure with a user-facing French message.
type Error struct {
	Kind       Kind
	Message    string
	Fields     []FieldError
	RetryAfter time.Duration // KindLocked only
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is a domain error of that kind.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

func newf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// BadRequest is a request that is well-formed but refused as given (wrong current password).
func BadRequest(format string, args ...any) *Error { return newf(KindBadRequest, format, args...) }

// Unauthorized is a missing or invalid credential.
func Unauthorized(format string, args ...any) *Error { return newf(KindUnauthorized, format, args...) }

// Forbidden is a caller who may not do this.
func Forbidden(format string, args ...any) *Error { return newf(KindForbidden, format, args...) }

// NotFound is a missing (or unreadable) row.
func NotFound(format string, args ...any) *Error { return newf(KindNotFound, format, args...) }

// Conflict is a duplicate or a state that forbids the change.
func Conflict(format string, args ...any) *Error { return newf(KindConflict, format, args...) }

// Invalid lists invalid fields.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Message: message, Fields: fields}
}

// MsgValidation is the detail of every 422 (the original's words); the fields say what is wrong.
const MsgValidation = "Erreur de validation des données"

// Validation is a 422 with the default detail and the invalid fields.
func Validation(fields ...FieldError) *Error { return Invalid(MsgValidation, fields...) }

// InvalidField is a 422 naming one field.
func InvalidField(field, message string) *Error {
	return Validation(FieldError{Field: field, Message: message})
}

// Fields collects the invalid fields of one input, in the order they are checked, so a caller
// learns every problem at once.
type Fields []FieldError

// Add records that field is invalid.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Addf records that field is invalid, with a formatted message.
func (f *Fields) Addf(field, format string, args ...any) { f.Add(field, fmt.Sprintf(format, args...)) }

// Err is the 422 listing the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f...)
}

// PreconditionFailed refuses a change based on a stale version.
func PreconditionFailed(format string, args ...any) *Error {
	return newf(KindPrecondition, format, args...)
}

// Gone is a resource that existed and is gone for good (an expired report's file).
func Gone(format string, args ...any) *Error { return newf(KindGone, format, args...) }

// Locked refuses a login attempt for a while.
func Locked(retryAfter time.Duration) *Error {
	secs := int(retryAfter.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return &Error{
		Kind:       KindLocked,
		Message:    fmt.Sprintf("Trop de tentatives échouées. Réessayez dans %d secondes.", secs),
		RetryAfter: time.Duration(secs) * time.Second,
	}
}
