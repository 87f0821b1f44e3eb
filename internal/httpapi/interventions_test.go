package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestCreateIntervention covers the creation rules: defaults, the first history row in the same
// transaction, the SLA deadline, assignment at creation, and every refusal writing nothing.
func TestCreateIntervention(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	ctx := t.Context()
	contrat := f.contrat(f.company, [4]*int{nil, ptrTo(6), nil, nil})
	machine := f.machine(&f.company, &contrat)
	internal := f.machine(nil, nil)

	r, err := f.env.Client.CreateInterventionWithResponse(ctx, nil, api.InterventionCreate{
		Titre: "  Fuite d'huile compresseur ", Description: ptrTo("Fuite au carter."), Type: ptrTo(api.InterventionTypeCorrective),
		EquipementId: machine,
	}, testenv.As(f.resp))
	if err != nil || r.JSON201 == nil {
		t.Fatalf("create: %v %d %s", err, r.StatusCode(), r.Body)
	}
	v := *r.JSON201
	if loc := r.HTTPResponse.Header.Get("Location"); loc != "/api/v1/interventions/"+strconv.FormatInt(v.Id, 10) {
		t.Errorf("Location %q", loc)
	}
	if etag := r.HTTPResponse.Header.Get("ETag"); etag != `"1"` || v.Version != 1 {
		t.Errorf("ETag %q version %d", etag, v.Version)
	}
	respID := f.id(`SELECT id FROM users WHERE username = 'responsable'`)
	if v.Titre != "Fuite d'huile compresseur" || v.Statut != api.InterventionStatutOuverte || v.Priorite != api.InterventionPrioriteNormale ||
		v.Urgence || *v.CreatedBy != respID || *v.ClientId != f.company || *v.ContratId != contrat ||
		v.TechnicienId != nil || v.DateAffectation != nil || v.CoutTotal != 0 || v.EstEnRetard ||
		!slices.Equal(v.ActionsPossibles, []api.InterventionAction{"assign", "cancel"}) {
		t.Errorf("created %+v", v)
	}
	// normale: the contract sets no time for it, so the default 72 h applies.
	if got := (*v.DateLimite).Sub(v.DateCreation); got != 72*time.Hour {
		t.Errorf("deadline %v after creation, want 72h", got)
	}
	if d := *v.DelaiRestantHeures; d < 71.9 || d > 72 {
		t.Errorf("delai_restant_heures %v", d)
	}
	h := f.history(v.Id)
	if len(h) != 1 || h[0].Action != "create" || h[0].Avant != nil || h[0].Apres != "ouverte" || *h[0].UserID != respID {
		t.Errorf("history %+v", h)
	}
	if countRows(t, f.env, `SELECT count(*) FROM audit_log WHERE action = 'intervention.created' AND resource_id = $1`,
		strconv.FormatInt(v.Id, 10)) != 1 {
		t.Error("no audit row")
	}

	// Deadlines: the contract's time for the priority, else the default; none for programmee.
	for _, c := range []struct {
		priorite api.InterventionPriorite
		machine  int64
		want     time.Duration // 0: none
	}{
		{api.InterventionPrioriteUrgente, internal, 2 * time.Hour},
		{api.InterventionPrioriteHaute, internal, 24 * time.Hour},
		{api.InterventionPrioriteNormale, internal, 72 * time.Hour},
		{api.InterventionPrioriteBasse, internal, 168 * time.Hour},
		{api.InterventionPrioriteProgrammee, internal, 0},
		{api.InterventionPrioriteHaute, machine, 6 * time.Hour},   // the contract's
		{api.InterventionPrioriteUrgente, machine, 2 * time.Hour}, // the contract sets none
		{api.InterventionPrioriteProgrammee, machine, 0},          // never
	} {
		v := f.create(f.admin, api.InterventionCreate{Titre: "SLA " + string(c.priorite), TypeIntervention: ptrTo(api.InterventionTypePreventive),
			Priorite: &c.priorite, EquipementId: c.machine})
		switch {
		case c.want == 0 && v.DateLimite != nil:
			t.Errorf("%s: deadline %v, want none", c.priorite, *v.DateLimite)
		case c.want != 0 && (v.DateLimite == nil || (*v.DateLimite).Sub(v.DateCreation) != c.want):
			t.Errorf("%s on machine %d: deadline %+v, want creation + %v", c.priorite, c.machine, v.DateLimite, c.want)
		}
		if v.Type != api.InterventionTypePreventive {
			t.Errorf("type_intervention alias ignored: %s", v.Type)
		}
	}
	// A deadline given is kept; a contract of the same client may be given.
	limite := time.Now().Add(5 * time.Hour).UTC().Truncate(time.Second)
	other := f.contrat(f.company, [4]*int{})
	v = f.create(f.admin, api.InterventionCreate{Titre: "Deadline", Type: ptrTo(api.InterventionTypeDiagnostic),
		DateLimite: &limite, EquipementId: machine, ContratId: &other, Urgence: ptrTo(true)})
	if !(*v.DateLimite).Equal(limite) || *v.ContratId != other || !v.Urgence {
		t.Errorf("given deadline/contract: %+v", v)
	}

	// With a technician: assigned at once, still one history row.
	v = f.create(f.admin, api.InterventionCreate{Titre: "Assignée", Type: ptrTo(api.InterventionTypeCorrective),
		EquipementId: machine, TechnicienId: &f.techID, Statut: ptrTo(api.InterventionStatutAffectee)})
	if v.Statut != api.InterventionStatutAffectee || *v.TechnicienId != f.techID || v.DateAffectation == nil {
		t.Errorf("assigned at creation: %+v", v)
	}
	if h := f.history(v.Id); len(h) != 1 || h[0].Apres != "affectee" || *h[0].Remarque != "Création de l'intervention et affectation à Mohammed Bennani" {
		t.Errorf("history %+v", h)
	}

	// Refusals write nothing.
	foreign, _ := f.clientAccount()
	foreignContrat := f.contrat(foreign, [4]*int{})
	before := f.count(`SELECT count(*) FROM interventions`) + f.count(`SELECT count(*) FROM intervention_historique`)
	for _, c := range []struct {
		name, body string
		status     int
		detail     string
		fields     []string
	}{
		{"no type", fmt.Sprintf(`{"titre":"x","equipement_id":%d}`, machine), 422, "", []string{"type"}},
		{"conflicting types", fmt.Sprintf(`{"titre":"x","type":"corrective","type_intervention":"preventive","equipement_id":%d}`, machine), 422, "", []string{"type"}},
		{"blank title", fmt.Sprintf(`{"titre":"   ","type":"corrective","equipement_id":%d}`, machine), 422, "", []string{"titre"}},
		{"statut en_cours", fmt.Sprintf(`{"titre":"x","type":"corrective","statut":"en_cours","equipement_id":%d}`, machine), 422, "", []string{"statut"}},
		{"statut cloturee", fmt.Sprintf(`{"titre":"x","type":"corrective","statut":"cloturee","equipement_id":%d}`, machine), 422, "", []string{"statut"}},
		{"affectee without technician", fmt.Sprintf(`{"titre":"x","type":"corrective","statut":"affectee","equipement_id":%d}`, machine), 422, "", []string{"statut"}},
		{"missing equipment", `{"titre":"x","type":"corrective","equipement_id":999999}`, 404, "Équipement cible introuvable", nil},
		{"missing technician", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d,"technicien_id":999999}`, machine), 404, "Technicien assigné introuvable", nil},
		{"another client's contract", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d,"contrat_id":%d}`, machine, foreignContrat), 422, "", []string{"contrat_id"}},
		{"contract on an internal machine", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d,"contrat_id":%d}`, internal, contrat), 422, "", []string{"contrat_id"}},
		{"missing contract", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d,"contrat_id":999999}`, machine), 422, "", []string{"contrat_id"}},
	} {
		resp, b := f.do(http.MethodPost, "/api/v1/interventions", f.admin, c.body, nil, c.name == "no type")
		wantIvProblem(t, c.name, resp, b, c.status, c.detail, c.fields...)
		if c.name == "no type" && !strings.Contains(string(b), "type_intervention") {
			t.Errorf("no type: the message does not name the alias: %s", b)
		}
	}
	if after := f.count(`SELECT count(*) FROM interventions`) + f.count(`SELECT count(*) FROM intervention_historique`); after != before {
		t.Errorf("refused creations wrote %d rows", after-before)
	}
}

