package httpapi

import (
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/kpis"
)

func toAPIKpis(r kpis.Result) api.Kpis {
	a, iv, pm, b := r.Equipements, r.Interventions, r.Preventif, r.Backlog
	out := api.Kpis{CalculeLe: r.CalculeLe.UTC(),
		From: openapi_types.Date{Time: r.From}, To: openapi_types.Date{Time: r.To},
		Granularite: api.KpiGranularite(r.Granularite), ReglePm: api.KpiReglePm(r.ReglePM),
		Equipements: api.KpiEquipements{Equipements: a.Equipements, TempsMinutes: a.TempsMinutes,
			ArretMinutes: a.ArretMinutes, PanneMinutes: a.PanneMinutes, DisponibilitePourcent: a.Disponibilite,
			Pannes: a.Pannes, MtbfHeures: a.MTBFHeures, Reparations: a.Reparations, MttrHeures: a.MTTRHeures},
		Interventions: api.KpiInterventions{Creees: iv.Creees, Correctives: iv.Correctives, Preventives: iv.Preventives,
			ReactifPourcent: iv.Reactif, Cloturees: iv.Cloturees, MttaN: iv.MTTAN, MttaHeures: iv.MTTAHeures,
			SlaN: iv.SLAN, SlaRespectees: iv.SLARespectees, SlaPourcent: iv.SLA, SatisfactionN: iv.SatisfactionN,
			SatisfactionMoyenne: iv.SatisfactionMoyenne, SatisfactionPourcent: iv.Satisfaction},
		Preventif: api.KpiPreventif{Dues: pm.Dues, ATemps: pm.ATemps, ConformitePourcent: pm.Conformite,
			HeuresTotales: pm.HeuresTotales, HeuresPlanifiees: pm.HeuresPlanifiees, PmpPourcent: pm.PMP},
		Backlog: api.KpiBacklog{Ouvertes: b.Ouvertes, HeuresEstimees: b.HeuresEstimees,
			CapaciteHebdoHeures: b.CapaciteHebdoHeures, Semaines: b.Semaines,
			Anciennete: api.KpiAnciennete{J07: b.J0a7, J830: b.J8a30, J3190: b.J31a90, Plus90: b.Plus90}},
		TopArrets: mapAll(r.TopArrets, func(t kpis.TopArret) api.KpiTopArret {
			return api.KpiTopArret{EquipementId: t.EquipementID, Nom: t.Nom, ArretMinutes: t.ArretMinutes, Pannes: t.Pannes}
		}),
		Serie: mapAll(r.Serie, func(k kpis.Bucket) api.KpiPeriode {
			return api.KpiPeriode{Debut: openapi_types.Date{Time: k.Debut}, Fin: openapi_types.Date{Time: k.Fin},
				Creees: k.Creees, Cloturees: k.Cloturees, ArretMinutes: k.ArretMinutes,
				DisponibilitePourcent: k.Disponibilite, CoutTotal: k.CoutTotal}
		}),
	}
	if c := r.Couts; c != nil {
		out.Couts = &api.KpiCouts{Devise: c.Devise, Interventions: c.Total.Interventions, Pieces: c.Total.Pieces,
			MainOeuvre: c.Total.MainOeuvre, Autres: c.Total.Autres, Total: c.Total.Total(),
			ParMois: mapAll(c.ParMois, func(m kpis.CoutMois) api.KpiCoutMois {
				return api.KpiCoutMois{Mois: m.Mois, Interventions: m.Interventions, Pieces: m.Pieces,
					MainOeuvre: m.MainOeuvre, Autres: m.Autres, Total: m.Total()}
			}),
			ParEquipement: mapAll(c.ParEquipement, toAPICoutLigne), ParClient: mapAll(c.ParClient, toAPICoutLigne),
			ParContrat: mapAll(c.ParContrat, toAPICoutLigne)}
	}
	return out
}

func toAPICoutLigne(l kpis.CoutLigne) api.KpiCoutLigne {
	return api.KpiCoutLigne{Id: l.ID, Nom: l.Nom, Interventions: l.Interventions, Pieces: l.Pieces,
		MainOeuvre: l.MainOeuvre, Autres: l.Autres, Total: l.Total()}
}
