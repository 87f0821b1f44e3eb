package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/patch"
)

// ListEquipements is GET /equipements.
func (s *Server) ListEquipements(ctx context.Context, req api.ListEquipementsRequestObject) (api.ListEquipementsResponseObject, error) {
	p := req.Params
	f := equipements.ListFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Sort: stringOf(p.Sort), Statut: stringOf(p.Statut), Criticite: stringOf(p.Criticite), Type: stringOf(p.Type),
		Query: stringOf(p.Q), ClientID: p.ClientId, ContratID: p.ContratId, ParentID: p.ParentId}
	rows, total, err := s.deps.Equipements.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	return equipementPage(rows, total), nil
}

// CreateEquipement is POST /equipements (Idempotency-Key is handled by the idempotent middleware).
func (s *Server) CreateEquipement(ctx context.Context, req api.CreateEquipementRequestObject) (api.CreateEquipementResponseObject, error) {
	b := req.Body
	in := equipements.CreateInput{
		Nom: b.Nom, Type: b.Type, Localisation: b.Localisation,
		Statut: (*string)(b.Statut), Criticite: (*string)(b.Criticite),
		NumeroSerie: b.NumeroSerie, CodeInterne: b.CodeInterne, Marque: b.Marque, Modele: b.Modele,
		Batiment: b.Batiment, Etage: b.Etage, Zone: b.Zone, Description: b.Description,
		DateAcquisition: dateOf(b.DateAcquisition), DateMiseEnService: dateOf(b.DateMiseEnService),
		DateFinGarantie: dateOf(b.DateFinGarantie), CoutAcquisition: b.CoutAcquisition,
		ClientID: b.ClientId, ContratID: b.ContratId, ParentID: b.ParentId,
	}
	if b.FrequenceEntretien != nil {
		f := frequenceText(*b.FrequenceEntretien)
		in.Frequence = &f
	}
	e, err := s.deps.Equipements.Create(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateEquipement201JSONResponse{
		Body: toAPIEquipement(e),
		Headers: api.CreateEquipement201ResponseHeaders{
			Location: ptr(APIPrefix + "/equipements/" + strconv.FormatInt(e.ID, 10)),
			ETag:     etagOf(e.Version),
		},
	}, nil
}

// GetEquipement is GET /equipements/{equipement_id}.
func (s *Server) GetEquipement(ctx context.Context, req api.GetEquipementRequestObject) (api.GetEquipementResponseObject, error) {
	e, err := s.deps.Equipements.Get(ctx, principal(ctx), req.EquipementId)
	if err != nil {
		return nil, err
	}
	return api.GetEquipement200JSONResponse{Body: toAPIEquipement(e), Headers: api.GetEquipement200ResponseHeaders{ETag: etagOf(e.Version)}}, nil
}

// UpdateEquipement is PATCH /equipements/{equipement_id}; If-Match makes it conditional.
func (s *Server) UpdateEquipement(ctx context.Context, req api.UpdateEquipementRequestObject) (api.UpdateEquipementResponseObject, error) {
	b := req.Body
	in := equipements.UpdateInput{
		Nom: fieldOfPtr(b.Nom), Type: fieldOfPtr(b.Type), Localisation: fieldOfPtr(b.Localisation),
		Statut: fieldOfPtr((*string)(b.Statut)), Criticite: fieldOfPtr((*string)(b.Criticite)),
		NumeroSerie: fieldOf(b.NumeroSerie), CodeInterne: fieldOf(b.CodeInterne),
		Marque: fieldOf(b.Marque), Modele: fieldOf(b.Modele),
		Batiment: fieldOf(b.Batiment), Etage: fieldOf(b.Etage), Zone: fieldOf(b.Zone),
		Description:     fieldOf(b.Description),
		DateAcquisition: dateField(fieldOf(b.DateAcquisition)), DateMiseEnService: dateField(fieldOf(b.DateMiseEnService)),
		DateFinGarantie: dateField(fieldOf(b.DateFinGarantie)),
		CoutAcquisition: fieldOf(b.CoutAcquisition),
		ClientID:        fieldOf(b.ClientId), ContratID: fieldOf(b.ContratId), ParentID: fieldOf(b.ParentId),
		IfMatch: ifMatch(req.Params.IfMatch),
	}
	if b.FrequenceEntretien != nil {
		in.Frequence = patch.To(frequenceText(*b.FrequenceEntretien))
	}
	e, err := s.deps.Equipements.Update(ctx, principal(ctx), req.EquipementId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateEquipement200JSONResponse{
		Body:    toAPIEquipement(e),
		Headers: api.UpdateEquipement200ResponseHeaders{ETag: etagOf(e.Version)},
	}, nil
}

// DeleteEquipement is DELETE /equipements/{equipement_id}.
func (s *Server) DeleteEquipement(ctx context.Context, req api.DeleteEquipementRequestObject) (api.DeleteEquipementResponseObject, error) {
	if err := s.deps.Equipements.Delete(ctx, principal(ctx), req.EquipementId); err != nil {
		return nil, err
	}
	return api.DeleteEquipement204Response{}, nil
}

// frequenceText is the maintenance interval as sent: a number of days (written in decimal) or a
// label, which the service parses. Anything else is passed on verbatim for the service to refuse.
func frequenceText(f api.FrequenceEntretien) string {
	raw, err := f.MarshalJSON()
	if err != nil {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return strconv.FormatInt(n, 10)
	}
	return string(raw)
}

func dateOf(d *openapi_types.Date) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}