// TestClientRequestsAnIntervention: a client submits requests on its own machines only.
func TestClientRequestsAnIntervention(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	own := f.machine(&f.company, nil)
	foreign, _ := f.clientAccount()
	theirs := f.machine(&foreign, nil)
	internal := f.machine(nil, nil)
	clientUser := f.id(`SELECT id FROM users WHERE username = 'client'`)

	v := f.create(f.client, api.InterventionCreate{Titre: "Bruit anormal", Type: ptrTo(api.InterventionTypeCorrective),
		Priorite: ptrTo(api.InterventionPrioriteHaute), EquipementId: own, Statut: ptrTo(api.InterventionStatutOuverte)})
	if v.Statut != api.InterventionStatutOuverte || *v.CreatedBy != clientUser || *v.ClientId != f.company ||
		len(v.ActionsPossibles) != 0 {
		t.Errorf("request %+v", v)
	}
	if h := f.history(v.Id); len(h) != 1 || *h[0].Remarque != "Demande d'intervention du client" {
		t.Errorf("history %+v", h)
	}
	for _, c := range []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"another client's machine", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d}`, theirs), 404, nil},
		{"an internal machine", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d}`, internal), 404, nil},
		{"with a technician", fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d,"technicien_id":%d}`, own, f.techID), 422, []string{"technicien_id"}},
		{"urgente", fmt.Sprintf(`{"titre":"x","type":"corrective","priorite":"urgente","equipement_id":%d}`, own), 422, []string{"priorite"}},
	} {
		resp, b := f.do(http.MethodPost, "/api/v1/interventions", f.client, c.body, nil, false)
		detail := ""
		if c.status == 404 {
			detail = "Équipement cible introuvable"
		}
		wantIvProblem(t, c.name, resp, b, c.status, detail, c.fields...)
	}
	// A technicien may not create (role).
	resp, b := f.do(http.MethodPost, "/api/v1/interventions", f.tech,
		fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d}`, own), nil, false)
	wantIvProblem(t, "technicien creates", resp, b, http.StatusForbidden, "")
	if n := f.count(`SELECT count(*) FROM interventions`); n != 1 {
		t.Errorf("%d interventions, want 1", n)
	}
}

