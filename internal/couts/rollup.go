package couts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

// Figures are the costs of a set of interventions, in cents.
type Figures struct {
	Interventions                      int
	Pieces, MainOeuvre, Autres, Estime int64
}

// Total is parts + labour + other costs.
func (f Figures) Total() int64 { return f.Pieces + f.MainOeuvre + f.Autres }

func (f *Figures) add(g Figures) {
	f.Interventions += g.Interventions
	f.Pieces += g.Pieces
	f.MainOeuvre += g.MainOeuvre
	f.Autres += g.Autres
	f.Estime += g.Estime
}

// Month is the figures of one month (YYYY-MM) and intervention type.
type Month struct {
	Mois, Type string
	Figures
}

// Rollup is the costs of a machine, company or contract over a period [Depuis, JusquA].
type Rollup struct {
	Depuis, JusquA time.Time // dates, JusquA included
	Total          Figures
	ParType        map[string]Figures
	ParMois        []Month
}

// Period is the window of a roll-up; zero dates take the defaults: the last twelve months
// (from the first day of the month eleven months ago) up to today.
type Period struct{ Depuis, JusquA *time.Time }

// Of are the owners a roll-up may be about (exactly one is set).
type Of struct{ EquipementID, ClientID, ContratID *int64 }

// Costs rolls up the costs of the interventions of a machine, a client company or a contract the
// caller may read (404 otherwise), by month of closing (else of creation) and by type.
// Admins, responsables and a client for its own; techniciens do not see costs.
func (s *Service) Costs(ctx context.Context, actor auth.Principal, of Of, p Period) (Rollup, error) {
	sc := access.For(actor)
	if sc.IsTechnicien() {
		return Rollup{}, errNoTechnicien
	}
	depuis, jusqua, err := s.window(p)
	if err != nil {
		return Rollup{}, err
	}
	if err := readable(ctx, sc.Queries(s.pool), of); err != nil {
		return Rollup{}, err
	}
	rows, err := db.New(s.pool).CoutsParMois(ctx, db.CoutsParMoisParams{EquipementID: of.EquipementID,
		ClientID: of.ClientID, ContratID: of.ContratID, Depuis: depuis, JusquA: jusqua.AddDate(0, 0, 1)})
	if err != nil {
		return Rollup{}, fmt.Errorf("roll costs up: %w", err)
	}
	out := Rollup{Depuis: depuis, JusquA: jusqua, ParType: map[string]Figures{}, ParMois: make([]Month, len(rows))}
	for i, r := range rows {
		f := Figures{Interventions: int(r.Interventions), Pieces: r.Pieces, MainOeuvre: r.MainOeuvre, Autres: r.Autres, Estime: r.Estime}
		out.ParMois[i] = Month{Mois: r.Mois, Type: string(r.TypeIntervention), Figures: f}
		out.Total.add(f)
		t := out.ParType[string(r.TypeIntervention)]
		t.add(f)
		out.ParType[string(r.TypeIntervention)] = t
	}
	return out, nil
}

func (s *Service) window(p Period) (time.Time, time.Time, error) {
	today := s.now().UTC().Truncate(24 * time.Hour)
	jusqua := today
	if p.JusquA != nil {
		jusqua = dateOf(*p.JusquA)
	}
	depuis := time.Date(jusqua.Year(), jusqua.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	if p.Depuis != nil {
		depuis = dateOf(*p.Depuis)
	}
	var fields apperr.Fields
	if jusqua.Before(depuis) {
		fields.Add("jusqu_a", "doit être postérieure ou égale à depuis")
	} else if jusqua.Sub(depuis) > 10*366*24*time.Hour {
		fields.Add("depuis", "dix ans au plus")
	}
	return depuis, jusqua, fields.Err()
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// readable checks that the owner of a roll-up is in the caller's scope.
func readable(ctx context.Context, q *access.Queries, of Of) error {
	var err error
	switch {
	case of.EquipementID != nil:
		return q.CheckEquipement(ctx, *of.EquipementID)
	case of.ClientID != nil:
		return q.CheckClient(ctx, *of.ClientID)
	case of.ContratID != nil:
		_, err = q.GetContratScoped(ctx, db.GetContratScopedParams{ID: *of.ContratID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("Contrat introuvable")
		}
	default:
		return fmt.Errorf("roll-up of nothing")
	}
	if err != nil {
		return fmt.Errorf("check owner: %w", err)
	}
	return nil
}
