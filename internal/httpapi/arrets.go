package httpapi

import (
	"context"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/arrets"
	"github.com/mif-erp/erp/internal/paging"
)

// ListArrets is GET /equipements/{equipement_id}/arrets.
func (s *Server) ListArrets(ctx context.Context, req api.ListArretsRequestObject) (api.ListArretsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Arrets.List(ctx, principal(ctx), req.EquipementId,
		arrets.Filter{Motif: stringOf(p.Motif), Depuis: p.Depuis, JusquA: p.JusquA},
		valueOr(p.Limit, paging.Default), valueOr(p.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListArrets200JSONResponse{Body: mapAll(rows, toAPIArret),
		Headers: api.ListArrets200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateArret is POST /equipements/{equipement_id}/arrets.
func (s *Server) CreateArret(ctx context.Context, req api.CreateArretRequestObject) (api.CreateArretResponseObject, error) {
	b := req.Body
	a, err := s.deps.Arrets.Create(ctx, principal(ctx), req.EquipementId, arrets.Input{Debut: b.Debut, Fin: b.Fin,
		Motif: string(b.Motif), InterventionID: b.InterventionId, Commentaire: b.Commentaire})
	if err != nil {
		return nil, err
	}
	return api.CreateArret201JSONResponse(toAPIArret(a)), nil
}

// UpdateArret is PATCH /arrets/{arret_id}.
func (s *Server) UpdateArret(ctx context.Context, req api.UpdateArretRequestObject) (api.UpdateArretResponseObject, error) {
	b := req.Body
	a, err := s.deps.Arrets.Correct(ctx, principal(ctx), req.ArretId, arrets.Update{Debut: b.Debut, Fin: fieldOf(b.Fin),
		Motif: (*string)(b.Motif), InterventionID: fieldOf(b.InterventionId), Commentaire: fieldOf(b.Commentaire)})
	if err != nil {
		return nil, err
	}
	return api.UpdateArret200JSONResponse(toAPIArret(a)), nil
}

// DeleteArret is DELETE /arrets/{arret_id}.
func (s *Server) DeleteArret(ctx context.Context, req api.DeleteArretRequestObject) (api.DeleteArretResponseObject, error) {
	if err := s.deps.Arrets.Delete(ctx, principal(ctx), req.ArretId); err != nil {
		return nil, err
	}
	return api.DeleteArret204Response{}, nil
}

// ListEquipementStatuts is GET /equipements/{equipement_id}/statuts.
func (s *Server) ListEquipementStatuts(ctx context.Context, req api.ListEquipementStatutsRequestObject) (api.ListEquipementStatutsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Arrets.Statuts(ctx, principal(ctx), req.EquipementId,
		valueOr(p.Limit, paging.Default), valueOr(p.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListEquipementStatuts200JSONResponse{Body: mapAll(rows, toAPIStatutChange),
		Headers: api.ListEquipementStatuts200ResponseHeaders{XTotalCount: int(total)}}, nil
}
