package httpapi

import (
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/couts"
)

// Transformers of cost lines and roll-ups: domain -> contract types.

func toAPICout(l couts.Line) api.InterventionCout {
	return api.InterventionCout{
		Id: l.ID, InterventionId: l.InterventionID, TypeCout: api.TypeCout(l.TypeCout), Libelle: l.Libelle,
		Montant: l.Montant, Fournisseur: l.Fournisseur, DateCout: openapi_types.Date{Time: l.DateCout},
		UserId: l.UserID, AnnuleeAt: utcPtr(l.AnnuleeAt), CreatedAt: l.CreatedAt.UTC(),
	}
}

func toAPIFigures(f couts.Figures) api.CoutsFigures {
	return api.CoutsFigures{Interventions: f.Interventions, Pieces: f.Pieces, MainOeuvre: f.MainOeuvre,
		Autres: f.Autres, Total: f.Total(), Estime: f.Estime}
}

func toAPIRollup(r couts.Rollup) api.CoutsRecap {
	out := api.CoutsRecap{Depuis: openapi_types.Date{Time: r.Depuis}, JusquA: openapi_types.Date{Time: r.JusquA},
		Total: toAPIFigures(r.Total), ParType: make(map[string]api.CoutsFigures, len(r.ParType)),
		ParMois: make([]api.CoutsMois, len(r.ParMois))}
	for t, f := range r.ParType {
		out.ParType[t] = toAPIFigures(f)
	}
	for i, m := range r.ParMois {
		f := toAPIFigures(m.Figures)
		out.ParMois[i] = api.CoutsMois{Mois: m.Mois, TypeIntervention: api.InterventionType(m.Type),
			Interventions: f.Interventions, Pieces: f.Pieces, MainOeuvre: f.MainOeuvre, Autres: f.Autres,
			Total: f.Total, Estime: f.Estime}
	}
	return out
}
