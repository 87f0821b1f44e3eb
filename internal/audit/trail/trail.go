// Package trail reads the audit trail (internal/audit writes it) for admins: filtered, newest
// first, a page at a time.
package trail

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
)

// errAdminsOnly is the service's own check, behind the gate's (policies/policy.csv).
var errAdminsOnly = apperr.Forbidden("Accès réservé aux rôles : admin")

// Service reads the trail.
type Service struct {
	pool *pgxpool.Pool
}

// New reads the trail through pool.
func New(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Entry is one entry of the trail, with the actor's login name today (nil when anonymous or
// deleted).
type Entry struct {
	db.AuditLog
	ActorUsername *string
}

// DetailsMap decodes the entry's details (an object; empty when they are not one).
func (e Entry) DetailsMap() map[string]any {
	m := map[string]any{}
	if err := json.Unmarshal(e.Details, &m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// Filter selects entries; the zero value selects every one. Action matches itself and the
// actions under it ("auth" matches "auth.login.failed"); From is inclusive, To exclusive.
type Filter struct {
	ActorID      *int64
	Action       string
	ResourceType string
	ResourceID   string
	Outcome      string
	RequestID    string
	From, To     *time.Time
	Limit        int
	Offset       int
}

// List returns one page of the entries f selects, newest first, and their total.
func (s *Service) List(ctx context.Context, actor auth.Principal, f Filter) ([]Entry, int64, error) {
	if actor.Role != string(db.UserRoleAdmin) {
		return nil, 0, errAdminsOnly
	}
	var fields apperr.Fields
	switch f.Outcome {
	case "", audit.Success, audit.Denied, audit.Failure:
	default:
		fields.Add("outcome", "success, denied ou failure")
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		fields.Add("to", "doit être postérieur à from")
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	q := db.New(platform.PlanEachCall(s.pool)) // a catch-all list: planned with its values
	rows, err := q.ListAuditEntries(ctx, db.ListAuditEntriesParams{
		ActorID: f.ActorID, Action: nonEmpty(f.Action), ResourceType: nonEmpty(f.ResourceType),
		ResourceID: nonEmpty(f.ResourceID), Outcome: nonEmpty(f.Outcome), RequestID: nonEmpty(f.RequestID),
		FromTime: f.From, ToTime: f.To, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", err)
	}
	total := int64(offset) + int64(len(rows))
	if len(rows) == int(limit) || (len(rows) == 0 && offset > 0) {
		total, err = q.CountAuditEntries(ctx, db.CountAuditEntriesParams{
			ActorID: f.ActorID, Action: nonEmpty(f.Action), ResourceType: nonEmpty(f.ResourceType),
			ResourceID: nonEmpty(f.ResourceID), Outcome: nonEmpty(f.Outcome), RequestID: nonEmpty(f.RequestID),
			FromTime: f.From, ToTime: f.To,
		})
		if err != nil {
			return nil, 0, fmt.Errorf("count audit entries: %w", err)
		}
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{AuditLog: r.AuditLog, ActorUsername: r.ActorUsername}
	}
	return out, total, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
