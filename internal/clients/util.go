package clients

import (
	"net/mail"
	"strings"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"clients_user_id_key":     errUserHasCompany,
	"clients_nom_key":         errClientNameTaken,
	"contrats_numero_key":     errNumeroTaken,
	"clients_user_id_fkey":    errUserNotFound,
	"contrats_client_id_fkey": errClientNotFound,
}

func trim(s string) string { return strings.TrimSpace(s) }

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// appendOptionalText checks an optional text field: storable when set.
func appendOptionalText(fields []apperr.FieldError, name string, value *string) []apperr.FieldError {
	if value != nil {
		if msg := text.Unstorable(*value); msg != "" {
			return append(fields, apperr.FieldError{Field: name, Message: msg})
		}
	}
	return fields
}

func checkEmail(email string) string {
	if msg := text.Unstorable(email); msg != "" {
		return msg
	}
	if len(email) > 255 {
		return "255 caractères au plus"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return "doit être une adresse e-mail valide"
	}
	return ""
}

// likePattern is the escaped ILIKE operand of a search text (nil when blank).
func likePattern(s string) (*string, error) {
	if msg := text.Unstorable(s); msg != "" {
		return nil, apperr.Validation(apperr.FieldError{Field: "q", Message: msg})
	}
	s = trim(s)
	if s == "" {
		return nil, nil
	}
	esc := text.EscapeLike(s)
	return &esc, nil
}
