package httpapi

import (
	"context"
	"math"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/factures"
	"github.com/mif-erp/erp/internal/paging"
)

// ListContratFactures is GET /contrats/{contrat_id}/factures.
func (s *Server) ListContratFactures(ctx context.Context, req api.ListContratFacturesRequestObject) (api.ListContratFacturesResponseObject, error) {
	rows, total, err := s.deps.Factures.List(ctx, principal(ctx), req.ContratId,
		valueOr(req.Params.Limit, paging.Default), valueOr(req.Params.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListContratFactures200JSONResponse{Body: mapAll(rows, toAPIFacture),
		Headers: api.ListContratFactures200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateFacture is POST /contrats/{contrat_id}/factures?periode=.
func (s *Server) CreateFacture(ctx context.Context, req api.CreateFactureRequestObject) (api.CreateFactureResponseObject, error) {
	in := factures.CreateInput{Periode: req.Params.Periode}
	if b := req.Body; b != nil {
		in.DelaiPaiementJours = b.DelaiPaiementJours
		if b.TauxTva != nil {
			bp := int(math.Round(*b.TauxTva * 100))
			in.TauxTVA = &bp
		}
	}
	f, err := s.deps.Factures.Create(ctx, principal(ctx), req.ContratId, in)
	if err != nil {
		return nil, err
	}
	return api.CreateFacture201JSONResponse(toAPIFacture(f)), nil
}

// GetFacture is GET /factures/{facture_id}.
func (s *Server) GetFacture(ctx context.Context, req api.GetFactureRequestObject) (api.GetFactureResponseObject, error) {
	f, err := s.deps.Factures.Get(ctx, principal(ctx), req.FactureId)
	if err != nil {
		return nil, err
	}
	return api.GetFacture200JSONResponse(toAPIFacture(f)), nil
}

// ApplyFactureAction is POST /factures/{facture_id}/actions/{action}.
func (s *Server) ApplyFactureAction(ctx context.Context, req api.ApplyFactureActionRequestObject) (api.ApplyFactureActionResponseObject, error) {
	f, err := s.deps.Factures.Apply(ctx, principal(ctx), req.FactureId, req.Action)
	if err != nil {
		return nil, err
	}
	return api.ApplyFactureAction200JSONResponse(toAPIFacture(f)), nil
}
