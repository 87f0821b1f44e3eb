package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/platform"
)

// Queries runs the scoped queries of the sqlc querier for one caller. Each method takes the
// query's parameters and overwrites their scope fields (ScopeAll, ScopeTechnicienID,
// ScopeClientID) with the caller's, so a caller can neither forget nor forge them.
//
// Reads by key run prepared (their generic plan cached); the lists, counts and aggregates, whose
// scope and optional filters only the parameter values make selective, are planned with those
// values on every call (platform.PlanEachCall); the fixed-shape default pages always run their
// cached generic plan (platform.PlanGeneric).
type Queries struct {
	q       *db.Queries // prepared, PostgreSQL's default plan cache
	each    *db.Queries // planned on each call
	generic *db.Queries // prepared, always the cached generic plan (platform.PlanGeneric)
	s       Scope
}

// Queries returns the scoped queries of s over dbtx (a pool, a connection or a transaction).
func (s Scope) Queries(dbtx db.DBTX) *Queries {
	return &Queries{q: db.New(dbtx), each: db.New(platform.PlanEachCall(dbtx)), generic: db.New(platform.PlanGeneric(dbtx)), s: s}
}

// interventions is the scope of interventions and what hangs on them (documents, history,
// figures): every row for managers, the technician's assigned rows, the client's company rows.
func (q *Queries) interventions() (all bool, technicienID, clientID *int64) {
	return q.s.manager, q.s.technicienID, q.s.clientID
}

// equipment is the scope of machines and plans: every row for the staff, the client's own.
func (q *Queries) equipment() (all bool, clientID *int64) {
	return q.s.ReadsAllEquipment(), q.s.clientID
}

// company is the scope of client companies and contracts: every row for managers, the
// client's own company (a technicien never reaches them: casbin refuses it first).
func (q *Queries) company() (all bool, clientID *int64) {
	return q.s.manager, q.s.clientID
}

// InterventionGet reads one intervention in scope.
func (q *Queries) InterventionGet(ctx context.Context, arg db.InterventionGetParams) (db.InterventionGetRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.InterventionGet(ctx, arg)
}

// InterventionLock locks one intervention in scope (MayTake widens it as the query says).
func (q *Queries) InterventionLock(ctx context.Context, arg db.InterventionLockParams) (db.InterventionLockRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	arg.MayTake = arg.MayTake && q.s.technicienID != nil
	return q.q.InterventionLock(ctx, arg)
}

// InterventionReadable reports whether an intervention is in scope.
func (q *Queries) InterventionReadable(ctx context.Context, arg db.InterventionReadableParams) (bool, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.InterventionReadable(ctx, arg)
}

// InterventionList reads a page of the interventions in scope.
func (q *Queries) InterventionList(ctx context.Context, arg db.InterventionListParams) ([]db.InterventionListRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.InterventionList(ctx, arg)
}

// InterventionListRecent reads the default page (newest first, no filter) of the interventions
// in scope with a fixed-shape prepared statement; for callers who read every intervention.
func (q *Queries) InterventionListRecent(ctx context.Context, arg db.InterventionListRecentParams) ([]db.InterventionListRecentRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.generic.InterventionListRecent(ctx, arg)
}

// InterventionCount counts the interventions in scope, up to arg.Lim.
func (q *Queries) InterventionCount(ctx context.Context, arg db.InterventionCountParams) (int64, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.InterventionCount(ctx, arg)
}

// InterventionEquipementTarget reads the machine of an intervention, if in scope.
func (q *Queries) InterventionEquipementTarget(ctx context.Context, arg db.InterventionEquipementTargetParams) (db.InterventionEquipementTargetRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.q.InterventionEquipementTarget(ctx, arg)
}

// DashboardInterventions sums the dashboard figures of the interventions in scope.
func (q *Queries) DashboardInterventions(ctx context.Context, arg db.DashboardInterventionsParams) (db.DashboardInterventionsRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.DashboardInterventions(ctx, arg)
}

// DashboardEvolution counts the interventions in scope created in each recent month.
func (q *Queries) DashboardEvolution(ctx context.Context, arg db.DashboardEvolutionParams) ([]db.DashboardEvolutionRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.DashboardEvolution(ctx, arg)
}

// DashboardEquipements sums the machine figures of the dashboard in the interventions' scope
// (the machines a caller's own interventions are about).
func (q *Queries) DashboardEquipements(ctx context.Context, arg db.DashboardEquipementsParams) (db.DashboardEquipementsRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.DashboardEquipements(ctx, arg)
}

// DocumentInterventionReadable reports whether documents may be attached to an intervention.
func (q *Queries) DocumentInterventionReadable(ctx context.Context, arg db.DocumentInterventionReadableParams) (bool, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.DocumentInterventionReadable(ctx, arg)
}

// DocumentInsert inserts a document on an intervention in scope (no row otherwise).
func (q *Queries) DocumentInsert(ctx context.Context, arg db.DocumentInsertParams) (db.Document, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.DocumentInsert(ctx, arg)
}

// DocumentGet reads one document in scope.
func (q *Queries) DocumentGet(ctx context.Context, arg db.DocumentGetParams) (db.DocumentGetRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.DocumentGet(ctx, arg)
}

// DocumentList reads a page of the documents in scope.
func (q *Queries) DocumentList(ctx context.Context, arg db.DocumentListParams) ([]db.DocumentListRow, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.DocumentList(ctx, arg)
}

