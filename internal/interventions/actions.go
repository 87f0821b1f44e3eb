package interventions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/arrets"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// MaxActiveInterventions is the workload from which assigning one more warns.
const MaxActiveInterventions = 5

// ActionInput is what an action may carry (which fields apply depends on the action).
type ActionInput struct {
	TechnicienID   *int64  // assign (required)
	Remarque       *string // any action: kept in the history
	Motif          *string // cancel (required)
	Rapport        *string // close
	DureeMinutes   *int    // close
	CoutMainOeuvre *int64  // close
	CoutPieces     *int64  // close
}

// Result is an intervention after an action, with the non-blocking warnings of an assignment.
type Result struct {
	Intervention   Intervention
	Avertissements []string // never nil
}

// Apply applies a lifecycle action (POST /interventions/{id}/actions/{action}).
func (s *Service) Apply(ctx context.Context, actor auth.Principal, id int64, a Action, in ActionInput, expect Expect) (Result, error) {
	if !a.Valid() {
		return Result{}, apperr.InvalidField("action", "action inconnue")
	}
	return s.change(ctx, actor, id, string(a), expect, a == Start, func(c caller, r Row) (transition, error) {
		return decideAction(c, r, a, in)
	})
}

// ChangeStatut is the original's PATCH /interventions/{id}/statut?statut=X&remarque=..., mapped
// onto the lifecycle (decideStatut).
func (s *Service) ChangeStatut(ctx context.Context, actor auth.Principal, id int64, target Statut, remarque *string, expect Expect) (Result, error) {
	if !slices.Contains(Statuts, target) {
		return Result{}, apperr.InvalidField("statut", "statut inconnu")
	}
	if fields := text.CheckOptional(nil, "remarque", remarque, maxRemarque); len(fields) > 0 {
		return Result{}, apperr.Validation(fields...)
	}
	// Asking for the statut it already has changes nothing and answers it (a retry, a form sent
	// twice): no history, no notification.
	if v, err := s.Get(ctx, actor, id); err == nil && Statut(v.Statut) == target {
		if !expect.holds(v.Version) {
			return Result{}, errStale
		}
		return Result{Intervention: v, Avertissements: []string{}}, nil
	}
	mayTake := target == EnCours || target == Affectee
	return s.change(ctx, actor, id, "statut="+string(target), expect, mayTake, func(c caller, r Row) (transition, error) {
		return decideStatut(c, r, target, remarque)
	})
}

// change runs one lifecycle change in a transaction: lock the row the caller may change, decide
// (403 before 412 before 409 and 422), read the technician an assignment names, apply the steps
// (pure), save, one history row per step, notifications, audit. A refusal by role on a row the
// caller may read is audited too (what names the request).
func (s *Service) change(ctx context.Context, actor auth.Principal, id int64, what string, expect Expect, mayTake bool, decide decideFunc) (Result, error) {
	var res Result
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c := callerOf(actor)
		r, err := c.lock(ctx, tx, id, mayTake)
		if err != nil {
			return err
		}
		t, err := decide(c, r)
		if err := refusal(err, expect.holds(r.Version)); err != nil {
			return err
		}
		who, warnings, err := readAssignee(ctx, q, c, r.ID, t)
		if err != nil {
			return err
		}
		next, records, err := t.apply(r, who, r.DbNow)
		if err != nil {
			return err
		}
		if err := s.settle(ctx, tx, t.steps, &next, actor.UserID); err != nil {
			return err
		}
		if t.closes() {
			if err := checkChecklistDone(ctx, q, r.ID); err != nil {
				return err
			}
			if err := arrets.Repaired(ctx, tx, r.ID, &actor.UserID, r.DbNow); err != nil {
				return err
			}
		}
		saved, err := save(ctx, q, next)
		if err != nil {
			return err
		}
		for _, rec := range records {
			from := rec.From
			if err := history(ctx, q, r.ID, string(rec.Action), &from, rec.To, rec.remarque, actor.UserID); err != nil {
				return err
			}
		}
		if err := notifyChange(ctx, tx, t.steps, saved, t.taken(), actor.UserID, s.zone); err != nil {
			return err
		}
		res = Result{Intervention: c.view(saved), Avertissements: warnings}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention." + string(t.action), ResourceType: "intervention", ResourceID: strconv.FormatInt(r.ID, 10),
			Details: map[string]any{"statut_avant": Statut(r.Statut), "statut_apres": saved.Statut, "technicien_id": saved.TechnicienID,
				"avertissements": warnings}})
	})
	if apperr.IsKind(err, apperr.KindForbidden) {
		if auditErr := audit.Write(ctx, s.pool, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention.denied", ResourceType: "intervention", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"demande": what}}); auditErr != nil {
			return Result{}, fmt.Errorf("audit refusal on intervention %d: %w", id, auditErr)
		}
	}
	if err != nil {
		return Result{}, fmt.Errorf("intervention %d: %w", id, err)
	}
	return res, nil
}

// readAssignee reads the technician an Assign step of t gives intervention id to (the one named,
// else the caller taking it), with the warnings of naming it (never nil; none when taken). Nil
// when no step assigns.
func readAssignee(ctx context.Context, q *db.Queries, c caller, id int64, t transition) (*assignee, []string, error) {
	warnings := []string{}
	if !t.assigns() {
		return nil, warnings, nil
	}
	techID := t.in.TechnicienID
	if techID == nil { // a technicien taking it
		techID = c.TechnicienID()
	}
	tech, err := q.InterventionTechnicienTarget(ctx, db.InterventionTechnicienTargetParams{ID: *techID, InterventionID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, errTechnicienCibleNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("technician %d: %w", *techID, err)
	}
	if !t.taken() {
		warnings = assignWarnings(tech)
	}
	return &assignee{id: tech.ID, name: tech.FullName}, warnings, nil
}

// notifyChange writes, in the transaction of a lifecycle change, the notifications of its
// steps: the assigned technician (affectation; not when it takes the intervention itself), and
// on closing the creator, the responsables and the client (cloture); their texts read the
// deadline in zone.
func notifyChange(ctx context.Context, tx pgx.Tx, steps []Step, r Row, taken bool, actorID int64, zone *time.Location) error {
	sub := notifications.Subject{InterventionID: r.ID, Titre: r.Titre, DateLimite: r.DateLimite, Zone: zone}
	for _, st := range steps {
		switch st.Action {
		case Assign:
			if r.TechnicienID != nil && !taken {
				if err := notifications.Assigned(ctx, tx, sub, *r.TechnicienID, &actorID); err != nil {
					return err
				}
			}
		case Close:
			if err := notifications.Closed(ctx, tx, sub, &actorID); err != nil {
				return err
			}
		case Cancel:
			if r.TechnicienID != nil {
				motif := ""
				if r.MotifAnnulation != nil {
					motif = *r.MotifAnnulation
				}
				if err := notifications.Cancelled(ctx, tx, sub, *r.TechnicienID, motif, &actorID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
