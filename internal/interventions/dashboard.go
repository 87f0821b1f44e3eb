package interventions

import (
	"context"
	"fmt"
	"math"

	"github.com/mif-erp/erp/gen/db"
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

// Dashboard computes the caller's figures with four aggregate queries at most: global for
// admins and responsables, its assigned interventions (and their machines) for a technicien, its
// company's interventions and machines for a client. Users are counted for admins and
// responsables only; anyone else sees itself (1 user, active).
func (s *Service) Dashboard(ctx context.Context, actor auth.Principal) (Stats, error) {
	c, err := resolve(ctx, s.pool, actor)
	if err != nil {
		return Stats{}, err
	}
	q := db.New(s.pool)
	var st Stats
	if c.all {
		// Every intervention: from the pre-aggregated figures, whatever the table size.
		var g db.DashboardGlobalRow
		g, err = q.DashboardGlobal(ctx)
		st.Interventions = db.DashboardInterventionsRow(g)
	} else {
		st.Interventions, err = q.DashboardInterventions(ctx, db.DashboardInterventionsParams{
			ScopeAll: c.all, ScopeTechnicienID: c.technicienID, ScopeClientID: c.clientID,
		})
	}
	if err != nil {
		return Stats{}, fmt.Errorf("dashboard interventions: %w", err)
	}
	if c.all {
		var g []db.DashboardEvolutionGlobalRow
		g, err = q.DashboardEvolutionGlobal(ctx)
		st.Evolution = make([]db.DashboardEvolutionRow, len(g))
		for i, r := range g {
			st.Evolution[i] = db.DashboardEvolutionRow(r)
		}
	} else {
		st.Evolution, err = q.DashboardEvolution(ctx, db.DashboardEvolutionParams{
			ScopeAll: c.all, ScopeTechnicienID: c.technicienID, ScopeClientID: c.clientID,
		})
	}
	if err != nil {
		return Stats{}, fmt.Errorf("dashboard evolution: %w", err)
	}
	if c.all {
		var g db.DashboardEquipementsGlobalRow
		g, err = q.DashboardEquipementsGlobal(ctx)
		st.Equipements = db.DashboardEquipementsRow(g)
	} else {
		st.Equipements, err = q.DashboardEquipements(ctx, db.DashboardEquipementsParams{
			ScopeAll: c.all, ScopeTechnicienID: c.technicienID, ScopeClientID: c.clientID,
		})
	}
	if err != nil {
		return Stats{}, fmt.Errorf("dashboard equipment: %w", err)
	}
	if c.all {
		u, err := q.DashboardUtilisateurs(ctx)
		if err != nil {
			return Stats{}, fmt.Errorf("dashboard users: %w", err)
		}
		st.UtilisateursTotal, st.UtilisateursActifs = int(u.Total), int(u.Actifs)
	} else {
		st.UtilisateursTotal, st.UtilisateursActifs = 1, 1
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

func round(v float64, decimals int) float64 {
	m := math.Pow(10, float64(decimals))
	return math.Round(v*m) / m
}
