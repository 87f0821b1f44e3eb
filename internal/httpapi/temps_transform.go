package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/temps"
)

// Transformers of time entries: domain -> contract types.

func toAPITemps(e temps.Entry) api.InterventionTemps {
	var minutes *int
	if e.Minutes != nil {
		m := int(*e.Minutes)
		minutes = &m
	}
	return api.InterventionTemps{
		Id: e.ID, InterventionId: e.InterventionID, TechnicienId: e.TechnicienID, TechnicienNom: e.TechnicienNom,
		Debut: utcPtr(e.Debut), Fin: utcPtr(e.Fin), Minutes: minutes, TauxHoraire: e.TauxHoraire, Montant: e.Montant,
		EnCours: e.Running(), Commentaire: e.Commentaire, UserId: e.UserID, AnnuleeAt: utcPtr(e.AnnuleeAt),
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(),
	}
}
