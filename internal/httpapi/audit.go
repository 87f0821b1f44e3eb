package httpapi

import (
	"context"
	"net/http"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/audit/trail"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/rapports"
)

// ListAudit is GET /audit (admins).
func (s *Server) ListAudit(ctx context.Context, req api.ListAuditRequestObject) (api.ListAuditResponseObject, error) {
	p := req.Params
	f := auditFilter(p.Actor, p.Action, p.ResourceType, p.ResourceId, p.Outcome, p.RequestId, p.From, p.To)
	f.Limit, f.Offset = valueOr(p.Limit, paging.Default), valueOr(p.Offset, 0)
	rows, total, err := s.deps.Trail.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	return api.ListAudit200JSONResponse{Body: mapAll(rows, toAPIAuditEntry),
		Headers: api.ListAudit200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// ExportAudit is GET /audit/export (admins).
func (s *Server) ExportAudit(ctx context.Context, req api.ExportAuditRequestObject) (api.ExportAuditResponseObject, error) {
	p := req.Params
	f := auditFilter(p.Actor, p.Action, p.ResourceType, p.ResourceId, p.Outcome, p.RequestId, p.From, p.To)
	cols := []C{{Titre: "N°", Kind: rapports.Entier}, {Titre: "Date", Kind: rapports.DateHeure},
		{Titre: "Acteur n°", Kind: rapports.Entier}, {Titre: "Acteur"}, {Titre: "Rôle"}, {Titre: "Action"}, {Titre: "Résultat"},
		{Titre: "Type de ressource"}, {Titre: "Ressource"}, {Titre: "Adresse IP"}, {Titre: "Requête"}, {Titre: "Détails"}}
	e, err := newExport(ctx, s, "audit", "Journal d'audit", stringOf(p.Format), p.Limit, cols,
		func(limit, offset int) ([]trail.Entry, error) {
			f.Limit, f.Offset = limit, offset
			rows, _, err := s.deps.Trail.List(ctx, principal(ctx), f)
			return rows, err
		},
		noNames[trail.Entry],
		func(a trail.Entry, _ *rapports.Names) []any {
			return []any{a.ID, a.OccurredAt, a.ActorID, a.ActorUsername, a.ActorRole, a.Action, a.Outcome,
				a.ResourceType, a.ResourceID, a.ClientIp, a.RequestID, string(a.Details)}
		})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (e tableExport) VisitExportAuditResponse(w http.ResponseWriter) error { return e.write(w) }

func auditFilter(actor *int64, action, resourceType, resourceID *string, outcome *api.AuditOutcome, requestID *string,
	from, to *time.Time) trail.Filter {
	return trail.Filter{ActorID: actor, Action: stringOf(action), ResourceType: stringOf(resourceType),
		ResourceID: stringOf(resourceID), Outcome: stringOf(outcome), RequestID: stringOf(requestID), From: from, To: to}
}

func toAPIAuditEntry(a trail.Entry) api.AuditEntry {
	return api.AuditEntry{Id: a.ID, OccurredAt: a.OccurredAt, ActorId: a.ActorID, ActorUsername: a.ActorUsername,
		ActorRole: a.ActorRole, Action: a.Action, Outcome: api.AuditOutcome(a.Outcome), ResourceType: a.ResourceType,
		ResourceId: a.ResourceID, ClientIp: a.ClientIp, RequestId: a.RequestID, Details: a.DetailsMap()}
}
