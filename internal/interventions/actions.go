package interventions

import (
	"context"
	"errors"
	"fmt"
	"github.com/mif-erp/erp/internal/text"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
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

// transitionError is the 409 of a refused move: the allowed actions for this caller go in the
// problem's errors (field actions_possibles).
func transitionError(from Statut, to string, possible []Action) error {
	fields := make([]apperr.FieldError, len(possible))
	for i, a := range possible {
		fields[i] = apperr.FieldError{Field: "actions_possibles", Message: string(a)}
	}
	return &apperr.Error{Kind: apperr.KindConflict,
		Message: fmt.Sprintf("Transition interdite : %s -> %s", from, to), Fields: fields}
}

// checkInput checks the fields an action carries: the ones it needs, and none it ignores.
// taking: a technicien assigns itself (no technicien_id).
func checkInput(a Action, in ActionInput, taking bool) (ActionInput, error) {
	var fields []apperr.FieldError
	unexpected := func(name string, set bool) {
		if set {
			fields = append(fields, apperr.FieldError{Field: name, Message: "sans objet pour l'action " + string(a)})
		}
	}
	in.Remarque = text.Optional(in.Remarque)
	fields = text.CheckOptional(fields, "remarque", in.Remarque, maxRemarque)
	if a == Assign && !taking {
		if in.TechnicienID == nil {
			fields = append(fields, apperr.FieldError{Field: "technicien_id", Message: "requis pour affecter"})
		}
	} else {
		unexpected("technicien_id", in.TechnicienID != nil)
	}
	if a == Cancel {
		in.Motif = text.Optional(in.Motif)
		if in.Motif == nil {
			fields = append(fields, apperr.FieldError{Field: "motif", Message: "le motif d'annulation est requis"})
		}
		fields = text.CheckOptional(fields, "motif", in.Motif, maxRemarque)
	} else {
		unexpected("motif", in.Motif != nil)
	}
	if a == Close {
		in.Rapport = text.Optional(in.Rapport)
		fields = text.CheckOptional(fields, "rapport", in.Rapport, maxRapport)
		if in.DureeMinutes != nil && (*in.DureeMinutes < 0 || *in.DureeMinutes > 1_000_000) {
			fields = append(fields, apperr.FieldError{Field: "duree_minutes", Message: "entre 0 et 1000000"})
		}
		if in.CoutMainOeuvre != nil && *in.CoutMainOeuvre < 0 {
			fields = append(fields, apperr.FieldError{Field: "cout_main_oeuvre", Message: "doit être positif ou nul"})
		}
		if in.CoutPieces != nil && *in.CoutPieces < 0 {
			fields = append(fields, apperr.FieldError{Field: "cout_pieces", Message: "doit être positif ou nul"})
		}
	} else {
		unexpected("rapport", in.Rapport != nil)
		unexpected("duree_minutes", in.DureeMinutes != nil)
		unexpected("cout_main_oeuvre", in.CoutMainOeuvre != nil)
		unexpected("cout_pieces", in.CoutPieces != nil)
	}
	if len(fields) > 0 {
		return in, apperr.Validation(fields...)
	}
	return in, nil
}

// decided is what a planFunc settles on the locked row.
type decided struct {
	action Action
	steps  []Step
	in     ActionInput // checked; TechnicienID is the assignee of an Assign step (nil: the caller takes it)
}

// planFunc decides, on the locked row, which action and steps apply, with the checked input.
type planFunc func(c caller, r Row) (decided, error)

// Apply applies a lifecycle action (POST /interventions/{id}/actions/{action}).
func (s *Service) Apply(ctx context.Context, actor auth.Principal, id int64, a Action, in ActionInput, expect Expect) (Result, error) {
	if !a.Valid() {
		return Result{}, apperr.InvalidField("action", "action inconnue")
	}
	return s.change(ctx, actor, id, string(a), expect, a == Start, func(c caller, r Row) (decided, error) {
		from := Statut(r.Statut)
		steps, d := Plan(from, a, c.actor(r))
		if err := decisionError(d, a, from, string(Target(a)), c.actor(r)); err != nil {
			return decided{}, err
		}
		checked, err := checkInput(a, in, false)
		return decided{action: a, steps: steps, in: checked}, err
	})
}

// ChangeStatut is the original's PATCH /interventions/{id}/statut?statut=X&remarque=..., mapped
// onto the lifecycle (PlanStatut). A cancellation takes the remark as its reason; `affectee`
// re-confirms the technician already set, or lets a technicien take an open intervention.
func (s *Service) ChangeStatut(ctx context.Context, actor auth.Principal, id int64, target Statut, remarque *string, expect Expect) (Result, error) {
	if !slices.Contains(Statuts, target) {
		return Result{}, apperr.InvalidField("statut", "statut inconnu")
	}
	if fields := text.CheckOptional(nil, "remarque", remarque, maxRemarque); len(fields) > 0 {
		return Result{}, apperr.Validation(fields...)
	}
	mayTake := target == EnCours || target == Affectee
	return s.change(ctx, actor, id, "statut="+string(target), expect, mayTake, func(c caller, r Row) (decided, error) {
		from := Statut(r.Statut)
		a, steps, d := PlanStatut(from, target, c.actor(r))
		if err := decisionError(d, a, from, string(target), c.actor(r)); err != nil {
			return decided{}, err
		}
		taking := a == Assign && c.lifecycleRole() == RoleTechnicien
		in := ActionInput{Remarque: remarque}
		switch {
		case a == Cancel:
			in = ActionInput{Motif: text.Optional(remarque)}
			if in.Motif == nil {
				return decided{}, apperr.InvalidField("remarque", "le motif d'annulation (remarque) est requis pour annuler")
			}
		case a == Assign && !taking:
			if r.TechnicienID == nil {
				return decided{}, apperr.InvalidField("statut",
					"aucun technicien à affecter : utilisez POST /interventions/{id}/actions/assign avec technicien_id")
			}
			in.TechnicienID = r.TechnicienID
		}
		checked, err := checkInput(a, in, taking)
		return decided{action: a, steps: steps, in: checked}, err
	})
}

// decisionError turns a refused plan of action a into its error (nil when allowed).
func decisionError(d Decision, a Action, from Statut, to string, actor Actor) error {
	switch d {
	case Forbidden:
		if actor.Role == RoleTechnicien && a != "" {
			return apperr.Forbidden("Action %s réservée aux responsables : un technicien démarre, suspend, reprend et clôture les interventions qui lui sont affectées", a)
		}
		return apperr.Forbidden("Action non autorisée sur cette intervention pour votre rôle")
	case Invalid:
		return transitionError(from, to, Possible(from, actor))
	}
	return nil
}

// change runs one lifecycle change in a transaction: lock the row the caller may change, decide
// (403 before 412 before 409 and 422), apply the steps, save, one history row per step, audit.
// A refusal by role on a row the caller may read is audited too (what names the request).
func (s *Service) change(ctx context.Context, actor auth.Principal, id int64, what string, expect Expect, mayTake bool, plan planFunc) (Result, error) {
	var res Result
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c := callerOf(actor)
		r, err := c.lock(ctx, tx, id, mayTake)
		if err != nil {
			return err
		}
		dec, err := plan(c, r)
		if apperr.IsKind(err, apperr.KindForbidden) {
			return err
		}
		if !expect.holds(r.Version) {
			return errStale
		}
		if err != nil {
			return err
		}
		before := Statut(r.Statut)
		warnings := []string{}
		now := r.DbNow
		in := dec.in
		var assignee string
		for _, st := range dec.steps {
			switch st.Action {
			case Assign:
				techID := in.TechnicienID
				if techID == nil { // a technicien taking it
					techID = c.TechnicienID()
				}
				t, err := q.InterventionTechnicienTarget(ctx, db.InterventionTechnicienTargetParams{ID: *techID, InterventionID: r.ID})
				if errors.Is(err, pgx.ErrNoRows) {
					return errTechnicienCibleNotFound
				}
				if err != nil {
					return fmt.Errorf("technician %d: %w", *techID, err)
				}
				if in.TechnicienID != nil {
					warnings = assignWarnings(t)
				}
				assignee = t.FullName
				r.TechnicienID = &t.ID
				r.DateAffectation = &now
			case Start:
				r.DateDebutTravaux = &now
			case Close:
				r.DateFinTravaux, r.DateCloture = &now, &now
				if in.Rapport != nil {
					r.Rapport = in.Rapport
				}
				if in.DureeMinutes != nil {
					r.DureeMinutes = ptr(int32(*in.DureeMinutes))
				}
				if in.CoutMainOeuvre != nil {
					r.CoutMainOeuvre = in.CoutMainOeuvre
				}
				if in.CoutPieces != nil {
					r.CoutPieces = in.CoutPieces
				}
			case Cancel:
				r.MotifAnnulation = in.Motif
			case Archive:
				r.DateArchivage = &now
			}
			r.Statut = db.InterventionStatut(st.To)
		}
		saved, err := save(ctx, q, r)
		if err != nil {
			return err
		}
		for i, st := range dec.steps {
			var remarque *string
			switch st.Action {
			case Assign:
				if in.TechnicienID == nil {
					remarque = ptr("Prise en charge par " + assignee)
				} else {
					remarque = ptr("Affectation à " + assignee)
				}
			case Cancel:
				remarque = in.Motif
			}
			if i == len(dec.steps)-1 && in.Remarque != nil { // the caller's remark goes on the last step
				remarque = joinRemark(remarque, *in.Remarque)
			}
			from := st.From
			if err := history(ctx, q, r.ID, string(st.Action), &from, st.To, remarque, actor.UserID); err != nil {
				return err
			}
		}
		if err := notifyChange(ctx, tx, dec.steps, saved, in.TechnicienID == nil, actor.UserID); err != nil {
			return err
		}
		res = Result{Intervention: c.view(saved), Avertissements: warnings}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention." + string(dec.action), ResourceType: "intervention", ResourceID: strconv.FormatInt(r.ID, 10),
			Details: map[string]any{"statut_avant": before, "statut_apres": saved.Statut, "technicien_id": saved.TechnicienID,
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

func joinRemark(base *string, extra string) *string {
	if base == nil {
		return &extra
	}
	return ptr(*base + " : " + extra)
}

// assignWarnings are the non-blocking concerns about assigning t.
func assignWarnings(t db.InterventionTechnicienTargetRow) []string {
	w := []string{}
	if !t.IsActive {
		w = append(w, "Le compte du technicien est désactivé")
	}
	if t.Disponibilite != db.TechnicienDisponibiliteDisponible {
		w = append(w, fmt.Sprintf("Le technicien est indisponible (%s)", t.Disponibilite))
	}
	if t.NbCompetences == 0 {
		w = append(w, "Le technicien n'a aucune compétence enregistrée")
	}
	if t.Charge >= MaxActiveInterventions {
		w = append(w, fmt.Sprintf("Le technicien a déjà %d interventions actives", t.Charge))
	}
	return w
}

// notifyChange writes, in the transaction of a lifecycle change, the notifications of its
// steps: the assigned technician (affectation; not when it takes the intervention itself), and
// on closing the creator, the responsables and the client (cloture).
func notifyChange(ctx context.Context, tx pgx.Tx, steps []Step, r Row, taken bool, actorID int64) error {
	sub := notifications.Subject{InterventionID: r.ID, Titre: r.Titre, DateLimite: r.DateLimite}
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
		}
	}
	return nil
}
