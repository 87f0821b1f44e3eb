package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/clients"
	"github.com/mif-erp/erp/internal/paging"
)

// ListClients is GET /clients.
func (s *Server) ListClients(ctx context.Context, req api.ListClientsRequestObject) (api.ListClientsResponseObject, error) {
	p := req.Params
	f := clients.ClientFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Sort: stringOf(p.Sort), Query: stringOf(p.Q), IsActive: p.IsActive}
	rows, total, err := s.deps.Clients.ListClients(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	out := mapAll(rows, toAPIClient)
	return api.ListClients200JSONResponse{
		Body:    out,
		Headers: api.ListClients200ResponseHeaders{XTotalCount: int(total)},
	}, nil
}

// CreateClient is POST /clients.
func (s *Server) CreateClient(ctx context.Context, req api.CreateClientRequestObject) (api.CreateClientResponseObject, error) {
	b := req.Body
	in := clients.ClientInput{
		UserID: b.UserId, NomEntreprise: b.NomEntreprise, SecteurActivite: b.SecteurActivite,
		NomContact: b.NomContact, Email: b.Email, Telephone: b.Telephone, Adresse: b.Adresse,
		CodePostal: b.CodePostal, Ville: b.Ville, Pays: b.Pays, Notes: b.Notes,
	}
	if b.TypeClient != nil {
		in.TypeClient = string(*b.TypeClient)
	}
	if b.NiveauService != nil {
		in.NiveauService = string(*b.NiveauService)
	}
	c, err := s.deps.Clients.CreateClient(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateClient201JSONResponse{
		Body:    toAPIClient(c),
		Headers: api.CreateClient201ResponseHeaders{Location: ptr(APIPrefix + "/clients/" + strconv.FormatInt(c.ID, 10))},
	}, nil
}

// GetClient is GET /clients/{client_id}.
func (s *Server) GetClient(ctx context.Context, req api.GetClientRequestObject) (api.GetClientResponseObject, error) {
	c, err := s.deps.Clients.GetClient(ctx, principal(ctx), req.ClientId)
	if err != nil {
		return nil, err
	}
	return api.GetClient200JSONResponse(toAPIClient(c)), nil
}

// UpdateClient is PATCH /clients/{client_id}.
func (s *Server) UpdateClient(ctx context.Context, req api.UpdateClientRequestObject) (api.UpdateClientResponseObject, error) {
	b := req.Body
	in := clients.ClientUpdate{
		NomEntreprise:   b.NomEntreprise,
		SecteurActivite: fieldOf(b.SecteurActivite),
		NomContact:      b.NomContact,
		Email:           b.Email,
		Telephone:       fieldOf(b.Telephone),
		Adresse:         fieldOf(b.Adresse),
		CodePostal:      fieldOf(b.CodePostal),
		Ville:           fieldOf(b.Ville),
		Pays:            b.Pays,
		Notes:           fieldOf(b.Notes),
		IsActive:        b.IsActive,
	}
	if b.TypeClient != nil {
		in.TypeClient = ptr(string(*b.TypeClient))
	}
	if b.NiveauService != nil {
		in.NiveauService = ptr(string(*b.NiveauService))
	}
	c, err := s.deps.Clients.UpdateClient(ctx, principal(ctx), req.ClientId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateClient200JSONResponse(toAPIClient(c)), nil
}

// DeleteClient is DELETE /clients/{client_id}.
func (s *Server) DeleteClient(ctx context.Context, req api.DeleteClientRequestObject) (api.DeleteClientResponseObject, error) {
	if err := s.deps.Clients.DeleteClient(ctx, principal(ctx), req.ClientId); err != nil {
		return nil, err
	}
	return api.DeleteClient204Response{}, nil
}
