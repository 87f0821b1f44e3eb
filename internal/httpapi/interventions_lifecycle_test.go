package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

var ivStatuts = []string{"ouverte", "affectee", "en_cours", "en_attente", "cloturee", "annulee", "archivee"}
var ivActions = []string{"assign", "start", "pause", "resume", "close", "cancel", "archive"}

// ivLifecycle is DESIGN section 9's table: from -> action -> to.
var ivLifecycle = map[string]map[string]string{
	"ouverte":    {"assign": "affectee", "cancel": "annulee"},
	"affectee":   {"assign": "affectee", "start": "en_cours", "cancel": "annulee"},
	"en_cours":   {"pause": "en_attente", "close": "cloturee", "cancel": "annulee"},
	"en_attente": {"resume": "en_cours", "close": "cloturee", "cancel": "annulee"},
	"cloturee":   {"archive": "archivee"},
}

var ivTargets = map[string]string{"assign": "affectee", "start": "en_cours", "pause": "en_attente", "resume": "en_cours",
	"close": "cloturee", "cancel": "annulee", "archive": "archivee"}

// ivBody is a valid body of each action.
func ivBody(action string, techID int64) string {
	switch action {
	case "assign":
		return fmt.Sprintf(`{"technicien_id":%d,"remarque":"Le plus proche"}`, techID)
	case "cancel":
		return `{"motif":"Demande retirée"}`
	case "close":
		return `{"rapport":"Joint remplacé","duree_minutes":90,"cout_main_oeuvre":30000,"cout_pieces":12000}`
	case "pause":
		return `{"remarque":"En attente de pièces"}`
	}
	return ""
}

// TestLifecycleEveryTransitionForManagers applies every action from every state as an admin
// (and a responsable): allowed moves change the state, the dates and write exactly one history
// row with the author; refused ones answer 409 with the allowed actions and write nothing.
func TestLifecycleEveryTransitionForManagers(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	respID := f.id(`SELECT id FROM users WHERE username = 'responsable'`)
	machine := f.machine(&f.company, nil)
	for _, from := range ivStatuts {
		for i, action := range ivActions {
			token, author := f.admin, f.adminID
			if i%2 == 1 {
				token, author = f.resp, respID
			}
			t.Run(from+"/"+action, func(t *testing.T) {
				t.Parallel()
				f := f.with(t)
				id := f.insert(from, machine, &f.techID)
				before := f.state(id)
				resp, b := f.act(token, id, action, ivBody(action, f.techID))
				to, allowed := ivLifecycle[from][action]
				after := f.state(id)
				if !allowed {
					p := wantIvProblem(t, "refused", resp, b, http.StatusConflict,
						fmt.Sprintf("Transition interdite : %s -> %s", from, ivTargets[action]))
					want := []string{}
					for _, a := range ivActions {
						if _, ok := ivLifecycle[from][a]; ok {
							want = append(want, a)
						}
					}
					if got := allowedActions(p); !slices.Equal(got, want) {
						t.Errorf("actions_possibles %v, want %v", got, want)
					}
					if after.Version != before.Version || after.HistoryRows != 0 || after.Statut != from {
						t.Errorf("a refused action wrote something: %+v -> %+v", before, after)
					}
					return
				}
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("got %d %s, want 200", resp.StatusCode, b)
				}
				res := decodeInto[api.InterventionActionResult](t, b)
				if string(res.Intervention.Statut) != to || after.Statut != to || after.Version != before.Version+1 {
					t.Errorf("statut %s (stored %s, version %d -> %d), want %s", res.Intervention.Statut, after.Statut,
						before.Version, after.Version, to)
				}
				if etag := resp.Header.Get("ETag"); etag != fmt.Sprintf(`"%d"`, after.Version) {
					t.Errorf("ETag %q, want version %d", etag, after.Version)
				}
				h := f.history(id)
				if len(h) != 1 || h[0].Action != action || h[0].Avant == nil || *h[0].Avant != from || h[0].Apres != to ||
					h[0].UserID == nil || *h[0].UserID != author {
					t.Fatalf("history %+v, want one %s row %s -> %s by %d", h, action, from, to, author)
				}
				now := time.Now()
				fresh := func(what string, ts *time.Time) {
					if ts == nil || !near(*ts, now, time.Minute) {
						t.Errorf("%s = %v, want now", what, ts)
					}
				}
				switch action {
				case "assign":
					fresh("date_affectation", after.Affectation)
					if *h[0].Remarque != "Affectation à Mohammed Bennani : Le plus proche" {
						t.Errorf("remark %q", *h[0].Remarque)
					}
				case "start":
					fresh("date_debut_travaux", after.Debut)
				case "pause":
					if h[0].Remarque == nil || *h[0].Remarque != "En attente de pièces" {
						t.Errorf("pause reason not kept: %v", h[0].Remarque)
					}
				case "close":
					fresh("date_fin_travaux", after.Fin)
					fresh("date_cloture", after.Cloture)
					if after.Rapport == nil || *after.Rapport != "Joint remplacé" || *after.DureeMinutes != 90 ||
						*after.CoutMainOeuvre != 30000 || *after.CoutPieces != 12000 || res.Intervention.CoutTotal != 42000 {
						t.Errorf("closing report not stored: %+v", after)
					}
				case "cancel":
					if after.MotifAnnulation == nil || *after.MotifAnnulation != "Demande retirée" ||
						h[0].Remarque == nil || *h[0].Remarque != "Demande retirée" {
						t.Errorf("reason not stored: %v / %v", after.MotifAnnulation, h[0].Remarque)
					}
				case "archive":
					fresh("date_archivage", after.Archivage)
				}
				if countRows(t, f.env, `SELECT count(*) FROM audit_log WHERE action = $1 AND resource_id = $2`,
					"intervention."+action, fmt.Sprint(id)) != 1 {
					t.Errorf("no audit row for %s", action)
				}
			})
		}
	}
}

