// Package audit records who did what to which record, when and from where.
package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mif-erp/erp/gen/db"
)

// Meta describes the request an action comes from.
type Meta struct {
	ClientIP  string
	RequestID string
	UserAgent string
	Path      string
}

type metaKey struct{}

// WithMeta stores request metadata in the context.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
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
		ResourceType: e.ResourceType,
		ResourceID:   e.ResourceID,
		ClientIp:     meta.ClientIP,
		RequestID:    meta.RequestID,
		Details:      details,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}
