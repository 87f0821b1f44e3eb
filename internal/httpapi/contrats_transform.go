package httpapi

import (
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/clients"
)

// Transformers of contracts: domain -> contract types.

func contratDate(t time.Time) openapi_types.Date { return openapi_types.Date{Time: t} }

func toAPIContrat(c clients.Contrat) api.Contrat {
	return api.Contrat{
		Id:                       c.ID,
		ClientId:                 c.ClientID,
		NumeroContrat:            c.NumeroContrat,
		NomContrat:               c.NomContrat,
		Description:              c.Description,
		TypeContrat:              api.ContratType(c.TypeContrat),
		Statut:                   api.ContratStatut(c.Statut),
		DateSignature:            apiDate(c.DateSignature),
		DateDebut:                contratDate(c.DateDebut),
		DateFin:                  contratDate(c.DateFin),
		MontantAnnuel:            c.MontantAnnuel,
		Devise:                   c.Devise,
		NbInterventionsIncluses:  apiInt(c.NbInterventionsIncluses),
		NbInterventionsUtilisees: c.NbInterventionsUtilisees,
		QuotaRestant:             c.QuotaRestant,
		EstActif:                 c.EstActif,
		DelaiUrgenteHeures:       apiInt(c.DelaiUrgenteHeures),
		DelaiHauteHeures:         apiInt(c.DelaiHauteHeures),
		DelaiNormaleHeures:       apiInt(c.DelaiNormaleHeures),
		DelaiBasseHeures:         apiInt(c.DelaiBasseHeures),
		CreatedAt:                c.CreatedAt.UTC(),
		UpdatedAt:                c.UpdatedAt.UTC(),
	}
}