// TestUpdateIntervention: partial updates of an open intervention, with their history row.
func TestUpdateIntervention(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	contrat := f.contrat(f.company, [4]*int{ptrTo(4), nil, nil, nil})
	machine := f.machine(&f.company, nil)
	v := f.create(f.admin, api.InterventionCreate{Titre: "Fuite", Description: ptrTo("Petite fuite"),
		Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine})
	patch := func(id int64, body string, token string) (*http.Response, []byte) {
		return f.do(http.MethodPatch, ivPath(id), token, body, nil, false)
	}
	// Escalating the priority moves a default deadline; null clears the description.
	resp, b := patch(v.Id, `{"priorite":"urgente","description":null,"cout_pieces":1500,"titre":" Fuite importante "}`, f.resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("patch: %d %s", resp.StatusCode, b)
	}
	got := decodeInto[api.Intervention](t, b)
	if got.Priorite != api.InterventionPrioriteUrgente || got.Description != nil || *got.CoutPieces != 1500 ||
		got.CoutTotal != 1500 || got.Titre != "Fuite importante" || got.Version != 2 ||
		(*got.DateLimite).Sub(got.DateCreation) != 2*time.Hour {
		t.Errorf("patched %+v", got)
	}
	h := f.history(v.Id)
	if len(h) != 2 || h[1].Action != "update" || *h[1].Remarque != "Champs modifiés : titre, description, priorite, cout_pieces, date_limite" ||
		*h[1].Avant != "ouverte" || h[1].Apres != "ouverte" {
		t.Errorf("history %+v", h)
	}
	// Under a contract, the contract's time applies; a deadline set by hand stays.
	resp, b = patch(v.Id, fmt.Sprintf(`{"contrat_id":%d}`, contrat), f.admin)
	if got := decodeInto[api.Intervention](t, b); resp.StatusCode != 200 || (*got.DateLimite).Sub(got.DateCreation) != 4*time.Hour {
		t.Errorf("contract: %d %s", resp.StatusCode, b)
	}
	limite := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	resp, b = patch(v.Id, `{"date_limite":"`+limite.Format(time.RFC3339)+`"}`, f.admin)
	if resp.StatusCode != 200 {
		t.Fatalf("deadline: %d %s", resp.StatusCode, b)
	}
	resp, b = patch(v.Id, `{"priorite":"basse"}`, f.admin)
	if got := decodeInto[api.Intervention](t, b); resp.StatusCode != 200 || !(*got.DateLimite).Equal(limite) {
		t.Errorf("a deadline set by hand moved: %d %s", resp.StatusCode, b)
	}
	// Nothing changed: nothing written.
	st := f.state(v.Id)
	resp, b = patch(v.Id, `{"priorite":"basse","urgence":false}`, f.admin)
	if resp.StatusCode != 200 || f.state(v.Id).Version != st.Version || f.state(v.Id).HistoryRows != st.HistoryRows {
		t.Errorf("a no-op update wrote: %d %s", resp.StatusCode, b)
	}
	// Refusals.
	foreign, _ := f.clientAccount()
	foreignContrat := f.contrat(foreign, [4]*int{})
	resp, b = patch(v.Id, fmt.Sprintf(`{"contrat_id":%d}`, foreignContrat), f.admin)
	wantIvProblem(t, "another client's contract", resp, b, 422, "", "contrat_id")
	resp, b = patch(v.Id, `{"titre":"  "}`, f.admin)
	wantIvProblem(t, "blank title", resp, b, 422, "", "titre")
	resp, b = patch(999999, `{"titre":"x"}`, f.admin)
	wantIvProblem(t, "missing", resp, b, 404, "Intervention introuvable")
	resp, b = patch(v.Id, `{"titre":"x"}`, f.tech)
	wantIvProblem(t, "technicien", resp, b, 403, "")
	for _, statut := range []string{"cloturee", "annulee", "archivee"} {
		id := f.insert(statut, machine, &f.techID)
		resp, b = patch(id, `{"titre":"x"}`, f.admin)
		wantIvProblem(t, statut, resp, b, 409, "Intervention non modifiable ("+statut+")")
	}
	if after := f.state(v.Id); after.Version != st.Version || after.HistoryRows != st.HistoryRows {
		t.Errorf("refused updates wrote something")
	}
}

