package dispatch

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/planning"
)

// maxDays bounds the board's window.
const maxDays = 31

// Day is one technician's day on the board.
type Day struct {
	Date                           time.Time
	Capacite, Ouvertes, Planifiees int
	Pourcent                       *int // nil when the capacity is 0
}

// Load is one technician's row of the board.
type Load struct {
	TechnicienID int64
	Nom          string
	Jours        []Day
}

// Board is the workload of every active technician for each day of [from, to] (managers):
// capacity from the working hours (weekdays, none on leave), open work on its deadline's day,
// planned work on the occurrences of the plans that assign them.
func (s *Service) Board(ctx context.Context, actor auth.Principal, from, to *time.Time) ([]Load, error) {
	if !access.For(actor).Manager() {
		return nil, access.ErrManagersOnly
	}
	start := dayOf(s.now())
	if from != nil {
		start = dayOf(*from)
	}
	end := start.AddDate(0, 0, 6)
	if to != nil {
		end = dayOf(*to)
	}
	switch {
	case end.Before(start):
		return nil, apperr.InvalidField("to", "doit être le même jour que from ou après")
	case end.After(start.AddDate(0, 0, maxDays-1)):
		return nil, apperr.InvalidField("to", fmt.Sprintf("au plus %d jours après from", maxDays-1))
	}
	q := db.New(s.pool)
	techs, err := q.ChargeTechniciens(ctx)
	if err != nil {
		return nil, fmt.Errorf("technicians: %w", err)
	}
	open, err := q.ChargeOuvertes(ctx, db.ChargeOuvertesParams{Du: start, Au: end})
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	plans, err := q.ChargePlans(ctx, end)
	if err != nil {
		return nil, fmt.Errorf("planned work: %w", err)
	}
	n := int(end.Sub(start).Hours()/24) + 1
	index := map[int64]int{}
	out := make([]Load, len(techs))
	for i, t := range techs {
		index[t.ID] = i
		out[i] = Load{TechnicienID: t.ID, Nom: t.FullName, Jours: make([]Day, n)}
		hFrom, hTo, ok := Hours(t.HorairesTravail)
		for k := range n {
			d := start.AddDate(0, 0, k)
			day := Day{Date: d}
			if ok && t.Disponibilite != db.TechnicienDisponibiliteConge && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				day.Capacite = hTo - hFrom
			}
			out[i].Jours[k] = day
		}
	}
	at := func(tech int64, d time.Time) *Day {
		i, ok := index[tech]
		if !ok {
			return nil
		}
		k := int(dayOf(d).Sub(start).Hours() / 24)
		if k < 0 || k >= n {
			return nil
		}
		return &out[i].Jours[k]
	}
	for _, o := range open {
		if d := at(o.TechnicienID, o.Jour); d != nil {
			d.Ouvertes += int(o.Minutes)
		}
	}
	for _, p := range plans {
		first := dayOf(*p.ProchaineDate)
		if first.Before(start) {
			first = start
		}
		for _, occ := range planning.NewRecurrence(p.DateReference, p.Frequence, int(p.Intervalle)).Between(first, end, maxDays) {
			if d := at(p.TechnicienID, occ); d != nil {
				d.Planifiees += int(p.Minutes)
			}
		}
	}
	for i := range out {
		for k := range out[i].Jours {
			d := &out[i].Jours[k]
			if d.Capacite > 0 {
				p := int(math.Round(100 * float64(d.Ouvertes+d.Planifiees) / float64(d.Capacite)))
				d.Pourcent = &p
			}
		}
	}
	return out, nil
}

// dayOf is the calendar day of t in UTC.
func dayOf(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
