package kpis

import (
	"errors"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/apperr"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func ptr[T any](v T) *T { return &v }

// invalidField is the field named by a 422, "" when err is not one.
func invalidField(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind == apperr.KindInvalid && len(e.Fields) == 1 {
		return e.Fields[0].Field
	}
	return ""
}

func TestWindowDefaultsToTheThirtyDaysEndingToday(t *testing.T) {
	now := time.Date(2026, 12, 6, 15, 30, 0, 0, time.UTC)
	w, err := newWindow(Params{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !w.From.Equal(date(2026, 11, 7)) || !w.To.Equal(date(2026, 12, 6)) || w.granularite != Jour || len(w.buckets) != 30 {
		t.Fatalf("default window %v..%v %s %d buckets", w.From, w.To, w.granularite, len(w.buckets))
	}
	// Time after now has not happened: the window's end is now, not midnight.
	if !w.au.Equal(date(2026, 12, 7)) || !w.fin.Equal(now) {
		t.Fatalf("au %v fin %v", w.au, w.fin)
	}
}

func TestWindowRefusesABackwardOrTooLongPeriod(t *testing.T) {
	now := date(2026, 12, 6)
	cases := []struct {
		name     string
		p        Params
		field    string
		accepted bool
	}{
		{"to before from", Params{From: ptr(date(2026, 3, 2)), To: ptr(date(2026, 3, 1))}, "to", false},
		{"one day", Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 1))}, "", true},
		{"five years less a day", Params{From: ptr(date(2021, 1, 1)), To: ptr(date(2025, 12, 31))}, "", true},
		{"five years", Params{From: ptr(date(2021, 1, 1)), To: ptr(date(2026, 1, 1))}, "to", false},
		{"400 days", Params{From: ptr(date(2025, 1, 1)), To: ptr(date(2026, 2, 4)), Granularite: Jour}, "", true},
		{"401 days", Params{From: ptr(date(2025, 1, 1)), To: ptr(date(2026, 2, 5)), Granularite: Jour}, "granularite", false},
	}
	for _, c := range cases {
		_, err := newWindow(c.p, now)
		if c.accepted != (err == nil) || invalidField(err) != c.field {
			t.Errorf("%s: err %v, want field %q", c.name, err, c.field)
		}
	}
}

func TestWindowCutsWeeksAndMonthsAtItsEdges(t *testing.T) {
	now := date(2026, 12, 6)
	check := func(p Params, want [][2]time.Time) {
		t.Helper()
		w, err := newWindow(p, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.buckets) != len(want) {
			t.Fatalf("%d buckets, want %d", len(w.buckets), len(want))
		}
		for i, b := range w.buckets {
			if !b.Debut.Equal(want[i][0]) || !b.Fin.Equal(want[i][1]) || !b.start.Equal(b.Debut) || !b.end.Equal(b.Fin.AddDate(0, 0, 1)) {
				t.Errorf("bucket %d: %v..%v, want %v..%v", i, b.Debut, b.Fin, want[i][0], want[i][1])
			}
		}
	}
	// 2026-03-01 is a Sunday: its week is that day alone, then Monday to Sunday.
	check(Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 10)), Granularite: Semaine}, [][2]time.Time{
		{date(2026, 3, 1), date(2026, 3, 1)}, {date(2026, 3, 2), date(2026, 3, 8)}, {date(2026, 3, 9), date(2026, 3, 10)}})
	check(Params{From: ptr(date(2026, 1, 15)), To: ptr(date(2026, 3, 10)), Granularite: Mois}, [][2]time.Time{
		{date(2026, 1, 15), date(2026, 1, 31)}, {date(2026, 2, 1), date(2026, 2, 28)}, {date(2026, 3, 1), date(2026, 3, 10)}})
}

func TestWindowDefaultGranularityFollowsTheLength(t *testing.T) {
	from := date(2026, 1, 1)
	for days, want := range map[int]string{1: Jour, 31: Jour, 32: Semaine, 184: Semaine, 185: Mois, 1800: Mois} {
		if got := defaultGranularite(from, from.AddDate(0, 0, days-1)); got != want {
			t.Errorf("%d days: %s, want %s", days, got, want)
		}
	}
}

func TestBucketOfFindsTheBucketOfAnInstant(t *testing.T) {
	w, err := newWindow(Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 10)), Granularite: Semaine}, date(2026, 12, 6))
	if err != nil {
		t.Fatal(err)
	}
	for at, want := range map[time.Time]int{
		date(2026, 2, 28):                    -1,
		date(2026, 3, 1):                     0,
		date(2026, 3, 1).Add(23 * time.Hour): 0,
		date(2026, 3, 2):                     1,
		date(2026, 3, 8).Add(23*time.Hour + time.Hour - time.Nanosecond): 1,
		date(2026, 3, 10).Add(12 * time.Hour):                            2,
		date(2026, 3, 11):                                                -1,
	} {
		if got := w.bucketOf(at); got != want {
			t.Errorf("bucketOf(%v) = %d, want %d", at, got, want)
		}
	}
}
