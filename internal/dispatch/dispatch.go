// Package dispatch helps managers give work to technicians (issue 14): the technicians ranked
// for an intervention with the reasons of their score, the automatic choice of the best one on
// assignment, and the workload board per technician and day.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// DefaultMinutes is the estimate of an intervention without one (its plan's duration).
const DefaultMinutes = 120

// weekMinutes is the open workload that leaves no workload points (a 40-hour week).
const weekMinutes = 2400

// Points of each part of the score (100 in all, less the deadline's penalty).
const (
	pointsCompetences   = 30
	pointsDisponibilite = 25
	pointsHoraires      = 10
	pointsAstreinte     = 8
	pointsCharge        = 25
	pointsMachine       = 10
	perMachine          = 5
	penaltyEcheance     = -15
)

var errNotFound = apperr.NotFound("Intervention introuvable")

// Service ranks technicians and computes the workload board.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
	zone *time.Location // of the technicians' working hours (APP_TIMEZONE); nil: UTC
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// WithZone returns the service reading the technicians' working hours in loc (APP_TIMEZONE).
func (s *Service) WithZone(loc *time.Location) *Service {
	c := *s
	c.zone = loc
	return &c
}

// Details are the points of each part of a score.
type Details struct {
	Competences, Disponibilite, Horaires, Charge, Machine, Echeance int
}

// Suggestion is one technician ranked for an intervention.
type Suggestion struct {
	TechnicienID          int64
	Nom                   string
	Score                 int
	Disponibilite         string
	ChargeMinutes         int
	InterventionsOuvertes int
	CompetencesManquantes []string
	Details               Details
	Raisons               []string
}

// Competence is a competence the work needs.
type Competence struct {
	ID  int64
	Nom string
}

// Work is what the score looks at in the intervention.
type Work struct {
	Requises   []Competence
	DateLimite *time.Time
	Now        time.Time // in APP_TIMEZONE: the working hours are read in its location
}

// Candidate is what the score looks at in a technician.
type Candidate = db.DispatchCandidatsRow

// Suggest ranks the active technicians for intervention id (managers), best first, at most
// limit of them.
func (s *Service) Suggest(ctx context.Context, actor auth.Principal, id int64, limit int) ([]Suggestion, error) {
	if !access.For(actor).Manager() {
		return nil, access.ErrManagersOnly
	}
	if limit == 0 {
		limit = 10
	}
	if limit < 1 || limit > 100 {
		return nil, apperr.InvalidField("limit", "entre 1 et 100")
	}
	all, err := s.rank(ctx, db.New(s.pool), id)
	if err != nil {
		return nil, err
	}
	return all[:min(limit, len(all))], nil
}

// rank scores every active technician for intervention id.
func (s *Service) rank(ctx context.Context, q *db.Queries, id int64) ([]Suggestion, error) {
	iv, err := q.DispatchIntervention(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("intervention %d: %w", id, err)
	}
	req, err := q.DispatchCompetencesRequises(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("competences of intervention %d: %w", id, err)
	}
	cands, err := q.DispatchCandidats(ctx, iv.EquipementID)
	if err != nil {
		return nil, fmt.Errorf("technicians: %w", err)
	}
	w := Work{DateLimite: iv.DateLimite, Now: iv.DbNow.In(platform.ZoneOr(s.zone))}
	for _, c := range req {
		w.Requises = append(w.Requises, Competence{ID: c.ID, Nom: c.Nom})
	}
	out := make([]Suggestion, len(cands))
	for i, c := range cands {
		out[i] = Score(w, c)
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		if a.ChargeMinutes != b.ChargeMinutes {
			return a.ChargeMinutes - b.ChargeMinutes
		}
		return int(a.TechnicienID - b.TechnicienID)
	})
	return out, nil
}

// levelWeight is how much a competence held at a level counts.
var levelWeight = map[string]float64{"debutant": 0.5, "intermediaire": 0.75, "avance": 1, "expert": 1}

