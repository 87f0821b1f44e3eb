package planning

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func texts(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = dateText(t)
	}
	return out
}

func TestOccurrencesFollowTheCalendarFromTheAnchor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		anchor     string
		f          db.PlanningFrequence
		intervalle int
		want       []string // occurrences 0, 1, 2...
	}{
		{"monthly from 31 January, leap year", "2024-01-31", db.PlanningFrequenceMensuel, 1,
			[]string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"}},
		{"monthly from 31 January, common year", "2025-01-31", db.PlanningFrequenceMensuel, 1,
			[]string{"2025-01-31", "2025-02-28", "2025-03-31"}},
		{"monthly from the 30th", "2025-01-30", db.PlanningFrequenceMensuel, 1,
			[]string{"2025-01-30", "2025-02-28", "2025-03-30"}},
		{"every 2 months from 31 December", "2025-12-31", db.PlanningFrequenceMensuel, 2,
			[]string{"2025-12-31", "2026-02-28", "2026-04-30", "2026-06-30", "2026-08-31"}},
		{"quarterly from 30 November", "2025-11-30", db.PlanningFrequenceTrimestriel, 1,
			[]string{"2025-11-30", "2026-02-28", "2026-05-30", "2026-08-30", "2026-11-30"}},
		{"half-yearly from 31 August", "2027-08-31", db.PlanningFrequenceSemestriel, 1,
			[]string{"2027-08-31", "2028-02-29", "2028-08-31", "2029-02-28"}},
		{"yearly from 29 February", "2024-02-29", db.PlanningFrequenceAnnuel, 1,
			[]string{"2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"}},
		{"every 2 years from 29 February", "2024-02-29", db.PlanningFrequenceAnnuel, 2,
			[]string{"2024-02-29", "2026-02-28", "2028-02-29"}},
		{"weekly, every 2 weeks, across a year end", "2025-12-24", db.PlanningFrequenceHebdomadaire, 2,
			[]string{"2025-12-24", "2026-01-07", "2026-01-21"}},
		{"daily across 29 February", "2028-02-27", db.PlanningFrequenceJournalier, 1,
			[]string{"2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01"}},
		{"every 3 days", "2026-01-30", db.PlanningFrequenceJournalier, 3,
			[]string{"2026-01-30", "2026-02-02", "2026-02-05"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := NewRecurrence(d(tc.anchor), tc.f, tc.intervalle)
			var got []string
			for k := range tc.want {
				got = append(got, dateText(r.At(k)))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("occurrences %v, want %v", got, tc.want)
			}
			last := d(tc.want[len(tc.want)-1])
			if b := texts(r.Between(d(tc.anchor).AddDate(-1, 0, 0), last, 100)); !slices.Equal(b, tc.want) {
				t.Errorf("Between = %v, want %v", b, tc.want)
			}
		})
	}
}

func TestNextOccurrenceSearches(t *testing.T) {
	t.Parallel()
	r := NewRecurrence(d("2024-01-31"), db.PlanningFrequenceMensuel, 1)
	checks := []struct {
		name      string
		got, want time.Time
	}{
		{"on or after, before the anchor", r.OnOrAfter(d("2023-06-01")), d("2024-01-31")},
		{"on or after, on an occurrence", r.OnOrAfter(d("2024-02-29")), d("2024-02-29")},
		{"on or after, between", r.OnOrAfter(d("2024-03-01")), d("2024-03-31")},
		{"after, on an occurrence", r.After(d("2024-02-29")), d("2024-03-31")},
		{"after, the day before", r.After(d("2024-03-30")), d("2024-03-31")},
		{"after, years later", r.After(d("2031-07-15")), d("2031-07-31")},
		{"after, in February years later", r.After(d("2031-02-01")), d("2031-02-28")},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, dateText(c.got), dateText(c.want))
		}
	}
	if n := r.CountIn(d("2024-01-31"), d("2024-05-30")); n != 3 { // Feb 29, Mar 31, Apr 30
		t.Errorf("CountIn = %d, want 3", n)
	}
	if n := r.CountIn(d("2024-05-30"), d("2024-01-31")); n != 0 {
		t.Errorf("CountIn backwards = %d, want 0", n)
	}
	w := NewRecurrence(d("2026-01-05"), db.PlanningFrequenceHebdomadaire, 2)
	if got := w.After(d("2026-01-05")); !got.Equal(d("2026-01-19")) {
		t.Errorf("every 2 weeks after the anchor: %s", dateText(got))
	}
	if n := w.CountIn(d("2026-01-05"), d("2026-03-02")); n != 4 { // 19/1, 2/2, 16/2, 2/3
		t.Errorf("CountIn every 2 weeks = %d, want 4", n)
	}
	if got := len(NewRecurrence(d("2026-01-01"), db.PlanningFrequenceJournalier, 1).Between(d("2026-01-01"), d("2035-12-31"), MaxOccurrences)); got != MaxOccurrences {
		t.Errorf("Between capped at %d, got %d", MaxOccurrences, got)
	}
}

