package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

func compressorChecklist(nom string) api.ChecklistInput {
	return api.ChecklistInput{Nom: nom, Items: []api.ChecklistItemInput{
		{Libelle: "Pression de service", TypeItem: api.TypeItemChecklistMesure, Unite: ptrTo("bar"), Min: ptrTo(6.5), Max: ptrTo(8.0), SuiviSiEcart: ptrTo(true)},
		{Libelle: "Niveau d'huile correct", TypeItem: api.TypeItemChecklistOuiNon, SuiviSiEcart: ptrTo(true)},
		{Libelle: "Purge des condensats faite", TypeItem: api.TypeItemChecklistCase},
		{Libelle: "Observations", TypeItem: api.TypeItemChecklistTexte, Obligatoire: ptrTo(false)},
		{Libelle: "Photo du voyant", TypeItem: api.TypeItemChecklistPhoto, Obligatoire: ptrTo(false)},
	}}
}

// TestChecklistTemplates: managers write templates (items in order, names unique), staff read
// them, bad items are refused naming the field, a template named by a plan is not deleted.
func TestChecklistTemplates(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	create := func(token string, in api.ChecklistInput) *api.CreateChecklistResponse {
		t.Helper()
		r, err := env.Client.CreateChecklistWithResponse(ctx, in, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := create(f.resp, compressorChecklist("Contrôle mensuel compresseur"))
	if r.JSON201 == nil || len(r.JSON201.Items) != 5 || r.JSON201.Items[0].Ordre != 1 || r.JSON201.Items[4].Ordre != 5 ||
		!r.JSON201.Items[0].Obligatoire || r.JSON201.Items[3].Obligatoire || *r.JSON201.Items[0].Unite != "bar" {
		t.Fatalf("create: %d %s", r.StatusCode(), r.Body)
	}
	c := *r.JSON201
	if r := create(f.resp, compressorChecklist("CONTRÔLE mensuel compresseur")); r.StatusCode() != http.StatusConflict {
		t.Errorf("duplicate name: %d", r.StatusCode())
	}
	if r := create(f.tech, compressorChecklist("Par un technicien")); r.StatusCode() != http.StatusForbidden {
		t.Errorf("technicien creates: %d", r.StatusCode())
	}
	bad := []struct {
		items []api.ChecklistItemInput
		field string
	}{
		{[]api.ChecklistItemInput{{Libelle: "P", TypeItem: api.TypeItemChecklistMesure, Min: ptrTo(9.0), Max: ptrTo(8.0)}}, "items.0.max"},
		{[]api.ChecklistItemInput{{Libelle: "P", TypeItem: api.TypeItemChecklistCase}, {Libelle: "U", TypeItem: api.TypeItemChecklistCase, Unite: ptrTo("bar")}}, "items.1.type_item"},
		{[]api.ChecklistItemInput{{Libelle: "T", TypeItem: api.TypeItemChecklistTexte, SuiviSiEcart: ptrTo(true)}}, "items.0.suivi_si_ecart"},
		{[]api.ChecklistItemInput{{Libelle: " ", TypeItem: api.TypeItemChecklistCase}}, "items.0.libelle"},
	}
	for _, b := range bad {
		r := create(f.resp, api.ChecklistInput{Nom: "Mauvaise", Items: b.items})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, b.field)
	}
	l, err := env.Client.ListChecklistsWithResponse(ctx, &api.ListChecklistsParams{Q: ptrTo("mensuel")}, testenv.As(f.tech))
	if err != nil || l.JSON200 == nil || l.Headers200.XTotalCount != 1 || (*l.JSON200)[0].Id != c.Id || len((*l.JSON200)[0].Items) != 5 {
		t.Fatalf("list: %v %s", err, l.Body)
	}
	if l, _ := env.Client.ListChecklistsWithResponse(ctx, nil, testenv.As(f.client)); l.StatusCode() != http.StatusForbidden {
		t.Errorf("client lists templates: %d", l.StatusCode())
	}
	in := compressorChecklist("Contrôle mensuel compresseur v2")
	in.Items = in.Items[:2]
	u, err := env.Client.UpdateChecklistWithResponse(ctx, c.Id, in, testenv.As(f.resp))
	if err != nil || u.JSON200 == nil || len(u.JSON200.Items) != 2 || u.JSON200.Nom != "Contrôle mensuel compresseur v2" {
		t.Fatalf("replace: %v %s", err, u.Body)
	}
	// A plan names it: not deleted; an unknown template in a plan's modele is refused.
	machine := f.machine(&f.company, nil)
	p, err := env.Client.CreatePlanningWithResponse(ctx, api.PlanningCreate{EquipementId: machine, Frequence: "mensuel",
		Modele: &api.PlanningModele{ChecklistId: nullable.NewNullableWithValue(c.Id)}}, testenv.As(f.resp))
	if err != nil || p.JSON201 == nil || p.JSON201.Modele.ChecklistId.MustGet() != c.Id {
		t.Fatalf("plan with a checklist: %v %s", err, p.Body)
	}
	bp, _ := env.Client.CreatePlanningWithResponse(ctx, api.PlanningCreate{EquipementId: machine, Frequence: "mensuel",
		Modele: &api.PlanningModele{ChecklistId: nullable.NewNullableWithValue[int64](999999)}}, testenv.As(f.resp))
	stockProblem(t, bp.StatusCode(), bp.Body, http.StatusUnprocessableEntity, "modele.checklist_id")
	d, _ := env.Client.DeleteChecklistWithResponse(ctx, c.Id, testenv.As(f.resp))
	stockProblem(t, d.StatusCode(), d.Body, http.StatusConflict)
	// The plan's generated intervention gets its own copy.
	g, err := env.Client.GeneratePlanningWithResponse(ctx, p.JSON201.Id, testenv.As(f.resp))
	if err != nil || g.StatusCode() != http.StatusCreated {
		t.Fatalf("generate: %v %s", err, g.Body)
	}
	iv := f.id(`SELECT id FROM interventions WHERE planning_id = $1`, p.JSON201.Id)
	cl, err := env.Client.GetInterventionChecklistWithResponse(ctx, iv, testenv.As(f.resp))
	if err != nil || cl.JSON200 == nil || len(cl.JSON200.Items) != 2 || *cl.JSON200.ChecklistId != c.Id || cl.JSON200.Complete {
		t.Fatalf("generated checklist: %v %s", err, cl.Body)
	}
	// Without the plan's reference it goes.
	f.exec(`UPDATE plannings SET modele_checklist_id = NULL WHERE id = $1`, p.JSON201.Id)
	if d, _ := env.Client.DeleteChecklistWithResponse(ctx, c.Id, testenv.As(f.resp)); d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.StatusCode(), d.Body)
	}
	if cl, _ := env.Client.GetInterventionChecklistWithResponse(ctx, iv, testenv.As(f.resp)); cl.JSON200 == nil ||
		len(cl.JSON200.Items) != 2 || cl.JSON200.ChecklistId != nil {
		t.Errorf("the copy after the template's deletion: %s", cl.Body)
	}
}