// TestRateIntervention: the client of a finished intervention rates it once, 1..5.
func TestRateIntervention(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	closed := f.insert("cloturee", machine, &f.techID)
	rate := func(token string, id int64, body string) (*http.Response, []byte) {
		return f.do(http.MethodPut, ivPath(id, "/satisfaction"), token, body, nil, false)
	}
	resp, b := rate(f.client, closed, `{"satisfaction_client":4,"commentaire":"Rapide"}`)
	if got := decodeInto[api.Intervention](t, b); resp.StatusCode != 200 || *got.SatisfactionClient != 4 {
		t.Fatalf("rate: %d %s", resp.StatusCode, b)
	}
	if h := f.history(closed); len(h) != 1 || h[0].Action != "rate" || *h[0].Remarque != "Satisfaction du client : 4/5 : Rapide" {
		t.Errorf("history %+v", h)
	}
	resp, b = rate(f.client, closed, `{"satisfaction_client":5}`)
	wantIvProblem(t, "twice", resp, b, 409, "Intervention déjà notée (4/5)")
	archived := f.insert("archivee", machine, &f.techID)
	if resp, b = rate(f.client, archived, `{"satisfaction_client":1}`); resp.StatusCode != 200 {
		t.Errorf("archived: %d %s", resp.StatusCode, b)
	}
	for _, statut := range []string{"ouverte", "en_cours", "annulee"} {
		id := f.insert(statut, machine, &f.techID)
		resp, b = rate(f.client, id, `{"satisfaction_client":3}`)
		wantIvProblem(t, statut, resp, b, 409, "Intervention non clôturée ("+statut+") : notation impossible")
	}
	foreign, foreignTok := f.clientAccount()
	theirs := f.insert("cloturee", f.machine(&foreign, nil), nil)
	resp, b = rate(f.client, theirs, `{"satisfaction_client":3}`)
	wantIvProblem(t, "another client's", resp, b, 404, "Intervention introuvable")
	resp, b = rate(foreignTok, closed, `{"satisfaction_client":3}`)
	wantIvProblem(t, "not its client", resp, b, 404, "Intervention introuvable")
	resp, b = rate(f.admin, theirs, `{"satisfaction_client":3}`)
	wantIvProblem(t, "admin", resp, b, 403, "")
	for _, body := range []string{`{"satisfaction_client":0}`, `{"satisfaction_client":6}`, `{}`} {
		resp, b = f.do(http.MethodPut, ivPath(theirs, "/satisfaction"), foreignTok, body, nil, true)
		wantIvProblem(t, body, resp, b, 422, "")
	}
	if f.state(theirs).Satisfaction != nil {
		t.Error("an invalid mark was stored")
	}
}

