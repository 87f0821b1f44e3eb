// Package audit records who did what to which record, when and from where.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/mif-erp/erp/gen/db"
)

// Meta describes the request an action comes from.
type Meta struct {
	ClientIP  string
	RequestID string
	UserAgent string
	Path      string
	// denials counts the refusals recorded for the request (see DenialRecorded).
	denials *atomic.Int32
}

type metaKey struct{}

// WithMeta stores request metadata in the context.
func WithMeta(ctx context.Context, m Meta) context.Context {
	if m.denials == nil {
		m.denials = new(atomic.Int32)
	}
	return context.WithValue(ctx, metaKey{}, m)
}

// DenialRecorded reports whether an entry of outcome Denied was written for the request of ctx
// (so that the refusal its answer says is not recorded twice).
func DenialRecorded(ctx context.Context) bool {
	m := MetaFrom(ctx)
	return m.denials != nil && m.denials.Load() > 0
}

// MetaFrom returns the request metadata stored by WithMeta (zero outside a request).
func MetaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}

// Entry is one audited action.
type Entry struct {
	ActorID      int64 // 0 when anonymous
	ActorRole    string
	Action       string // e.g. auth.login.failed, rbac.denied, user.created
	ResourceType string
	ResourceID   string
	Details      map[string]any
}

// The outcomes of an entry, which the trail is filtered on.
const (
	Success = "success" // the action was done
	Denied  = "denied"  // refused by the access rules (role or scope)
	Failure = "failure" // an authentication that failed, or the lockout it led to
)

// OutcomeOf is the outcome of an action: Denied for a refusal ("….denied"), Failure for a
// failed authentication, Success otherwise. Migration 000028 classified the entries written
// before the outcome was stored the same way.
func OutcomeOf(action string) string {
	switch action {
	case "auth.login.failed", "auth.login.locked", "auth.login.disabled", "auth.refresh.reuse", "auth.lockout":
		return Failure
	}
	if strings.HasSuffix(action, ".denied") {
		return Denied
	}
	return Success
}

// Write inserts the entry with q, which may be a transaction so the record commits with the change.
func Write(ctx context.Context, q db.DBTX, e Entry) error {
	meta := MetaFrom(ctx)
	details := []byte("{}")
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("audit %s: encode details: %w", e.Action, err)
		}
		details = b
	}
	var actor *int64
	if e.ActorID > 0 {
		actor = &e.ActorID
	}
	err := db.New(q).InsertAudit(ctx, db.InsertAuditParams{
		ActorID:      actor,
		ActorRole:    e.ActorRole,
		Action:       e.Action,
		Outcome:      OutcomeOf(e.Action),
		ResourceType: e.ResourceType,
		ResourceID:   e.ResourceID,
		ClientIp:     meta.ClientIP,
		RequestID:    meta.RequestID,
		Details:      details,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if meta.denials != nil && OutcomeOf(e.Action) == Denied {
		meta.denials.Add(1)
	}
	return nil
}
