package httpapi

import (
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/interventions"
)

// interventionFilterParams are the list parameters the intervention operations share (each
// operation has its own generated types for them).
type interventionFilterParams struct {
	Limit, Offset                          *int
	Sort                                   *string
	Statut                                 *[]api.InterventionStatut
	Priorite                               *[]api.InterventionPriorite
	Type                                   *api.InterventionType
	Urgence, EnRetard                      *bool
	TechnicienID, EquipementID             *int64
	ClientID, ContratID                    *int64
	CreatedFrom, CreatedTo, DeadlineBefore *time.Time
	Q                                      *string
}

func interventionFilter(p interventionFilterParams) interventions.Filter {
	f := interventions.Filter{
		Limit: interventions.DefaultLimit, Type: (*string)(p.Type), Urgence: p.Urgence, EnRetard: p.EnRetard,
		TechnicienID: p.TechnicienID, EquipementID: p.EquipementID, ClientID: p.ClientID, ContratID: p.ContratID,
		CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo, DeadlineBefore: p.DeadlineBefore,
	}
	if p.Limit != nil {
		f.Limit = *p.Limit
	}
	if p.Offset != nil {
		f.Offset = *p.Offset
	}
	if p.Sort != nil {
		f.Sort = *p.Sort
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
