package httpapi

import (
	"context"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/checklists"
	"github.com/mif-erp/erp/internal/paging"
)

// ListChecklists is GET /checklists.
func (s *Server) ListChecklists(ctx context.Context, req api.ListChecklistsRequestObject) (api.ListChecklistsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Checklists.List(ctx, principal(ctx), p.Q, valueOr(p.Limit, paging.Default), valueOr(p.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListChecklists200JSONResponse{Body: mapAll(rows, toAPIChecklist),
		Headers: api.ListChecklists200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateChecklist is POST /checklists.
func (s *Server) CreateChecklist(ctx context.Context, req api.CreateChecklistRequestObject) (api.CreateChecklistResponseObject, error) {
	c, err := s.deps.Checklists.Create(ctx, principal(ctx), checklistInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateChecklist201JSONResponse(toAPIChecklist(c)), nil
}

// GetChecklist is GET /checklists/{checklist_id}.
func (s *Server) GetChecklist(ctx context.Context, req api.GetChecklistRequestObject) (api.GetChecklistResponseObject, error) {
	c, err := s.deps.Checklists.Get(ctx, principal(ctx), req.ChecklistId)
	if err != nil {
		return nil, err
	}
	return api.GetChecklist200JSONResponse(toAPIChecklist(c)), nil
}

// UpdateChecklist is PUT /checklists/{checklist_id}.
func (s *Server) UpdateChecklist(ctx context.Context, req api.UpdateChecklistRequestObject) (api.UpdateChecklistResponseObject, error) {
	c, err := s.deps.Checklists.Replace(ctx, principal(ctx), req.ChecklistId, checklistInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.UpdateChecklist200JSONResponse(toAPIChecklist(c)), nil
}

// DeleteChecklist is DELETE /checklists/{checklist_id}.
func (s *Server) DeleteChecklist(ctx context.Context, req api.DeleteChecklistRequestObject) (api.DeleteChecklistResponseObject, error) {
	if err := s.deps.Checklists.Delete(ctx, principal(ctx), req.ChecklistId); err != nil {
		return nil, err
	}
	return api.DeleteChecklist204Response{}, nil
}

// GetInterventionChecklist is GET /interventions/{intervention_id}/checklist.
func (s *Server) GetInterventionChecklist(ctx context.Context, req api.GetInterventionChecklistRequestObject) (api.GetInterventionChecklistResponseObject, error) {
	c, err := s.deps.Checklists.Of(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	return api.GetInterventionChecklist200JSONResponse(toAPIInterventionChecklist(c)), nil
}

// AnswerChecklistItem is PUT /interventions/{intervention_id}/checklist/items/{item_id}.
func (s *Server) AnswerChecklistItem(ctx context.Context, req api.AnswerChecklistItemRequestObject) (api.AnswerChecklistItemResponseObject, error) {
	b := req.Body
	it, err := s.deps.Checklists.Answer(ctx, principal(ctx), req.InterventionId, req.ItemId, checklists.Reponse{
		Coche: b.Coche, Reponse: (*string)(b.Reponse), Mesure: b.Mesure, Texte: b.Texte, DocumentID: b.DocumentId,
		Commentaire: b.Commentaire})
	if err != nil {
		return nil, err
	}
	return api.AnswerChecklistItem200JSONResponse(toAPIChecklistAnswer(it)), nil
}

func checklistInput(b api.ChecklistInput) checklists.Input {
	in := checklists.Input{Nom: b.Nom, Description: b.Description, Items: make([]checklists.ItemInput, len(b.Items))}
	for i, it := range b.Items {
		in.Items[i] = checklists.ItemInput{Libelle: it.Libelle, Type: string(it.TypeItem), Unite: it.Unite, Min: it.Min,
			Max: it.Max, Obligatoire: it.Obligatoire, SuiviSiEcart: valueOr(it.SuiviSiEcart, false)}
	}
	return in
}