// TestInterventionChecklistFlow: an intervention's own copy (the template edited later does not
// change it), answers checked against each item's kind, a `non` opening one follow-up
// corrective intervention linked both ways, closing refused until the required items are
// answered.
func TestInterventionChecklistFlow(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	machine := f.machine(&f.company, nil)
	c, err := env.Client.CreateChecklistWithResponse(ctx, compressorChecklist("Contrôle compresseur flux"), testenv.As(f.resp))
	if err != nil || c.JSON201 == nil {
		t.Fatalf("template: %v %s", err, c.Body)
	}
	r, err := env.Client.CreateInterventionWithResponse(ctx, nil, api.InterventionCreate{Titre: "Contrôle mensuel",
		Type: ptrTo(api.InterventionTypePreventive), EquipementId: machine, TechnicienId: &f.techID, ChecklistId: &c.JSON201.Id},
		testenv.As(f.resp))
	if err != nil || r.JSON201 == nil {
		t.Fatalf("intervention: %v %s", err, r.Body)
	}
	iv := r.JSON201.Id
	bad, _ := env.Client.CreateInterventionWithResponse(ctx, nil, api.InterventionCreate{Titre: "X", Type: ptrTo(api.InterventionTypePreventive),
		EquipementId: machine, ChecklistId: ptrTo[int64](999999)}, testenv.As(f.resp))
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "checklist_id")
	// Editing the template later does not change the copy.
	short := compressorChecklist("Contrôle compresseur flux")
	short.Items = short.Items[:1]
	if u, _ := env.Client.UpdateChecklistWithResponse(ctx, c.JSON201.Id, short, testenv.As(f.resp)); u.JSON200 == nil {
		t.Fatalf("replace: %s", u.Body)
	}
	get := func(token string, id int64) api.InterventionChecklist {
		t.Helper()
		g, err := env.Client.GetInterventionChecklistWithResponse(ctx, id, testenv.As(token))
		if err != nil || g.JSON200 == nil {
			t.Fatalf("checklist of %d: %v %s", id, err, g.Body)
		}
		return *g.JSON200
	}
	cl := get(f.client, iv)
	if len(cl.Items) != 5 || cl.Complete || cl.ObligatoiresRestants != 3 {
		t.Fatalf("copy: %+v", cl)
	}
	item := func(ordre int) int64 { return cl.Items[ordre-1].Id }
	answer := func(token string, it int64, in api.ChecklistReponse) *api.AnswerChecklistItemResponse {
		t.Helper()
		a, err := env.Client.AnswerChecklistItemWithResponse(ctx, iv, it, in, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := answer(f.tech, item(1), api.ChecklistReponse{Reponse: ptrTo(api.ChecklistReponseReponseOui)})
	stockProblem(t, a.StatusCode(), a.Body, http.StatusUnprocessableEntity, "mesure", "reponse")
	a = answer(f.tech, item(1), api.ChecklistReponse{Mesure: ptrTo(7.2)})
	if a.JSON200 == nil || a.JSON200.Ecart || *a.JSON200.Mesure != 7.2 || *a.JSON200.RempliPar != f.techUserID {
		t.Fatalf("measure: %d %s", a.StatusCode(), a.Body)
	}
	// Closing with required items unanswered: 409 naming them.
	act := func(token string, action api.InterventionAction, in api.InterventionActionInput) *api.ApplyInterventionActionResponse {
		t.Helper()
		r, err := env.Client.ApplyInterventionActionWithResponse(ctx, iv, action, nil, in, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if s := act(f.tech, api.InterventionActionStart, api.InterventionActionInput{}); s.JSON200 == nil {
		t.Fatalf("start: %s", s.Body)
	}
	cr := act(f.tech, api.InterventionActionClose, api.InterventionActionInput{Rapport: ptrTo("Fait")})
	p := stockProblem(t, cr.StatusCode(), cr.Body, http.StatusConflict, "checklist.items.2", "checklist.items.3")
	if p.Detail == nil || !strings.Contains(*p.Detail, "2 élément(s) obligatoire(s)") {
		t.Errorf("problem %+v", p)
	}
	// A `non` opens one follow-up corrective intervention, linked both ways.
	a = answer(f.tech, item(2), api.ChecklistReponse{Reponse: ptrTo(api.ChecklistReponseReponseNon), Commentaire: ptrTo("Huile sous le minimum")})
	if a.JSON200 == nil || !a.JSON200.Ecart || a.JSON200.SuiviInterventionId == nil {
		t.Fatalf("non: %d %s", a.StatusCode(), a.Body)
	}
	suivi := *a.JSON200.SuiviInterventionId
	var typ, prio string
	var eq int64
	f.env.Pool.QueryRow(ctx, `SELECT type_intervention::text, priorite::text, equipement_id FROM interventions WHERE id = $1`, suivi).Scan(&typ, &prio, &eq)
	if typ != "corrective" || prio != "haute" || eq != machine {
		t.Errorf("follow-up %s %s on %d", typ, prio, eq)
	}
	if o := get(f.resp, suivi); o.OrigineInterventionId == nil || *o.OrigineInterventionId != iv || len(o.Items) != 0 {
		t.Errorf("follow-up's checklist %+v", o)
	}
	if a = answer(f.resp, item(2), api.ChecklistReponse{Reponse: ptrTo(api.ChecklistReponseReponseNon)}); a.JSON200 == nil ||
		*a.JSON200.SuiviInterventionId != suivi {
		t.Fatalf("second non: %s", a.Body)
	}
	if n := f.count(`SELECT count(*) FROM interventions WHERE origine_intervention_id = $1`, iv); n != 1 {
		t.Errorf("%d follow-ups, want 1", n)
	}
	// Who reads and answers, and what.
	_, otherClient := f.clientAccount()
	if g, _ := env.Client.GetInterventionChecklistWithResponse(ctx, iv, testenv.As(otherClient)); g.StatusCode() != http.StatusNotFound {
		t.Errorf("another client reads the checklist: %d", g.StatusCode())
	}
	_, other := f.techAccount()
	if a := answer(other, item(3), api.ChecklistReponse{Coche: ptrTo(true)}); a.StatusCode() != http.StatusNotFound {
		t.Errorf("another technicien answers: %d", a.StatusCode())
	}
	if a := answer(f.client, item(3), api.ChecklistReponse{Coche: ptrTo(true)}); a.StatusCode() != http.StatusForbidden {
		t.Errorf("the client answers: %d", a.StatusCode())
	}
	otherDoc := f.id(`INSERT INTO documents (intervention_id, filename, storage_key, key_id, taille, mime_type, sha256)
		VALUES ($1::bigint, 'voyant.jpg', 'test/voyant-' || $1::text, 'k1', 1, 'image/jpeg', repeat('0', 64)) RETURNING id`, suivi)
	a = answer(f.tech, item(5), api.ChecklistReponse{DocumentId: &otherDoc})
	stockProblem(t, a.StatusCode(), a.Body, http.StatusUnprocessableEntity, "document_id")
	a = answer(f.tech, item(4), api.ChecklistReponse{Texte: ptrTo("  ")})
	stockProblem(t, a.StatusCode(), a.Body, http.StatusUnprocessableEntity, "texte")
	if a := answer(f.tech, 999999, api.ChecklistReponse{Coche: ptrTo(true)}); a.StatusCode() != http.StatusNotFound {
		t.Errorf("unknown item: %d", a.StatusCode())
	}
	if a := answer(f.tech, item(3), api.ChecklistReponse{Coche: ptrTo(true)}); a.JSON200 == nil {
		t.Fatalf("case: %s", a.Body)
	}
	if cl := get(f.tech, iv); !cl.Complete || cl.ObligatoiresRestants != 0 {
		t.Errorf("complete: %+v", cl)
	}
	if c := act(f.tech, api.InterventionActionClose, api.InterventionActionInput{Rapport: ptrTo("Fait")}); c.JSON200 == nil {
		t.Fatalf("close: %s", c.Body)
	}
	a = answer(f.tech, item(4), api.ChecklistReponse{Texte: ptrTo("Après clôture")})
	stockProblem(t, a.StatusCode(), a.Body, http.StatusConflict)
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'checklist.reponse' AND resource_id = ($1::bigint)::text`, iv); n < 4 {
		t.Errorf("%d audited answers", n)
	}
}
