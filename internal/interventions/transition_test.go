package interventions

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

var (
	testNow    = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	admin      = callerOf(auth.Principal{UserID: 1, Role: "admin"})
	techCaller = callerOf(auth.Principal{UserID: 2, Role: "technicien", TechnicienID: ptr(int64(7))})
	client     = callerOf(auth.Principal{UserID: 3, Role: "client", ClientID: ptr(int64(5))})
	jean       = &assignee{id: 7, name: "Jean Dupont"}
)

// locked is an intervention as the service locks it: in state s, assigned to techID (nil: none).
func locked(s Statut, techID *int64) Row {
	return Row{ID: 42, Titre: "Fuite", Statut: db.InterventionStatut(s), TechnicienID: techID, Version: 3, DbNow: testNow}
}

func action(a Action, in ActionInput) decideFunc {
	return func(c caller, r Row) (transition, error) { return decideAction(c, r, a, in) }
}

func statut(target Statut, remarque *string) decideFunc {
	return func(c caller, r Row) (transition, error) { return decideStatut(c, r, target, remarque) }
}

// historyLines writes history rows as "action from->to: remark" ("-": no remark).
func historyLines(records []record) []string {
	out := make([]string, len(records))
	for i, rec := range records {
		remark := "-"
		if rec.remarque != nil {
			remark = *rec.remarque
		}
		out[i] = fmt.Sprintf("%s %s->%s: %s", rec.Action, rec.From, rec.To, remark)
	}
	return out
}

