package auth

import (
	"context"
	"time"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID   int64
	Role     string
	Email    string
	Username string

	// TechnicienID is the technician profile of the account, ClientID its client company (nil:
	// none); read with the account, they are what row access (internal/access) scopes by.
	TechnicienID *int64
	ClientID     *int64

	// SessionVersion is the account's session version the request was authenticated with, and
	// ExpiresAt the expiry of its access token (zero for other credentials): a long request (an
	// event stream) ends when either no longer holds.
	SessionVersion int32
	ExpiresAt      time.Time
}

// RoleMetrics is the pseudo-role of a scraper presenting METRICS_TOKEN.
const RoleMetrics = "metrics"

type principalKey struct{}

// WithPrincipal stores the caller in the context.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller stored by WithPrincipal.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
