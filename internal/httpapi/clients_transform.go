package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/clients"
)

// Transformers of client companies: domain -> contract types.

func toAPIClient(c clients.Client) api.ClientEntreprise {
	return api.ClientEntreprise{
		Id:               c.ID,
		UserId:           c.UserID,
		NomEntreprise:    c.NomEntreprise,
		TypeClient:       api.ClientType(c.TypeClient),
		SecteurActivite:  c.SecteurActivite,
		NomContact:       c.NomContact,
		Email:            c.Email,
		Telephone:        c.Telephone,
		Adresse:          c.Adresse,
		CodePostal:       c.CodePostal,
		Ville:            c.Ville,
		Pays:             c.Pays,
		NiveauService:    api.NiveauService(c.NiveauService),
		Notes:            c.Notes,
		IsActive:         c.IsActive,
		NbContratsActifs: c.NbContratsActifs,
		NbEquipements:    c.NbEquipements,
		CreatedAt:        c.CreatedAt.UTC(),
		UpdatedAt:        c.UpdatedAt.UTC(),
	}
}