func TestDecideThenApply(t *testing.T) {
	t.Parallel()
	seven := ptr(int64(7))
	cases := []struct {
		name    string
		c       caller
		r       Row
		decide  decideFunc
		who     *assignee    // the technician the service would read (nil: no step assigns)
		want    func(r *Row) // the expected row, from the locked one (statut included)
		history []string     // the expected history rows
		action  Action       // the audited action
	}{
		{
			name: "manager assigns a technician", c: admin, r: locked(Ouverte, nil),
			decide: action(Assign, ActionInput{TechnicienID: seven, Remarque: ptr(" urgent ")}), who: jean,
			want: func(r *Row) {
				r.Statut, r.TechnicienID, r.DateAffectation = db.InterventionStatutAffectee, seven, &testNow
			},
			history: []string{"assign ouverte->affectee: Affectation à Jean Dupont : urgent"}, action: Assign,
		},
		{
			name: "technicien starting an open intervention takes it", c: techCaller, r: locked(Ouverte, nil),
			decide: action(Start, ActionInput{}), who: jean,
			want: func(r *Row) {
				r.Statut, r.TechnicienID = db.InterventionStatutEnCours, seven
				r.DateAffectation, r.DateDebutTravaux = &testNow, &testNow
			},
			history: []string{"assign ouverte->affectee: Prise en charge par Jean Dupont", "start affectee->en_cours: -"},
			action:  Start,
		},
		{
			name: "assigned technicien starts", c: techCaller, r: locked(Affectee, seven),
			decide: action(Start, ActionInput{Remarque: ptr("sur place")}),
			want: func(r *Row) {
				r.Statut, r.DateDebutTravaux = db.InterventionStatutEnCours, &testNow
			},
			history: []string{"start affectee->en_cours: sur place"}, action: Start,
		},
		{
			name: "pause changes nothing but the statut", c: techCaller, r: locked(EnCours, seven),
			decide:  action(Pause, ActionInput{}),
			want:    func(r *Row) { r.Statut = db.InterventionStatutEnAttente },
			history: []string{"pause en_cours->en_attente: -"}, action: Pause,
		},
		{
			name: "resume changes nothing but the statut", c: admin, r: locked(EnAttente, seven),
			decide:  action(Resume, ActionInput{}),
			want:    func(r *Row) { r.Statut = db.InterventionStatutEnCours },
			history: []string{"resume en_attente->en_cours: -"}, action: Resume,
		},
		{
			name: "close records the report, the duration and the costs", c: techCaller, r: locked(EnCours, seven),
			decide: action(Close, ActionInput{Rapport: ptr(" joint changé "), DureeMinutes: ptr(90),
				CoutMainOeuvre: ptr(int64(12000)), CoutPieces: ptr(int64(3500))}),
			want: func(r *Row) {
				r.Statut, r.DateFinTravaux, r.DateCloture = db.InterventionStatutCloturee, &testNow, &testNow
				r.Rapport, r.DureeMinutes = ptr("joint changé"), ptr(int32(90))
				r.CoutMainOeuvre, r.CoutPieces = ptr(int64(12000)), ptr(int64(3500))
			},
			history: []string{"close en_cours->cloturee: -"}, action: Close,
		},
		{
			name: "cancel keeps its reason in the row and the history", c: admin, r: locked(Affectee, seven),
			decide: action(Cancel, ActionInput{Motif: ptr("doublon"), Remarque: ptr("vu avec le client")}),
			want: func(r *Row) {
				r.Statut, r.MotifAnnulation = db.InterventionStatutAnnulee, ptr("doublon")
			},
			history: []string{"cancel affectee->annulee: doublon : vu avec le client"}, action: Cancel,
		},
		{
			name: "archive dates the archiving", c: admin, r: locked(Cloturee, seven),
			decide:  action(Archive, ActionInput{}),
			want:    func(r *Row) { r.Statut, r.DateArchivage = db.InterventionStatutArchivee, &testNow },
			history: []string{"archive cloturee->archivee: -"}, action: Archive,
		},
		{
			name: "statut affectee lets a technicien take an open intervention without starting", c: techCaller,
			r: locked(Ouverte, nil), decide: statut(Affectee, nil), who: jean,
			want: func(r *Row) {
				r.Statut, r.TechnicienID, r.DateAffectation = db.InterventionStatutAffectee, seven, &testNow
			},
			history: []string{"assign ouverte->affectee: Prise en charge par Jean Dupont"}, action: Assign,
		},
		{
			name: "statut affectee confirms the technician already named", c: admin, r: locked(Ouverte, seven),
			decide: statut(Affectee, ptr("confirmé")), who: jean,
			want: func(r *Row) {
				r.Statut, r.TechnicienID, r.DateAffectation = db.InterventionStatutAffectee, seven, &testNow
			},
			history: []string{"assign ouverte->affectee: Affectation à Jean Dupont : confirmé"}, action: Assign,
		},
		{
			name: "statut en_cours from en_attente is resume", c: techCaller, r: locked(EnAttente, seven),
			decide:  statut(EnCours, nil),
			want:    func(r *Row) { r.Statut = db.InterventionStatutEnCours },
			history: []string{"resume en_attente->en_cours: -"}, action: Resume,
		},
		{
			name: "statut annulee takes the remark as its reason", c: admin, r: locked(EnCours, seven),
			decide: statut(Annulee, ptr(" réparée ailleurs ")),
			want: func(r *Row) {
				r.Statut, r.MotifAnnulation = db.InterventionStatutAnnulee, ptr("réparée ailleurs")
			},
			history: []string{"cancel en_cours->annulee: réparée ailleurs"}, action: Cancel,
		},
	}
	covered := map[Action]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := tc.decide(tc.c, tc.r)
			if err != nil {
				t.Fatalf("decide: %v", err)
			}
			if tr.action != tc.action {
				t.Errorf("action = %s, want %s", tr.action, tc.action)
			}
			if tr.assigns() != (tc.who != nil) {
				t.Fatalf("assigns = %v, but the case reads technician %v", tr.assigns(), tc.who)
			}
			before := tc.r
			got, records, err := tr.apply(tc.r, tc.who, testNow)
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			want := tc.r
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("row after apply:\n got %s\nwant %s", show(got), show(want))
			}
			if lines := historyLines(records); !slices.Equal(lines, tc.history) {
				t.Errorf("history = %q, want %q", lines, tc.history)
			}
			if !reflect.DeepEqual(tc.r, before) {
				t.Error("apply changed the locked row it was given")
			}
		})
		covered[tc.action] = true
	}
	for _, a := range Actions {
		if !covered[a] {
			t.Errorf("no case applies %s", a)
		}
	}
}

