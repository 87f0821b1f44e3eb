package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
)

// TestResponsesEncodeAsEncodingJSONWould: the generated responses are encoded with
// github.com/goccy/go-json (api/templates/strict/strict-interface.tmpl); clients see the very
// bytes encoding/json's Encoder writes, including for the values where encoders differ: HTML
// and line-separator characters, invalid UTF-8, floats at the exponent thresholds, times with
// and without nanoseconds and zones, dates, nil and empty slices, maps (sorted keys) and
// interface values.
func TestResponsesEncodeAsEncodingJSONWould(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	t1 := time.Date(2026, 12, 7, 5, 4, 3, 120_000_000, time.UTC)
	t2 := time.Date(2026, 1, 2, 3, 4, 5, 0, paris)
	texts := []string{"", "Fuite d'huile <carter> & joint", "é\u2028\u2029\t\"\\/", "\xff\xfeinvalide", "日本語 🙂", "\x00\x1f"}
	floats := []float64{0, -0.5, 3.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.123456789, math.MaxFloat64, math.SmallestNonzeroFloat64, -72.25}
	var values []any
	for i, s := range texts {
		f := floats[i%len(floats)]
		v := api.Intervention{
			Id: int64(i + 1), Titre: s, Description: &s, DateCreation: t1, DateLimite: &t2,
			DelaiRestantHeures: &f, Equipement: api.EquipementRef{Id: 3, Nom: s},
			Statut: api.InterventionStatutEnCours, ActionsPossibles: []api.InterventionAction{"demarrer", "suspendre"},
		}
		if i%2 == 0 {
			v.ActionsPossibles = nil
			v.Technicien = &api.TechnicienRef{Id: 4, FullName: s}
		}
		values = append(values, v, []api.Intervention{v, v})
	}
	for _, f := range floats {
		values = append(values, api.Intervention{DelaiRestantHeures: &f})
	}
	values = append(values,
		[]api.Intervention{}, []api.Intervention(nil),
		api.CoutsRecap{ParType: map[string]api.CoutsFigures{"preventive": {Autres: 1}, "corrective": {Estime: 2}, "amelioration": {}}},
		api.AuditEntry{Details: map[string]any{"z": []any{1.5, "a<b", nil, true}, "a": map[string]any{"y": 1e21, "b": "é"}}, OccurredAt: t2},
		struct {
			D openapi_types.Date `json:"d"`
		}{openapi_types.Date{Time: t2}},
	)
	for i, v := range values {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(v); err != nil {
			t.Fatal(err)
		}
		// Through a generated Visit method where the value is one of its bodies, else directly.
		got := encodeGenerated(t, v)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("value %d (%T):\n got %s\nwant %s", i, v, got, want.Bytes())
		}
	}
}

// encodeGenerated encodes v the way the generated responses do: through the Visit method of
// GetIntervention's and ListInterventions' 200 responses for their bodies, and with the same
// encoder for the other values.
func encodeGenerated(t *testing.T, v any) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	var err error
	switch b := v.(type) {
	case api.Intervention:
		err = api.GetIntervention200JSONResponse{Body: b}.VisitGetInterventionResponse(rec)
	case []api.Intervention:
		err = api.ListInterventions200JSONResponse{InterventionPageJSONResponse: api.InterventionPageJSONResponse{Body: b}}.VisitListInterventionsResponse(rec)
	default:
		err = gojson.NewEncoder(rec).Encode(v) // the generated Visit methods' call
	}
	if err != nil {
		t.Fatal(err)
	}
	return rec.Body.Bytes()
}
