package httpapi

import (
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/factures"
)

// Transformers of invoices: domain -> contract types.

func toAPIFacture(f factures.Facture) api.Facture {
	var paid *openapi_types.Date
	if f.DatePaiement != nil {
		paid = &openapi_types.Date{Time: *f.DatePaiement}
	}
	return api.Facture{
		Id: f.ID, ContratId: f.ContratID, NumeroFacture: f.NumeroFacture, Periode: f.Periode,
		PeriodeDebut: openapi_types.Date{Time: f.PeriodeDebut}, PeriodeFin: openapi_types.Date{Time: f.PeriodeFin},
		DateEmission: openapi_types.Date{Time: f.DateEmission}, DateEcheance: openapi_types.Date{Time: f.DateEcheance},
		MontantForfait: f.MontantForfait, MontantPieces: f.MontantPieces, MontantMainOeuvre: f.MontantMainOeuvre,
		MontantAutres: f.MontantAutres, NbInterventionsFacturees: int(f.NbInterventionsFacturees), MontantHt: f.MontantHt,
		TauxTva: float64(f.TauxTva) / 100, MontantTva: f.MontantTva, MontantTtc: f.MontantTtc, Devise: f.Devise,
		Statut: api.StatutFacture(f.StatutAffiche), DatePaiement: paid,
		CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC(),
	}
}
