package httpapi

import (
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/dispatch"
)

// Transformers of dispatch suggestions and the workload board: domain -> contract types.

func toAPISuggestion(s dispatch.Suggestion) api.Suggestion {
	out := api.Suggestion{TechnicienId: s.TechnicienID, Nom: s.Nom, Score: s.Score,
		Disponibilite: api.SuggestionDisponibilite(s.Disponibilite), ChargeMinutes: s.ChargeMinutes,
		InterventionsOuvertes: s.InterventionsOuvertes, CompetencesManquantes: s.CompetencesManquantes,
		Raisons: s.Raisons}
	if out.CompetencesManquantes == nil {
		out.CompetencesManquantes = []string{}
	}
	if out.Raisons == nil {
		out.Raisons = []string{}
	}
	d := s.Details
	out.Details.Competences, out.Details.Disponibilite, out.Details.Horaires = d.Competences, d.Disponibilite, d.Horaires
	out.Details.Charge, out.Details.Machine, out.Details.Echeance = d.Charge, d.Machine, d.Echeance
	return out
}

func toAPICharge(l dispatch.Load) api.ChargeTechnicien {
	out := api.ChargeTechnicien{TechnicienId: l.TechnicienID, Nom: l.Nom, Jours: make([]api.ChargeJour, len(l.Jours))}
	for i, d := range l.Jours {
		out.Jours[i] = api.ChargeJour{Date: openapi_types.Date{Time: d.Date}, CapaciteMinutes: d.Capacite,
			OuvertesMinutes: d.Ouvertes, PlanifieesMinutes: d.Planifiees, ChargePourcent: d.Pourcent}
	}
	return out
}