// TestLifecycleEveryTransitionForATechnicien: on its own interventions a technicien starts,
// pauses, resumes and closes (per the table); any other action is 403; another technician's
// intervention is 404; a client may not touch the lifecycle at all.
func TestLifecycleEveryTransitionForATechnicien(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	other := f.profile("Autre Technicien", "disponible", 1)
	techActions := []string{"start", "pause", "resume", "close"}
	for _, from := range ivStatuts {
		for _, action := range ivActions {
			t.Run(from+"/"+action, func(t *testing.T) {
				t.Parallel()
				f := f.with(t)
				id := f.insert(from, machine, &f.techID)
				if from == "ouverte" { // assigned to it, still open (data from before the lifecycle)
					f.exec(`UPDATE interventions SET technicien_id = $1 WHERE id = $2`, f.techID, id)
				}
				before := f.state(id)
				body := ivBody(action, f.techID)
				resp, b := f.act(f.tech, id, action, body)
				to, allowed := ivLifecycle[from][action]
				switch {
				case !slices.Contains(techActions, action):
					wantIvProblem(t, "not a technicien action", resp, b, http.StatusForbidden, "")
					if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'intervention.denied' AND resource_id = $1
						AND actor_id = $2 AND details->>'demande' = $3`, fmt.Sprint(id), f.techUserID, action); n != 1 {
						t.Errorf("%d audit rows for the refusal, want 1", n)
					}
				case !allowed:
					p := wantIvProblem(t, "refused", resp, b, http.StatusConflict,
						fmt.Sprintf("Transition interdite : %s -> %s", from, ivTargets[action]))
					want := []string{}
					for _, a := range techActions {
						if _, ok := ivLifecycle[from][a]; ok {
							want = append(want, a)
						}
					}
					if got := allowedActions(p); !slices.Equal(got, want) {
						t.Errorf("actions_possibles %v, want %v", got, want)
					}
				default:
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("got %d %s, want 200", resp.StatusCode, b)
					}
					if after := f.state(id); after.Statut != to || after.HistoryRows != 1 {
						t.Errorf("stored %+v, want %s with one history row", after, to)
					}
					return
				}
				if after := f.state(id); after.Version != before.Version || after.HistoryRows != 0 {
					t.Errorf("a refused action wrote something: %+v -> %+v", before, after)
				}
				// Someone else's intervention: not even readable.
				theirs := f.insert(from, machine, &other)
				resp, b = f.act(f.tech, theirs, action, body)
				if from != "ouverte" || action != "start" {
					wantIvProblem(t, "another technician's", resp, b, http.StatusNotFound, "Intervention introuvable")
				}
				// A client: refused by role before anything else.
				resp, b = f.act(f.client, id, action, body)
				wantIvProblem(t, "client", resp, b, http.StatusForbidden, "")
			})
		}
	}
}

// TestTechnicienTakesAnOpenIntervention: the original's test (ANALYSIS 5.2) moves an open,
// unassigned intervention to en_cours with a technicien token; the technicien is assigned
// first, both steps are in the history. Two technicians racing for it: one wins.
func TestTechnicienTakesAnOpenIntervention(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	created := f.create(f.resp, api.InterventionCreate{Titre: "Test intervention", Description: ptrTo("Description test"),
		Type: ptrTo(api.InterventionTypeCorrective), Priorite: ptrTo(api.InterventionPrioriteNormale), EquipementId: machine})
	if created.Statut != api.InterventionStatutOuverte || created.TechnicienId != nil {
		t.Fatalf("created %+v", created)
	}
	// Not readable yet by the technicien...
	if code, _ := f.get(f.tech, created.Id); code != http.StatusNotFound {
		t.Errorf("an unassigned intervention is readable by a technicien: %d", code)
	}
	// ... but it may take it.
	r, err := f.env.Client.ChangeInterventionStatutWithResponse(t.Context(), created.Id,
		&api.ChangeInterventionStatutParams{Statut: api.InterventionStatutEnCours, Remarque: ptrTo("Je m'en occupe")}, testenv.As(f.tech))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("take: %v %d %s", err, r.StatusCode(), r.Body)
	}
	got := *r.JSON200
	if got.Statut != api.InterventionStatutEnCours || *got.TechnicienId != f.techID ||
		got.DateAffectation == nil || got.DateDebutTravaux == nil || got.Version != 2 {
		t.Errorf("after taking: %+v", got)
	}
	h := f.history(created.Id)
	if len(h) != 3 || h[1].Action != "assign" || *h[1].Avant != "ouverte" || h[1].Apres != "affectee" ||
		h[2].Action != "start" || *h[2].Avant != "affectee" || h[2].Apres != "en_cours" ||
		*h[1].Remarque != "Prise en charge par Mohammed Bennani" || *h[2].Remarque != "Je m'en occupe" ||
		*h[1].UserID != f.techUserID || *h[2].UserID != f.techUserID {
		t.Errorf("history %+v", h)
	}
	if code, _ := f.get(f.tech, created.Id); code != http.StatusOK {
		t.Errorf("taken intervention not readable: %d", code)
	}

	// statut=affectee lets a technicien take one without starting; actions/assign does not.
	second := f.insert("ouverte", machine, nil)
	resp, b := f.act(f.tech, second, "assign", fmt.Sprintf(`{"technicien_id":%d}`, f.techID))
	wantIvProblem(t, "technicien assigns an intervention it cannot read", resp, b, http.StatusNotFound, "Intervention introuvable")
	mine := f.insert("affectee", machine, &f.techID)
	resp, b = f.act(f.tech, mine, "assign", fmt.Sprintf(`{"technicien_id":%d}`, f.techID))
	wantIvProblem(t, "technicien re-assigns its own", resp, b, http.StatusForbidden, "")
	resp, b = f.statut(f.tech, second, "statut=affectee")
	if resp.StatusCode != http.StatusOK || f.state(second).Statut != "affectee" || *f.state(second).TechnicienID != f.techID {
		t.Errorf("statut=affectee by a technicien: %d %s", resp.StatusCode, b)
	}

	// A race: two technicians take the same intervention; exactly one gets it.
	contested := f.insert("ouverte", machine, nil)
	otherID, otherTok := f.techAccount()
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, tok := range []string{f.tech, otherTok} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := f.act(tok, contested, "start", "")
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	st := f.state(contested)
	if codes[0] != http.StatusOK || codes[1] != http.StatusNotFound || st.HistoryRows != 2 ||
		(*st.TechnicienID != f.techID && *st.TechnicienID != otherID) {
		t.Errorf("race: codes %v, state %+v", codes, st)
	}
}

// TestChangeStatutMapsOntoTheLifecycle drives interventions with the original's call.
func TestChangeStatutMapsOntoTheLifecycle(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	id := f.insert("affectee", machine, &f.techID)
	steps := []struct {
		token, query, want string
	}{
		{f.tech, "statut=en_cours", "en_cours"},
		{f.tech, "statut=en_attente&remarque=Pi%C3%A8ce%20command%C3%A9e", "en_attente"},
		{f.resp, "statut=en_cours", "en_cours"}, // resume, by a responsable
		{f.tech, "statut=cloturee&remarque=Termin%C3%A9", "cloturee"},
		{f.admin, "statut=archivee", "archivee"},
	}
	for _, s := range steps {
		resp, b := f.statut(s.token, id, s.query)
		if resp.StatusCode != http.StatusOK || f.state(id).Statut != s.want {
			t.Fatalf("%s: %d %s, want %s", s.query, resp.StatusCode, b, s.want)
		}
		if resp.Header.Get("ETag") == "" {
			t.Errorf("%s: no ETag", s.query)
		}
	}
	h := f.history(id)
	var actions []string
	for _, r := range h {
		actions = append(actions, r.Action)
	}
	if !slices.Equal(actions, []string{"start", "pause", "resume", "close", "archive"}) || *h[1].Remarque != "Pièce commandée" {
		t.Errorf("history %v (%+v)", actions, h)
	}
	st := f.state(id)
	if st.Debut == nil || st.Fin == nil || st.Cloture == nil || st.Archivage == nil {
		t.Errorf("dates not set: %+v", st)
	}

	// Refused moves: 409 with the allowed actions, nothing written.
	resp, b := f.statut(f.admin, id, "statut=en_cours")
	p := wantIvProblem(t, "archivee -> en_cours", resp, b, http.StatusConflict, "Transition interdite : archivee -> en_cours")
	if got := allowedActions(p); len(got) != 0 {
		t.Errorf("actions after archiving: %v", got)
	}
	open := f.insert("ouverte", machine, nil)
	for _, q := range []string{"statut=en_cours", "statut=en_attente", "statut=cloturee", "statut=archivee"} {
		resp, b := f.statut(f.admin, open, q)
		p := wantIvProblem(t, "ouverte "+q, resp, b, http.StatusConflict, "Transition interdite : ouverte -> "+strings.TrimPrefix(q, "statut="))
		if got := allowedActions(p); !slices.Equal(got, []string{"assign", "cancel"}) {
			t.Errorf("%s: actions %v", q, got)
		}
	}
	running := f.insert("en_cours", machine, &f.techID)
	// The status it already has: 200, unchanged, no history row.
	before := f.state(running)
	resp, b = f.statut(f.tech, running, "statut=en_cours")
	if same := decodeInto[api.Intervention](t, b); resp.StatusCode != http.StatusOK || same.Statut != api.InterventionStatutEnCours ||
		same.Version != before.Version {
		t.Errorf("same status: %d %s", resp.StatusCode, b)
	}
	if after := f.state(running); after.HistoryRows != before.HistoryRows || after.Version != before.Version {
		t.Errorf("same status changed the intervention: %+v -> %+v", before, after)
	}
	resp, b = f.statut(f.tech, running, "statut=en_cours")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("same status again: %d %s", resp.StatusCode, b)
	}
	// affectee without a technician to assign.
	resp, b = f.statut(f.admin, open, "statut=affectee")
	wantIvProblem(t, "affectee without technician", resp, b, http.StatusUnprocessableEntity, "", "statut")
	// Cancelling needs the reason; a technicien may not cancel.
	resp, b = f.statut(f.admin, running, "statut=annulee")
	wantIvProblem(t, "cancel without reason", resp, b, http.StatusUnprocessableEntity, "", "remarque")
	resp, b = f.statut(f.admin, running, "statut=annulee&remarque=%20%20")
	wantIvProblem(t, "cancel with a blank reason", resp, b, http.StatusUnprocessableEntity, "", "remarque")
	resp, b = f.statut(f.tech, running, "statut=annulee&remarque=Trop%20loin")
	wantIvProblem(t, "technicien cancels", resp, b, http.StatusForbidden, "")
	if st := f.state(running); st.Version != 1 || st.HistoryRows != 0 {
		t.Errorf("refused changes wrote something: %+v", st)
	}
	resp, b = f.statut(f.admin, running, "statut=annulee&remarque=Doublon")
	if resp.StatusCode != http.StatusOK || *f.state(running).MotifAnnulation != "Doublon" {
		t.Errorf("cancel: %d %s", resp.StatusCode, b)
	}
	// A client never changes a status (gate), and unknown rows are 404.
	resp, b = f.statut(f.client, open, "statut=annulee&remarque=x")
	wantIvProblem(t, "client", resp, b, http.StatusForbidden, "")
	resp, b = f.statut(f.admin, 999999, "statut=en_cours")
	wantIvProblem(t, "missing", resp, b, http.StatusNotFound, "Intervention introuvable")
}

// TestAssignWarnsWithoutBlocking: unavailable, without competences, overloaded or deactivated
// technicians are assigned anyway, with warnings.
func TestAssignWarnsWithoutBlocking(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	busy := f.profile("Technicien Occupé", "conge", 0)
	for range 5 {
		f.insert("en_cours", machine, &busy)
	}
	f.exec(`UPDATE users SET is_active = false WHERE id = (SELECT user_id FROM techniciens WHERE id = $1)`, busy)
	id := f.insert("ouverte", machine, nil)
	r, err := f.env.Client.ApplyInterventionActionWithResponse(t.Context(), id, api.InterventionActionAssign, nil,
		api.InterventionActionInput{TechnicienId: &busy}, testenv.As(f.resp))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("assign: %v %d %s", err, r.StatusCode(), r.Body)
	}
	want := []string{"Le compte du technicien est désactivé", "Le technicien est indisponible (conge)",
		"Le technicien n'a aucune compétence enregistrée", "Le technicien a déjà 5 interventions actives"}
	if !slices.Equal(r.JSON200.Avertissements, want) {
		t.Errorf("warnings %q, want %q", r.JSON200.Avertissements, want)
	}
	if r.JSON200.Intervention.Statut != api.InterventionStatutAffectee || *r.JSON200.Intervention.TechnicienId != busy {
		t.Errorf("not assigned: %+v", r.JSON200.Intervention)
	}
	// Re-assigning to an available, skilled, idle technician: no warning.
	r, err = f.env.Client.ApplyInterventionActionWithResponse(t.Context(), id, api.InterventionActionAssign, nil,
		api.InterventionActionInput{TechnicienId: &f.techID}, testenv.As(f.admin))
	if err != nil || r.JSON200 == nil || len(r.JSON200.Avertissements) != 0 || *r.JSON200.Intervention.TechnicienId != f.techID {
		t.Fatalf("re-assign: %v %s", err, r.Body)
	}
	h := f.history(id)
	if len(h) != 2 || *h[0].Remarque != "Affectation à Technicien Occupé" || *h[1].Avant != "affectee" || h[1].Apres != "affectee" {
		t.Errorf("history %+v", h)
	}
	// The assignee must exist; the field is required.
	resp, b := f.act(f.admin, id, "assign", `{"technicien_id":999999}`)
	wantIvProblem(t, "missing technician", resp, b, http.StatusNotFound, "Technicien assigné introuvable")
	resp, b = f.act(f.admin, id, "assign", `{}`)
	wantIvProblem(t, "no technician", resp, b, http.StatusUnprocessableEntity, "", "technicien_id")
	if st := f.state(id); st.HistoryRows != 2 || st.Version != 3 {
		t.Errorf("refused assignments wrote something: %+v", st)
	}
}

// TestActionInputs: what each action needs and refuses.
func TestActionInputs(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	cases := []struct {
		from, action, body string
		status             int
		fields             []string
	}{
		{"en_cours", "cancel", "", http.StatusUnprocessableEntity, []string{"motif"}},
		{"en_cours", "cancel", `{"remarque":"sans motif"}`, http.StatusUnprocessableEntity, []string{"motif"}},
		{"en_cours", "cancel", `{"motif":"   "}`, http.StatusUnprocessableEntity, []string{"motif"}},
		{"en_cours", "close", `{"motif":"x"}`, http.StatusUnprocessableEntity, []string{"motif"}},
		{"en_cours", "pause", `{"rapport":"x","technicien_id":1}`, http.StatusUnprocessableEntity, []string{"rapport", "technicien_id"}},
		{"affectee", "start", `{"duree_minutes":5}`, http.StatusUnprocessableEntity, []string{"duree_minutes"}},
		{"ouverte", "assign", `{"remarque":"qui ?"}`, http.StatusUnprocessableEntity, []string{"technicien_id"}},
		{"en_cours", "close", "", http.StatusOK, nil},
		{"en_attente", "close", `{"rapport":"  Fait  "}`, http.StatusOK, nil},
	}
	for _, c := range cases {
		id := f.insert(c.from, machine, &f.techID)
		resp, b := f.act(f.admin, id, c.action, c.body)
		if c.status != http.StatusOK {
			wantIvProblem(t, c.action+" "+c.body, resp, b, c.status, "", c.fields...)
			if st := f.state(id); st.Version != 1 || st.HistoryRows != 0 || st.Statut != c.from {
				t.Errorf("%s %s wrote something: %+v", c.action, c.body, st)
			}
		} else if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: %d %s", c.action, c.body, resp.StatusCode, b)
		}
	}
}

// TestIfMatchGuardsInterventionChanges: a stale version answers 412 and changes nothing.
func TestIfMatchGuardsInterventionChanges(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	created := f.create(f.admin, api.InterventionCreate{Titre: "Vibration", Type: ptrTo(api.InterventionTypeCorrective),
		EquipementId: machine, TechnicienId: &f.techID})
	g, err := f.env.Client.GetInterventionWithResponse(t.Context(), created.Id, testenv.As(f.admin))
	if err != nil || g.HTTPResponse.Header.Get("ETag") != `"1"` {
		t.Fatalf("ETag %q (%v)", g.HTTPResponse.Header.Get("ETag"), err)
	}
	patch := func(ifMatch, body string) *http.Response {
		resp, _ := f.do(http.MethodPatch, ivPath(created.Id), f.admin, body, map[string]string{"If-Match": ifMatch}, false)
		return resp
	}
	if resp := patch(`"1"`, `{"priorite":"haute"}`); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"2"` {
		t.Fatalf("fresh If-Match: %d ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	for _, stale := range []string{`"1"`, `W/"2"`, `"abc"`, `2x`, ``} {
		if resp := patch(stale, `{"priorite":"basse"}`); resp.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("If-Match %q: %d, want 412", stale, resp.StatusCode)
		}
	}
	resp, b := f.do(http.MethodPatch, ivPath(created.Id, "/statut?statut=en_cours"), f.tech, "", map[string]string{"If-Match": `"1"`}, false)
	wantIvProblem(t, "stale statut", resp, b, http.StatusPreconditionFailed, "")
	resp, b = f.do(http.MethodPost, ivPath(created.Id, "/actions/start"), f.tech, "", map[string]string{"If-Match": `"1", "7"`}, false)
	wantIvProblem(t, "stale action", resp, b, http.StatusPreconditionFailed, "")
	if st := f.state(created.Id); st.Version != 2 || st.Statut != "affectee" || st.HistoryRows != 2 {
		t.Errorf("stale requests changed something: %+v", st)
	}
	// A 404 or 403 comes before the precondition.
	resp, _ = f.do(http.MethodPost, ivPath(999999, "/actions/start"), f.tech, "", map[string]string{"If-Match": `"1"`}, false)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing with a stale If-Match: %d", resp.StatusCode)
	}
	resp, _ = f.do(http.MethodPost, ivPath(created.Id, "/actions/cancel"), f.tech, `{"motif":"x"}`, map[string]string{"If-Match": `"1"`}, false)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forbidden with a stale If-Match: %d", resp.StatusCode)
	}
	resp, b = f.do(http.MethodPatch, ivPath(created.Id), f.admin, `{"urgence":true}`, map[string]string{"If-Match": `"9", "2"`}, false)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("If-Match naming the current version among others: %d %s", resp.StatusCode, b)
	}
	v := f.state(created.Id).Version
	resp, b = f.do(http.MethodPost, ivPath(created.Id, "/actions/start"), f.tech, "", map[string]string{"If-Match": "*"}, false)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != fmt.Sprintf(`"%d"`, v+1) {
		t.Errorf("If-Match *: %d %s", resp.StatusCode, b)
	}
}

// TestCancellingNotifiesTheTechnicien: the technician of a cancelled intervention is told, with
// the reason; one who cancels its own work, or work nobody had, tells nobody.
func TestCancellingNotifiesTheTechnicien(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	count := func() int {
		return f.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND titre = 'Intervention annulée'`, f.techUserID)
	}
	assigned := f.insert("affectee", machine, &f.techID)
	resp, b := f.act(f.resp, assigned, "cancel", `{"motif":"Machine remplacée"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d %s", resp.StatusCode, b)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d cancellation notices, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND contenu LIKE '%Motif : Machine remplacée%'`, f.techUserID); n != 1 {
		t.Errorf("the reason is not in the notice")
	}
	open := f.insert("ouverte", machine, nil)
	if resp, b := f.act(f.resp, open, "cancel", `{"motif":"Doublon"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d %s", resp.StatusCode, b)
	}
	if n := count(); n != 1 {
		t.Errorf("%d notices after cancelling unassigned work", n)
	}
}
