package interventions

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
)

// FuzzFilterParams: the list's filter (GET /interventions, its export, the per-machine and
// per-technician lists) is accepted exactly when every statut, priorite and type is one of the
// contract's, the sort is a key of SortKeys (or pertinence with a search), the search trimmed is
// storable text of 200 characters at most, created_from precedes created_to and the page is
// within bounds; then the SQL parameters say the same (default sort -date_creation, the search
// trimmed, blank as none); otherwise a 422 names each parameter at fault.
func FuzzFilterParams(f *testing.F) {
	f.Add("", "ouverte", "haute", "corrective", true, "", 0, 0, int64(0), int64(0), false, false)
	f.Add("-priorite", "en_cours", "urgente", "diagnostic", false, "pompe", 500, math.MaxInt32, int64(1), int64(2), true, true)
	f.Add("pertinence", "fermee", "moyenne", "", true, "  ", -1, -1, int64(5), int64(5), true, true)
	f.Add("pertinence", "annulee", "basse", "preventive", true, "fuite d'huile", 501, 0, int64(9), int64(3), true, true)
	f.Add("titre ", "ouverte ", "Haute", "x", true, "a\x00b", 1, math.MaxInt32+1, int64(0), int64(0), false, true)
	f.Add("date_limite", "archivee", "programmee", "ameliorative", true, strings.Repeat("é", 201), 50, 0, int64(0), int64(0), false, false)
	f.Add("-id", "", "", "", false, "\xff", 0, 0, int64(0), int64(0), false, false)
	f.Fuzz(func(t *testing.T, sort, statut, priorite, typ string, hasType bool, q string, limit, offset int,
		from, to int64, hasFrom, hasTo bool) {
		fl := Filter{Sort: sort, Query: q, Limit: limit, Offset: offset}
		if statut != "" {
			fl.Statuts = []string{statut, "ouverte"}
		}
		if priorite != "" {
			fl.Priorites = []string{priorite}
		}
		if hasType {
			fl.Type = &typ
		}
		cf, ct := time.Unix(from, 0), time.Unix(to, 0)
		if hasFrom {
			fl.CreatedFrom = &cf
		}
		if hasTo {
			fl.CreatedTo = &ct
		}
		p, err := fl.params()

		var want []string // the parameters at fault, in the order checked
		if statut != "" && !db.InterventionStatut(statut).Valid() {
			want = append(want, "statut")
		}
		if priorite != "" && !db.InterventionPriorite(priorite).Valid() {
			want = append(want, "priorite")
		}
		if hasType && !db.InterventionType(typ).Valid() {
			want = append(want, "type")
		}
		search := strings.TrimSpace(q)
		if search != "" && (strings.ContainsRune(search, 0) || !utf8.ValidString(search) || utf8.RuneCountInString(search) > 200) {
			want = append(want, "q")
		}
		if sort != "" && !slices.Contains(SortKeys, sort) && (sort != "pertinence" || search == "") {
			want = append(want, "sort")
		}
		if hasFrom && hasTo && !cf.Before(ct) {
			want = append(want, "created_to")
		}
		if limit != 0 && (limit < 1 || limit > 500) {
			want = append(want, "limit")
		}
		if offset < 0 || offset > math.MaxInt32 {
			want = append(want, "offset")
		}

		if err != nil {
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.KindInvalid {
				t.Fatalf("params: %v, want a 422", err)
			}
			var got []string
			for _, fe := range ae.Fields {
				got = append(got, fe.Field)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("params refuses %q, want %q", got, want)
			}
			return
		}
		if len(want) > 0 {
			t.Fatalf("params accepts a filter wrong in %q", want)
		}
		wantSort := sort
		if sort == "" {
			wantSort = "-date_creation"
		}
		wantLim := limit
		if limit == 0 {
			wantLim = DefaultLimit
		}
		if p.Sort != wantSort || int(p.Lim) != wantLim || int(p.Off) != offset || !slices.Equal(p.Statuts, fl.Statuts) && len(fl.Statuts) > 0 ||
			len(fl.Statuts) == 0 && len(p.Statuts) != 0 || !slices.Equal(p.Priorites, fl.Priorites) && len(fl.Priorites) > 0 {
			t.Fatalf("params = %+v", p)
		}
		if (p.Q == nil) != (search == "") || p.Q != nil && *p.Q != search {
			t.Fatalf("search %q as %v", q, p.Q)
		}
		if hasType != p.Type.Valid || hasType && string(p.Type.InterventionType) != typ {
			t.Fatalf("type %q as %+v", typ, p.Type)
		}
	})
}
