package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/equipements"
)

// Transformers of machines: domain -> contract types.

// equipementPage is GET /equipements: one page with the total for X-Total-Count.
func equipementPage(rows []equipements.Equipement, total int64) api.ListEquipements200JSONResponse {
	return api.ListEquipements200JSONResponse{
		Body: mapAll(rows, toAPIEquipement), Headers: api.ListEquipements200ResponseHeaders{XTotalCount: int(total)},
	}
}

func toAPIEquipement(e equipements.Equipement) api.Equipement {
	return api.Equipement{
		Id:                     e.ID,
		Nom:                    e.Nom,
		Type:                   e.TypeEquipement,
		Localisation:           e.Localisation,
		Statut:                 api.EquipementStatut(e.Statut),
		Criticite:              api.EquipementCriticite(e.Criticite),
		NumeroSerie:            e.NumeroSerie,
		CodeInterne:            e.CodeInterne,
		Marque:                 e.Marque,
		Modele:                 e.Modele,
		Batiment:               e.Batiment,
		Etage:                  e.Etage,
		Zone:                   e.Zone,
		Description:            e.Description,
		FrequenceEntretien:     apiInt(e.FrequenceEntretien),
		DateAcquisition:        apiDate(e.DateAcquisition),
		DateMiseEnService:      apiDate(e.DateMiseEnService),
		DateFinGarantie:        apiDate(e.DateFinGarantie),
		CoutAcquisition:        e.CoutAcquisition,
		ClientId:               e.ClientID,
		ContratId:              e.ContratID,
		ParentId:               e.ParentID,
		ProchaineMaintenance:   apiDate(e.ProchaineMaintenance),
		MaintenanceEnRetard:    e.MaintenanceEnRetard,
		NbInterventionsActives: e.NbInterventionsActives,
		Version:                int(e.Version),
		CreatedAt:              e.CreatedAt.UTC(),
		UpdatedAt:              e.UpdatedAt.UTC(),
	}
}
