package equipements

import (
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/auth"
)

func TestParseFrequence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		days int32 // 0: none
		ok   bool
	}{
		{"journalier", 1, true}, {"hebdomadaire", 7, true}, {"bimensuel", 15, true}, {"bimensuelle", 15, true},
		{"mensuel", 30, true}, {"MENSUELLE", 30, true}, {"trimestriel", 90, true}, {"trimestrielle", 90, true},
		{"semestriel", 182, true}, {"semestrielle", 182, true}, {"annuel", 365, true}, {"Annuelle", 365, true},
		{"  mensuel\t", 30, true}, {"45", 45, true}, {" 007 ", 7, true}, {"3650", 3650, true},
		{"0", 0, true}, {"0000", 0, true}, {"aucune", 0, true}, {"AUCUNE", 0, true},
		{"3651", 0, false}, {"99999", 0, false}, {"-1", 0, false}, {"+7", 0, false}, {"7.5", 0, false},
		{"1e3", 0, false}, {"", 0, false}, {"   ", 0, false}, {"quotidien", 0, false}, {"mensuels", 0, false},
		{"7 jours", 0, false}, {"999999999999999999999", 0, false}, {"٣", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseFrequence(c.in)
		if ok != c.ok {
			t.Errorf("ParseFrequence(%q) ok = %v, want %v", c.in, ok, c.ok)
			continue
		}
		switch {
		case !ok:
			if got != nil {
				t.Errorf("ParseFrequence(%q) = %d with ok=false", c.in, *got)
			}
		case c.days == 0 && got != nil:
			t.Errorf("ParseFrequence(%q) = %d, want none", c.in, *got)
		case c.days != 0 && (got == nil || *got != c.days):
			t.Errorf("ParseFrequence(%q) = %v, want %d", c.in, got, c.days)
		}
	}
}

func TestCheckRow(t *testing.T) {
	t.Parallel()
	d := func(s string) *time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	neg := int64(-1)
	nul := "a\x00b"
	cases := []struct {
		name   string
		row    db.Equipement
		fields []string
	}{
		{"valid", db.Equipement{Nom: "n", DateAcquisition: d("2025-01-01"), DateFinGarantie: d("2025-01-01"),
			DateMiseEnService: d("2025-01-02")}, nil},
		{"warranty before purchase", db.Equipement{DateAcquisition: d("2025-01-02"), DateFinGarantie: d("2025-01-01")},
			[]string{"date_fin_garantie"}},
		{"commissioning before purchase", db.Equipement{DateAcquisition: d("2025-01-02"), DateMiseEnService: d("2025-01-01")},
			[]string{"date_mise_en_service"}},
		{"negative cost", db.Equipement{CoutAcquisition: &neg}, []string{"cout_acquisition"}},
		{"NUL in texts", db.Equipement{Nom: nul, Marque: &nul}, []string{"nom", "marque"}},
	}
	for _, c := range cases {
		v := &validator{}
		v.checkRow(c.row)
		var got []string
		for _, f := range v.fields {
			got = append(got, f.Field)
		}
		if len(got) != len(c.fields) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
			continue
		}
		for i := range got {
			if got[i] != c.fields[i] {
				t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
			}
		}
	}
}

func principalOf(role string) auth.Principal { return auth.Principal{UserID: 1, Role: role} }
