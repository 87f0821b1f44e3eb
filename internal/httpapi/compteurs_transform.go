package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/compteurs"
)

// Transformers of meters and readings: domain -> contract types.

func toAPICompteur(c compteurs.Compteur) api.Compteur {
	return api.Compteur{Id: c.ID, EquipementId: c.EquipementID, Nom: c.Nom, Unite: c.Unite,
		TypeCompteur: api.TypeCompteur(c.TypeCompteur), DerniereValeur: c.DerniereValeur,
		DerniereLecture: utcPtr(c.DerniereLecture), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

func toAPIReleve(r compteurs.Releve) api.Releve {
	return api.Releve{Id: r.ID, CompteurId: r.CompteurID, Valeur: r.Valeur, LuLe: r.LuLe.UTC(),
		Source: api.ReleveSource(r.Source), UserId: r.UserID, CreatedAt: r.CreatedAt.UTC()}
}
