package httpapi

import (
	"net/http"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/interventions"
)

// discardWriter is a ResponseWriter that keeps nothing, so a benchmark measures the answer's
// conversion and encoding only.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkInterventionPageEncode answers a page of 50 interventions as GET /interventions
// does: domain rows -> contract type -> JSON, through the response's Visit method.
func BenchmarkInterventionPageEncode(b *testing.B) {
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
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		page := api.ListInterventions200JSONResponse{InterventionPageJSONResponse: interventionPage(rows, 50, false)}
		if err := page.VisitListInterventionsResponse(w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEquipementPageEncode answers a page of 50 machines as GET /equipements does.
func BenchmarkEquipementPageEncode(b *testing.B) {
	now := time.Now()
	e := equipements.Equipement{Equipement: db.Equipement{
		ID: 9, Nom: "Compresseur GA 37", TypeEquipement: "compresseur", Localisation: "Atelier nord",
		Statut: db.EquipementStatutOperationnel, Criticite: db.EquipementCriticiteCritique,
		NumeroSerie: ptr("SN-1"), Marque: ptr("Atlas"), Modele: ptr("GA 37"), FrequenceEntretien: ptr(int32(30)),
		DateAcquisition: &now, ClientID: ptr(int64(2)), Version: 5, CreatedAt: now, UpdatedAt: now,
	}, NbInterventionsActives: 1, ProchaineMaintenance: &now}
	rows := make([]equipements.Equipement, 50)
	for i := range rows {
		rows[i] = e
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := equipementPage(rows, 50).VisitListEquipementsResponse(w); err != nil {
			b.Fatal(err)
		}
	}
}
