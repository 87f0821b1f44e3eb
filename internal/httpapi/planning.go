package httpapi

import (
	"context"
	"strconv"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/planning"
)

func planningLocation(id int64) *string {
	return ptr(APIPrefix + "/planning/" + strconv.FormatInt(id, 10))
}

// ListPlannings is GET /planning.
func (s *Server) ListPlannings(ctx context.Context, req api.ListPlanningsRequestObject) (api.ListPlanningsResponseObject, error) {
	p := req.Params
	f := planning.ListFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Sort: stringOf(p.Sort), EquipementID: p.EquipementId, Statut: (*string)(p.Statut), DueBefore: dateOf(p.DueBefore)}
	rows, total, err := s.deps.Planning.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	out := mapAll(rows, toAPIPlanning)
	return api.ListPlannings200JSONResponse{Body: out, Headers: api.ListPlannings200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreatePlanning is POST /planning.
func (s *Server) CreatePlanning(ctx context.Context, req api.CreatePlanningRequestObject) (api.CreatePlanningResponseObject, error) {
	b := req.Body
	in := planning.CreateInput{
		EquipementID: b.EquipementId, Frequence: b.Frequence, Intervalle: b.Intervalle, Base: (*string)(b.Base),
		ProchaineDate: dateOf(b.ProchaineDate), DerniereDate: dateOf(b.DerniereDate), Commentaire: b.Commentaire,
		Modele: modeleInput(b.Modele),
	}
	if c := b.Compteur; c != nil {
		in.Compteur = &planning.TriggerInput{CompteurID: c.CompteurId, Intervalle: c.Intervalle, Prochain: c.Prochain,
			Seuil: c.Seuil, Operateur: (*string)(c.Operateur)}
	}
	p, err := s.deps.Planning.Create(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreatePlanning201JSONResponse{
		Body: toAPIPlanning(p), Headers: api.CreatePlanning201ResponseHeaders{Location: planningLocation(p.ID)},
	}, nil
}

// GetPlanning is GET /planning/{planning_id}.
func (s *Server) GetPlanning(ctx context.Context, req api.GetPlanningRequestObject) (api.GetPlanningResponseObject, error) {
	p, err := s.deps.Planning.Get(ctx, principal(ctx), req.PlanningId)
	if err != nil {
		return nil, err
	}
	return api.GetPlanning200JSONResponse(toAPIPlanning(p)), nil
}

// UpdatePlanning is PUT /planning/{planning_id}, a partial update.
func (s *Server) UpdatePlanning(ctx context.Context, req api.UpdatePlanningRequestObject) (api.UpdatePlanningResponseObject, error) {
	b := req.Body
	in := planning.UpdateInput{
		Frequence: b.Frequence, Intervalle: b.Intervalle, Base: (*string)(b.Base),
		ProchaineDate: dateOf(b.ProchaineDate), Commentaire: fieldOf(b.Commentaire), Modele: modeleInput(b.Modele),
	}
	p, err := s.deps.Planning.Update(ctx, principal(ctx), req.PlanningId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdatePlanning200JSONResponse(toAPIPlanning(p)), nil
}

// DeletePlanning is DELETE /planning/{planning_id}.
func (s *Server) DeletePlanning(ctx context.Context, req api.DeletePlanningRequestObject) (api.DeletePlanningResponseObject, error) {
	if err := s.deps.Planning.Delete(ctx, principal(ctx), req.PlanningId); err != nil {
		return nil, err
	}
	return api.DeletePlanning204Response{}, nil
}

// ApplyPlanningAction is POST /planning/{planning_id}/actions/{action}.
func (s *Server) ApplyPlanningAction(ctx context.Context, req api.ApplyPlanningActionRequestObject) (api.ApplyPlanningActionResponseObject, error) {
	var comment *string
	if req.Body != nil {
		comment = req.Body.Commentaire
	}
	p, err := s.deps.Planning.Apply(ctx, principal(ctx), req.PlanningId, req.Action, comment)
	if err != nil {
		return nil, err
	}
	return api.ApplyPlanningAction200JSONResponse(toAPIPlanning(p)), nil
}

// ReplanPlanning is PATCH /planning/{planning_id}/dates?nouvelle_date= (the original's call).
func (s *Server) ReplanPlanning(ctx context.Context, req api.ReplanPlanningRequestObject) (api.ReplanPlanningResponseObject, error) {
	p, err := s.deps.Planning.Replan(ctx, principal(ctx), req.PlanningId, req.Params.NouvelleDate)
	if err != nil {
		return nil, err
	}
	return api.ReplanPlanning200JSONResponse(toAPIPlanning(p)), nil
}

// GeneratePlanning is POST /planning/{planning_id}/generate.
func (s *Server) GeneratePlanning(ctx context.Context, req api.GeneratePlanningRequestObject) (api.GeneratePlanningResponseObject, error) {
	id, err := s.deps.Planning.Generate(ctx, principal(ctx), req.PlanningId)
	if err != nil {
		return nil, err
	}
	v, err := s.deps.Interventions.Get(ctx, principal(ctx), id)
	if err != nil {
		return nil, err
	}
	return api.GeneratePlanning201JSONResponse{
		Body: toAPIIntervention(v), Headers: api.GeneratePlanning201ResponseHeaders{Location: interventionLocation(id)},
	}, nil
}

// ListPlanningOccurrences is GET /planning/{planning_id}/occurrences.
func (s *Server) ListPlanningOccurrences(ctx context.Context, req api.ListPlanningOccurrencesRequestObject) (api.ListPlanningOccurrencesResponseObject, error) {
	days, err := s.deps.Planning.Occurrences(ctx, principal(ctx), req.PlanningId, dateOf(req.Params.From), dateOf(req.Params.To))
	if err != nil {
		return nil, err
	}
	out := make(api.ListPlanningOccurrences200JSONResponse, len(days))
	for i, d := range days {
		out[i] = openapi_types.Date{Time: d}
	}
	return out, nil
}

// modeleInput turns the API modele into the service's (nil when absent).
func modeleInput(m *api.PlanningModele) *planning.Modele {
	if m == nil {
		return nil
	}
	return &planning.Modele{
		Titre: fieldOf(m.Titre), Description: fieldOf(m.Description), Priorite: (*string)(m.Priorite),
		DureeMinutes: fieldOf(m.DureeEstimeeMinutes), TechnicienID: fieldOf(m.TechnicienId), Equipe: fieldOf(m.Equipe),
		ChecklistID:   fieldOf(m.ChecklistId),
		CompetenceIDs: m.CompetenceIds,
	}
}
