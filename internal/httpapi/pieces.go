package httpapi

import (
	"bytes"
	"context"
	"strconv"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/pieces"
)

// ListPieces is GET /pieces.
func (s *Server) ListPieces(ctx context.Context, req api.ListPiecesRequestObject) (api.ListPiecesResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Pieces.List(ctx, principal(ctx), pieces.Filter{
		Query: stringOf(p.Q), Stock: stringOf(p.Stock), Fournisseur: stringOf(p.Fournisseur), Actif: p.Actif,
		EquipementID: p.EquipementId, Sort: stringOf(p.Sort),
		Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
	})
	if err != nil {
		return nil, err
	}
	return api.ListPieces200JSONResponse{Body: mapAll(rows, toAPIPiece),
		Headers: api.ListPieces200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreatePiece is POST /pieces.
func (s *Server) CreatePiece(ctx context.Context, req api.CreatePieceRequestObject) (api.CreatePieceResponseObject, error) {
	b := req.Body
	p, err := s.deps.Pieces.Create(ctx, principal(ctx), pieces.CreateInput{
		Nom: b.Nom, Reference: b.Reference, Description: b.Description, Marque: b.Marque, Modele: b.Modele,
		Fournisseur: b.Fournisseur, ReferenceFournisseur: b.ReferenceFournisseur, Emplacement: b.Emplacement,
		Rangee: b.Rangee, Etagere: b.Etagere, StockMinimum: b.StockMinimum, StockMaximum: b.StockMaximum,
		PrixUnitaire: b.PrixUnitaire, Devise: b.Devise, IsActive: b.IsActive,
		StockInitial: b.StockInitial, CoutInitial: b.CoutInitial,
	})
	if err != nil {
		return nil, err
	}
	return api.CreatePiece201JSONResponse{Body: toAPIPiece(p), Headers: api.CreatePiece201ResponseHeaders{
		Location: ptr(APIPrefix + "/pieces/" + strconv.FormatInt(p.ID, 10)), ETag: etagOf(p.Version)}}, nil
}

// GetPiece is GET /pieces/{piece_id}.
func (s *Server) GetPiece(ctx context.Context, req api.GetPieceRequestObject) (api.GetPieceResponseObject, error) {
	p, err := s.deps.Pieces.Get(ctx, principal(ctx), req.PieceId)
	if err != nil {
		return nil, err
	}
	return api.GetPiece200JSONResponse{Body: toAPIPiece(p), Headers: api.GetPiece200ResponseHeaders{ETag: etagOf(p.Version)}}, nil
}

// UpdatePiece is PATCH /pieces/{piece_id}.
func (s *Server) UpdatePiece(ctx context.Context, req api.UpdatePieceRequestObject) (api.UpdatePieceResponseObject, error) {
	b := req.Body
	p, err := s.deps.Pieces.Update(ctx, principal(ctx), req.PieceId, pieces.UpdateInput{
		Nom: b.Nom, Reference: b.Reference, Description: fieldOf(b.Description), Marque: fieldOf(b.Marque),
		Modele: fieldOf(b.Modele), Fournisseur: fieldOf(b.Fournisseur),
		ReferenceFournisseur: fieldOf(b.ReferenceFournisseur), Emplacement: fieldOf(b.Emplacement),
		Rangee: fieldOf(b.Rangee), Etagere: fieldOf(b.Etagere), StockMinimum: b.StockMinimum,
		StockMaximum: fieldOf(b.StockMaximum), PrixUnitaire: fieldOf(b.PrixUnitaire), Devise: b.Devise,
		IsActive: b.IsActive, IfMatch: ifMatch(req.Params.IfMatch),
	})
	if err != nil {
		return nil, err
	}
	return api.UpdatePiece200JSONResponse{Body: toAPIPiece(p), Headers: api.UpdatePiece200ResponseHeaders{ETag: etagOf(p.Version)}}, nil
}

// DeletePiece is DELETE /pieces/{piece_id}.
func (s *Server) DeletePiece(ctx context.Context, req api.DeletePieceRequestObject) (api.DeletePieceResponseObject, error) {
	if err := s.deps.Pieces.Delete(ctx, principal(ctx), req.PieceId); err != nil {
		return nil, err
	}
	return api.DeletePiece204Response{}, nil
}

// ListPiecesACommander is GET /pieces/a-commander.
func (s *Server) ListPiecesACommander(ctx context.Context, req api.ListPiecesACommanderRequestObject) (api.ListPiecesACommanderResponseObject, error) {
	rows, total, err := s.deps.Pieces.ACommanderList(ctx, principal(ctx),
		valueOr(req.Params.Limit, paging.Default), valueOr(req.Params.Offset, 0))
	if err != nil {
		return nil, err
	}
	return api.ListPiecesACommander200JSONResponse{Body: mapAll(rows, toAPIPieceACommander),
		Headers: api.ListPiecesACommander200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// ExportPieces is GET /pieces/export. The catalogue is small enough to build in memory, which
// lets an error still answer a problem instead of a cut CSV.
func (s *Server) ExportPieces(ctx context.Context, req api.ExportPiecesRequestObject) (api.ExportPiecesResponseObject, error) {
	p := req.Params
	if wantsXLSX(ctx, stringOf(p.Format)) {
		return s.exportPiecesXLSX(ctx, p)
	}
	var buf bytes.Buffer
	if err := s.deps.Pieces.Export(ctx, principal(ctx), req.Params.Actif, &buf); err != nil {
		return nil, err
	}
	return api.ExportPieces200TextcsvResponse{Body: &buf, ContentLength: int64(buf.Len()),
		Headers: api.ExportPieces200ResponseHeaders{
			ContentDisposition: ptr(`attachment; filename="pieces-` + time.Now().UTC().Format("20060102") + `.csv"`)}}, nil
}

// ImportPieces is POST /pieces/import.
func (s *Server) ImportPieces(ctx context.Context, req api.ImportPiecesRequestObject) (api.ImportPiecesResponseObject, error) {
	rep, err := s.deps.Pieces.Import(ctx, principal(ctx), req.Body, valueOr(req.Params.DryRun, false))
	if err != nil {
		return nil, err
	}
	return api.ImportPieces200JSONResponse(toAPIImportReport(rep)), nil
}

// ListMouvementsStock is GET /pieces/mouvements.
func (s *Server) ListMouvementsStock(ctx context.Context, req api.ListMouvementsStockRequestObject) (api.ListMouvementsStockResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Pieces.Mouvements(ctx, principal(ctx), pieces.MouvementFilter{
		PieceID: p.PieceId, Type: stringOf(p.TypeMouvement), InterventionID: p.InterventionId, UserID: p.UserId,
		Depuis: p.Depuis, JusquA: p.JusquA, Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
	})
	if err != nil {
		return nil, err
	}
	return api.ListMouvementsStock200JSONResponse{Body: mapAll(rows, toAPIMouvement),
		Headers: api.ListMouvementsStock200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// ListPieceMouvements is GET /pieces/{piece_id}/mouvements.
func (s *Server) ListPieceMouvements(ctx context.Context, req api.ListPieceMouvementsRequestObject) (api.ListPieceMouvementsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Pieces.Mouvements(ctx, principal(ctx), pieces.MouvementFilter{
		PieceID: &req.PieceId, Type: stringOf(p.TypeMouvement), InterventionID: p.InterventionId, UserID: p.UserId,
		Depuis: p.Depuis, JusquA: p.JusquA, Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
	})
	if err != nil {
		return nil, err
	}
	return api.ListPieceMouvements200JSONResponse{Body: mapAll(rows, toAPIMouvement),
		Headers: api.ListPieceMouvements200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateMouvementStock is POST /pieces/{piece_id}/mouvements.
func (s *Server) CreateMouvementStock(ctx context.Context, req api.CreateMouvementStockRequestObject) (api.CreateMouvementStockResponseObject, error) {
	b := req.Body
	m, err := s.deps.Pieces.Record(ctx, principal(ctx), req.PieceId, pieces.MouvementInput{
		Type: string(b.TypeMouvement), Quantite: b.Quantite, StockCompte: b.StockCompte,
		PrixUnitaire: b.PrixUnitaire, Devise: b.Devise, Motif: b.Motif, Commentaire: b.Commentaire,
		InterventionID: b.InterventionId,
	})
	if err != nil {
		return nil, err
	}
	return api.CreateMouvementStock201JSONResponse{Body: toAPIMouvement(m), Headers: api.CreateMouvementStock201ResponseHeaders{
		Location: ptr(APIPrefix + "/pieces/" + strconv.FormatInt(m.PieceID, 10) + "/mouvements?limit=1")}}, nil
}

// ListPieceEquipements is GET /pieces/{piece_id}/equipements.
func (s *Server) ListPieceEquipements(ctx context.Context, req api.ListPieceEquipementsRequestObject) (api.ListPieceEquipementsResponseObject, error) {
	rows, err := s.deps.Pieces.Equipements(ctx, principal(ctx), req.PieceId)
	if err != nil {
		return nil, err
	}
	return api.ListPieceEquipements200JSONResponse(mapAll(rows, toAPIPieceEquipement)), nil
}

// SetPieceEquipements is PUT /pieces/{piece_id}/equipements.
func (s *Server) SetPieceEquipements(ctx context.Context, req api.SetPieceEquipementsRequestObject) (api.SetPieceEquipementsResponseObject, error) {
	rows, err := s.deps.Pieces.SetEquipements(ctx, principal(ctx), req.PieceId, req.Body.EquipementIds)
	if err != nil {
		return nil, err
	}
	return api.SetPieceEquipements200JSONResponse(mapAll(rows, toAPIPieceEquipement)), nil
}

// ListInterventionPieces is GET /interventions/{intervention_id}/pieces.
func (s *Server) ListInterventionPieces(ctx context.Context, req api.ListInterventionPiecesRequestObject) (api.ListInterventionPiecesResponseObject, error) {
	rows, err := s.deps.Pieces.InterventionLignes(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	return api.ListInterventionPieces200JSONResponse(mapAll(rows, toAPIInterventionPiece)), nil
}

// AddInterventionPiece is POST /interventions/{intervention_id}/pieces.
func (s *Server) AddInterventionPiece(ctx context.Context, req api.AddInterventionPieceRequestObject) (api.AddInterventionPieceResponseObject, error) {
	b := req.Body
	l, err := s.deps.Pieces.AddLigne(ctx, principal(ctx), req.InterventionId, pieces.LigneInput{
		PieceID: b.PieceId, Quantite: b.Quantite, Consommer: valueOr(b.Consommer, false), Commentaire: b.Commentaire,
	})
	if err != nil {
		return nil, err
	}
	return api.AddInterventionPiece201JSONResponse(toAPIInterventionPiece(l)), nil
}

// RemoveInterventionPiece is DELETE /interventions/{intervention_id}/pieces/{ligne_id}.
func (s *Server) RemoveInterventionPiece(ctx context.Context, req api.RemoveInterventionPieceRequestObject) (api.RemoveInterventionPieceResponseObject, error) {
	l, err := s.deps.Pieces.RemoveLigne(ctx, principal(ctx), req.InterventionId, req.LigneId)
	if err != nil {
		return nil, err
	}
	return api.RemoveInterventionPiece200JSONResponse(toAPIInterventionPiece(l)), nil
}
