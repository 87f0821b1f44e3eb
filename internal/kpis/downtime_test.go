package kpis

import (
	"testing"
	"time"
)

func at(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

func want[T comparable](t *testing.T, what string, got, expected T) {
	t.Helper()
	if got != expected {
		t.Errorf("%s = %v, want %v", what, got, expected)
	}
}

func wantPtr(t *testing.T, what string, got *float64, expected float64) {
	t.Helper()
	if got == nil || *got != expected {
		t.Errorf("%s = %v, want %v", what, got, expected)
	}
}

// TestDowntimeClipsRecordsToTheWindowAndTheBuckets: the hand-computed fixture of the contract's
// definitions, with records cut by the window's start, by a bucket boundary, by the window's
// end, open, and a machine put in service inside the window.
//
// Window 2026-03-01..10 by weeks (Sun 1 | Mon 2..Sun 8 | Mon 9..Tue 10), now 2026-03-20.
// Machine A in service long before: 10 days = 14 400 min. Machine B in service on 03-06: 5 days
// = 7 200 min. Time 21 600 min.
//
//	A1 panne 02-28 22:00 -> 03-01 02:00: 120 min inside, starts before (no failure), restored
//	   in the window after 4 h.
//	A2 panne 03-08 20:00 -> 03-09 04:00: 480 min (240 in week 2, 240 in week 3), a failure,
//	   restored after 8 h.
//	A3 preventif 03-10 12:00 -> 03-12: 720 min inside (up to the end of 03-10).
//	B1 panne 03-07 10:00, still open: 86 h = 5 160 min (2 280 in week 2, 2 880 in week 3), a
//	   failure, not restored.
//

// Downtime 6 480 min (panne 5 760); availability 15 120 / 21 600 = 70 %; MTBF 252 h / 2 = 126 h;
// MTTR (4 + 8) / 2 = 6 h. Weeks: 1 440 min, 120 down (91.67 %); 14 400, 2 520 (82.5 %);
// 5 760, 3 840 (33.33 %).
func TestDowntimeClipsRecordsToTheWindowAndTheBuckets(t *testing.T) {
	w, err := newWindow(Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 10)), Granularite: Semaine}, at(3, 20, 0))
	if err != nil {
		t.Fatal(err)
	}
	a1, b1 := date(2025, 1, 1), date(2026, 3, 6)
	groups := []machines{{EnService: a1, N: 1}, {EnService: b1, N: 1}}
	stops := []stop{
		{EquipementID: 1, EnService: a1, Debut: at(2, 28, 22), Fin: ptr(at(3, 1, 2)), Panne: true},
		{EquipementID: 1, EnService: a1, Debut: at(3, 8, 20), Fin: ptr(at(3, 9, 4)), Panne: true},
		{EquipementID: 1, EnService: a1, Debut: at(3, 10, 12), Fin: ptr(at(3, 12, 0))},
		{EquipementID: 2, EnService: b1, Debut: at(3, 7, 10), Panne: true},
	}
	a, top := downtime(w, groups, stops)
	want(t, "equipements", a.Equipements, 2)
	want(t, "temps", a.TempsMinutes, 21600)
	want(t, "arret", a.ArretMinutes, 6480)
	want(t, "panne", a.PanneMinutes, 5760)
	wantPtr(t, "disponibilite", a.Disponibilite, 70)
	want(t, "pannes", a.Pannes, 2)
	wantPtr(t, "mtbf", a.MTBFHeures, 126)
	want(t, "reparations", a.Reparations, 2)
	wantPtr(t, "mttr", a.MTTRHeures, 6)

	for i, b := range []struct {
		down  int64
		dispo float64
	}{{120, 91.67}, {2520, 82.5}, {3840, 33.33}} {
		want(t, "bucket arret", w.buckets[i].ArretMinutes, b.down)
		wantPtr(t, "bucket disponibilite", w.buckets[i].Disponibilite, b.dispo)
	}
	if len(top) != 2 || top[0] != (TopArret{EquipementID: 2, ArretMinutes: 5160, Pannes: 1}) ||
		top[1] != (TopArret{EquipementID: 1, ArretMinutes: 1320, Pannes: 1}) {
		t.Fatalf("top %+v", top)
	}
}

// TestDowntimeStopsAtNow: inside the current period, time and an open record run until now,
// and a bucket entirely in the future has no availability.
func TestDowntimeStopsAtNow(t *testing.T) {
	now := at(3, 5, 12)
	w, err := newWindow(Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 10))}, now)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := downtime(w, []machines{{EnService: date(2020, 1, 1), N: 1}},
		[]stop{{EquipementID: 1, EnService: date(2020, 1, 1), Debut: at(3, 5, 0), Panne: true}})
	want(t, "temps", a.TempsMinutes, 4*1440+720)
	want(t, "arret", a.ArretMinutes, 720)
	wantPtr(t, "disponibilite", a.Disponibilite, 88.89)
	want(t, "reparations", a.Reparations, 0)
	if a.MTTRHeures != nil {
		t.Errorf("mttr %v without a restoration", *a.MTTRHeures)
	}
	wantPtr(t, "today", w.buckets[4].Disponibilite, 0)
	if w.buckets[5].Disponibilite != nil {
		t.Errorf("tomorrow's availability %v, want none", *w.buckets[5].Disponibilite)
	}
}

// TestDowntimeWithoutMachinesHasNoRatios: nothing to divide by gives nulls, not zeros.
func TestDowntimeWithoutMachinesHasNoRatios(t *testing.T) {
	w, err := newWindow(Params{}, at(3, 5, 12))
	if err != nil {
		t.Fatal(err)
	}
	a, top := downtime(w, nil, nil)
	if a.Disponibilite != nil || a.MTBFHeures != nil || a.MTTRHeures != nil || len(top) != 0 {
		t.Fatalf("%+v %v", a, top)
	}
}

// TestDowntimeCountsEachMachineOfAGroup: machines sharing a start are counted together.
func TestDowntimeCountsEachMachineOfAGroup(t *testing.T) {
	w, err := newWindow(Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 2))}, at(3, 20, 0))
	if err != nil {
		t.Fatal(err)
	}
	start := date(2026, 3, 2)
	a, _ := downtime(w, []machines{{EnService: start, N: 3}, {EnService: date(2020, 1, 1), N: 1}},
		[]stop{{EquipementID: 7, EnService: start, Debut: at(2, 20, 0), Fin: ptr(at(3, 2, 6)), Panne: true}})
	// Three machines for the second day, one for both: 5 days; 6 h down (from the machine's
	// start); a restoration in the window, of the record's whole length (02-20 to 03-02 06:00).
	want(t, "equipements", a.Equipements, 4)
	want(t, "temps", a.TempsMinutes, 5*1440)
	want(t, "arret", a.ArretMinutes, 360)
	want(t, "pannes", a.Pannes, 0)
	want(t, "reparations", a.Reparations, 1)
	wantPtr(t, "mttr", a.MTTRHeures, 246)
}
