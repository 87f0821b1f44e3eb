package interventions

import (
	"context"
	"fmt"
	"math"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/auth"
)

// Stats are the dashboard figures (GET /dashboard/stats) of one caller.
type Stats struct {
	Interventions      db.DashboardInterventionsRow
	Terminees          int     // cloturee + archivee
	TauxResolution     float64 // terminees / total x 100, one decimal (0 when empty)
	Evolution          []db.DashboardEvolutionRow
	Equipements        db.DashboardEquipementsRow
	UtilisateursTotal  int
	UtilisateursActifs int
	MTTRHeures         *float64 // nil before any finished intervention with a start of work
	SLARespectPct      *float64 // nil before any finished intervention with a deadline
}

// Dashboard computes the caller's figures: global for admins and responsables (one statement
// over the pre-aggregated figures, constant time), its assigned interventions (and their
// machines) for a technicien, its company's interventions and machines for a client (three
// aggregate queries over the rows it may read). Users are counted for admins and responsables
// only; anyone else sees itself (1 user, active).
func (s *Service) Dashboard(ctx context.Context, actor auth.Principal) (Stats, error) {
	c := callerOf(actor)
	var st Stats
	if c.Manager() {
		// Every intervention: one statement over the pre-aggregated figures.
		// Every manager reads the same figures: the identical requests that wait share a read.
		g, err := s.dashboard.Do(ctx, struct{}{}, db.New(s.pool).DashboardGlobal)
		if err != nil {
			return Stats{}, fmt.Errorf("dashboard: %w", err)
		}
		st = globalStats(g)
	} else {
		var err error
		if st, err = scopedStats(ctx, c.Queries(s.pool)); err != nil {
			return Stats{}, err
		}
	}
	in := st.Interventions
	st.Terminees = int(in.Cloturee + in.Archivee)
	if in.Total > 0 {
		st.TauxResolution = round(float64(st.Terminees)/float64(in.Total)*100, 1)
	}
	if in.MttrN > 0 {
		h := round(in.MttrSecondes/3600/float64(in.MttrN), 2)
		st.MTTRHeures = &h
	}
	if in.SlaN > 0 {
		p := round(float64(in.SlaRespectes)/float64(in.SlaN)*100, 1)
		st.SLARespectPct = &p
	}
	return st, nil
}

// globalStats spreads the row of DashboardGlobal over the figures.
func globalStats(g db.DashboardGlobalRow) Stats {
	st := Stats{
		Interventions: db.DashboardInterventionsRow{
			Ouverte: g.Ouverte, Affectee: g.Affectee, EnCours: g.EnCours, EnAttente: g.EnAttente,
			Cloturee: g.Cloturee, Annulee: g.Annulee, Archivee: g.Archivee, Total: g.Total,
			TotalMensuel: g.TotalMensuel, TermineesMensuel: g.TermineesMensuel, EnRetard: g.EnRetard,
			Urgente: g.Urgente, Haute: g.Haute, Normale: g.Normale, Basse: g.Basse, Programmee: g.Programmee,
			MttrN: g.MttrN, MttrSecondes: g.MttrSecondes, SlaN: g.SlaN, SlaRespectes: g.SlaRespectes,
		},
		Equipements: db.DashboardEquipementsRow{
			Total: g.EquipementsTotal, Operationnel: g.EquipementsOperationnel, Maintenance: g.EquipementsMaintenance,
			Panne: g.EquipementsPanne, Retire: g.EquipementsRetire,
		},
		UtilisateursTotal:  int(g.UtilisateursTotal),
		UtilisateursActifs: int(g.UtilisateursActifs),
	}
	for i, mois := range g.EvolutionMois {
		st.Evolution = append(st.Evolution, db.DashboardEvolutionRow{Mois: mois, Total: int32(g.EvolutionTotaux[i])})
	}
	return st
}

// scopedStats are the figures of a technicien (its assigned interventions and their machines)
// or a client (its company's), counted from the rows it may read; it sees itself as the only user.
func scopedStats(ctx context.Context, q *access.Queries) (Stats, error) {
	var st Stats
	var err error
	st.Interventions, err = q.DashboardInterventions(ctx, db.DashboardInterventionsParams{})
	if err != nil {
		return Stats{}, fmt.Errorf("dashboard interventions: %w", err)
	}
	st.Evolution, err = q.DashboardEvolution(ctx, db.DashboardEvolutionParams{})
	if err != nil {
		return Stats{}, fmt.Errorf("dashboard evolution: %w", err)
	}
	st.Equipements, err = q.DashboardEquipements(ctx, db.DashboardEquipementsParams{})
	if err != nil {
		return Stats{}, fmt.Errorf("dashboard equipment: %w", err)
	}
	st.UtilisateursTotal, st.UtilisateursActifs = 1, 1
	return st, nil
}

func round(v float64, decimals int) float64 {
	m := math.Pow(10, float64(decimals))
	return math.Round(v*m) / m
}
