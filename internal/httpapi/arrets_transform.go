package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/arrets"
)

// Transformers of downtime records and status history: domain -> contract types.

func toAPIArret(a arrets.Arret) api.Arret {
	out := api.Arret{Id: a.ID, EquipementId: a.EquipementID, Debut: a.Debut.UTC(), Fin: utcPtr(a.Fin),
		Motif: api.MotifArret(a.Motif), InterventionId: a.InterventionID, Commentaire: a.Commentaire,
		Source: api.ArretSource(a.Source), CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	if a.Fin != nil {
		m := int(a.Fin.Sub(a.Debut).Minutes())
		out.DureeMinutes = &m
	}
	return out
}

func toAPIStatutChange(c arrets.StatutChange) api.EquipementStatutChange {
	out := api.EquipementStatutChange{Id: c.ID, EquipementId: c.EquipementID,
		StatutApres: api.EquipementStatutChangeStatutApres(c.StatutApres), ChangeLe: c.ChangeLe.UTC(), UserId: c.UserID,
		InterventionId: c.InterventionID, Source: api.EquipementStatutChangeSource(c.Source)}
	if c.StatutAvant.Valid {
		avant := api.EquipementStatutChangeStatutAvant(c.StatutAvant.EquipementStatut)
		out.StatutAvant = &avant
	}
	return out
}
