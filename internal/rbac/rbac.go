// Package rbac decides, with casbin, which role may call which operation of the contract.
package rbac

import (
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/mif-erp/erp/policies"
)

// Roles are the account roles, plus the metrics pseudo-role of METRICS_TOKEN scrapers.
var Roles = []string{"admin", "responsable", "technicien", "client", "metrics"}

// Authorizer answers role x operation questions. The casbin decisions are computed once for
// every (role, operation) pair at start-up, so a request costs one map lookup and no lock.
type Authorizer struct {
	allowed map[string]map[string]bool
}

// NewEnforcer loads the embedded model and policy into a casbin enforcer.
func NewEnforcer() (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("load casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(policies.Policy))
	if err != nil {
		return nil, fmt.Errorf("load casbin policy: %w", err)
	}
	return e, nil
}

// New builds the decision table for the given operations.
func New(operations []string) (*Authorizer, error) {
	e, err := NewEnforcer()
	if err != nil {
		return nil, err
	}
	a := &Authorizer{allowed: make(map[string]map[string]bool, len(Roles))}
	for _, role := range Roles {
		a.allowed[role] = make(map[string]bool, len(operations))
		for _, op := range operations {
			ok, err := e.Enforce(role, op)
			if err != nil {
				return nil, fmt.Errorf("enforce %s on %s: %w", role, op, err)
			}
			if ok {
				a.allowed[role][op] = true
			}
		}
	}
	return a, nil
}

// Allowed reports whether role may call operation.
func (a *Authorizer) Allowed(role, operation string) bool {
	return a.allowed[role][operation]
}

// AllowedRoles lists the account roles that may call operation (for error messages).
func (a *Authorizer) AllowedRoles(operation string) []string {
	var out []string
	for _, role := range Roles[:4] {
		if a.allowed[role][operation] {
			out = append(out, role)
		}
	}
	return out
}
