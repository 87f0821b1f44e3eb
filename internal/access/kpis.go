package access

import (
	"context"

	"github.com/mif-erp/erp/gen/db"
)

// The figures of GET /kpis: aggregates planned with their values on each call.

// KpiMachines reads the machines in scope counted by the indicators.
func (q *Queries) KpiMachines(ctx context.Context, arg db.KpiMachinesParams) ([]db.KpiMachinesRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.KpiMachines(ctx, arg)
}

// KpiArrets reads the downtime records of the machines in scope that overlap a window.
func (q *Queries) KpiArrets(ctx context.Context, arg db.KpiArretsParams) ([]db.KpiArretsRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.KpiArrets(ctx, arg)
}

// KpiInterventions counts the interventions in scope created and closed in a window.
func (q *Queries) KpiInterventions(ctx context.Context, arg db.KpiInterventionsParams) (db.KpiInterventionsRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.KpiInterventions(ctx, arg)
}

// KpiPreventif counts the preventive interventions in scope due in a window.
func (q *Queries) KpiPreventif(ctx context.Context, arg db.KpiPreventifParams) (db.KpiPreventifRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.KpiPreventif(ctx, arg)
}

// KpiTemps sums the labour on the interventions in scope in a window.
func (q *Queries) KpiTemps(ctx context.Context, arg db.KpiTempsParams) (db.KpiTempsRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.KpiTemps(ctx, arg)
}

// KpiBacklog measures the open interventions in scope.
func (q *Queries) KpiBacklog(ctx context.Context, arg db.KpiBacklogParams) (db.KpiBacklogRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.KpiBacklog(ctx, arg)
}

// KpiCouts rolls up the costs of the interventions in scope in a window.
func (q *Queries) KpiCouts(ctx context.Context, arg db.KpiCoutsParams) ([]db.KpiCoutsRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.KpiCouts(ctx, arg)
}

// KpiSerie counts the interventions in scope and their costs by bucket of a window.
func (q *Queries) KpiSerie(ctx context.Context, arg db.KpiSerieParams) ([]db.KpiSerieRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.KpiSerie(ctx, arg)
}

// KpiNoms reads the names of machines in scope.
func (q *Queries) KpiNoms(ctx context.Context, arg db.KpiNomsParams) ([]db.KpiNomsRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.q.KpiNoms(ctx, arg)
}