// TestSearchesAgreeWithEnumeration checks OnOrAfter, After and CountIn against a plain walk
// through the occurrences, for random anchors, frequencies and days.
func TestSearchesAgreeWithEnumeration(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	freqs := db.AllPlanningFrequenceValues()
	for range 2000 {
		anchor := d("2020-01-01").AddDate(0, 0, rng.IntN(3000))
		r := NewRecurrence(anchor, freqs[rng.IntN(len(freqs))], 1+rng.IntN(4))
		var occ []time.Time
		for k := 0; k < 200; k++ {
			occ = append(occ, r.At(k))
		}
		for i := 1; i < len(occ); i++ {
			if !occ[i].After(occ[i-1]) {
				t.Fatalf("%+v: occurrences not increasing at %d: %s then %s", r, i, dateText(occ[i-1]), dateText(occ[i]))
			}
		}
		day := anchor.AddDate(0, 0, rng.IntN(2000)-100)
		if day.After(occ[len(occ)-2]) {
			continue
		}
		want := occ[0]
		for _, o := range occ {
			if !o.Before(day) {
				want = o
				break
			}
		}
		if got := r.OnOrAfter(day); !got.Equal(want) {
			t.Fatalf("%+v OnOrAfter(%s) = %s, want %s", r, dateText(day), dateText(got), dateText(want))
		}
		for _, o := range occ {
			if o.After(day) {
				want = o
				break
			}
		}
		if got := r.After(day); !got.Equal(want) {
			t.Fatalf("%+v After(%s) = %s, want %s", r, dateText(day), dateText(got), dateText(want))
		}
		to := day.AddDate(0, 0, rng.IntN(400))
		if to.After(occ[len(occ)-1]) {
			continue
		}
		n := 0
		for _, o := range occ {
			if o.After(day) && !o.After(to) {
				n++
			}
		}
		if got := r.CountIn(day, to); got != n {
			t.Fatalf("%+v CountIn(%s, %s) = %d, want %d", r, dateText(day), dateText(to), got, n)
		}
	}
}

func TestParseFrequenceAcceptsBothGenders(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]db.PlanningFrequence{
		"mensuel": db.PlanningFrequenceMensuel, "Mensuelle": db.PlanningFrequenceMensuel, " ANNUELLE ": db.PlanningFrequenceAnnuel,
		"trimestrielle": db.PlanningFrequenceTrimestriel, "semestrielle": db.PlanningFrequenceSemestriel,
		"semestriel": db.PlanningFrequenceSemestriel, "hebdomadaire": db.PlanningFrequenceHebdomadaire,
		"journaliere": db.PlanningFrequenceJournalier, "journalier": db.PlanningFrequenceJournalier,
	} {
		if got, ok := ParseFrequence(in); !ok || got != want {
			t.Errorf("ParseFrequence(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "bimensuel", "monthly", "mensuels", "30"} {
		if got, ok := ParseFrequence(in); ok {
			t.Errorf("ParseFrequence(%q) = %q, accepted", in, got)
		}
	}
}

func TestParseDay(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2027-03-15":                "2027-03-15",
		" 2027-03-15 ":              "2027-03-15",
		"2027-03-15T23:30:00Z":      "2027-03-15",
		"2027-03-15T00:30:00+02:00": "2027-03-15", // the day as written, not the UTC one
		"2027-03-15T10:00:00.123Z":  "2027-03-15",
		"2027-03-15T10:00:00":       "2027-03-15",
		"2028-02-29":                "2028-02-29",
	} {
		got, ok := ParseDay(in)
		if !ok || dateText(got) != want {
			t.Errorf("ParseDay(%q) = %s, %v; want %s", in, dateText(got), ok, want)
		}
	}
	for _, in := range []string{"", "demain", "2027-02-29", "2027-13-01", "15/03/2027", "2027-03-15T25:00:00Z", "1710000000"} {
		if got, ok := ParseDay(in); ok {
			t.Errorf("ParseDay(%q) = %s, accepted", in, dateText(got))
		}
	}
}
