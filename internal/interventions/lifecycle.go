package interventions

import "slices"

// Statut is the lifecycle state of an intervention (DESIGN section 9).
type Statut string

// The lifecycle states.
const (
	Ouverte   Statut = "ouverte"
	Affectee  Statut = "affectee"
	EnCours   Statut = "en_cours"
	EnAttente Statut = "en_attente"
	Cloturee  Statut = "cloturee"
	Annulee   Statut = "annulee"
	Archivee  Statut = "archivee"
)

// Statuts lists every state in lifecycle order.
var Statuts = []Statut{Ouverte, Affectee, EnCours, EnAttente, Cloturee, Annulee, Archivee}

// Active reports whether work is still expected (the deadline still runs).
func (s Statut) Active() bool {
	return s == Ouverte || s == Affectee || s == EnCours || s == EnAttente
}

// Editable reports whether the fields may still be changed.
func (s Statut) Editable() bool { return s != Cloturee && s != Annulee && s != Archivee }

// Finished reports whether the work was done (cloturee or archivee).
func (s Statut) Finished() bool { return s == Cloturee || s == Archivee }

// Action is a lifecycle action.
type Action string

// The lifecycle actions.
const (
	Assign  Action = "assign"
	Start   Action = "start"
	Pause   Action = "pause"
	Resume  Action = "resume"
	Close   Action = "close"
	Cancel  Action = "cancel"
	Archive Action = "archive"
)

// Actions lists every action in the order they are offered to callers.
var Actions = []Action{Assign, Start, Pause, Resume, Close, Cancel, Archive}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// edge is one row of the lifecycle table: an action, the states it applies to and its result.
type edge struct {
	from []Statut
	to   Statut
}

// lifecycle is DESIGN section 9's table. Nothing else moves an intervention.
var lifecycle = map[Action]edge{
	Assign:  {from: []Statut{Ouverte, Affectee}, to: Affectee},
	Start:   {from: []Statut{Affectee}, to: EnCours},
	Pause:   {from: []Statut{EnCours}, to: EnAttente},
	Resume:  {from: []Statut{EnAttente}, to: EnCours},
	Close:   {from: []Statut{EnCours, EnAttente}, to: Cloturee},
	Cancel:  {from: []Statut{Ouverte, Affectee, EnCours, EnAttente}, to: Annulee},
	Archive: {from: []Statut{Cloturee}, to: Archivee},
}

// Target is the state an action leads to (whatever the current state).
func Target(a Action) Statut { return lifecycle[a].to }

// Next is the state after applying a in state s; false when the table forbids it.
func Next(s Statut, a Action) (Statut, bool) {
	e, ok := lifecycle[a]
	if !ok || !slices.Contains(e.from, s) {
		return "", false
	}
	return e.to, true
}

// Role is what a caller is, as far as the lifecycle cares.
type Role int

// Caller roles.
const (
	RoleNone       Role = iota // clients and anyone else: no lifecycle action
	RoleManager                // admin, responsable: every action
	RoleTechnicien             // start, pause, resume, close on its own interventions
)

// technicienActions are the actions a technicien may apply to an intervention assigned to it.
var technicienActions = []Action{Start, Pause, Resume, Close}

// Actor is a caller seen from one intervention.
type Actor struct {
	Role Role
	// Assigned: the intervention is assigned to the caller's technician profile.
	Assigned bool
	// CanTake: the caller is a technicien with a profile and the intervention is ouverte and
	// unassigned, so the caller may take it (be assigned and start at once).
	CanTake bool
}

// Step is one recorded change: an action moving the intervention between two states. One
// request may make two steps (a technicien taking an open intervention: assign then start).
type Step struct {
	Action   Action
	From, To Statut
}

// Decision is the outcome of asking the lifecycle whether an actor may apply an action.
type Decision int

// Outcomes of Plan.
const (
	Allowed   Decision = iota // the steps may be applied
	Forbidden                 // the actor's role may never apply this action here (403)
	Invalid                   // the state forbids it (409)
)

// Plan decides whether actor may apply a in state s, and returns the steps to record.
func Plan(s Statut, a Action, actor Actor) ([]Step, Decision) {
	switch actor.Role {
	case RoleManager:
	case RoleTechnicien:
		if !slices.Contains(technicienActions, a) {
			return nil, Forbidden
		}
		if a == Start && s == Ouverte && actor.CanTake {
			return []Step{{Action: Assign, From: Ouverte, To: Affectee}, {Action: Start, From: Affectee, To: EnCours}}, Allowed
		}
		if !actor.Assigned {
			return nil, Forbidden
		}
	default:
		return nil, Forbidden
	}
	to, ok := Next(s, a)
	if !ok {
		return nil, Invalid
	}
	return []Step{{Action: a, From: s, To: to}}, Allowed
}

// Possible lists the actions actor may apply now in state s, in Actions order (never nil).
func Possible(s Statut, actor Actor) []Action {
	out := []Action{}
	for _, a := range Actions {
		if _, d := Plan(s, a, actor); d == Allowed {
			out = append(out, a)
		}
	}
	return out
}

// PlanStatut is Plan for the original's `PATCH /interventions/{id}/statut?statut=X`: the target
// state is mapped onto an action (ActionForStatut). One move exists only there: a technicien
// asking for `affectee` on an intervention it may take is assigned to it (without starting).
func PlanStatut(s, target Statut, actor Actor) (Action, []Step, Decision) {
	a, ok := ActionForStatut(s, target)
	if !ok {
		if actor.Role == RoleNone {
			return "", nil, Forbidden
		}
		return "", nil, Invalid
	}
	if a == Assign && actor.Role == RoleTechnicien && s == Ouverte && actor.CanTake {
		return Assign, []Step{{Action: Assign, From: Ouverte, To: Affectee}}, Allowed
	}
	steps, d := Plan(s, a, actor)
	return a, steps, d
}

// ActionForStatut maps the original's `PATCH /interventions/{id}/statut?statut=X` onto an action,
// given the current state: en_cours is resume from en_attente and start otherwise. It returns
// false when no action leads from s to target (same state, back to ouverte, ...).
func ActionForStatut(s, target Statut) (Action, bool) {
	if s == target {
		return "", false
	}
	switch target {
	case Affectee:
		return Assign, true
	case EnCours:
		if s == EnAttente {
			return Resume, true
		}
		return Start, true
	case EnAttente:
		return Pause, true
	case Cloturee:
		return Close, true
	case Annulee:
		return Cancel, true
	case Archivee:
		return Archive, true
	}
	return "", false
}