// show prints the pointers of a row as their values.
func show(r Row) string {
	deref := func(p any) string {
		switch v := p.(type) {
		case *int64:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *int32:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *string:
			if v != nil {
				return *v
			}
		case *time.Time:
			if v != nil {
				return v.Format(time.RFC3339)
			}
		}
		return "nil"
	}
	return fmt.Sprintf("statut=%s technicien=%s affectation=%s debut=%s fin=%s cloture=%s archivage=%s rapport=%s duree=%s mo=%s pieces=%s motif=%s",
		r.Statut, deref(r.TechnicienID), deref(r.DateAffectation), deref(r.DateDebutTravaux), deref(r.DateFinTravaux),
		deref(r.DateCloture), deref(r.DateArchivage), deref(r.Rapport), deref(r.DureeMinutes), deref(r.CoutMainOeuvre),
		deref(r.CoutPieces), deref(r.MotifAnnulation))
}

func TestDecideRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		c      caller
		r      Row
		decide decideFunc
		kind   apperr.Kind
		want   string // in the error, with its fields
	}{
		{"technicien may not archive", techCaller, locked(Cloturee, ptr(int64(7))), action(Archive, ActionInput{}),
			apperr.KindForbidden, "Action archive réservée aux responsables"},
		{"technicien may not start another's intervention", techCaller, locked(Affectee, ptr(int64(8))),
			action(Start, ActionInput{}), apperr.KindForbidden, "Action start réservée aux responsables"},
		{"client may not cancel", client, locked(Ouverte, nil), action(Cancel, ActionInput{Motif: ptr("x")}),
			apperr.KindForbidden, "Action non autorisée"},
		{"an open intervention cannot be started before it is assigned", admin, locked(Ouverte, nil),
			action(Start, ActionInput{}), apperr.KindConflict, "Transition interdite : ouverte -> en_cours (actions_possibles: assign; actions_possibles: cancel)"},
		{"a cancelled intervention moves no more", admin, locked(Annulee, nil), statut(Cloturee, nil),
			apperr.KindConflict, "Transition interdite : annulee -> cloturee"},
		{"the same statut is no move", admin, locked(EnCours, ptr(int64(7))), statut(EnCours, nil),
			apperr.KindConflict, "Transition interdite : en_cours -> en_cours"},
		{"cancel needs a reason", admin, locked(Ouverte, nil), action(Cancel, ActionInput{Motif: ptr("  ")}),
			apperr.KindInvalid, "motif: le motif d'annulation est requis"},
		{"assign needs a technician", admin, locked(Ouverte, nil), action(Assign, ActionInput{}),
			apperr.KindInvalid, "technicien_id: requis pour affecter"},
		{"a field the action ignores is refused", admin, locked(Affectee, ptr(int64(7))),
			action(Start, ActionInput{Rapport: ptr("fait")}), apperr.KindInvalid, "rapport: sans objet pour l'action start"},
		{"statut annulee needs a remark", admin, locked(Ouverte, nil), statut(Annulee, nil),
			apperr.KindInvalid, "le motif d'annulation (remarque) est requis pour annuler"},
		{"statut affectee needs a technician to confirm", admin, locked(Ouverte, nil), statut(Affectee, nil),
			apperr.KindInvalid, "aucun technicien à affecter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.decide(tc.c, tc.r)
			e, ok := apperr.As(err)
			if !ok || e.Kind != tc.kind {
				t.Fatalf("err = %v, want kind %d", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to hold %q", err, tc.want)
			}
		})
	}
}

func TestRefusalOrder(t *testing.T) {
	t.Parallel()
	forbidden := apperr.Forbidden("non")
	conflict := apperr.Conflict("déjà")
	cases := []struct {
		name     string
		decision error
		fresh    bool
		want     error
	}{
		{"403 before a stale If-Match", forbidden, false, forbidden},
		{"a stale If-Match before 409", conflict, false, errStale},
		{"a stale If-Match refuses an allowed change", nil, false, errStale},
		{"409 with a fresh If-Match", conflict, true, conflict},
		{"an allowed change goes on", nil, true, nil},
	}
	for _, tc := range cases {
		if got := refusal(tc.decision, tc.fresh); got != tc.want {
			t.Errorf("%s: refusal = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestApplyAssignNeedsTheTechnician(t *testing.T) {
	t.Parallel()
	tr, err := decideAction(admin, locked(Ouverte, nil), Assign, ActionInput{TechnicienID: ptr(int64(7))})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.apply(locked(Ouverte, nil), nil, testNow); err == nil {
		t.Error("an assignment applied without the technician read")
	}
}
