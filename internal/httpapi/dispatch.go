package httpapi

import (
	"context"

	api "github.com/mif-erp/erp/gen/api"
)

// ListInterventionSuggestions is GET /interventions/{intervention_id}/suggestions.
func (s *Server) ListInterventionSuggestions(ctx context.Context, req api.ListInterventionSuggestionsRequestObject) (api.ListInterventionSuggestionsResponseObject, error) {
	rows, err := s.deps.Dispatch.Suggest(ctx, principal(ctx), req.InterventionId, valueOr(req.Params.Limit, 0))
	if err != nil {
		return nil, err
	}
	return api.ListInterventionSuggestions200JSONResponse(mapAll(rows, toAPISuggestion)), nil
}

// GetTechniciensCharge is GET /techniciens/charge.
func (s *Server) GetTechniciensCharge(ctx context.Context, req api.GetTechniciensChargeRequestObject) (api.GetTechniciensChargeResponseObject, error) {
	rows, err := s.deps.Dispatch.Board(ctx, principal(ctx), dateOf(req.Params.From), dateOf(req.Params.To))
	if err != nil {
		return nil, err
	}
	return api.GetTechniciensCharge200JSONResponse(mapAll(rows, toAPICharge)), nil
}
