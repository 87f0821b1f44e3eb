package clients

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/text"
)

// maxLimit is the largest page a list returns.
const maxLimit = 500

// optional trims an optional text; blank becomes nil (NULL).
func optional(p *string) *string { return text.Optional(p) }

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

// unstorable reports why PostgreSQL would refuse a text: a NUL character or invalid UTF-8.
func unstorable(s string) string { return text.Unstorable(s) }

// appendOptionalText checks an optional text field: storable when set.
func appendOptionalText(fields []apperr.FieldError, name string, value *string) []apperr.FieldError {
	if value != nil {
		if msg := unstorable(*value); msg != "" {
			return append(fields, apperr.FieldError{Field: name, Message: msg})
		}
	}
	return fields
}

// appendText checks a required text field: not blank, storable, at most max characters.
func appendText(fields []apperr.FieldError, name, value string, maxLen int) []apperr.FieldError {
	if msg := unstorable(value); msg != "" {
		return append(fields, apperr.FieldError{Field: name, Message: msg})
	}
	switch {
	case value == "":
		return append(fields, apperr.FieldError{Field: name, Message: "ne doit pas être vide"})
	case utf8.RuneCountInString(value) > maxLen:
		return append(fields, apperr.FieldError{Field: name, Message: fmt.Sprintf("%d caractères au plus", maxLen)})
	}
	return fields
}

func checkEmail(email string) string {
	if msg := unstorable(email); msg != "" {
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

// page checks limit and offset (a zero limit means the default page of 50).
func page(limit, offset int) (lim, off int32, err error) {
	if limit == 0 {
		limit = 50
	}
	var fields []apperr.FieldError
	if limit < 1 || limit > maxLimit {
		fields = append(fields, apperr.FieldError{Field: "limit", Message: fmt.Sprintf("entre 1 et %d", maxLimit)})
	}
	if offset < 0 || offset > math.MaxInt32 {
		fields = append(fields, apperr.FieldError{Field: "offset", Message: fmt.Sprintf("entre 0 et %d", math.MaxInt32)})
	}
	if len(fields) > 0 {
		return 0, 0, apperr.Invalid("Erreur de validation des données", fields...)
	}
	return int32(limit), int32(offset), nil
}

// likePattern is the escaped ILIKE operand of a search text (nil when blank).
func likePattern(s string) (*string, error) {
	if msg := unstorable(s); msg != "" {
		return nil, apperr.Invalid("Erreur de validation des données", apperr.FieldError{Field: "q", Message: msg})
	}
	s = trim(s)
	if s == "" {
		return nil, nil
	}
	esc := text.EscapeLike(s)
	return &esc, nil
}

// writeError turns a constraint violation that slipped past the service's checks (a concurrent
// writer) into the same answer as the check.
func writeError(op string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			switch pgErr.ConstraintName {
			case "clients_user_id_key":
				return errUserHasCompany
			case "clients_nom_key":
				return errClientNameTaken
			case "contrats_numero_key":
				return errNumeroTaken
			}
		case "23503": // foreign_key_violation
			switch pgErr.ConstraintName {
			case "clients_user_id_fkey":
				return errUserNotFound
			case "contrats_client_id_fkey":
				return errClientNotFound
			}
		case "23514": // check_violation
			return apperr.Invalid("Erreur de validation des données")
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
