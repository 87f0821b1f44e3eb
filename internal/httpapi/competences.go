package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/techniciens"
)

// ListCompetences is GET /techniciens/competences.
func (s *Server) ListCompetences(ctx context.Context, req api.ListCompetencesRequestObject) (api.ListCompetencesResponseObject, error) {
	p := req.Params
	f := techniciens.CompetenceFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Query: stringOf(p.Q)}
	rows, total, err := s.deps.Techniciens.ListCompetences(ctx, f)
	if err != nil {
		return nil, err
	}
	out := mapAll(rows, toAPICompetence)
	return api.ListCompetences200JSONResponse{
		Body:    out,
		Headers: api.ListCompetences200ResponseHeaders{XTotalCount: int(total)},
	}, nil
}

// CreateCompetence is POST /techniciens/competences.
func (s *Server) CreateCompetence(ctx context.Context, req api.CreateCompetenceRequestObject) (api.CreateCompetenceResponseObject, error) {
	b := req.Body
	c, err := s.deps.Techniciens.CreateCompetence(ctx, principal(ctx), techniciens.CompetenceInput{
		Nom: b.Nom, Domaine: b.Domaine, Description: b.Description,
	})
	if err != nil {
		return nil, err
	}
	return api.CreateCompetence201JSONResponse{
		Body:    toAPICompetence(c),
		Headers: api.CreateCompetence201ResponseHeaders{Location: ptr(APIPrefix + "/competences/" + strconv.FormatInt(c.ID, 10))},
	}, nil
}

// UpdateCompetence is PATCH /competences/{competence_id}.
func (s *Server) UpdateCompetence(ctx context.Context, req api.UpdateCompetenceRequestObject) (api.UpdateCompetenceResponseObject, error) {
	b := req.Body
	c, err := s.deps.Techniciens.UpdateCompetence(ctx, principal(ctx), req.CompetenceId, techniciens.CompetenceUpdate{
		Nom: fieldOfPtr(b.Nom), Domaine: fieldOfPtr(b.Domaine), Description: fieldOf(b.Description),
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateCompetence200JSONResponse(toAPICompetence(c)), nil
}

// DeleteCompetence is DELETE /competences/{competence_id}.
func (s *Server) DeleteCompetence(ctx context.Context, req api.DeleteCompetenceRequestObject) (api.DeleteCompetenceResponseObject, error) {
	if err := s.deps.Techniciens.DeleteCompetence(ctx, principal(ctx), req.CompetenceId); err != nil {
		return nil, err
	}
	return api.DeleteCompetence204Response{}, nil
}
