package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/techniciens"
)

// Transformers of technicians: domain -> contract types.

func toAPITechnicien(t techniciens.Profile) api.Technicien {
	comps := make([]api.TechnicienCompetence, len(t.Competences))
	for i, c := range t.Competences {
		comps[i] = api.TechnicienCompetence{
			Id:              c.CompetenceID,
			Nom:             c.Nom,
			Domaine:         c.Domaine,
			Niveau:          api.NiveauCompetence(c.Niveau),
			DateAcquisition: c.DateAcquisition.UTC(),
		}
	}
	return api.Technicien{
		Id:               t.ID,
		User:             toAPIUser(t.User),
		Equipe:           t.Equipe,
		NumeroBadge:      t.NumeroBadge,
		Niveau:           api.NiveauCompetence(t.Niveau),
		ZoneIntervention: t.ZoneIntervention,
		Disponibilite:    api.Disponibilite(t.Disponibilite),
		Astreinte:        t.Astreinte,
		HorairesTravail:  t.HorairesTravail,
		TelephoneUrgence: t.TelephoneUrgence,
		DateEmbauche:     apiDate(t.DateEmbauche),
		TauxHoraire:      t.TauxHoraire,
		Competences:      comps,
		ChargeTravail:    t.Charge,
		EstDisponible:    t.Available(),
		CreatedAt:        t.CreatedAt.UTC(),
		UpdatedAt:        t.UpdatedAt.UTC(),
	}
}
