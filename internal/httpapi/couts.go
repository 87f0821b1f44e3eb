package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/couts"
)

// ListInterventionCouts is GET /interventions/{intervention_id}/couts.
func (s *Server) ListInterventionCouts(ctx context.Context, req api.ListInterventionCoutsRequestObject) (api.ListInterventionCoutsResponseObject, error) {
	rows, err := s.deps.Couts.List(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	return api.ListInterventionCouts200JSONResponse(mapAll(rows, toAPICout)), nil
}

// AddInterventionCout is POST /interventions/{intervention_id}/couts.
func (s *Server) AddInterventionCout(ctx context.Context, req api.AddInterventionCoutRequestObject) (api.AddInterventionCoutResponseObject, error) {
	b := req.Body
	l, err := s.deps.Couts.Add(ctx, principal(ctx), req.InterventionId, couts.Input{
		Type: string(b.TypeCout), Libelle: b.Libelle, Montant: b.Montant, Fournisseur: b.Fournisseur,
		DateCout: dateOf(b.DateCout),
	})
	if err != nil {
		return nil, err
	}
	return api.AddInterventionCout201JSONResponse(toAPICout(l)), nil
}

// CancelInterventionCout is DELETE /interventions/{intervention_id}/couts/{cout_id}.
func (s *Server) CancelInterventionCout(ctx context.Context, req api.CancelInterventionCoutRequestObject) (api.CancelInterventionCoutResponseObject, error) {
	l, err := s.deps.Couts.Cancel(ctx, principal(ctx), req.InterventionId, req.CoutId)
	if err != nil {
		return nil, err
	}
	return api.CancelInterventionCout200JSONResponse(toAPICout(l)), nil
}

// GetEquipementCouts is GET /equipements/{equipement_id}/couts.
func (s *Server) GetEquipementCouts(ctx context.Context, req api.GetEquipementCoutsRequestObject) (api.GetEquipementCoutsResponseObject, error) {
	r, err := s.deps.Couts.Costs(ctx, principal(ctx), couts.Of{EquipementID: &req.EquipementId}, period(req.Params.Depuis, req.Params.JusquA))
	if err != nil {
		return nil, err
	}
	return api.GetEquipementCouts200JSONResponse(toAPIRollup(r)), nil
}

// GetClientCouts is GET /clients/{client_id}/couts.
func (s *Server) GetClientCouts(ctx context.Context, req api.GetClientCoutsRequestObject) (api.GetClientCoutsResponseObject, error) {
	r, err := s.deps.Couts.Costs(ctx, principal(ctx), couts.Of{ClientID: &req.ClientId}, period(req.Params.Depuis, req.Params.JusquA))
	if err != nil {
		return nil, err
	}
	return api.GetClientCouts200JSONResponse(toAPIRollup(r)), nil
}

// GetContratCouts is GET /contrats/{contrat_id}/couts.
func (s *Server) GetContratCouts(ctx context.Context, req api.GetContratCoutsRequestObject) (api.GetContratCoutsResponseObject, error) {
	r, err := s.deps.Couts.Costs(ctx, principal(ctx), couts.Of{ContratID: &req.ContratId}, period(req.Params.Depuis, req.Params.JusquA))
	if err != nil {
		return nil, err
	}
	return api.GetContratCouts200JSONResponse(toAPIRollup(r)), nil
}

func period(depuis, jusqua *openapi_types.Date) couts.Period {
	return couts.Period{Depuis: dateOf(depuis), JusquA: dateOf(jusqua)}
}
