package interventions

import (
	"fmt"
	"slices"
	"testing"
)

// designTable is DESIGN section 9's lifecycle table, written out state by state: the result of
// every action from every state ("" when forbidden).
var designTable = map[Statut]map[Action]Statut{
	Ouverte:   {Assign: Affectee, Cancel: Annulee},
	Affectee:  {Assign: Affectee, Start: EnCours, Cancel: Annulee},
	EnCours:   {Pause: EnAttente, Close: Cloturee, Cancel: Annulee},
	EnAttente: {Resume: EnCours, Close: Cloturee, Cancel: Annulee},
	Cloturee:  {Archive: Archivee},
	Annulee:   {},
	Archivee:  {},
}

func TestNextFollowsTheDesignTable(t *testing.T) {
	t.Parallel()
	for _, from := range Statuts {
		for _, a := range Actions {
			t.Run(fmt.Sprintf("%s/%s", from, a), func(t *testing.T) {
				want, allowed := designTable[from][a]
				got, ok := Next(from, a)
				if ok != allowed || got != want {
					t.Errorf("Next(%s, %s) = %q, %v; want %q, %v", from, a, got, ok, want, allowed)
				}
			})
		}
	}
	if _, ok := Next(Ouverte, Action("fly")); ok {
		t.Error("an unknown action moved an intervention")
	}
}

func TestPlanByRole(t *testing.T) {
	t.Parallel()
	manager := Actor{Role: RoleManager}
	own := Actor{Role: RoleTechnicien, Assigned: true}
	other := Actor{Role: RoleTechnicien}
	taker := Actor{Role: RoleTechnicien, CanTake: true}
	client := Actor{Role: RoleNone}
	techActions := []Action{Start, Pause, Resume, Close}

	for _, from := range Statuts {
		for _, a := range Actions {
			want, allowed := designTable[from][a]
			t.Run(fmt.Sprintf("%s/%s", from, a), func(t *testing.T) {
				check := func(who string, actor Actor, wantDecision Decision, wantSteps []Step) {
					t.Helper()
					steps, d := Plan(from, a, actor)
					if d != wantDecision || !slices.Equal(steps, wantSteps) {
						t.Errorf("%s: Plan = %v %v; want %v %v", who, steps, d, wantDecision, wantSteps)
					}
				}
				single := []Step{{Action: a, From: from, To: want}}
				// Admins and responsables: exactly the table.
				if allowed {
					check("manager", manager, Allowed, single)
				} else {
					check("manager", manager, Invalid, nil)
				}
				// A technicien: start/pause/resume/close on its own, per the table; nothing else.
				switch {
				case !slices.Contains(techActions, a):
					check("own technicien", own, Forbidden, nil)
				case allowed:
					check("own technicien", own, Allowed, single)
				default:
					check("own technicien", own, Invalid, nil)
				}
				// Not assigned to it (and nothing to take): never.
				check("other technicien", other, Forbidden, nil)
				// Taking an open intervention: assigned, then started (two steps).
				if a == Start && from == Ouverte {
					check("taker", taker, Allowed, []Step{{Assign, Ouverte, Affectee}, {Start, Affectee, EnCours}})
				}
				check("client", client, Forbidden, nil)
			})
		}
	}
}

