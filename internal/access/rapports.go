package access

import (
	"context"

	"github.com/mif-erp/erp/gen/db"
)

// The contents of generated reports, read for their requester: lists planned on each call.

// RapportContenuInterventions reads the interventions in scope created in a window.
func (q *Queries) RapportContenuInterventions(ctx context.Context, arg db.RapportContenuInterventionsParams) ([]db.RapportContenuInterventionsRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.RapportContenuInterventions(ctx, arg)
}

// RapportContenuEquipements reads the machines in scope with their figures of a window.
func (q *Queries) RapportContenuEquipements(ctx context.Context, arg db.RapportContenuEquipementsParams) ([]db.RapportContenuEquipementsRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.RapportContenuEquipements(ctx, arg)
}

// RapportContenuClients reads the client companies in scope with their figures of a window.
func (q *Queries) RapportContenuClients(ctx context.Context, arg db.RapportContenuClientsParams) ([]db.RapportContenuClientsRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.each.RapportContenuClients(ctx, arg)
}

// RapportContenuPlanning reads the plans of the machines in scope with their figures of a window.
func (q *Queries) RapportContenuPlanning(ctx context.Context, arg db.RapportContenuPlanningParams) ([]db.RapportContenuPlanningRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.RapportContenuPlanning(ctx, arg)
}

// RapportContenuFactures reads the invoices of the contracts in scope issued in a window.
func (q *Queries) RapportContenuFactures(ctx context.Context, arg db.RapportContenuFacturesParams) ([]db.RapportContenuFacturesRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.each.RapportContenuFactures(ctx, arg)
}

// RapportBonEntete reads the names around an intervention in scope (its PDF report).
func (q *Queries) RapportBonEntete(ctx context.Context, arg db.RapportBonEnteteParams) (db.RapportBonEnteteRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.RapportBonEntete(ctx, arg)
}
