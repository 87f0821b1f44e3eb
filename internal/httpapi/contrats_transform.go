package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apitypes"
	"github.com/mif-erp/erp/internal/clients"
)

// Transformers of contracts: domain -> contract types.

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
		DateDebut:                apitypes.Of(c.DateDebut),
		DateFin:                  apitypes.Of(c.DateFin),
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
