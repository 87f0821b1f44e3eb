package techniciens

import (
	"slices"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/patch"
)

func TestCompetenceLevels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		ids       []int64
		withLevel []CompetenceLevel
		want      []CompetenceLevel
		fields    []string
	}{
		{name: "nothing", want: []CompetenceLevel{}},
		{name: "ids default to intermediaire", ids: []int64{3, 1},
			want: []CompetenceLevel{{3, "intermediaire"}, {1, "intermediaire"}}},
		{name: "levels kept, empty level defaults", withLevel: []CompetenceLevel{{2, "expert"}, {4, ""}},
			want: []CompetenceLevel{{2, "expert"}, {4, "intermediaire"}}},
		{name: "both lists", ids: []int64{1}, withLevel: []CompetenceLevel{{2, "debutant"}},
			want: []CompetenceLevel{{1, "intermediaire"}, {2, "debutant"}}},
		{name: "duplicate id", ids: []int64{1, 1}, fields: []string{"competences_ids.1"}},
		{name: "duplicate across lists", ids: []int64{1}, withLevel: []CompetenceLevel{{1, "expert"}},
			fields: []string{"competences.0.competence_id"}},
		{name: "unknown level", withLevel: []CompetenceLevel{{1, "guru"}}, fields: []string{"competences.0.niveau"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, fields := competenceLevels(tc.ids, tc.withLevel)
			var names []string
			for _, f := range fields {
				names = append(names, f.Field)
			}
			if !slices.Equal(names, tc.fields) {
				t.Errorf("fields = %v, want %v", names, tc.fields)
			}
			if tc.fields == nil && !slices.Equal(got, tc.want) {
				t.Errorf("levels = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestApplyUpdate(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	hired := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	cur := db.Technicien{ID: 7, Equipe: s("A"), NumeroBadge: s("B-1"), Niveau: db.NiveauCompetenceAvance,
		ZoneIntervention: s("Nord"), Disponibilite: db.TechnicienDisponibiliteDisponible, HorairesTravail: "08:00-17:00",
		TelephoneUrgence: s("0600"), DateEmbauche: &hired}

	p, changed, err := applyUpdate(cur, UpdateInput{})
	if err != nil || len(changed) != 0 || *p.Equipe != "A" || *p.NumeroBadge != "B-1" || p.Niveau != cur.Niveau ||
		!p.DateEmbauche.Equal(hired) || p.ID != 7 {
		t.Errorf("nothing sent: %+v %v %v", p, changed, err)
	}

	later := time.Date(2021, 5, 6, 13, 0, 0, 0, time.FixedZone("x", 3600))
	p, changed, err = applyUpdate(cur, UpdateInput{
		Equipe: patch.Clear[string](), NumeroBadge: patch.To("  "), ZoneIntervention: patch.To(" Sud "),
		Disponibilite: patch.To("conge"), Astreinte: patch.To(true), DateEmbauche: patch.To(later),
		Niveau: patch.To("avance"), // unchanged value: not listed
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Equipe != nil || p.NumeroBadge != nil || *p.ZoneIntervention != "Sud" || p.Disponibilite != "conge" || !p.Astreinte ||
		p.DateEmbauche.Format(time.DateOnly) != "2021-05-06" || *p.TelephoneUrgence != "0600" {
		t.Errorf("params = %+v", p)
	}
	want := []string{"equipe", "numero_badge", "zone_intervention", "disponibilite", "astreinte", "date_embauche"}
	if !slices.Equal(changed, want) {
		t.Errorf("changed = %v, want %v", changed, want)
	}

	_, _, err = applyUpdate(cur, UpdateInput{Niveau: patch.To("guru"), Disponibilite: patch.Clear[string](),
		HorairesTravail: patch.To(" "), Astreinte: patch.Clear[bool](), Equipe: patch.To("a\x00b")})
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "equipe" {
		t.Errorf("invalid text: %v", err)
	}
	_, _, err = applyUpdate(cur, UpdateInput{Niveau: patch.To("guru"), Disponibilite: patch.Clear[string](),
		HorairesTravail: patch.To(" "), Astreinte: patch.Clear[bool]()})
	e, ok = apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid || len(e.Fields) != 4 {
		t.Errorf("invalid values: %v", err)
	}
}

func TestLikePatternEscapesWildcards(t *testing.T) {
	t.Parallel()
	if likePattern("  ") != nil {
		t.Error("blank search is not nil")
	}
	if got := *likePattern(` 100%_a\b `); got != `100\%\_a\\b` {
		t.Errorf("pattern = %q", got)
	}
}
