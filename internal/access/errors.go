package access

import "github.com/mif-erp/erp/internal/apperr"

// The services' own role checks, behind the gate's (policies/policy.csv): the same answers
// everywhere.
var (
	// ErrManagersOnly refuses a role other than admin and responsable.
	ErrManagersOnly = apperr.Forbidden("Accès réservé aux rôles : admin, responsable")
	// ErrStaffOnly refuses a client.
	ErrStaffOnly = apperr.Forbidden("Accès réservé aux rôles : admin, responsable, technicien")
	// ErrEquipementNotFound is a machine missing or out of the caller's scope.
	ErrEquipementNotFound = apperr.NotFound("Équipement introuvable")
	ErrClientNotFound     = apperr.NotFound("Client introuvable")
)