// TestInterventionRowLevelAccess: who reads what, in every read and write operation.
func TestInterventionRowLevelAccess(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	own := f.machine(&f.company, nil)
	foreign, foreignTok := f.clientAccount()
	theirMachine := f.machine(&foreign, nil)
	otherTech, otherTechTok := f.techAccount()
	_, noProfileTok := f.account(api.UserRoleTechnicien)

	mine := f.insert("en_cours", own, &f.techID)                 // demo client's, demo technicien's
	ownOther := f.insert("affectee", own, &otherTech)            // demo client's, another technician's
	foreignMine := f.insert("en_cours", theirMachine, &f.techID) // another client's, demo technicien's
	foreignOpen := f.insert("ouverte", theirMachine, nil)
	all := []int64{mine, ownOther, foreignMine, foreignOpen}

	readers := []struct {
		name, token string
		sees        []int64
	}{
		{"admin", f.admin, all},
		{"responsable", f.resp, all},
		{"technicien", f.tech, []int64{mine, foreignMine}},
		{"other technicien", otherTechTok, []int64{ownOther}},
		{"technicien without profile", noProfileTok, nil},
		{"client", f.client, []int64{mine, ownOther}},
		{"other client", foreignTok, []int64{foreignMine, foreignOpen}},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			f := f.with(t)
			for _, path := range []string{"/api/v1/interventions?sort=id", "/api/v1/filters/interventions?sort=id"} {
				ids, total := f.list(r.token, path)
				if !slices.Equal(ids, r.sees) && !(len(ids) == 0 && len(r.sees) == 0) || total != len(r.sees) {
					t.Errorf("%s: %v (total %d), want %v", path, ids, total, r.sees)
				}
			}
			for _, id := range all {
				code, _ := f.get(r.token, id)
				resp, _ := f.do(http.MethodGet, ivPath(id, "/historique"), r.token, "", nil, false)
				want := http.StatusNotFound
				if slices.Contains(r.sees, id) {
					want = http.StatusOK
				}
				if code != want || resp.StatusCode != want {
					t.Errorf("intervention %d: get %d, history %d, want %d", id, code, resp.StatusCode, want)
				}
			}
		})
	}
	// Writes on unreadable rows are 404 too (never 403, so ids do not leak).
	resp, b := f.act(otherTechTok, mine, "pause", "")
	wantIvProblem(t, "other technicien pauses", resp, b, 404, "Intervention introuvable")
	resp, b = f.statut(otherTechTok, mine, "statut=cloturee")
	wantIvProblem(t, "other technicien closes", resp, b, 404, "Intervention introuvable")
	resp, b = f.do(http.MethodPut, ivPath(mine, "/satisfaction"), foreignTok, `{"satisfaction_client":3}`, nil, false)
	wantIvProblem(t, "other client rates", resp, b, 404, "Intervention introuvable")
	// A client cannot start work, even on its own intervention.
	resp, b = f.act(f.client, mine, "pause", "")
	wantIvProblem(t, "client pauses", resp, b, 403, "")
	if st := f.state(mine); st.Statut != "en_cours" || st.Version != 1 {
		t.Errorf("refused writes changed %+v", st)
	}

	// The interventions of a machine: 404 when the machine is not readable, scoped otherwise.
	for _, c := range []struct {
		name, token string
		machine     int64
		status      int
		sees        []int64
	}{
		{"admin", f.admin, own, 200, []int64{mine, ownOther}},
		{"technicien", f.tech, theirMachine, 200, []int64{foreignMine}},
		{"client, own machine", f.client, own, 200, []int64{mine, ownOther}},
		{"client, another's machine", f.client, theirMachine, 404, nil},
		{"missing machine", f.admin, 999999, 404, nil},
	} {
		path := fmt.Sprintf("/api/v1/equipements/%d/interventions?sort=id", c.machine)
		if c.status == 404 {
			resp, b := f.do(http.MethodGet, path, c.token, "", nil, false)
			wantIvProblem(t, c.name, resp, b, 404, "Équipement introuvable")
			continue
		}
		if ids, total := f.list(c.token, path); !slices.Equal(ids, c.sees) || total != len(c.sees) {
			t.Errorf("%s: %v (%d), want %v", c.name, ids, total, c.sees)
		}
	}
	// The interventions of a technician: any for staff managers, only its own for a technicien.
	for _, c := range []struct {
		name, token string
		tech        int64
		status      int
		sees        []int64
	}{
		{"admin", f.admin, f.techID, 200, []int64{mine, foreignMine}},
		{"technicien, own", f.tech, f.techID, 200, []int64{mine, foreignMine}},
		{"technicien, another's", f.tech, otherTech, 404, nil},
		{"missing technician", f.resp, 999999, 404, nil},
	} {
		path := fmt.Sprintf("/api/v1/techniciens/%d/interventions?sort=id", c.tech)
		if c.status == 404 {
			resp, b := f.do(http.MethodGet, path, c.token, "", nil, false)
			wantIvProblem(t, c.name, resp, b, 404, "Technicien introuvable")
			continue
		}
		if ids, total := f.list(c.token, path); !slices.Equal(ids, c.sees) || total != len(c.sees) {
			t.Errorf("%s: %v (%d), want %v", c.name, ids, total, c.sees)
		}
	}
	resp, b = f.do(http.MethodGet, fmt.Sprintf("/api/v1/techniciens/%d/interventions", f.techID), f.client, "", nil, false)
	wantIvProblem(t, "client lists a technician's", resp, b, 403, "")
}

