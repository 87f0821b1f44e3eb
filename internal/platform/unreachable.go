package platform

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unreachable reports whether err says the database could not be reached or dropped the
// connection (refused, reset, closed, shutting down, too many connections), as opposed to a bug
// or a refused statement: the request may be retried as it is once the database is back.
func Unreachable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server shuts down or cannot accept
		// connections yet; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" ||
			pe.Code == "57P03" || pe.Code == "53300"
	}
	// pgconn.ErrConnClosed: the connection broke during this very operation (pgx reports the
	// server going away while a statement was being sent, or before a BEGIN or COMMIT was read,
	// as "conn closed" rather than the network error), or earlier; pool connections are only
	// ever closed that way.
	var ne *net.OpError
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed)
}
