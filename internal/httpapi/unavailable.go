package httpapi

import "net/http"

// retryAfterUnavailable is the Retry-After, in seconds, of a 503 answered while the database
// is unreachable.
const retryAfterUnavailable = "5"

// errUnavailable is the answer while the database is unreachable (platform.Unreachable): the
// client may retry the very same request (with its Idempotency-Key) once Retry-After has passed.
func errUnavailable() *problem {
	return newProblem(http.StatusServiceUnavailable,
		"Service momentanément indisponible (base de données injoignable) : réessayez dans quelques secondes").
		withHeader("Retry-After", retryAfterUnavailable)
}
