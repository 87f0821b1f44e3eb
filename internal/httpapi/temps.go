package httpapi

import (
	"context"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/temps"
)

// ListInterventionTemps is GET /interventions/{intervention_id}/temps.
func (s *Server) ListInterventionTemps(ctx context.Context, req api.ListInterventionTempsRequestObject) (api.ListInterventionTempsResponseObject, error) {
	rows, err := s.deps.Temps.List(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	return api.ListInterventionTemps200JSONResponse(mapAll(rows, toAPITemps)), nil
}

// AddInterventionTemps is POST /interventions/{intervention_id}/temps.
func (s *Server) AddInterventionTemps(ctx context.Context, req api.AddInterventionTempsRequestObject) (api.AddInterventionTempsResponseObject, error) {
	b := req.Body
	e, err := s.deps.Temps.Add(ctx, principal(ctx), req.InterventionId, temps.Input{
		TechnicienID: b.TechnicienId, Debut: b.Debut, Fin: b.Fin, Minutes: b.Minutes, TauxHoraire: b.TauxHoraire,
		Commentaire: b.Commentaire,
	})
	if err != nil {
		return nil, err
	}
	return api.AddInterventionTemps201JSONResponse(toAPITemps(e)), nil
}

// StartInterventionTimer is POST /interventions/{intervention_id}/temps/start.
func (s *Server) StartInterventionTimer(ctx context.Context, req api.StartInterventionTimerRequestObject) (api.StartInterventionTimerResponseObject, error) {
	var commentaire *string
	if req.Body != nil {
		commentaire = req.Body.Commentaire
	}
	e, err := s.deps.Temps.Start(ctx, principal(ctx), req.InterventionId, commentaire)
	if err != nil {
		return nil, err
	}
	return api.StartInterventionTimer201JSONResponse(toAPITemps(e)), nil
}

// StopInterventionTimer is POST /interventions/{intervention_id}/temps/stop.
func (s *Server) StopInterventionTimer(ctx context.Context, req api.StopInterventionTimerRequestObject) (api.StopInterventionTimerResponseObject, error) {
	e, err := s.deps.Temps.Stop(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	return api.StopInterventionTimer200JSONResponse(toAPITemps(e)), nil
}

// CancelInterventionTemps is DELETE /interventions/{intervention_id}/temps/{temps_id}.
func (s *Server) CancelInterventionTemps(ctx context.Context, req api.CancelInterventionTempsRequestObject) (api.CancelInterventionTempsResponseObject, error) {
	e, err := s.deps.Temps.Cancel(ctx, principal(ctx), req.InterventionId, req.TempsId)
	if err != nil {
		return nil, err
	}
	return api.CancelInterventionTemps200JSONResponse(toAPITemps(e)), nil
}
