package platform

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/apperr"
)

// Constraints maps the names of a package's unique, foreign-key and check constraints to the
// domain error that the service's own check gives for the same problem.
type Constraints map[string]error

// SQLSTATE classes of constraint violations.
const (
	codeForeignKey = "23503"
	codeUnique     = "23505"
	codeCheck      = "23514"
)

// WriteError turns a constraint violation that slipped past the service's checks (a concurrent
// writer inserting a duplicate or deleting a referenced row) into the answer the check would
// have given: the error c names for the constraint, a 422 for any other check violation. Any
// other error is wrapped with op.
func WriteError(op string, err error, c Constraints) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if mapped, ok := c[pgErr.ConstraintName]; ok && pgErr.ConstraintName != "" {
			return mapped
		}
		if pgErr.Code == codeCheck {
			return apperr.Validation()
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// IsForeignKeyViolation reports whether err is a foreign-key violation (a delete of a row still
// referenced, an insert referencing a missing row).
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeForeignKey
}

// IsUniqueViolation reports whether err is a unique violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeUnique
}
