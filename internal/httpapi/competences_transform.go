package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/techniciens"
)

// Transformers of competences: domain -> contract types.

func toAPICompetence(c techniciens.Competence) api.Competence {
	return api.Competence{
		Id:            c.ID,
		Nom:           c.Nom,
		Domaine:       c.Domaine,
		Description:   c.Description,
		NbTechniciens: c.NbTechniciens,
	}
}
