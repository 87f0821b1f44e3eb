package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/interventions"
)

// TestInterventionJSONMatchesContractType: the fast wire form of an intervention encodes to the
// very bytes of the generated contract type, whichever optional field is null or set (a field
// added to the contract and filled by toAPIIntervention but not by interventionWire fails here).
func TestInterventionJSONMatchesContractType(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	at := func(h int) *time.Time {
		v := time.Date(2026, 3, 4, 5, 6, 7, 891000000, paris).Add(time.Duration(h) * time.Hour)
		return &v
	}
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	full := interventions.Intervention{
		Row: interventions.Row{
			ID: 7, Titre: `Fuite <b>"huile"</b> & cie — à l'atelier`, Description: str("ligne 1\nligne 2\t\u2028"),
			TypeIntervention: db.InterventionTypeCorrective, Statut: db.InterventionStatutEnCours,
			Priorite: db.InterventionPrioriteUrgente, Urgence: true, EquipementID: 3, TechnicienID: i64(4),
			ClientID: i64(5), ContratID: i64(6), CreatedBy: i64(2), DateCreation: *at(0), DateLimite: at(2),
			DateAffectation: at(1), DateDebutTravaux: at(3), DateFinTravaux: at(4), DateCloture: at(5),
			DateArchivage: at(6), CoutMainOeuvre: i64(12345), CoutPieces: i64(0), DureeMinutes: ptr(int32(95)),
			Rapport: str("Joint remplacé"), SatisfactionClient: ptr(int16(4)), MotifAnnulation: str("doublon"),
			Version: 3, UpdatedAt: *at(7),
		},
		EstEnRetard: true, DelaiRestantHeures: ptr(-1.25), SlaRespecte: ptr(false), CoutTotal: 12345,
		ActionsPossibles: []interventions.Action{"demarrer", "annuler"},
	}
	bare := interventions.Intervention{Row: interventions.Row{
		ID: 8, Titre: "x", TypeIntervention: db.InterventionTypePreventive, Statut: db.InterventionStatutOuverte,
		Priorite: db.InterventionPrioriteBasse, EquipementID: 1, DateCreation: *at(0), UpdatedAt: *at(0),
	}}
	cases := map[string]interventions.Intervention{"every field set": full, "every optional field null": bare}
	for name, v := range cases {
		want := encodeForTest(t, toAPIIntervention(v))
		if got := encodeForTest(t, interventionWire(v)); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}

	// A page answers like the generated response: status, media type, X-Total-Count, body.
	page, err := interventionPage([]interventions.Intervention{full, bare}, 42, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := page.VisitListInterventionsResponse(rec); err != nil {
		t.Fatal(err)
	}
	want := encodeForTest(t, mapAll([]interventions.Intervention{full, bare}, toAPIIntervention))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("X-Total-Count") != "42" ||
		!bytes.Equal(rec.Body.Bytes(), want) {
		t.Errorf("page: %d %v\n%s\nwant %s", rec.Code, rec.Header(), rec.Body.Bytes(), want)
	}
	rec = httptest.NewRecorder()
	if err := (interventionResponse{full}).VisitGetInterventionResponse(rec); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("ETag") != `"3"` || !bytes.Equal(rec.Body.Bytes(), encodeForTest(t, toAPIIntervention(full))) {
		t.Errorf("one intervention: %v %s", rec.Header(), rec.Body.Bytes())
	}
}

func encodeForTest(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkInterventionPageJSON compares encoding a page of 50 interventions through the
// generated type and through the wire form.
func BenchmarkInterventionPageJSON(b *testing.B) {
	now := time.Now()
	v := interventions.Intervention{Row: interventions.Row{
		ID: 8, Titre: "Fuite d'huile compresseur", Description: ptr("Fuite au niveau du carter"),
		TypeIntervention: db.InterventionTypeCorrective, Statut: db.InterventionStatutEnCours,
		Priorite: db.InterventionPrioriteHaute, EquipementID: 1, TechnicienID: ptr(int64(3)), ClientID: ptr(int64(2)),
		DateCreation: now, DateLimite: &now, DateAffectation: &now, UpdatedAt: now, Version: 2,
	}, DelaiRestantHeures: ptr(3.5), ActionsPossibles: []interventions.Action{"demarrer"}}
	rows := make([]interventions.Intervention, 50)
	for i := range rows {
		rows[i] = v
	}
	b.Run("generated", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			_ = json.NewEncoder(&buf).Encode(mapAll(rows, toAPIIntervention))
		}
	})
	b.Run("wire", func(b *testing.B) {
		for b.Loop() {
			page, _ := interventionPage(rows, 50, nil)
			var buf bytes.Buffer
			_ = json.NewEncoder(&buf).Encode(page.body)
		}
	})
}
