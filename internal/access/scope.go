// Package access decides which rows a caller may see. It turns the caller (an auth.Principal
// carrying its technician profile and client company, read with the account on every request)
// into a Scope, and every query that reads or changes rows of a scoped table goes through the
// Scope's Queries, which fill the scoping parameters of the SQL themselves: no domain code
// passes them, so none can forget or forge them. A test enumerates the sqlc querier's methods
// and fails when a scoped one is called from anywhere else, or when a method that touches a
// scoped table is neither scoped nor declared unscoped with its reason (unscoped.go).
//
// The rules, the same for every domain (DESIGN section 9):
//   - admins and responsables (managers) read every row;
//   - a technicien reads the interventions assigned to its profile (and their documents,
//     history and figures), every machine and every plan;
//   - a client reads the interventions, machines, plans, contracts and company of its own
//     company;
//   - a technicien without profile or a client without company reads none of its own rows.
//
// A row outside the scope answers 404 like a missing one, so ids do not leak.
package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/auth"
)

// Scope is a caller as row access sees it.
type Scope struct {
	auth.Principal
	manager      bool
	technicienID *int64
	clientID     *int64
}

// For is the scope of a principal: its role, and the technician profile and client company that
// auth read with the account (Resolve reads them for a principal built elsewhere).
func For(p auth.Principal) Scope {
	s := Scope{Principal: p}
	switch db.UserRole(p.Role) {
	case db.UserRoleAdmin, db.UserRoleResponsable:
		s.manager = true
	case db.UserRoleTechnicien:
		s.technicienID = p.TechnicienID
	case db.UserRoleClient:
		s.clientID = p.ClientID
	}
	return s
}

// Resolve completes p with the technician profile and client company of its account, for
// principals that did not come from auth.Service.Authenticate (a command, a benchmark, a test).
func Resolve(ctx context.Context, q db.DBTX, p auth.Principal) (auth.Principal, error) {
	p.TechnicienID, p.ClientID = nil, nil
	row, err := db.New(q).AccountProfile(ctx, p.UserID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return p, nil // no account: no rows of its own
	case err != nil:
		return p, fmt.Errorf("access profile of user %d: %w", p.UserID, err)
	}
	p.TechnicienID, p.ClientID = row.TechnicienID, row.ClientID
	return p, nil
}

// System is the scope of work that no caller asked for (the jobs: plan generation): every row.
func System() Scope { return Scope{manager: true} }

// Manager reports whether the caller reads and changes every row (admin, responsable).
func (s Scope) Manager() bool { return s.manager }

// TechnicienID is the caller's technician profile (nil: not a technicien, or none).
func (s Scope) TechnicienID() *int64 { return s.technicienID }

// ClientID is the caller's client company (nil: not a client, or none).
func (s Scope) ClientID() *int64 { return s.clientID }

// IsTechnicien reports whether the caller has the technicien role.
func (s Scope) IsTechnicien() bool { return db.UserRole(s.Role) == db.UserRoleTechnicien }

// IsClient reports whether the caller has the client role.
func (s Scope) IsClient() bool { return db.UserRole(s.Role) == db.UserRoleClient }

// ReadsAllEquipment reports whether the caller reads every machine and plan (the staff).
func (s Scope) ReadsAllEquipment() bool { return s.manager || s.IsTechnicien() }

// Assigned reports whether an intervention assigned to technicienID is the caller's own.
func (s Scope) Assigned(technicienID *int64) bool {
	return s.technicienID != nil && technicienID != nil && *s.technicienID == *technicienID
}