// Score scores one technician for the work (the table of the contract's
// listInterventionSuggestions).
func Score(w Work, c Candidate) Suggestion {
	s := Suggestion{TechnicienID: c.ID, Nom: c.FullName, Disponibilite: string(c.Disponibilite),
		ChargeMinutes: int(c.ChargeMinutes), InterventionsOuvertes: int(c.Ouvertes), CompetencesManquantes: []string{}}
	// Competences.
	if len(w.Requises) == 0 {
		s.Details.Competences = pointsCompetences
		s.Raisons = append(s.Raisons, "Aucune compétence particulière requise")
	} else {
		var held float64
		n := 0
		for _, r := range w.Requises {
			k := slices.Index(c.CompetenceIds, r.ID)
			if k < 0 {
				s.CompetencesManquantes = append(s.CompetencesManquantes, r.Nom)
				continue
			}
			n++
			if k < len(c.CompetenceNiveaux) {
				held += levelWeight[c.CompetenceNiveaux[k]]
			}
		}
		s.Details.Competences = int(math.Round(pointsCompetences * held / float64(len(w.Requises))))
		s.Raisons = append(s.Raisons, fmt.Sprintf("Compétences requises : %d/%d", n, len(w.Requises)))
		if len(s.CompetencesManquantes) > 0 {
			s.Raisons = append(s.Raisons, "Compétences manquantes : "+strings.Join(s.CompetencesManquantes, ", "))
		}
	}
	// Availability.
	switch c.Disponibilite {
	case db.TechnicienDisponibiliteDisponible:
		s.Details.Disponibilite = pointsDisponibilite
		s.Raisons = append(s.Raisons, "Disponible")
	case db.TechnicienDisponibiliteOccupe:
		s.Details.Disponibilite = 10
		s.Raisons = append(s.Raisons, "Occupé")
	default:
		s.Raisons = append(s.Raisons, "Indisponible ("+string(c.Disponibilite)+")")
	}
	// Working hours.
	switch {
	case AtWork(c.HorairesTravail, w.Now):
		s.Details.Horaires = pointsHoraires
		s.Raisons = append(s.Raisons, "Dans ses horaires de travail ("+c.HorairesTravail+")")
	case c.Astreinte:
		s.Details.Horaires = pointsAstreinte
		s.Raisons = append(s.Raisons, "Hors horaires, mais d'astreinte")
	default:
		s.Raisons = append(s.Raisons, "Hors de ses horaires de travail ("+c.HorairesTravail+")")
	}
	// Workload.
	s.Details.Charge = int(math.Round(pointsCharge * math.Max(0, 1-float64(c.ChargeMinutes)/weekMinutes)))
	s.Raisons = append(s.Raisons, fmt.Sprintf("Charge ouverte : %d min (%d intervention(s))", c.ChargeMinutes, c.Ouvertes))
	// Past work on the machine.
	if c.SurMachine > 0 {
		s.Details.Machine = int(min(pointsMachine, perMachine*c.SurMachine))
		s.Raisons = append(s.Raisons, fmt.Sprintf("A déjà travaillé %d fois sur cette machine", c.SurMachine))
	}
	// Deadline: their open work comes first and would make this one late.
	if w.DateLimite != nil && c.ChargeMinutes > 0 {
		left := w.DateLimite.Sub(w.Now).Minutes()
		if float64(c.ChargeMinutes) > left {
			s.Details.Echeance = penaltyEcheance
			s.Raisons = append(s.Raisons, fmt.Sprintf("Risque de dépasser l'échéance : %s de travail ouvert pour %s restantes",
				duration(float64(c.ChargeMinutes)), duration(math.Max(0, left))))
		}
	}
	d := s.Details
	s.Score = max(0, min(100, d.Competences+d.Disponibilite+d.Horaires+d.Charge+d.Machine+d.Echeance))
	return s
}

// duration writes minutes as hours and minutes.
func duration(minutes float64) string {
	m := int(math.Round(minutes))
	if m < 60 {
		return strconv.Itoa(m) + " min"
	}
	if m%60 == 0 {
		return strconv.Itoa(m/60) + " h"
	}
	return fmt.Sprintf("%d h %02d", m/60, m%60)
}

// Hours parses working hours "HH:MM-HH:MM" into minutes after midnight (ok false when they do
// not parse or end before they start).
func Hours(h string) (from, to int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(h), "-")
	if !found {
		return 0, 0, false
	}
	parse := func(s string) (int, bool) {
		t, err := time.Parse("15:04", strings.TrimSpace(s))
		if err != nil {
			return 0, false
		}
		return t.Hour()*60 + t.Minute(), true
	}
	from, ok1 := parse(a)
	to, ok2 := parse(b)
	return from, to, ok1 && ok2 && to > from
}

// AtWork tells whether t falls within the working hours h on a weekday, both read in t's
// location (the service gives it APP_TIMEZONE).
func AtWork(h string, t time.Time) bool {
	from, to, ok := Hours(h)
	if !ok {
		return false
	}
	l := t
	if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
		return false
	}
	m := l.Hour()*60 + l.Minute()
	return m >= from && m < to
}
