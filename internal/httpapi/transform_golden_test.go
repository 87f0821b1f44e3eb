package httpapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/clients"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/techniciens"
	"github.com/mif-erp/erp/internal/users"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden from the current transformers")

// TestTransformersEncodeAsGolden: every response transformer encodes a domain value with every
// field set, and the zero value (every optional field absent), to the bytes recorded in
// testdata/golden. The files were written by the transformers of the time the generated types
// held their nullable fields as nullable.Nullable and the hot paths had hand-written wire
// copies; they pin the JSON the clients see (which field is null, which is absent, formats,
// escaping) across changes of the generator's configuration.
func TestTransformersEncodeAsGolden(t *testing.T) {
	signer := documents.NewSigner([]byte("golden"), time.Hour).WithClock(func() time.Time {
		return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	})
	cases := map[string]func(full bool) any{
		"user":         func(full bool) any { return toAPIUser(filled[users.User](full)) },
		"client":       func(full bool) any { return toAPIClient(filled[clients.Client](full)) },
		"contrat":      func(full bool) any { return toAPIContrat(filled[clients.Contrat](full)) },
		"competence":   func(full bool) any { return toAPICompetence(filled[techniciens.Competence](full)) },
		"technicien":   func(full bool) any { return toAPITechnicien(filled[techniciens.Profile](full)) },
		"equipement":   func(full bool) any { return toAPIEquipement(filled[equipements.Equipement](full)) },
		"intervention": func(full bool) any { return toAPIIntervention(filled[interventions.Intervention](full)) },
		"historique": func(full bool) any {
			return toAPIHistorique([]interventions.HistoriqueEntry{filled[interventions.HistoriqueEntry](full)})
		},
		"dashboard":    func(full bool) any { return toAPIDashboard(filled[interventions.Stats](full)) },
		"planning":     func(full bool) any { return toAPIPlanning(filled[planning.Plan](full)) },
		"document":     func(full bool) any { return goldenDocument(signer, filled[documents.Document](full)) },
		"notification": func(full bool) any { return toAPINotification(filled[notifications.Notification](full)) },
		"email":        func(full bool) any { return toAPIEmail(filled[notifications.Email](full)) },
	}
	for name, transform := range cases {
		for _, full := range []bool{true, false} {
			file := name + "-zero.json"
			if full {
				file = name + "-full.json"
			}
			checkGolden(t, file, encodeForTest(t, transform(full)))
		}
	}

	// The hot paths answer through their page and ETag responses.
	rows := []interventions.Intervention{filled[interventions.Intervention](true), filled[interventions.Intervention](false)}
	page := api.ListInterventions200JSONResponse{InterventionPageJSONResponse: interventionPage(rows, 42, false)}
	rec := httptest.NewRecorder()
	if err := page.VisitListInterventionsResponse(rec); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "intervention-page.http", recorded(rec))
	rec = httptest.NewRecorder()
	if err := (api.GetIntervention200JSONResponse{
		Body: toAPIIntervention(rows[0]), Headers: api.GetIntervention200ResponseHeaders{ETag: etagOf(rows[0].Version)},
	}).VisitGetInterventionResponse(rec); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "intervention-get.http", recorded(rec))

	machines := []equipements.Equipement{filled[equipements.Equipement](true), filled[equipements.Equipement](false)}
	rec = httptest.NewRecorder()
	if err := equipementPage(machines, 7).VisitListEquipementsResponse(rec); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "equipement-page.http", recorded(rec))
	rec = httptest.NewRecorder()
	if err := (api.GetEquipement200JSONResponse{
		Body: toAPIEquipement(machines[0]), Headers: api.GetEquipement200ResponseHeaders{ETag: etagOf(machines[0].Version)},
	}).VisitGetEquipementResponse(rec); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "equipement-get.http", recorded(rec))
}

func goldenDocument(signer *documents.Signer, d documents.Document) any {
	s := &Server{deps: Deps{Documents: documents.NewService(documents.Config{Signer: signer})}}
	return s.toAPIDocument(d)
}

// recorded is a response as status, the headers an answer sets, and the body.
func recorded(rec *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	b.WriteString(strconv.Itoa(rec.Code) + "\n")
	for _, h := range []string{"Content-Type", "ETag", "X-Total-Count"} {
		b.WriteString(h + ": " + rec.Header().Get(h) + "\n")
	}
	b.Write(rec.Body.Bytes())
	return b.Bytes()
}

func encodeForTest(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\n got %s\nwant %s", name, got, want)
	}
}

// filled is the zero T, or a T with every exported field set (pointers allocated, slices of
// two, strings that need escaping, times outside UTC with nanoseconds), deterministically.
func filled[T any](full bool) T {
	var v T
	if full {
		n := 0
		fill(reflect.ValueOf(&v).Elem(), &n)
	}
	return v
}

func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(`s<` + strconv.Itoa(*n) + `> & "é"` + "\u2028")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), n)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			zone := time.FixedZone("+01", 3600)
			v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 891000000, zone).Add(time.Duration(*n) * time.Hour)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	}
}
