package rapports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mif-erp/erp/internal/pdftest"
)

func sample() Document {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	dispo := 97.5
	return Document{
		Titre: "Interventions de novembre", Type: "interventions", Libelle: "Interventions", Devise: "MAD", Demandeur: "Fatima Responsable",
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		GenereLe: time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC),
		Resume: []Indicateur{{Libelle: "Interventions créées", Kind: Entier, Valeur: int64(1234)},
			{Libelle: "Disponibilité", Kind: Pourcent, Valeur: &dispo}, {Libelle: "Coût total", Kind: Monnaie, Valeur: int64(123456789)}},
		Graphiques: []Graphique{{Titre: "Interventions créées par semaine", Libelles: []string{"03/11", "10/11"}, Valeurs: []float64{12, 30}}},
		Sections: []Section{{Titre: "Interventions", Colonnes: []Colonne{
			{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "titre", Titre: "Titre"}, {Cle: "date_creation", Titre: "Créée le", Kind: Date},
			{Cle: "cout", Titre: "Coût", Kind: Monnaie}, {Cle: "duree", Titre: "Durée", Unite: "h", Kind: Heures}},
			Lignes: [][]any{{int64(7), "Fuite d'huile, presse nº 2", day, int64(150050), 2.5}, {int64(8), "Révision", nil, int64(0), nil}}}},
	}
}

func TestRenderJSONKeepsTypesAndCents(t *testing.T) {
	b, err := renderJSON(sample())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		From     string `json:"from"`
		Resume   []map[string]any
		Sections []struct {
			Lignes []map[string]any `json:"lignes"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	row := got.Sections[0].Lignes[0]
	if got.From != "2026-11-01" || row["date_creation"] != "2026-11-03" || row["cout"] != 150050.0 || row["titre"] != "Fuite d'huile, presse nº 2" ||
		got.Resume[1]["valeur"] != 97.5 || got.Sections[0].Lignes[1]["date_creation"] != nil {
		t.Errorf("json: %s", b)
	}
}

func TestRenderCSVForFrenchExcel(t *testing.T) {
	for sep, money := range map[rune]string{',': "1500.50", ';': "1500,50"} {
		b, err := renderCSV(sample(), sep)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\ufeff")) {
			t.Fatalf("no BOM")
		}
		r := csv.NewReader(bytes.NewReader(b[3:]))
		r.Comma, r.FieldsPerRecord = sep, -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var header, first []string
		for i, rec := range recs {
			if len(rec) > 0 && rec[0] == "N°" {
				header, first = rec, recs[i+1]
			}
		}
		if strings.Join(header, "|") != "N°|Titre|Créée le|Coût (MAD)|Durée (h)" || first[2] != "2026-11-03" || first[3] != money ||
			first[1] != "Fuite d'huile, presse nº 2" {
			t.Errorf("sep %q: header %q row %q", sep, header, first)
		}
	}
}

func TestRenderXLSXHasTypedCells(t *testing.T) {
	b, err := renderXLSX(sample())
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != "Résumé|Interventions" {
		t.Fatalf("sheets %v", got)
	}
	// The date is a number formatted as a date, the money a number in the currency's format.
	raw := func(cell string) (string, excelize.CellType) {
		v, err := f.GetCellValue("Interventions", cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		ty, _ := f.GetCellType("Interventions", cell)
		return v, ty
	}
	if v, ty := raw("C2"); v != "46329" || ty == excelize.CellTypeSharedString || ty == excelize.CellTypeInlineString {
		t.Errorf("date cell %q type %v", v, ty)
	}
	if v, _ := f.GetCellValue("Interventions", "C2"); v != "03/11/2026" {
		t.Errorf("date shown %q", v)
	}
	if v, _ := raw("D2"); v != "1500.5" {
		t.Errorf("money raw %q", v)
	}
	if v, _ := f.GetCellValue("Interventions", "D2"); !strings.Contains(v, "1,500.50") || !strings.Contains(v, "MAD") {
		t.Errorf("money shown %q", v)
	}
	panes, err := f.GetPanes("Interventions")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if v, _ := f.GetCellValue("Résumé", "B6"); v != "97.50%" {
		t.Errorf("percent shown %q", v)
	}
}

func TestRenderPDFReadsBack(t *testing.T) {
	b, err := renderPDF(sample())
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, b)
	for _, want := range []string{"Interventions de novembre", "du 01/11/2026 au 30/11/2026", "Fatima Responsable", "MIF ERP : Interventions",
		"Disponibilité", "97,50 %", "1 234 567,89 MAD", "Fuite d'huile, presse nº 2", "1 500,50 MAD", "03/11/2026",
		"Interventions créées par semaine", "Page 1 / 3", "Page 3 / 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}