// TestInterventionHistoriqueReadsEveryChange: the history endpoint, oldest first, paginated.
func TestInterventionHistoriqueReadsEveryChange(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	v := f.create(f.resp, api.InterventionCreate{Titre: "Historique", Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine})
	for _, step := range []struct{ token, action, body string }{
		{f.resp, "assign", fmt.Sprintf(`{"technicien_id":%d}`, f.techID)},
		{f.tech, "start", ""},
		{f.tech, "pause", `{"remarque":"Pause déjeuner"}`},
		{f.tech, "resume", ""},
		{f.tech, "close", `{"rapport":"OK"}`},
		{f.admin, "archive", ""},
	} {
		if resp, b := f.act(step.token, v.Id, step.action, step.body); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", step.action, resp.StatusCode, b)
		}
	}
	r, err := f.env.Client.ListInterventionHistoriqueWithResponse(t.Context(), v.Id, nil, testenv.As(f.client))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("history: %v %s", err, r.Body)
	}
	rows := *r.JSON200
	var got []string
	for _, h := range rows {
		avant := "-"
		if h.StatutAvant != nil {
			avant = string(*h.StatutAvant)
		}
		got = append(got, fmt.Sprintf("%s:%s>%s", h.Action, avant, h.StatutApres))
	}
	want := []string{"create:->ouverte", "assign:ouverte>affectee", "start:affectee>en_cours", "pause:en_cours>en_attente",
		"resume:en_attente>en_cours", "close:en_cours>cloturee", "archive:cloturee>archivee"}
	if !slices.Equal(got, want) || r.HTTPResponse.Header.Get("X-Total-Count") != "7" {
		t.Errorf("history %v (total %s), want %v", got, r.HTTPResponse.Header.Get("X-Total-Count"), want)
	}
	if *rows[0].UserNom != "Responsable MIF" || *rows[2].UserNom != "Mohammed Bennani" ||
		*rows[3].Remarque != "Pause déjeuner" {
		t.Errorf("authors/remarks: %+v", rows)
	}
	page, err := f.env.Client.ListInterventionHistoriqueWithResponse(t.Context(), v.Id,
		&api.ListInterventionHistoriqueParams{Limit: ptrTo(2), Offset: ptrTo(5)}, testenv.As(f.admin))
	if err != nil || page.JSON200 == nil || len(*page.JSON200) != 2 || (*page.JSON200)[1].Action != "archive" {
		t.Errorf("page: %v %s", err, page.Body)
	}
}

