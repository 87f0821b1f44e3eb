package rapports

import (
	"strings"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

// periodOf is the days [from, to] of a relative period for a report made on day (a date, at
// midnight UTC): the days before it for the last 7 or 30 days, from the first day of the month,
// quarter or year to it, the previous calendar month.
func periodOf(p db.RapportPeriode, day time.Time) (time.Time, time.Time) {
	y, m, _ := day.Date()
	first := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	switch p {
	case db.RapportPeriodeToday:
		return day, day
	case db.RapportPeriodeYesterday:
		d := day.AddDate(0, 0, -1)
		return d, d
	case db.RapportPeriodeLast7Days:
		return day.AddDate(0, 0, -7), day.AddDate(0, 0, -1)
	case db.RapportPeriodeThisMonth:
		return first(y, m), day
	case db.RapportPeriodeLastMonth:
		start := first(y, m-1)
		return start, first(y, m).AddDate(0, 0, -1)
	case db.RapportPeriodeThisQuarter:
		return first(y, m-(m-1)%3), day
	case db.RapportPeriodeThisYear:
		return first(y, time.January), day
	default: // last_30_days
		return day.AddDate(0, 0, -30), day.AddDate(0, 0, -1)
	}
}

// localDay is the calendar day of t in loc, as a date at midnight UTC.
func localDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// titleOf fills a title pattern: {debut}, {fin} and {date} become the period's days and the
// day of generation.
func titleOf(pattern string, from, to, day time.Time) string {
	return strings.NewReplacer("{debut}", frDate(from), "{fin}", frDate(to), "{date}", frDate(day)).Replace(pattern)
}
