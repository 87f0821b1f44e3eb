package kpis

import (
	"fmt"
	"sort"
	"time"

	"github.com/mif-erp/erp/internal/apperr"
)

// maxBuckets bounds the series.
const maxBuckets = 400

// window is the days [From, To] of a request and its instants [du, au); fin is au or now,
// whichever is earlier (time after it has not happened yet).
type window struct {
	From, To    time.Time
	du, au, fin time.Time
	granularite string
	buckets     []Bucket
}

// Days is a period of days [from, to] (UTC) from optional bounds: to defaults to today, from to
// to minus 29 days; to before from or a period of 5 years or more is a 422 on "to" (the reports
// check their period the same way).
func Days(from, to *time.Time, now time.Time) (time.Time, time.Time, error) {
	last := day(now)
	if to != nil {
		last = day(*to)
	}
	first := last.AddDate(0, 0, -29)
	if from != nil {
		first = day(*from)
	}
	switch {
	case last.Before(first):
		return first, last, apperr.InvalidField("to", "doit être le même jour que from ou après")
	case !last.Before(first.AddDate(5, 0, 0)):
		return first, last, apperr.InvalidField("to", "la période couvre au plus 5 ans")
	}
	return first, last, nil
}

// newWindow checks the period and cuts it into buckets.
func newWindow(p Params, now time.Time) (window, error) {
	from, to, err := Days(p.From, p.To, now)
	if err != nil {
		return window{}, err
	}
	w := window{From: from, To: to, du: from, au: to.AddDate(0, 0, 1), granularite: p.Granularite}
	w.fin = w.au
	if now.Before(w.fin) {
		w.fin = now
	}
	if w.granularite == "" {
		w.granularite = defaultGranularite(from, to)
	}
	w.buckets = cut(from, to, w.granularite)
	if len(w.buckets) > maxBuckets {
		return window{}, apperr.InvalidField("granularite",
			fmt.Sprintf("au plus %d périodes : %d demandées, choisissez une granularité plus large", maxBuckets, len(w.buckets)))
	}
	return w, nil
}

// defaultGranularite is days up to a month, weeks up to half a year, months beyond.
func defaultGranularite(from, to time.Time) string {
	days := int(to.Sub(from).Hours()/24) + 1
	switch {
	case days <= 31:
		return Jour
	case days <= 184:
		return Semaine
	default:
		return Mois
	}
}

// cut splits the days [from, to] into days, ISO weeks (from Monday) or calendar months; the
// first and last buckets are cut at from and to.
func cut(from, to time.Time, granularite string) []Bucket {
	var out []Bucket
	for d := from; !d.After(to); {
		next := nextStart(d, granularite)
		last := next.AddDate(0, 0, -1)
		if last.After(to) {
			last = to
		}
		out = append(out, Bucket{Debut: d, Fin: last, start: d, end: last.AddDate(0, 0, 1)})
		d = next
	}
	return out
}

// nextStart is the first day of the bucket after the one holding d.
func nextStart(d time.Time, granularite string) time.Time {
	switch granularite {
	case Semaine:
		back := (int(d.Weekday()) + 6) % 7 // days since Monday
		return d.AddDate(0, 0, 7-back)
	case Mois:
		return time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	default:
		return d.AddDate(0, 0, 1)
	}
}

// unit is PostgreSQL's date_trunc unit of a granularity.
func unit(granularite string) string {
	switch granularite {
	case Semaine:
		return "week"
	case Mois:
		return "month"
	default:
		return "day"
	}
}

// bucketOf is the index of the bucket holding instant t, -1 outside the window.
func (w window) bucketOf(t time.Time) int {
	i := sort.Search(len(w.buckets), func(i int) bool { return w.buckets[i].end.After(t) })
	if i == len(w.buckets) || t.Before(w.buckets[i].start) {
		return -1
	}
	return i
}

// day is the calendar day of t in UTC.
func day(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