// TestCreateInterventionIsIdempotent: a creation retried with the same Idempotency-Key creates
// one intervention and replays the first answer; the same key with another body is 422.
func TestCreateInterventionIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	body := fmt.Sprintf(`{"titre":"Retry","type":"corrective","equipement_id":%d}`, machine)
	post := func(key, body string) (*http.Response, []byte) {
		return f.do(http.MethodPost, "/api/v1/interventions", f.admin, body, map[string]string{"Idempotency-Key": key}, false)
	}
	first, b1 := post("retry-1", body)
	again, b2 := post("retry-1", body)
	if first.StatusCode != http.StatusCreated || again.StatusCode != http.StatusCreated || string(b1) != string(b2) ||
		again.Header.Get("Location") != first.Header.Get("Location") {
		t.Errorf("replay: %d %s / %d %s", first.StatusCode, b1, again.StatusCode, b2)
	}
	if n := f.count(`SELECT count(*) FROM interventions`); n != 1 {
		t.Errorf("%d interventions after a retry, want 1", n)
	}
	resp, b := post("retry-1", fmt.Sprintf(`{"titre":"Autre","type":"corrective","equipement_id":%d}`, machine))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("same key, another body: %d %s", resp.StatusCode, b)
	}
	if resp, _ := post("retry-2", body); resp.StatusCode != http.StatusCreated || f.count(`SELECT count(*) FROM interventions`) != 2 {
		t.Errorf("a new key did not create: %d", resp.StatusCode)
	}
}

// TestDemoInterventionsThroughTheAPI: the seeded demo data reads coherently through the API.
func TestDemoInterventionsThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(t.Context(), env.Pool, hasher); err != nil {
		t.Fatal(err)
	}
	f := &ivFixture{t: t, env: env, seq: &atomic.Int64{}}
	admin, tech, client := env.Token("admin"), env.Token("technicien"), env.Token("client")
	if _, total := f.list(admin, "/api/v1/interventions"); total != 7 {
		t.Errorf("admin sees %d demo interventions, want 7", total)
	}
	if _, total := f.list(client, "/api/v1/interventions"); total != 7 {
		t.Errorf("the demo client sees %d, want 7 (all on its machines)", total)
	}
	ids, total := f.list(tech, "/api/v1/interventions?sort=titre")
	if total != 2 {
		t.Fatalf("the demo technicien sees %d, want 2", total)
	}
	_, fuite := f.get(tech, ids[0])
	if fuite.Titre != "Fuite d'huile compresseur" || !fuite.EstEnRetard ||
		!slices.Equal(fuite.ActionsPossibles, []api.InterventionAction{"pause", "close"}) {
		t.Errorf("overdue demo intervention: %+v", fuite)
	}
	r, err := env.Client.GetDashboardStatsWithResponse(t.Context(), testenv.As(admin))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("dashboard: %v", err)
	}
	s := r.JSON200.Interventions
	if s.Ouverte != 1 || s.Affectee != 1 || s.EnCours != 1 || s.EnAttente != 1 || s.Cloturee != 1 || s.Annulee != 1 ||
		s.Archivee != 1 || s.EnRetard != 1 || *r.JSON200.SlaRespectPct != 100 || *r.JSON200.MttrHeures != 3 {
		t.Errorf("demo dashboard %+v mttr %+v sla %+v", s, r.JSON200.MttrHeures, r.JSON200.SlaRespectPct)
	}
	// Its history follows the lifecycle and the demo technicien can carry on.
	archived, _ := f.list(admin, "/api/v1/interventions?statut=archivee")
	h, err := env.Client.ListInterventionHistoriqueWithResponse(t.Context(), archived[0], nil, testenv.As(client))
	if err != nil || h.JSON200 == nil || len(*h.JSON200) != 6 || (*h.JSON200)[5].Action != "archive" {
		t.Errorf("demo history: %v %s", err, h.Body)
	}
	if resp, b := f.act(tech, fuite.Id, "close", `{"rapport":"Joint de carter remplacé"}`); resp.StatusCode != http.StatusOK {
		t.Errorf("closing a demo intervention: %d %s", resp.StatusCode, b)
	}
}
