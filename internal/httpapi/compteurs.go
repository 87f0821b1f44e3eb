package httpapi

import (
	"context"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/compteurs"
	"github.com/mif-erp/erp/internal/paging"
)

// ListCompteurs is GET /equipements/{equipement_id}/compteurs.
func (s *Server) ListCompteurs(ctx context.Context, req api.ListCompteursRequestObject) (api.ListCompteursResponseObject, error) {
	rows, err := s.deps.Compteurs.List(ctx, principal(ctx), req.EquipementId)
	if err != nil {
		return nil, err
	}
	return api.ListCompteurs200JSONResponse(mapAll(rows, toAPICompteur)), nil
}

// CreateCompteur is POST /equipements/{equipement_id}/compteurs.
func (s *Server) CreateCompteur(ctx context.Context, req api.CreateCompteurRequestObject) (api.CreateCompteurResponseObject, error) {
	b := req.Body
	c, err := s.deps.Compteurs.Create(ctx, principal(ctx), req.EquipementId, compteurs.CompteurInput{
		Nom: b.Nom, Unite: b.Unite, Type: string(b.TypeCompteur)})
	if err != nil {
		return nil, err
	}
	return api.CreateCompteur201JSONResponse(toAPICompteur(c)), nil
}

// ListReleves is GET /compteurs/{compteur_id}/releves.
func (s *Server) ListReleves(ctx context.Context, req api.ListRelevesRequestObject) (api.ListRelevesResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Compteurs.Releves(ctx, principal(ctx), req.CompteurId, p.Depuis, p.JusquA,
		valueOr(p.Limit, paging.Default), valueOr(p.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListReleves200JSONResponse{Body: mapAll(rows, toAPIReleve),
		Headers: api.ListReleves200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateReleve is POST /compteurs/{compteur_id}/releves.
func (s *Server) CreateReleve(ctx context.Context, req api.CreateReleveRequestObject) (api.CreateReleveResponseObject, error) {
	b := req.Body
	r, err := s.deps.Compteurs.Record(ctx, principal(ctx), req.CompteurId, compteurs.ReleveInput{
		Valeur: b.Valeur, LuLe: b.LuLe, Source: stringOf(b.Source)})
	if err != nil {
		return nil, err
	}
	return api.CreateReleve201JSONResponse(toAPIReleve(r)), nil
}

// ImportReleves is POST /compteurs/{compteur_id}/releves/import.
func (s *Server) ImportReleves(ctx context.Context, req api.ImportRelevesRequestObject) (api.ImportRelevesResponseObject, error) {
	rep, err := s.deps.Compteurs.Import(ctx, principal(ctx), req.CompteurId, req.Body, valueOr(req.Params.DryRun, false))
	if err != nil {
		return nil, err
	}
	out := api.ReleveImportReport{DryRun: rep.DryRun, Lignes: rep.Lignes, Importees: rep.Importees,
		Erreurs: make([]api.PieceImportError, len(rep.Erreurs))}
	for i, e := range rep.Erreurs {
		out.Erreurs[i] = api.PieceImportError{Ligne: e.Ligne, Champ: e.Champ, Message: e.Message}
	}
	return api.ImportReleves200JSONResponse(out), nil
}
