package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/interventions"
)

// interventionLocation is the URL of an intervention.
func interventionLocation(id int64) *string {
	return ptr(APIPrefix + "/interventions/" + strconv.FormatInt(id, 10))
}

// ListInterventions is GET /interventions.
func (s *Server) ListInterventions(ctx context.Context, req api.ListInterventionsRequestObject) (api.ListInterventionsResponseObject, error) {
	f := interventionFilter(req.Params)
	rows, total, err := s.deps.Interventions.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	total, capped := interventions.Capped(f, total)
	return api.ListInterventions200JSONResponse{InterventionPageJSONResponse: interventionPage(rows, total, capped)}, nil
}

// FilterInterventions is GET /filters/interventions (the same search as GET /interventions).
func (s *Server) FilterInterventions(ctx context.Context, req api.FilterInterventionsRequestObject) (api.FilterInterventionsResponseObject, error) {
	f := interventionFilter(api.ListInterventionsParams(req.Params))
	rows, total, err := s.deps.Interventions.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	total, capped := interventions.Capped(f, total)
	return api.FilterInterventions200JSONResponse{InterventionPageJSONResponse: interventionPage(rows, total, capped)}, nil
}

// ListEquipementInterventions is GET /equipements/{equipement_id}/interventions.
func (s *Server) ListEquipementInterventions(ctx context.Context, req api.ListEquipementInterventionsRequestObject) (api.ListEquipementInterventionsResponseObject, error) {
	p := req.Params
	f := interventionFilter(api.ListInterventionsParams{Limit: p.Limit, Offset: p.Offset, Sort: p.Sort, Statut: p.Statut})
	rows, total, err := s.deps.Interventions.ListForEquipement(ctx, principal(ctx), req.EquipementId, f)
	if err != nil {
		return nil, err
	}
	return api.ListEquipementInterventions200JSONResponse{InterventionPageJSONResponse: interventionPage(rows, total, false)}, nil
}

// ListTechnicienInterventions is GET /techniciens/{technicien_id}/interventions.
func (s *Server) ListTechnicienInterventions(ctx context.Context, req api.ListTechnicienInterventionsRequestObject) (api.ListTechnicienInterventionsResponseObject, error) {
	p := req.Params
	f := interventionFilter(api.ListInterventionsParams{Limit: p.Limit, Offset: p.Offset, Sort: p.Sort, Statut: p.Statut})
	rows, total, err := s.deps.Interventions.ListForTechnicien(ctx, principal(ctx), req.TechnicienId, f)
	if err != nil {
		return nil, err
	}
	return api.ListTechnicienInterventions200JSONResponse{InterventionPageJSONResponse: interventionPage(rows, total, false)}, nil
}

