package clients

import (
	"errors"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/text"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func i32(v int32) *int32 { return &v }

func fieldNames(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("error %v is not a validation error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

func validContrat() db.Contrat {
	return db.Contrat{ClientID: 1, NumeroContrat: " CTR-1 ", NomContrat: "Contrat", TypeContrat: db.ContratTypeContratCadre,
		Statut: db.ContratStatutBrouillon, DateDebut: day("2026-01-01"), DateFin: day("2026-12-31"), Devise: "MAD"}
}

func TestCheckContrat(t *testing.T) {
	cases := []struct {
		name       string
		change     func(*db.Contrat)
		datesField string
		want       []string
	}{
		{name: "valid", change: func(*db.Contrat) {}},
		{name: "one day long", change: func(c *db.Contrat) { c.DateFin = day("2026-01-02") }},
		{name: "same day", change: func(c *db.Contrat) { c.DateFin = c.DateDebut }, want: []string{"date_fin"}},
		{name: "reversed, reported on the start", change: func(c *db.Contrat) { c.DateDebut = day("2027-01-01") },
			datesField: "date_debut", want: []string{"date_debut"}},
		{name: "all response times equal", change: func(c *db.Contrat) {
			c.DelaiUrgenteHeures, c.DelaiHauteHeures, c.DelaiNormaleHeures, c.DelaiBasseHeures = i32(5), i32(5), i32(5), i32(5)
		}},
		{name: "growing with gaps", change: func(c *db.Contrat) { c.DelaiHauteHeures, c.DelaiBasseHeures = i32(5), i32(6) }},
		{name: "decrease across a gap", change: func(c *db.Contrat) { c.DelaiUrgenteHeures, c.DelaiBasseHeures = i32(10), i32(9) },
			want: []string{"delai_basse_heures"}},
		{name: "a dip is compared with the last valid one", change: func(c *db.Contrat) {
			c.DelaiUrgenteHeures, c.DelaiHauteHeures, c.DelaiNormaleHeures = i32(10), i32(2), i32(12)
		}, want: []string{"delai_haute_heures"}},
		{name: "out of bounds", change: func(c *db.Contrat) { c.DelaiUrgenteHeures, c.DelaiBasseHeures = i32(0), i32(2161) },
			want: []string{"delai_basse_heures", "delai_urgente_heures"}},
		{name: "NUL in texts", change: func(c *db.Contrat) { c.NomContrat, c.Description = "a\x00b", ptr("\x00") },
			want: []string{"description", "nom_contrat"}},
		{name: "blank texts", change: func(c *db.Contrat) { c.NumeroContrat, c.NomContrat = "  ", "" },
			want: []string{"nom_contrat", "numero_contrat"}},
		{name: "number too long", change: func(c *db.Contrat) { c.NumeroContrat = strings.Repeat("x", 51) },
			want: []string{"numero_contrat"}},
		{name: "enums and currency", change: func(c *db.Contrat) { c.TypeContrat, c.Statut, c.Devise = "x", "actif", "eur" },
			want: []string{"devise", "statut", "type_contrat"}},
		{name: "negative numbers", change: func(c *db.Contrat) {
			m := int64(-1)
			c.MontantAnnuel, c.NbInterventionsIncluses = &m, i32(-1)
		}, want: []string{"montant_annuel", "nb_interventions_incluses"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validContrat()
			tc.change(&c)
			field := tc.datesField
			if field == "" {
				field = "date_fin"
			}
			if got := fieldNames(t, checkContrat(&c, field)); !slices.Equal(got, tc.want) {
				t.Errorf("invalid fields %v, want %v", got, tc.want)
			}
		})
	}
	c := validContrat()
	if err := checkContrat(&c, "date_fin"); err != nil || c.NumeroContrat != "CTR-1" {
		t.Errorf("the number is not trimmed: %q %v", c.NumeroContrat, err)
	}
}

func TestMergeContratKeepsClearsAndSets(t *testing.T) {
	before := validContrat()
	before.Description = ptr("avant")
	before.NbInterventionsIncluses = i32(3)
	before.DelaiUrgenteHeures = i32(4)
	got, err := mergeContrat(before, ContratUpdate{
		Description:             patch.Clear[string](),
		NbInterventionsIncluses: patch.To(7),
		DelaiHauteHeures:        patch.To(8),
		Statut:                  ptr("en_cours"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != nil || *got.NbInterventionsIncluses != 7 || *got.DelaiHauteHeures != 8 ||
		*got.DelaiUrgenteHeures != 4 || got.Statut != db.ContratStatutEnCours || got.NomContrat != before.NomContrat {
		t.Errorf("merged %+v", got)
	}
	if _, err := mergeContrat(before, ContratUpdate{NbInterventionsIncluses: patch.To(math.MaxInt32 + 1)}); !slices.Equal(
		fieldNames(t, err), []string{"nb_interventions_incluses"}) {
		t.Errorf("an int32 overflow is not refused: %v", err)
	}
}

func TestQuotaRestant(t *testing.T) {
	for _, tc := range []struct {
		incluses *int32
		used     int32
		want     *int
	}{
		{nil, 4, nil},
		{i32(5), 2, ptr(3)},
		{i32(2), 5, ptr(0)},
		{i32(0), 0, ptr(0)},
	} {
		got := newContrat(db.Contrat{NbInterventionsIncluses: tc.incluses}, tc.used, true).QuotaRestant
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("incluses %v used %d: quota %v, want %v", tc.incluses, tc.used, got, tc.want)
		}
	}
}

func TestOnlyManagersWrite(t *testing.T) {
	s := NewService(nil) // refused before any query
	for _, role := range []string{"client", "technicien", auth.RoleMetrics, ""} {
		p := auth.Principal{UserID: 7, Role: role}
		errs := []error{
			func() error { _, err := s.CreateClient(t.Context(), p, ClientInput{}); return err }(),
			func() error { _, err := s.UpdateClient(t.Context(), p, 1, ClientUpdate{}); return err }(),
			s.DeleteClient(t.Context(), p, 1),
			func() error { _, err := s.CreateContrat(t.Context(), p, ContratInput{}); return err }(),
			func() error { _, err := s.UpdateContrat(t.Context(), p, 1, ContratUpdate{}); return err }(),
			s.DeleteContrat(t.Context(), p, 1),
		}
		for i, err := range errs {
			if !apperr.IsKind(err, apperr.KindForbidden) {
				t.Errorf("%s: write %d answered %v, want forbidden", role, i, err)
			}
		}
	}
}

func TestHelpers(t *testing.T) {
	if p, err := likePattern(`  50%_a\b `); err != nil || p == nil || *p != `50\%\_a\\b` {
		t.Errorf("likePattern = %v %v", p, err)
	}
	if p, err := likePattern("   "); p != nil || err != nil {
		t.Errorf("blank search = %v %v", p, err)
	}
	for _, bad := range []string{"a\x00b", "\xff"} {
		if _, err := likePattern(bad); !apperr.IsKind(err, apperr.KindInvalid) {
			t.Errorf("likePattern(%q) = %v, want a validation error", bad, err)
		}
	}
	if p := text.Optional(ptr("  ")); p != nil {
		t.Errorf("blank optional = %q", *p)
	}
	for _, tc := range []struct {
		limit, offset int
		ok            bool
	}{{0, 0, true}, {500, math.MaxInt32, true}, {501, 0, false}, {-1, 0, false}, {1, -1, false}, {1, math.MaxInt32 + 1, false}} {
		_, _, err := paging.Check(tc.limit, tc.offset)
		if (err == nil) != tc.ok {
			t.Errorf("paging.Check(%d, %d): %v", tc.limit, tc.offset, err)
		}
	}
	for _, tc := range []struct {
		email string
		ok    bool
	}{{"a@b.ma", true}, {"a@b", false}, {"A <a@b.ma>", false}, {"", false}, {"a b@c.ma", false}} {
		if got := checkEmail(tc.email) == ""; got != tc.ok {
			t.Errorf("checkEmail(%q) ok = %v", tc.email, got)
		}
	}
	pgErr := func(code, constraint string) error { return &pgconn.PgError{Code: code, ConstraintName: constraint} }
	for _, tc := range []struct {
		err  error
		want error
	}{
		{pgErr("23505", "clients_user_id_key"), errUserHasCompany},
		{pgErr("23505", "clients_nom_key"), errClientNameTaken},
		{pgErr("23505", "contrats_numero_key"), errNumeroTaken},
		{pgErr("23503", "contrats_client_id_fkey"), errClientNotFound},
		{pgErr("23503", "clients_user_id_fkey"), errUserNotFound},
	} {
		if got := platform.WriteError("op", tc.err, constraints); !errors.Is(got, tc.want) {
			t.Errorf("WriteError(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if got := platform.WriteError("op", pgErr("23514", "x"), constraints); !apperr.IsKind(got, apperr.KindInvalid) {
		t.Errorf("check violation = %v", got)
	}
	if got := platform.WriteError("op", errors.New("boom"), constraints); apperr.IsKind(got, apperr.KindInvalid) || got == nil {
		t.Errorf("other error = %v", got)
	}
}

func ptr[T any](v T) *T { return &v }
