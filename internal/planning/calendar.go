package planning

import (
	"strings"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

// Dates are calendar days, held as time.Time at midnight UTC. "Today" is the UTC date.

// day is the calendar day of t (in UTC).
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dateOf is the calendar day written in t, whatever its offset (a date read from the database
// or parsed from YYYY-MM-DD is midnight in some zone; its day is the one meant).
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// frequenceAliases maps every accepted spelling (lower case) to the stored, masculine label.
var frequenceAliases = map[string]db.PlanningFrequence{
	"journalier": db.PlanningFrequenceJournalier, "journaliere": db.PlanningFrequenceJournalier,
	"quotidien": db.PlanningFrequenceJournalier, "quotidienne": db.PlanningFrequenceJournalier,
	"hebdomadaire": db.PlanningFrequenceHebdomadaire,
	"mensuel":      db.PlanningFrequenceMensuel, "mensuelle": db.PlanningFrequenceMensuel,
	"trimestriel": db.PlanningFrequenceTrimestriel, "trimestrielle": db.PlanningFrequenceTrimestriel,
	"semestriel": db.PlanningFrequenceSemestriel, "semestrielle": db.PlanningFrequenceSemestriel,
	"annuel": db.PlanningFrequenceAnnuel, "annuelle": db.PlanningFrequenceAnnuel,
}

// ParseFrequence reads a period: the masculine or feminine label, case-insensitively.
func ParseFrequence(s string) (db.PlanningFrequence, bool) {
	f, ok := frequenceAliases[strings.ToLower(strings.TrimSpace(s))]
	return f, ok
}

// Recurrence is the calendar of a plan: occurrence k (k >= 0) is Anchor + k periods, computed
// from the anchor each time, so a monthly plan anchored on 31 January falls on 28 (or 29)
// February, then on 31 March: a clamped month end never drifts.
type Recurrence struct {
	Anchor time.Time // a day
	months int       // months per occurrence (monthly to yearly frequencies)
	days   int       // days per occurrence (daily and weekly frequencies)
}

// NewRecurrence is the calendar of a plan of frequency f repeated every intervalle periods
// (intervalle < 1 counts as 1), anchored on the given day.
func NewRecurrence(anchor time.Time, f db.PlanningFrequence, intervalle int) Recurrence {
	if intervalle < 1 {
		intervalle = 1
	}
	r := Recurrence{Anchor: dateOf(anchor)}
	switch f {
	case db.PlanningFrequenceJournalier:
		r.days = intervalle
	case db.PlanningFrequenceHebdomadaire:
		r.days = 7 * intervalle
	case db.PlanningFrequenceTrimestriel:
		r.months = 3 * intervalle
	case db.PlanningFrequenceSemestriel:
		r.months = 6 * intervalle
	case db.PlanningFrequenceAnnuel:
		r.months = 12 * intervalle
	default: // mensuel
		r.months = intervalle
	}
	return r
}

// At is occurrence k (k >= 0).
func (r Recurrence) At(k int) time.Time {
	if r.days > 0 {
		return r.Anchor.AddDate(0, 0, k*r.days)
	}
	return addMonths(r.Anchor, k*r.months)
}

// addMonths moves d by n months, keeping its day of the month or, when the target month is
// shorter, its last day.
func addMonths(d time.Time, n int) time.Time {
	y, m, dd := d.Date()
	total := int(m) - 1 + n
	ny := y + floorDiv(total, 12)
	nm := time.Month(total - floorDiv(total, 12)*12 + 1)
	if last := daysIn(ny, nm); dd > last {
		dd = last
	}
	return time.Date(ny, nm, dd, 0, 0, 0, 0, time.UTC)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// index is the smallest k >= 0 whose occurrence is on or after d.
func (r Recurrence) index(d time.Time) int {
	d = dateOf(d)
	if !d.After(r.Anchor) {
		return 0
	}
	if r.days > 0 {
		// Days between two midnights UTC, from the Unix times: a time.Duration (d.Sub) stops at
		// 292 years, and plans span more (their dates run from 1900 to 2999).
		diff := int((d.Unix() - r.Anchor.Unix()) / 86400)
		return (diff + r.days - 1) / r.days
	}
	md := (d.Year()-r.Anchor.Year())*12 + int(d.Month()) - int(r.Anchor.Month())
	k := md/r.months - 1
	if k < 0 {
		k = 0
	}
	for r.At(k).Before(d) {
		k++
	}
	return k
}

// OnOrAfter is the first occurrence on or after d (the anchor when d precedes it).
func (r Recurrence) OnOrAfter(d time.Time) time.Time { return r.At(r.index(d)) }

// After is the first occurrence strictly after d.
func (r Recurrence) After(d time.Time) time.Time { return r.At(r.index(dateOf(d).AddDate(0, 0, 1))) }

// CountIn is the number of occurrences in (from, to] (0 when to is not after from).
func (r Recurrence) CountIn(from, to time.Time) int {
	if !dateOf(to).After(dateOf(from)) {
		return 0
	}
	return r.index(dateOf(to).AddDate(0, 0, 1)) - r.index(dateOf(from).AddDate(0, 0, 1))
}

// Between lists the occurrences in [from, to], at most max of them.
func (r Recurrence) Between(from, to time.Time, max int) []time.Time {
	out := []time.Time{}
	to = dateOf(to)
	for k := r.index(from); len(out) < max; k++ {
		d := r.At(k)
		if d.After(to) {
			break
		}
		out = append(out, d)
	}
	return out
}
