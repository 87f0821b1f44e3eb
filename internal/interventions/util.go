package interventions

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/apperr"
)

// Page sizes (DESIGN section 3).
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Text limits (the contract's).
const (
	maxTitre       = 255
	maxDescription = 10000
	maxRemarque    = 2000
	maxRapport     = 20000
)

// page checks limit and offset (a zero limit means the default page).
func page(limit, offset int) (lim, off int32, err error) {
	if limit == 0 {
		limit = DefaultLimit
	}
	var fields []apperr.FieldError
	if limit < 1 || limit > MaxLimit {
		fields = append(fields, apperr.FieldError{Field: "limit", Message: fmt.Sprintf("entre 1 et %d", MaxLimit)})
	}
	if offset < 0 || offset > math.MaxInt32 {
		fields = append(fields, apperr.FieldError{Field: "offset", Message: fmt.Sprintf("entre 0 et %d", math.MaxInt32)})
	}
	if len(fields) > 0 {
		return 0, 0, apperr.Invalid("Erreur de validation des données", fields...)
	}
	return int32(limit), int32(offset), nil
}

// optionalText trims an optional text; blank becomes nil.
func optionalText(p *string) *string {
	if p == nil {
		return nil
	}
	s := strings.TrimSpace(*p)
	if s == "" {
		return nil
	}
	return &s
}

// checkText checks an optional text: valid UTF-8 without NUL (PostgreSQL refuses both) and at
// most maxLen characters.
func checkText(fields []apperr.FieldError, name string, p *string, maxLen int) []apperr.FieldError {
	switch {
	case p == nil:
	case !utf8.ValidString(*p) || strings.ContainsRune(*p, 0):
		fields = append(fields, apperr.FieldError{Field: name, Message: "texte invalide (UTF-8 sans caractère nul)"})
	case utf8.RuneCountInString(*p) > maxLen:
		fields = append(fields, apperr.FieldError{Field: name, Message: fmt.Sprintf("%d caractères au plus", maxLen)})
	}
	return fields
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func ptr[T any](v T) *T { return &v }

// writeError turns a constraint violation that slipped past the service's checks (a concurrent
// writer deleting a referenced row) into the answer the check would have given.
func writeError(op string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23503": // foreign_key_violation
			switch pgErr.ConstraintName {
			case "interventions_technicien_id_fkey":
				return errTechnicienCibleNotFound
			case "interventions_equipement_id_fkey":
				return errEquipementCibleNotFound
			case "interventions_contrat_id_fkey":
				return invalid("contrat_id", "contrat introuvable")
			}
		case "23514": // check_violation
			return apperr.Invalid("Erreur de validation des données")
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
