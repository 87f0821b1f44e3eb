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
	return interventions.Filter{
		Limit: valueOr(p.Limit, interventions.DefaultLimit), Offset: valueOr(p.Offset, 0), Sort: stringOf(p.Sort),
		Query: stringOf(p.Q), Statuts: stringsOf(p.Statut), Priorites: stringsOf(p.Priorite),
		Type: (*string)(p.Type), Urgence: p.Urgence, EnRetard: p.EnRetard,
		TechnicienID: p.TechnicienId, EquipementID: p.EquipementId, ClientID: p.ClientId, ContratID: p.ContratId,
		CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo, DeadlineBefore: p.DeadlineBefore,
	}
}

// exportParams are the export's parameters as a list's: the same filter, no offset.
func exportParams(p api.ExportInterventionsParams) api.ListInterventionsParams {
	return api.ListInterventionsParams{
		Limit: p.Limit, Sort: p.Sort, Statut: p.Statut, Priorite: p.Priorite, Type: p.Type, Urgence: p.Urgence,
		TechnicienId: p.TechnicienId, EquipementId: p.EquipementId, ClientId: p.ClientId, ContratId: p.ContratId,
		CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo, DeadlineBefore: p.DeadlineBefore, EnRetard: p.EnRetard, Q: p.Q,
	}
}
