package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/interventions"
)

// interventionFilter is the domain filter of the intervention lists' parameters: the only place
// they are read. GET /interventions passes its parameters as they are, GET /filters/interventions
// converts its own (the same type), and the export and the per-machine and per-technician lists
// name the ones they have (the export has no offset, the two others only paging and statut).
func interventionFilter(p api.ListInterventionsParams) interventions.Filter {
	f := interventions.Filter{
		Limit: interventions.DefaultLimit, Type: (*string)(p.Type), Urgence: p.Urgence, EnRetard: p.EnRetard,
		TechnicienID: p.TechnicienId, EquipementID: p.EquipementId, ClientID: p.ClientId, ContratID: p.ContratId,
		CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo, DeadlineBefore: p.DeadlineBefore,
	}
	if p.Limit != nil {
		f.Limit = *p.Limit
	}
	if p.Offset != nil {
		f.Offset = *p.Offset
	}
	if p.Sort != nil {
		f.Sort = string(*p.Sort)
	}
	if p.Q != nil {
		f.Query = *p.Q
	}
	if p.Statut != nil {
		for _, s := range *p.Statut {
			f.Statuts = append(f.Statuts, string(s))
		}
	}
	if p.Priorite != nil {
		for _, s := range *p.Priorite {
			f.Priorites = append(f.Priorites, string(s))
		}
	}
	return f
}

// exportParams are the export's parameters as a list's: the same filter, no offset.
func exportParams(p api.ExportInterventionsParams) api.ListInterventionsParams {
	return api.ListInterventionsParams{
		Limit: p.Limit, Sort: p.Sort, Statut: p.Statut, Priorite: p.Priorite, Type: p.Type, Urgence: p.Urgence,
		TechnicienId: p.TechnicienId, EquipementId: p.EquipementId, ClientId: p.ClientId, ContratId: p.ContratId,
		CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo, DeadlineBefore: p.DeadlineBefore, EnRetard: p.EnRetard, Q: p.Q,
	}
}
