package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/clients"
	"github.com/mif-erp/erp/internal/paging"
)

// ListContrats is GET /contrats.
func (s *Server) ListContrats(ctx context.Context, req api.ListContratsRequestObject) (api.ListContratsResponseObject, error) {
	p := req.Params
	f := clients.ContratFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Sort: stringOf(p.Sort), Statut: stringOf(p.Statut), TypeContrat: stringOf(p.TypeContrat), ClientID: p.ClientId}
	rows, total, err := s.deps.Clients.ListContrats(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	out := mapAll(rows, toAPIContrat)
	return api.ListContrats200JSONResponse{
		Body:    out,
		Headers: api.ListContrats200ResponseHeaders{XTotalCount: int(total)},
	}, nil
}

// CreateContrat is POST /contrats.
func (s *Server) CreateContrat(ctx context.Context, req api.CreateContratRequestObject) (api.CreateContratResponseObject, error) {
	b := req.Body
	in := clients.ContratInput{
		ClientID: b.ClientId, NumeroContrat: b.NumeroContrat, NomContrat: b.NomContrat,
		Description: b.Description, TypeContrat: string(b.TypeContrat),
		DateDebut: b.DateDebut.Time, DateFin: b.DateFin.Time,
		MontantAnnuel: b.MontantAnnuel, NbInterventionsIncluses: b.NbInterventionsIncluses,
		DelaiUrgenteHeures: b.DelaiUrgenteHeures, DelaiHauteHeures: b.DelaiHauteHeures,
		DelaiNormaleHeures: b.DelaiNormaleHeures, DelaiBasseHeures: b.DelaiBasseHeures,
	}
	if b.Statut != nil {
		in.Statut = string(*b.Statut)
	}
	if b.DateSignature != nil {
		in.DateSignature = &b.DateSignature.Time
	}
	if b.Devise != nil {
		in.Devise = *b.Devise
	}
	c, err := s.deps.Clients.CreateContrat(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateContrat201JSONResponse{
		Body:    toAPIContrat(c),
		Headers: api.CreateContrat201ResponseHeaders{Location: ptr(APIPrefix + "/contrats/" + strconv.FormatInt(c.ID, 10))},
	}, nil
}

// GetContrat is GET /contrats/{contrat_id}.
func (s *Server) GetContrat(ctx context.Context, req api.GetContratRequestObject) (api.GetContratResponseObject, error) {
	c, err := s.deps.Clients.GetContrat(ctx, principal(ctx), req.ContratId)
	if err != nil {
		return nil, err
	}
	return api.GetContrat200JSONResponse(toAPIContrat(c)), nil
}

// UpdateContrat is PATCH /contrats/{contrat_id}.
func (s *Server) UpdateContrat(ctx context.Context, req api.UpdateContratRequestObject) (api.UpdateContratResponseObject, error) {
	b := req.Body
	in := clients.ContratUpdate{
		NumeroContrat:           b.NumeroContrat,
		NomContrat:              b.NomContrat,
		Description:             fieldOf(b.Description),
		DateSignature:           dateField(fieldOf(b.DateSignature)),
		MontantAnnuel:           fieldOf(b.MontantAnnuel),
		Devise:                  b.Devise,
		NbInterventionsIncluses: fieldOf(b.NbInterventionsIncluses),
		DelaiUrgenteHeures:      fieldOf(b.DelaiUrgenteHeures),
		DelaiHauteHeures:        fieldOf(b.DelaiHauteHeures),
		DelaiNormaleHeures:      fieldOf(b.DelaiNormaleHeures),
		DelaiBasseHeures:        fieldOf(b.DelaiBasseHeures),
	}
	if b.TypeContrat != nil {
		in.TypeContrat = ptr(string(*b.TypeContrat))
	}
	if b.Statut != nil {
		in.Statut = ptr(string(*b.Statut))
	}
	if b.DateDebut != nil {
		in.DateDebut = &b.DateDebut.Time
	}
	if b.DateFin != nil {
		in.DateFin = &b.DateFin.Time
	}
	c, err := s.deps.Clients.UpdateContrat(ctx, principal(ctx), req.ContratId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateContrat200JSONResponse(toAPIContrat(c)), nil
}

// DeleteContrat is DELETE /contrats/{contrat_id}.
func (s *Server) DeleteContrat(ctx context.Context, req api.DeleteContratRequestObject) (api.DeleteContratResponseObject, error) {
	if err := s.deps.Clients.DeleteContrat(ctx, principal(ctx), req.ContratId); err != nil {
		return nil, err
	}
	return api.DeleteContrat204Response{}, nil
}