func TestPossibleActions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		statut Statut
		actor  Actor
		want   []Action
	}{
		{Ouverte, Actor{Role: RoleManager}, []Action{Assign, Cancel}},
		{Affectee, Actor{Role: RoleManager}, []Action{Assign, Start, Cancel}},
		{EnCours, Actor{Role: RoleManager}, []Action{Pause, Close, Cancel}},
		{EnAttente, Actor{Role: RoleManager}, []Action{Resume, Close, Cancel}},
		{Cloturee, Actor{Role: RoleManager}, []Action{Archive}},
		{Annulee, Actor{Role: RoleManager}, []Action{}},
		{Archivee, Actor{Role: RoleManager}, []Action{}},
		{Affectee, Actor{Role: RoleTechnicien, Assigned: true}, []Action{Start}},
		{EnCours, Actor{Role: RoleTechnicien, Assigned: true}, []Action{Pause, Close}},
		{EnAttente, Actor{Role: RoleTechnicien, Assigned: true}, []Action{Resume, Close}},
		{Cloturee, Actor{Role: RoleTechnicien, Assigned: true}, []Action{}},
		{Ouverte, Actor{Role: RoleTechnicien, CanTake: true}, []Action{Start}},
		{EnCours, Actor{Role: RoleTechnicien}, []Action{}},
		{EnCours, Actor{Role: RoleNone}, []Action{}},
	}
	for _, c := range cases {
		if got := Possible(c.statut, c.actor); !slices.Equal(got, c.want) || got == nil {
			t.Errorf("Possible(%s, %+v) = %v, want %v", c.statut, c.actor, got, c.want)
		}
	}
}

func TestStatutMapping(t *testing.T) {
	t.Parallel()
	manager := Actor{Role: RoleManager}
	own := Actor{Role: RoleTechnicien, Assigned: true}
	taker := Actor{Role: RoleTechnicien, CanTake: true}
	cases := []struct {
		from, target Statut
		actor        Actor
		action       Action
		decision     Decision
		steps        int
	}{
		{Affectee, EnCours, manager, Start, Allowed, 1},
		{EnAttente, EnCours, manager, Resume, Allowed, 1},
		{EnCours, EnAttente, own, Pause, Allowed, 1},
		{EnAttente, EnCours, own, Resume, Allowed, 1},
		{EnCours, Cloturee, own, Close, Allowed, 1},
		{EnAttente, Cloturee, manager, Close, Allowed, 1},
		{Ouverte, Annulee, manager, Cancel, Allowed, 1},
		{Cloturee, Archivee, manager, Archive, Allowed, 1},
		{Ouverte, Affectee, manager, Assign, Allowed, 1},
		// ANALYSIS 5.2: a technicien moves an open, unassigned intervention to en_cours.
		{Ouverte, EnCours, taker, Start, Allowed, 2},
		// ... or takes it without starting.
		{Ouverte, Affectee, taker, Assign, Allowed, 1},
		// Refused moves.
		{EnCours, EnCours, manager, "", Invalid, 0},
		{Affectee, Affectee, manager, "", Invalid, 0},
		{EnCours, Ouverte, manager, "", Invalid, 0},
		{Cloturee, EnCours, manager, Start, Invalid, 0},
		{Annulee, EnCours, manager, Start, Invalid, 0},
		{Ouverte, Archivee, manager, Archive, Invalid, 0},
		{Ouverte, EnCours, manager, Start, Invalid, 0},
		{Affectee, Annulee, own, Cancel, Forbidden, 0},
		{Cloturee, Archivee, own, Archive, Forbidden, 0},
		{EnCours, Cloturee, Actor{Role: RoleTechnicien}, Close, Forbidden, 0},
		{EnCours, Cloturee, Actor{Role: RoleNone}, Close, Forbidden, 0},
	}
	for _, c := range cases {
		a, steps, d := PlanStatut(c.from, c.target, c.actor)
		if a != c.action || d != c.decision || len(steps) != c.steps {
			t.Errorf("PlanStatut(%s -> %s, %+v) = %s %v %v; want %s %v %d steps",
				c.from, c.target, c.actor, a, steps, d, c.action, c.decision, c.steps)
		}
		if d == Allowed && steps[len(steps)-1].To != c.target {
			t.Errorf("PlanStatut(%s -> %s) ends in %s", c.from, c.target, steps[len(steps)-1].To)
		}
	}
}

func TestStatutPredicates(t *testing.T) {
	t.Parallel()
	for _, s := range Statuts {
		active := s == Ouverte || s == Affectee || s == EnCours || s == EnAttente
		if s.Active() != active || s.Editable() != active || s.Finished() != (s == Cloturee || s == Archivee) {
			t.Errorf("%s: active %v editable %v finished %v", s, s.Active(), s.Editable(), s.Finished())
		}
	}
}
