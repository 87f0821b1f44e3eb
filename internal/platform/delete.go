package platform

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Deletion is the removal of a row that nothing may still reference, run inside the caller's
// transaction: lock the row, refuse while it is in use, delete it. A reference added by another
// transaction after the check makes the delete fail on its foreign key, which answers the same
// refusal rather than a server error.
type Deletion[R any] struct {
	// Lock reads the row FOR UPDATE; pgx.ErrNoRows answers NotFound.
	Lock     func() (R, error)
	NotFound error
	// Check returns the domain error that refuses the deletion while the row is in use (nil: none).
	Check func(R) error
	// Delete removes the row.
	Delete func() error
	// Referenced is the answer when a foreign key of table still points at the row.
	Referenced func(table string) error
}

// Run deletes the row and returns it as it was, for the audit entry.
func (d Deletion[R]) Run() (R, error) {
	row, err := d.Lock()
	if errors.Is(err, pgx.ErrNoRows) {
		return row, d.NotFound
	}
	if err != nil {
		return row, fmt.Errorf("lock: %w", err)
	}
	if d.Check != nil {
		if err := d.Check(row); err != nil {
			return row, err
		}
	}
	if err := d.Delete(); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == codeForeignKey {
			return row, d.Referenced(pgErr.TableName)
		}
		return row, fmt.Errorf("delete: %w", err)
	}
	return row, nil
}

// Refuse is a Referenced that answers err whatever the referencing table.
func Refuse(err error) func(string) error { return func(string) error { return err } }

// RefuseIfUsed turns the answer of a query telling whether the row is in use into a Check's
// result: refusal when it is, as in platform.RefuseIfUsed(errInUse)(q.ClientInUse(ctx, id)).
func RefuseIfUsed(refusal error) func(used bool, err error) error {
	return func(used bool, err error) error {
		if err != nil {
			return fmt.Errorf("check use: %w", err)
		}
		if used {
			return refusal
		}
		return nil
	}
}
