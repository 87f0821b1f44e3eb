package dispatch

import (
	"slices"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

// casablanca is the zone the tests read the working hours in (APP_TIMEZONE=Africa/Casablanca).
func casablanca(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestHoursParsesWorkingHours(t *testing.T) {
	for _, c := range []struct {
		in       string
		from, to int
		ok       bool
	}{
		{"08:00-17:00", 480, 1020, true},
		{" 07:30 - 12:15 ", 450, 735, true},
		{"17:00-08:00", 0, 0, false},
		{"matin", 0, 0, false},
		{"08:00-25:00", 0, 0, false},
	} {
		from, to, ok := Hours(c.in)
		if ok != c.ok || (ok && (from != c.from || to != c.to)) {
			t.Errorf("Hours(%q) = %d %d %v", c.in, from, to, ok)
		}
	}
}

func TestAtWorkReadsLocalTimeOnWeekdays(t *testing.T) {
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, casablanca(t)) // a Monday, 09:00 local
	if !AtWork("08:00-17:00", monday) || AtWork("08:00-17:00", monday.Add(9*time.Hour)) {
		t.Error("Monday 09:00 is at work, 18:00 is not")
	}
	if AtWork("00:00-23:59", monday.AddDate(0, 0, 5)) {
		t.Error("Saturday is not a working day")
	}
}

func TestScoreFollowsTheTable(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, casablanca(t)) // Monday, at work for 08:00-17:00
	w := Work{Requises: []Competence{{1, "hydraulique"}, {2, "électrique"}}, Now: now, DateLimite: ptr(now.Add(3 * time.Hour))}
	expert := Candidate{ID: 1, FullName: "A", Disponibilite: db.TechnicienDisponibiliteDisponible, HorairesTravail: "08:00-17:00",
		ChargeMinutes: 600, Ouvertes: 5, SurMachine: 3, CompetenceIds: []int64{1, 2}, CompetenceNiveaux: []string{"expert", "debutant"}}
	s := Score(w, expert)
	want := Details{Competences: 23, Disponibilite: 25, Horaires: 10, Charge: 19, Machine: 10, Echeance: -15}
	if s.Details != want || s.Score != 72 || len(s.CompetencesManquantes) != 0 {
		t.Errorf("expert: %+v score %d", s.Details, s.Score)
	}
	if !slices.Contains(s.Raisons, "Risque de dépasser l'échéance : 10 h de travail ouvert pour 3 h restantes") {
		t.Errorf("reasons %q", s.Raisons)
	}
	onLeave := Candidate{ID: 2, FullName: "B", Disponibilite: db.TechnicienDisponibiliteConge, HorairesTravail: "18:00-22:00",
		Astreinte: true, CompetenceIds: []int64{2}, CompetenceNiveaux: []string{"avance"}}
	s = Score(w, onLeave)
	want = Details{Competences: 15, Disponibilite: 0, Horaires: 8, Charge: 25}
	if s.Details != want || s.Score != 48 || !slices.Equal(s.CompetencesManquantes, []string{"hydraulique"}) {
		t.Errorf("on leave: %+v score %d missing %v", s.Details, s.Score, s.CompetencesManquantes)
	}
	// Past the deadline: only those with open work before it lose points.
	late := Work{Now: now, DateLimite: ptr(now.Add(-time.Hour))}
	if s := Score(late, Candidate{}); s.Details.Echeance != 0 {
		t.Errorf("idle technician past the deadline: %+v", s.Details)
	}
	if s := Score(late, Candidate{ChargeMinutes: 30}); s.Details.Echeance != -15 {
		t.Errorf("busy technician past the deadline: %+v", s.Details)
	}
	// Nothing required: everyone gets the competence points; the score stays within 0..100.
	s = Score(Work{Now: now}, Candidate{Disponibilite: db.TechnicienDisponibiliteOccupe, ChargeMinutes: 5000})
	if s.Details.Competences != 30 || s.Details.Charge != 0 || s.Score != 40 {
		t.Errorf("nothing required: %+v score %d", s.Details, s.Score)
	}
}

func ptr[T any](v T) *T { return &v }
