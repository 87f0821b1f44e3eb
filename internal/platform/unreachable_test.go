package platform_test

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/platform"
)

// TestUnreachableTellsALostDatabaseFromARefusedStatement: the errors of a database that went away
// (the API answers 503, to be retried) against those of a statement or a bug (500 or 4xx).
func TestUnreachableTellsALostDatabaseFromARefusedStatement(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		// pgx's answer to a BEGIN or COMMIT on a connection that PostgreSQL dropped mid-load
		// (TestPostgresOutageUnderLoad in internal/httpapi).
		{"conn closed", fmt.Errorf("commit transaction: %w", pgconn.ErrConnClosed), true},
		{"unexpected EOF", fmt.Errorf("insert: %w", io.ErrUnexpectedEOF), true},
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"no rows", fmt.Errorf("read: %w", pgx.ErrNoRows), false},
		{"transaction closed", pgx.ErrTxClosed, false},
		{"other", errors.New("boom"), false},
	} {
		if got := platform.Unreachable(c.err); got != c.want {
			t.Errorf("%s: Unreachable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
