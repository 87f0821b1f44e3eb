package interventions

import (
	"github.com/mif-erp/erp/internal/paging"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/platform"
)

// Page sizes (DESIGN section 3).
const (
	DefaultLimit = paging.Default
	MaxLimit     = paging.Max
)

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"interventions_technicien_id_fkey": errTechnicienCibleNotFound,
	"interventions_equipement_id_fkey": errEquipementCibleNotFound,
	"interventions_contrat_id_fkey":    apperr.InvalidField("contrat_id", "contrat introuvable"),
}

// Text limits (the contract's).
const (
	maxTitre       = 255
	maxDescription = 10000
	maxRemarque    = 2000
	maxRapport     = 20000
)

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func ptr[T any](v T) *T { return &v }