// DocumentCount counts the documents in scope.
func (q *Queries) DocumentCount(ctx context.Context, arg db.DocumentCountParams) (int64, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.each.DocumentCount(ctx, arg)
}

// DocumentDelete deletes one document in scope.
func (q *Queries) DocumentDelete(ctx context.Context, arg db.DocumentDeleteParams) (string, error) {
	arg.ScopeAll, arg.ScopeTechnicienID, arg.ScopeClientID = q.interventions()
	return q.q.DocumentDelete(ctx, arg)
}

// GetEquipement reads one machine in scope.
func (q *Queries) GetEquipement(ctx context.Context, arg db.GetEquipementParams) (db.GetEquipementRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.q.GetEquipement(ctx, arg)
}

// CheckEquipement answers 404 "Équipement introuvable" unless a machine exists in scope (what
// hangs off a machine, its meters or downtime, is read only after this check).
func (q *Queries) CheckEquipement(ctx context.Context, id int64) error {
	_, err := q.GetEquipement(ctx, db.GetEquipementParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrEquipementNotFound
	}
	if err != nil {
		return fmt.Errorf("read machine %d: %w", id, err)
	}
	return nil
}

// CheckClient answers 404 "Client introuvable" unless a client company exists in scope.
func (q *Queries) CheckClient(ctx context.Context, id int64) error {
	_, err := q.GetClientScoped(ctx, db.GetClientScopedParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrClientNotFound
	}
	if err != nil {
		return fmt.Errorf("read client %d: %w", id, err)
	}
	return nil
}

// ListEquipements reads a page of the machines in scope.
func (q *Queries) ListEquipements(ctx context.Context, arg db.ListEquipementsParams) ([]db.ListEquipementsRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.ListEquipements(ctx, arg)
}

// ListEquipementsRecent reads the default page (newest first, no filter) of the machines in
// scope with a fixed-shape prepared statement; for callers who read every machine.
func (q *Queries) ListEquipementsRecent(ctx context.Context, arg db.ListEquipementsRecentParams) ([]db.ListEquipementsRecentRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.generic.ListEquipementsRecent(ctx, arg)
}

// CountEquipements counts the machines in scope.
func (q *Queries) CountEquipements(ctx context.Context, arg db.CountEquipementsParams) (int64, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.CountEquipements(ctx, arg)
}

// PlanningGet reads one plan in scope.
func (q *Queries) PlanningGet(ctx context.Context, arg db.PlanningGetParams) (db.PlanningGetRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.q.PlanningGet(ctx, arg)
}

// PlanningList reads a page of the plans in scope.
func (q *Queries) PlanningList(ctx context.Context, arg db.PlanningListParams) ([]db.PlanningListRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.PlanningList(ctx, arg)
}

// PlanningListProchaines reads the default page (soonest next date first, no filter) of the plans
// in scope with a fixed-shape statement and its cached generic plan.
func (q *Queries) PlanningListProchaines(ctx context.Context, arg db.PlanningListProchainesParams) ([]db.PlanningListProchainesRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.generic.PlanningListProchaines(ctx, arg)
}

// PlanningCountAll counts every plan in scope (no filter) with a fixed-shape statement.
func (q *Queries) PlanningCountAll(ctx context.Context, arg db.PlanningCountAllParams) (int64, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.generic.PlanningCountAll(ctx, arg)
}

// PlanningCount counts the plans in scope.
func (q *Queries) PlanningCount(ctx context.Context, arg db.PlanningCountParams) (int64, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.each.PlanningCount(ctx, arg)
}

// PlanningEquipement reads the machine of a plan, if in scope.
func (q *Queries) PlanningEquipement(ctx context.Context, arg db.PlanningEquipementParams) (db.PlanningEquipementRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.equipment()
	return q.q.PlanningEquipement(ctx, arg)
}

// GetClientScoped reads one client company in scope.
func (q *Queries) GetClientScoped(ctx context.Context, arg db.GetClientScopedParams) (db.GetClientScopedRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.q.GetClientScoped(ctx, arg)
}

// ListClientsScoped reads a page of the client companies in scope.
func (q *Queries) ListClientsScoped(ctx context.Context, arg db.ListClientsScopedParams) ([]db.ListClientsScopedRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.each.ListClientsScoped(ctx, arg)
}

// CountClientsScoped counts the client companies in scope.
func (q *Queries) CountClientsScoped(ctx context.Context, arg db.CountClientsScopedParams) (int64, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.each.CountClientsScoped(ctx, arg)
}

// GetContratScoped reads one contract in scope.
func (q *Queries) GetContratScoped(ctx context.Context, arg db.GetContratScopedParams) (db.GetContratScopedRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.q.GetContratScoped(ctx, arg)
}

// ListContratsScoped reads a page of the contracts in scope.
func (q *Queries) ListContratsScoped(ctx context.Context, arg db.ListContratsScopedParams) ([]db.ListContratsScopedRow, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.each.ListContratsScoped(ctx, arg)
}

// CountContratsScoped counts the contracts in scope.
func (q *Queries) CountContratsScoped(ctx context.Context, arg db.CountContratsScopedParams) (int64, error) {
	arg.ScopeAll, arg.ScopeClientID = q.company()
	return q.each.CountContratsScoped(ctx, arg)
}
