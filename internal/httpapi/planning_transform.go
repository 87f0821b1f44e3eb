package httpapi

import (
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apitypes"
	"github.com/mif-erp/erp/internal/planning"
)

// Transformers of maintenance plans: domain -> contract types.

// planningDate is a stored day as the API writes it (null when absent).
func planningDate(t *time.Time) *apitypes.Date {
	if t == nil {
		return nil
	}
	d := apitypes.Of(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
	return &d
}

func toAPIPlanning(p planning.Plan) api.Planning {
	var priorite *api.InterventionPriorite
	if p.ModelePriorite.Valid {
		priorite = ptr(api.InterventionPriorite(p.ModelePriorite.InterventionPriorite))
	}
	var duree *int
	if p.ModeleDureeMinutes != nil {
		duree = ptr(int(*p.ModeleDureeMinutes))
	}
	competences := append([]int64{}, p.ModeleCompetenceIds...)
	var last *int64
	if p.DerniereInterventionID > 0 {
		last = ptr(p.DerniereInterventionID)
	}
	return api.Planning{
		Id:            p.ID,
		EquipementId:  p.EquipementID,
		Frequence:     api.PlanningFrequence(p.Frequence),
		Intervalle:    int(p.Intervalle),
		Base:          api.PlanningBase(p.Base),
		Statut:        api.PlanningStatut(p.Statut),
		ProchaineDate: planningDate(p.ProchaineDate),
		DerniereDate:  planningDate(p.DerniereDate),
		Commentaire:   p.Commentaire,
		Modele: api.PlanningModele{
			Titre: nullableOf(p.ModeleTitre), Description: nullableOf(p.ModeleDescription), Priorite: priorite,
			DureeEstimeeMinutes: nullableOf(duree), TechnicienId: nullableOf(p.ModeleTechnicienID),
			Equipe: nullableOf(p.ModeleEquipe), CompetenceIds: &competences, ChecklistId: nullableOf(p.ModeleChecklistID),
		},
		EstEnRetard:            p.EstEnRetard,
		JoursRetard:            p.JoursRetard,
		OccurrencesManquees:    int(p.OccurrencesManquees),
		DerniereInterventionId: last,
		Compteur:               toAPITrigger(p.Compteur),
		DateCreation:           p.CreatedAt.UTC(),
		UpdatedAt:              p.UpdatedAt.UTC(),
	}
}

func toAPITrigger(t *planning.Trigger) *api.PlanningCompteur {
	if t == nil {
		return nil
	}
	return &api.PlanningCompteur{CompteurId: t.CompteurID, Intervalle: t.Intervalle, Prochain: t.Prochain, Seuil: t.Seuil,
		Operateur: (*api.PlanningCompteurOperateur)(t.Operateur), Declenchements: int(t.Declenchements)}
}