// CreateIntervention is POST /interventions.
func (s *Server) CreateIntervention(ctx context.Context, req api.CreateInterventionRequestObject) (api.CreateInterventionResponseObject, error) {
	b := req.Body
	in := interventions.CreateInput{
		Titre: b.Titre, Description: b.Description, Type: (*string)(b.Type), TypeIntervention: (*string)(b.TypeIntervention),
		Priorite: (*string)(b.Priorite), Urgence: b.Urgence, Statut: (*string)(b.Statut), DateLimite: b.DateLimite,
		EquipementID: b.EquipementId, TechnicienID: b.TechnicienId, ContratID: b.ContratId, CoutEstime: b.CoutEstime,
		EquipementEnPanne: valueOr(b.EquipementEnPanne, false), ChecklistID: b.ChecklistId,
	}
	v, err := s.deps.Interventions.Create(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateIntervention201JSONResponse{
		Body:    toAPIIntervention(v),
		Headers: api.CreateIntervention201ResponseHeaders{ETag: etagOf(v.Version), Location: interventionLocation(v.ID)},
	}, nil
}

// GetIntervention is GET /interventions/{intervention_id}.
func (s *Server) GetIntervention(ctx context.Context, req api.GetInterventionRequestObject) (api.GetInterventionResponseObject, error) {
	v, err := s.deps.Interventions.Get(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	return api.GetIntervention200JSONResponse{Body: toAPIIntervention(v), Headers: api.GetIntervention200ResponseHeaders{ETag: etagOf(v.Version)}}, nil
}

// UpdateIntervention is PATCH /interventions/{intervention_id}.
func (s *Server) UpdateIntervention(ctx context.Context, req api.UpdateInterventionRequestObject) (api.UpdateInterventionResponseObject, error) {
	b := req.Body
	in := interventions.UpdateInput{
		Titre: b.Titre, Description: fieldOf(b.Description), Type: (*string)(b.Type), Priorite: (*string)(b.Priorite),
		Urgence: b.Urgence, DateLimite: fieldOf(b.DateLimite), ContratID: fieldOf(b.ContratId),
		CoutMainOeuvre: fieldOf(b.CoutMainOeuvre), CoutPieces: fieldOf(b.CoutPieces), DureeMinutes: fieldOf(b.DureeMinutes),
		CoutEstime: fieldOf(b.CoutEstime),
	}
	v, err := s.deps.Interventions.Update(ctx, principal(ctx), req.InterventionId, in, ifMatch(req.Params.IfMatch))
	if err != nil {
		return nil, err
	}
	return api.UpdateIntervention200JSONResponse{
		Body: toAPIIntervention(v), Headers: api.UpdateIntervention200ResponseHeaders{ETag: etagOf(v.Version)},
	}, nil
}

// ChangeInterventionStatut is PATCH /interventions/{intervention_id}/statut (the original's call).
func (s *Server) ChangeInterventionStatut(ctx context.Context, req api.ChangeInterventionStatutRequestObject) (api.ChangeInterventionStatutResponseObject, error) {
	p := req.Params
	res, err := s.deps.Interventions.ChangeStatut(ctx, principal(ctx), req.InterventionId,
		interventions.Statut(p.Statut), p.Remarque, ifMatch(p.IfMatch))
	if err != nil {
		return nil, err
	}
	v := res.Intervention
	return api.ChangeInterventionStatut200JSONResponse{
		Body: toAPIIntervention(v), Headers: api.ChangeInterventionStatut200ResponseHeaders{ETag: etagOf(v.Version)},
	}, nil
}

// ApplyInterventionAction is POST /interventions/{intervention_id}/actions/{action}.
func (s *Server) ApplyInterventionAction(ctx context.Context, req api.ApplyInterventionActionRequestObject) (api.ApplyInterventionActionResponseObject, error) {
	var in interventions.ActionInput
	auto := false
	if b := req.Body; b != nil {
		in = interventions.ActionInput{
			TechnicienID: b.TechnicienId, Remarque: b.Remarque, Motif: b.Motif, Rapport: b.Rapport,
			DureeMinutes: b.DureeMinutes, CoutMainOeuvre: b.CoutMainOeuvre, CoutPieces: b.CoutPieces,
		}
		auto = valueOr(b.Auto, false)
	}
	var res interventions.Result
	var err error
	if auto {
		res, err = s.deps.Dispatch.AutoAssign(ctx, principal(ctx), s.deps.Interventions, req.InterventionId,
			interventions.Action(req.Action), in, ifMatch(req.Params.IfMatch))
	} else {
		res, err = s.deps.Interventions.Apply(ctx, principal(ctx), req.InterventionId,
			interventions.Action(req.Action), in, ifMatch(req.Params.IfMatch))
	}
	if err != nil {
		return nil, err
	}
	v := res.Intervention
	return api.ApplyInterventionAction200JSONResponse{
		Body:    api.InterventionActionResult{Intervention: toAPIIntervention(v), Avertissements: res.Avertissements},
		Headers: api.ApplyInterventionAction200ResponseHeaders{ETag: etagOf(v.Version)},
	}, nil
}

// RateIntervention is PUT /interventions/{intervention_id}/satisfaction.
func (s *Server) RateIntervention(ctx context.Context, req api.RateInterventionRequestObject) (api.RateInterventionResponseObject, error) {
	b := req.Body
	v, err := s.deps.Interventions.Rate(ctx, principal(ctx), req.InterventionId, b.SatisfactionClient, b.Commentaire)
	if err != nil {
		return nil, err
	}
	return api.RateIntervention200JSONResponse(toAPIIntervention(v)), nil
}

// ListInterventionHistorique is GET /interventions/{intervention_id}/historique.
func (s *Server) ListInterventionHistorique(ctx context.Context, req api.ListInterventionHistoriqueRequestObject) (api.ListInterventionHistoriqueResponseObject, error) {
	limit, offset := 0, 0
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	if req.Params.Offset != nil {
		offset = *req.Params.Offset
	}
	rows, total, err := s.deps.Interventions.Historique(ctx, principal(ctx), req.InterventionId, limit, offset)
	if err != nil {
		return nil, err
	}
	return api.ListInterventionHistorique200JSONResponse{
		Body:    toAPIHistorique(rows),
		Headers: api.ListInterventionHistorique200ResponseHeaders{XTotalCount: int(total)},
	}, nil
}

// GetDashboardStats is GET /dashboard/stats.
func (s *Server) GetDashboardStats(ctx context.Context, _ api.GetDashboardStatsRequestObject) (api.GetDashboardStatsResponseObject, error) {
	st, err := s.deps.Interventions.Dashboard(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return api.GetDashboardStats200JSONResponse(toAPIDashboard(st)), nil
}
