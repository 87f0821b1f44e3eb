package httpapi

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/equipements"
)

// TestEquipementJSONMatchesContractType: the fast wire form of a machine encodes to the very
// bytes of the generated contract type, with every optional field null or set.
func TestEquipementJSONMatchesContractType(t *testing.T) {
	casa := time.FixedZone("+01", 3600)
	day := func(d int) *time.Time { v := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d); return &v }
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	full := equipements.Equipement{
		Equipement: db.Equipement{
			ID: 9, Nom: `Compresseur <A> & "B"`, TypeEquipement: "compresseur", Localisation: "Atelier — nord",
			Statut: db.EquipementStatutMaintenance, Criticite: db.EquipementCriticiteCritique,
			NumeroSerie: str("SN-1"), CodeInterne: str("CI-1"), Marque: str("Atlas"), Modele: str("GA 37"),
			Batiment: str("B"), Etage: str("1"), Zone: str("Z\u2028"), Description: str("ligne\nsuite"),
			FrequenceEntretien: ptr(int32(30)), DateAcquisition: day(0), DateMiseEnService: day(1),
			DateFinGarantie: day(400), CoutAcquisition: i64(1234500), ClientID: i64(2), ContratID: i64(3),
			ParentID: i64(4), Version: 5,
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 600, casa), UpdatedAt: time.Date(2026, 2, 3, 4, 5, 6, 0, casa),
		},
		NbInterventionsActives: 3, ProchaineMaintenance: day(31), MaintenanceEnRetard: true,
	}
	bare := equipements.Equipement{Equipement: db.Equipement{
		ID: 10, Nom: "x", TypeEquipement: "pompe", Localisation: "y", Statut: db.EquipementStatutOperationnel,
		Criticite: db.EquipementCriticiteStandard, Version: 1, CreatedAt: *day(0), UpdatedAt: *day(0),
	}}
	for name, e := range map[string]equipements.Equipement{"every field set": full, "every optional field null": bare} {
		want := encodeForTest(t, toAPIEquipement(e))
		if got := encodeForTest(t, equipementWire(e)); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	rec := httptest.NewRecorder()
	if err := equipementPage([]equipements.Equipement{full, bare}, 7).VisitListEquipementsResponse(rec); err != nil {
		t.Fatal(err)
	}
	want := encodeForTest(t, mapAll([]equipements.Equipement{full, bare}, toAPIEquipement))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("X-Total-Count") != "7" ||
		!bytes.Equal(rec.Body.Bytes(), want) {
		t.Errorf("page: %d %v\n%s\nwant %s", rec.Code, rec.Header(), rec.Body.Bytes(), want)
	}
	rec = httptest.NewRecorder()
	if err := (equipementResponse{full}).VisitGetEquipementResponse(rec); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("ETag") != `"5"` || !bytes.Equal(rec.Body.Bytes(), encodeForTest(t, toAPIEquipement(full))) {
		t.Errorf("one machine: %v %s", rec.Header(), rec.Body.Bytes())
	}
}
