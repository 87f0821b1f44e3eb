package httpapi

import (
	"context"
	"strconv"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/techniciens"
)

// ListTechniciens is GET /techniciens.
func (s *Server) ListTechniciens(ctx context.Context, req api.ListTechniciensRequestObject) (api.ListTechniciensResponseObject, error) {
	p := req.Params
	f := techniciens.ListFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Sort: stringOf(p.Sort), Equipe: stringOf(p.Equipe), Disponibilite: stringOf(p.Disponibilite),
		Niveau: stringOf(p.Niveau), CompetenceID: valueOr(p.CompetenceId, 0), Query: stringOf(p.Q)}
	rows, total, err := s.deps.Techniciens.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	out := mapAll(rows, toAPITechnicien)
	return api.ListTechniciens200JSONResponse{
		Body:    out,
		Headers: api.ListTechniciens200ResponseHeaders{XTotalCount: int(total)},
	}, nil
}

// CreateTechnicien is POST /techniciens.
func (s *Server) CreateTechnicien(ctx context.Context, req api.CreateTechnicienRequestObject) (api.CreateTechnicienResponseObject, error) {
	b := req.Body
	in := techniciens.CreateInput{
		UserID:           b.UserId,
		Equipe:           b.Equipe,
		NumeroBadge:      b.NumeroBadge,
		ZoneIntervention: b.ZoneIntervention,
		TelephoneUrgence: b.TelephoneUrgence,
		HorairesTravail:  b.HorairesTravail,
		TauxHoraire:      b.TauxHoraire,
		Niveau:           techEnumString(b.Niveau),
		Disponibilite:    techEnumString(b.Disponibilite),
		Astreinte:        b.Astreinte,
	}
	if b.DateEmbauche != nil {
		in.DateEmbauche = &b.DateEmbauche.Time
	}
	if b.CompetencesIds != nil {
		in.CompetenceIDs = *b.CompetencesIds
	}
	if b.Competences != nil {
		for _, c := range *b.Competences {
			in.Competences = append(in.Competences, competenceLevelOf(c))
		}
	}
	t, err := s.deps.Techniciens.Create(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateTechnicien201JSONResponse{
		Body:    toAPITechnicien(t),
		Headers: api.CreateTechnicien201ResponseHeaders{Location: ptr(APIPrefix + "/techniciens/" + strconv.FormatInt(t.ID, 10))},
	}, nil
}

// GetTechnicien is GET /techniciens/{technicien_id}.
func (s *Server) GetTechnicien(ctx context.Context, req api.GetTechnicienRequestObject) (api.GetTechnicienResponseObject, error) {
	t, err := s.deps.Techniciens.Get(ctx, principal(ctx), req.TechnicienId)
	if err != nil {
		return nil, err
	}
	return api.GetTechnicien200JSONResponse(toAPITechnicien(t)), nil
}

// UpdateTechnicien is PUT /techniciens/{technicien_id}, applied as a partial update.
func (s *Server) UpdateTechnicien(ctx context.Context, req api.UpdateTechnicienRequestObject) (api.UpdateTechnicienResponseObject, error) {
	b := req.Body
	in := techniciens.UpdateInput{
		Equipe:           fieldOf(b.Equipe),
		NumeroBadge:      fieldOf(b.NumeroBadge),
		ZoneIntervention: fieldOf(b.ZoneIntervention),
		TelephoneUrgence: fieldOf(b.TelephoneUrgence),
		HorairesTravail:  fieldOfPtr(b.HorairesTravail),
		TauxHoraire:      fieldOf(b.TauxHoraire),
		Astreinte:        fieldOfPtr(b.Astreinte),
		Niveau:           fieldOfPtr(techEnumString(b.Niveau)),
		Disponibilite:    fieldOfPtr(techEnumString(b.Disponibilite)),
	}
	switch d := fieldOf(b.DateEmbauche); {
	case !d.Set:
	case d.Value == nil:
		in.DateEmbauche = patch.Clear[time.Time]()
	default:
		in.DateEmbauche = patch.To(d.Value.Time)
	}
	t, err := s.deps.Techniciens.Update(ctx, principal(ctx), req.TechnicienId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateTechnicien200JSONResponse(toAPITechnicien(t)), nil
}

// DeleteTechnicien is DELETE /techniciens/{technicien_id}.
func (s *Server) DeleteTechnicien(ctx context.Context, req api.DeleteTechnicienRequestObject) (api.DeleteTechnicienResponseObject, error) {
	if err := s.deps.Techniciens.Delete(ctx, principal(ctx), req.TechnicienId); err != nil {
		return nil, err
	}
	return api.DeleteTechnicien204Response{}, nil
}

// AddTechnicienCompetence is POST /techniciens/{technicien_id}/competences.
func (s *Server) AddTechnicienCompetence(ctx context.Context, req api.AddTechnicienCompetenceRequestObject) (api.AddTechnicienCompetenceResponseObject, error) {
	t, err := s.deps.Techniciens.AddCompetence(ctx, principal(ctx), req.TechnicienId, competenceLevelOf(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.AddTechnicienCompetence201JSONResponse(toAPITechnicien(t)), nil
}

// UpdateTechnicienCompetence is PATCH /techniciens/{technicien_id}/competences/{competence_id}.
func (s *Server) UpdateTechnicienCompetence(ctx context.Context, req api.UpdateTechnicienCompetenceRequestObject) (api.UpdateTechnicienCompetenceResponseObject, error) {
	t, err := s.deps.Techniciens.SetCompetenceLevel(ctx, principal(ctx), req.TechnicienId, req.CompetenceId, string(req.Body.Niveau))
	if err != nil {
		return nil, err
	}
	return api.UpdateTechnicienCompetence200JSONResponse(toAPITechnicien(t)), nil
}

// RemoveTechnicienCompetence is DELETE /techniciens/{technicien_id}/competences/{competence_id}.
func (s *Server) RemoveTechnicienCompetence(ctx context.Context, req api.RemoveTechnicienCompetenceRequestObject) (api.RemoveTechnicienCompetenceResponseObject, error) {
	t, err := s.deps.Techniciens.RemoveCompetence(ctx, principal(ctx), req.TechnicienId, req.CompetenceId)
	if err != nil {
		return nil, err
	}
	return api.RemoveTechnicienCompetence200JSONResponse(toAPITechnicien(t)), nil
}

func competenceLevelOf(c api.TechnicienCompetenceInput) techniciens.CompetenceLevel {
	out := techniciens.CompetenceLevel{CompetenceID: c.CompetenceId}
	if c.Niveau != nil {
		out.Niveau = string(*c.Niveau)
	}
	return out
}

// techEnumString converts an optional enum of the API to an optional string.
func techEnumString[T ~string](p *T) *string {
	if p == nil {
		return nil
	}
	s := string(*p)
	return &s
}
