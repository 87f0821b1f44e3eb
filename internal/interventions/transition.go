package interventions

import (
	"fmt"
	"slices"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/text"
)

// transition is what the lifecycle decided for one request on a locked intervention. Deciding
// and applying it are pure: the service reads the row and the technician before, and writes the
// results after.
type transition struct {
	action Action // what the caller asked for (it names the audit entry)
	steps  []Step
	in     ActionInput // checked; TechnicienID is the assignee of an Assign step (nil: the caller takes it)
}

// decideFunc decides, on the locked row, which action and steps apply, with the checked input.
type decideFunc func(c caller, r Row) (transition, error)

// decideAction decides action a (POST /interventions/{id}/actions/{action}) on r for c: 403 when
// its role may not, 409 when the state forbids it, 422 when the input does not fit.
func decideAction(c caller, r Row, a Action, in ActionInput) (transition, error) {
	from := Statut(r.Statut)
	steps, d := Plan(from, a, c.actor(r))
	if err := decisionError(d, a, from, string(Target(a)), c.actor(r)); err != nil {
		return transition{}, err
	}
	checked, err := checkInput(a, in, false)
	return transition{action: a, steps: steps, in: checked}, err
}

// decideStatut decides the original's PATCH /interventions/{id}/statut?statut=target on r for c
// (PlanStatut). A cancellation takes the remark as its reason; `affectee` re-confirms the
// technician already set, or lets a technicien take an open intervention.
func decideStatut(c caller, r Row, target Statut, remarque *string) (transition, error) {
	from := Statut(r.Statut)
	a, steps, d := PlanStatut(from, target, c.actor(r))
	if err := decisionError(d, a, from, string(target), c.actor(r)); err != nil {
		return transition{}, err
	}
	taking := a == Assign && c.lifecycleRole() == RoleTechnicien
	in := ActionInput{Remarque: remarque}
	switch {
	case a == Cancel:
		in = ActionInput{Motif: text.Optional(remarque)}
		if in.Motif == nil {
			return transition{}, apperr.InvalidField("remarque", "le motif d'annulation (remarque) est requis pour annuler")
		}
	case a == Assign && !taking:
		if r.TechnicienID == nil {
			return transition{}, apperr.InvalidField("statut",
				"aucun technicien à affecter : utilisez POST /interventions/{id}/actions/assign avec technicien_id")
		}
		in.TechnicienID = r.TechnicienID
	}
	checked, err := checkInput(a, in, taking)
	return transition{action: a, steps: steps, in: checked}, err
}

// refusal orders the refusals of a request: 403 (the decision) before 412 (a stale If-Match,
// fresh false) before the decision's 409 and 422.
func refusal(decision error, fresh bool) error {
	if apperr.IsKind(decision, apperr.KindForbidden) {
		return decision
	}
	if !fresh {
		return errStale
	}
	return decision
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

// assigns reports whether one of the steps assigns a technician (the service then reads it
// before applying).
func (t transition) assigns() bool {
	return slices.ContainsFunc(t.steps, func(st Step) bool { return st.Action == Assign })
}

// closes reports whether one of t's steps closes the intervention.
func (t transition) closes() bool {
	return slices.ContainsFunc(t.steps, func(st Step) bool { return st.Action == Close })
}

// taken reports whether the caller takes the intervention itself rather than naming a technician.
func (t transition) taken() bool { return t.in.TechnicienID == nil }

// assignee is the technician an Assign step gives the intervention to.
type assignee struct {
	id   int64
	name string // full name, for the history
}

// record is one history row to write: a step and its remark.
type record struct {
	Step
	remarque *string
}

// apply moves r through the steps at now, each with its side effects (Step.effect), and returns
// the row to save and the history rows to write, in order; the caller's remark goes on the last
// one. who is the technician of an Assign step (nil when no step assigns). r is not changed.
func (t transition) apply(r Row, who *assignee, now time.Time) (Row, []record, error) {
	if who == nil && t.assigns() {
		return Row{}, nil, fmt.Errorf("assign intervention %d: no technician read", r.ID)
	}
	records := make([]record, len(t.steps))
	for i, st := range t.steps {
		st.effect(&r, t.in, who, now)
		r.Statut = db.InterventionStatut(st.To)
		records[i] = record{Step: st, remarque: st.remark(t.in, who)}
	}
	if n := len(records); n > 0 && t.in.Remarque != nil {
		records[n-1].remarque = joinRemark(records[n-1].remarque, *t.in.Remarque)
	}
	return r, records, nil
}

// effect is what step st does to r besides moving its statut: the dates of the lifecycle, the
// technician assigned, the closing report and costs, the reason of a cancellation.
func (st Step) effect(r *Row, in ActionInput, who *assignee, now time.Time) {
	switch st.Action {
	case Assign:
		r.TechnicienID = ptr(who.id)
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
}

// remark is the history remark of step st (nil: none), before the caller's own.
func (st Step) remark(in ActionInput, who *assignee) *string {
	switch st.Action {
	case Assign:
		if in.TechnicienID == nil {
			return ptr("Prise en charge par " + who.name)
		}
		return ptr("Affectation à " + who.name)
	case Cancel:
		return in.Motif
	}
	return nil
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
