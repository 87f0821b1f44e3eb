package planning

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

// The spellings of a period the contract documents (masculine and feminine labels, and the
// original's quotidien), by stored label.
var frequenceSpellings = map[db.PlanningFrequence][]string{
	db.PlanningFrequenceJournalier:   {"journalier", "journaliere", "quotidien", "quotidienne"},
	db.PlanningFrequenceHebdomadaire: {"hebdomadaire"},
	db.PlanningFrequenceMensuel:      {"mensuel", "mensuelle"},
	db.PlanningFrequenceTrimestriel:  {"trimestriel", "trimestrielle"},
	db.PlanningFrequenceSemestriel:   {"semestriel", "semestrielle"},
	db.PlanningFrequenceAnnuel:       {"annuel", "annuelle"},
}

// FuzzParseFrequence: a period is read exactly when, trimmed and lower-cased, it is one of the
// documented spellings; the answer is a stored label (which reads as itself), the one of that
// spelling; the case of the letters does not matter.
func FuzzParseFrequence(f *testing.F) {
	for _, s := range []string{"mensuel", " Mensuelle ", "QUOTIDIEN", "annuel\n", "", "journalière", "hebdo", "mensuel\x00",
		"\u00a0annuel", "semestrielle ", "trimestriel\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseFrequence(s)
		key := strings.ToLower(strings.TrimSpace(s))
		var want db.PlanningFrequence
		for fr, spellings := range frequenceSpellings {
			if slices.Contains(spellings, key) {
				want = fr
			}
		}
		if ok != (want != "") || got != want {
			t.Fatalf("ParseFrequence(%q) = %q, %v; want %q", s, got, ok, want)
		}
		if !ok {
			return
		}
		if !got.Valid() {
			t.Fatalf("ParseFrequence(%q) = %q, not a stored label", s, got)
		}
		if again, ok := ParseFrequence(string(got)); !ok || again != got {
			t.Fatalf("the label %q reads as %q, %v", got, again, ok)
		}
		if up, ok := ParseFrequence(strings.ToUpper(key)); !ok || up != got {
			t.Fatalf("%q in capitals reads as %q, %v", key, up, ok)
		}
	})
}

// FuzzRecurrence: a plan's calendar (anchor 1900 to 2999, every period and intervalle 1 to 100)
// is a strictly increasing series of days from the anchor, a month-based one on the anchor's
// day of the month or the month's last day; for any day d (1800 to 3199), OnOrAfter(d) is the
// first occurrence on or after d, After(d) the first strictly after it, CountIn counts the
// occurrences of (from, to], and Between lists those of [from, to], in order, at most max.
func FuzzRecurrence(f *testing.F) {
	f.Add(uint32(0), uint8(0), uint8(1), uint32(219000), uint32(219100), uint8(5))    // daily from 1900, days in 2500
	f.Add(uint32(45320), uint8(2), uint8(1), uint32(56000), uint32(56400), uint8(20)) // monthly from 31 January 2024
	f.Add(uint32(36584), uint8(5), uint8(1), uint32(73000), uint32(73500), uint8(3))  // yearly from 29 February
	f.Add(uint32(401000), uint8(1), uint8(100), uint32(0), uint32(1<<31), uint8(0))   // 2999, weekly every 100
	f.Add(uint32(100), uint8(4), uint8(7), uint32(400000), uint32(36600), uint8(255)) // to before from
	f.Fuzz(func(t *testing.T, anchorDay uint32, freq, intervalle uint8, fromDay, toDay uint32, max uint8) {
		base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
		anchor := base.AddDate(0, 0, int(anchorDay%401767)) // to 2999-12-31
		dayOf := func(n uint32) time.Time {
			// 1800 to 3199, at some hour of some offset: only its day counts
			return time.Date(1800, 1, 1, int(n%24), 0, 0, 0, time.FixedZone("Z", (int(n%27)-13)*3600)).AddDate(0, 0, int(n%511350))
		}
		fr := db.AllPlanningFrequenceValues()[int(freq)%len(db.AllPlanningFrequenceValues())]
		iv := int(intervalle%100) + 1
		r := NewRecurrence(anchor, fr, iv)
		if !r.At(0).Equal(anchor) {
			t.Fatalf("At(0) = %v, anchor %v", r.At(0), anchor)
		}
		for k := 1; k < 4; k++ {
			prev, cur := r.At(k-1), r.At(k)
			if !cur.After(prev) || cur.Hour() != 0 || cur.Location() != time.UTC {
				t.Fatalf("%s/%d from %v: At(%d) = %v after %v", fr, iv, anchor, k, cur, prev)
			}
			if r.months > 0 {
				y, m, _ := anchor.Date()
				months := int(m) - 1 + k*r.months
				wy, wm := y+months/12, time.Month(months%12+1)
				wd := min(anchor.Day(), daysIn(wy, wm))
				if cur.Year() != wy || cur.Month() != wm || cur.Day() != wd {
					t.Fatalf("%s/%d from %v: At(%d) = %v, want %d-%02d-%02d", fr, iv, anchor, k, cur, wy, wm, wd)
				}
			} else if cur.Sub(prev) != time.Duration(r.days)*24*time.Hour {
				t.Fatalf("%s/%d from %v: At(%d) = %v after %v", fr, iv, anchor, k, cur, prev)
			}
		}
		from, to := dayOf(fromDay), dayOf(toDay)
		for _, d := range []time.Time{from, to} {
			day := dateOf(d)
			k := r.index(d)
			on := r.OnOrAfter(d)
			if !on.Equal(r.At(k)) || on.Before(day) || k > 0 && !r.At(k-1).Before(day) {
				t.Fatalf("%s/%d from %v: OnOrAfter(%v) = %v (occurrence %d)", fr, iv, anchor, d, on, k)
			}
			next := r.After(d)
			kn := r.index(day.AddDate(0, 0, 1))
			if !next.Equal(r.At(kn)) || !next.After(day) || kn > 0 && r.At(kn-1).After(day) {
				t.Fatalf("%s/%d from %v: After(%v) = %v", fr, iv, anchor, d, next)
			}
		}
		n := r.CountIn(from, to)
		first := r.index(dateOf(from).AddDate(0, 0, 1))
		switch {
		case !dateOf(to).After(dateOf(from)):
			if n != 0 {
				t.Fatalf("CountIn(%v, %v) = %d", from, to, n)
			}
		case n < 0 || n > 0 && r.At(first+n-1).After(dateOf(to)) || !r.At(first+n).After(dateOf(to)):
			t.Fatalf("%s/%d from %v: CountIn(%v, %v) = %d", fr, iv, anchor, from, to, n)
		}
		list := r.Between(from, to, int(max))
		if len(list) > int(max) {
			t.Fatalf("Between(..., %d) gave %d", max, len(list))
		}
		k0 := r.index(from)
		for i, d := range list {
			if !d.Equal(r.At(k0+i)) || d.Before(dateOf(from)) || d.After(dateOf(to)) {
				t.Fatalf("%s/%d from %v: Between(%v, %v)[%d] = %v", fr, iv, anchor, from, to, i, d)
			}
		}
		if len(list) < int(max) && !r.At(k0+len(list)).After(dateOf(to)) {
			t.Fatalf("%s/%d from %v: Between(%v, %v, %d) stops at %d occurrences", fr, iv, anchor, from, to, max, len(list))
		}
	})
}
