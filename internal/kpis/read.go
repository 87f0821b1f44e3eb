package kpis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/dispatch"
)

// estimeMinutes is the estimate of open work without a plan's duration.
const estimeMinutes = 120

// Get computes the indicators of a window for the caller, from one snapshot of the database.
// With a cache (WithCache), figures that took long to compute are kept for its time by scope
// and request, and concurrent identical requests share one computation.
func (s *Service) Get(ctx context.Context, actor auth.Principal, p Params) (Result, error) {
	now := s.now()
	w, err := newWindow(p, now)
	if err != nil {
		return Result{}, err
	}
	regle := p.ReglePM
	if regle == "" {
		regle = RegleEcheance
	}
	sc := access.For(actor)
	if s.cache == nil {
		return s.compute(ctx, sc, w, p, regle, now)
	}
	k := key(sc, w, p, regle)
	if r, ok := s.cache.get(k, now); ok {
		return r, nil
	}
	v, err, _ := s.cache.group.Do(k, func() (any, error) {
		start := s.now()
		r, err := s.compute(ctx, sc, w, p, regle, start)
		if err == nil && s.now().Sub(start) >= s.cache.minCost {
			s.cache.put(k, r, s.now())
		}
		return r, err
	})
	if err != nil {
		return Result{}, err
	}
	return v.(Result), nil
}

// compute reads the indicators from one snapshot of the database.
func (s *Service) compute(ctx context.Context, sc access.Scope, w window, p Params, regle string, now time.Time) (Result, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Result{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	// The aggregates group tens of thousands of rows a month at scale: in memory, not on disk.
	if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '32MB'"); err != nil {
		return Result{}, fmt.Errorf("work_mem: %w", err)
	}
	q := sc.Queries(tx)
	if err := readable(ctx, q, p); err != nil {
		return Result{}, err
	}
	out := Result{From: w.From, To: w.To, Granularite: w.granularite, ReglePM: regle, Serie: w.buckets, CalculeLe: now}
	f := db.KpiInterventionsParams{EquipementID: p.EquipementID, ClientID: p.ClientID, Du: w.du, Au: w.au}
	if p.Type != nil {
		f.Type = db.NullInterventionType{InterventionType: db.InterventionType(*p.Type), Valid: true}
	}
	if out.Equipements, out.TopArrets, err = s.availability(ctx, q, w, p); err != nil {
		return Result{}, err
	}
	if out.Interventions, err = interventionFigures(ctx, q, f); err != nil {
		return Result{}, err
	}
	if out.Preventif, err = preventive(ctx, q, f, regle); err != nil {
		return Result{}, err
	}
	if out.Backlog, err = backlog(ctx, tx, q, f, now); err != nil {
		return Result{}, err
	}
	if !sc.IsTechnicien() {
		if out.Couts, err = s.costs(ctx, q, f); err != nil {
			return Result{}, err
		}
	}
	if err := series(ctx, q, w, f, !sc.IsTechnicien()); err != nil {
		return Result{}, err
	}
	return out, nil
}

// readable checks that the machine and the company of the filters are the caller's to read.
func readable(ctx context.Context, q *access.Queries, p Params) error {
	if p.EquipementID != nil {
		if err := q.CheckEquipement(ctx, *p.EquipementID); err != nil {
			return err
		}
	}
	if p.ClientID != nil {
		return q.CheckClient(ctx, *p.ClientID)
	}
	return nil
}

func (s *Service) availability(ctx context.Context, q *access.Queries, w window, p Params) (Availability, []TopArret, error) {
	ms, err := q.KpiMachines(ctx, db.KpiMachinesParams{EquipementID: p.EquipementID, ClientID: p.ClientID})
	if err != nil {
		return Availability{}, nil, fmt.Errorf("machines: %w", err)
	}
	as, err := q.KpiArrets(ctx, db.KpiArretsParams{EquipementID: p.EquipementID, ClientID: p.ClientID, Du: w.du, Fin: w.fin})
	if err != nil {
		return Availability{}, nil, fmt.Errorf("downtime: %w", err)
	}
	groups := make([]machines, len(ms))
	for i, m := range ms {
		groups[i] = machines{EnService: m.EnService, N: int(m.N)}
	}
	stops := make([]stop, len(as))
	for i, a := range as {
		stops[i] = stop{EquipementID: a.EquipementID, EnService: a.EnService, Debut: a.Debut, Fin: a.Fin,
			Panne: a.Motif == db.MotifArretPanne}
	}
	a, top := downtime(w, groups, stops)
	ids := make([]int64, len(top))
	for i, t := range top {
		ids[i] = t.EquipementID
	}
	names, err := q.KpiNoms(ctx, db.KpiNomsParams{Ids: ids})
	if err != nil {
		return Availability{}, nil, fmt.Errorf("machine names: %w", err)
	}
	for _, n := range names {
		for i := range top {
			if top[i].EquipementID == n.ID {
				top[i].Nom = n.Nom
			}
		}
	}
	return a, top, nil
}

func interventionFigures(ctx context.Context, q *access.Queries, f db.KpiInterventionsParams) (Interventions, error) {
	r, err := q.KpiInterventions(ctx, f)
	if err != nil {
		return Interventions{}, fmt.Errorf("interventions: %w", err)
	}
	return Interventions{
		Creees: int(r.Creees), Correctives: int(r.Correctives), Preventives: int(r.Preventives), Cloturees: int(r.Cloturees),
		Reactif: percent(float64(r.Correctives), float64(r.Creees)),
		MTTAN:   int(r.MttaN), MTTAHeures: ratio(r.MttaSecondes/3600, float64(r.MttaN)),
		SLAN: int(r.SlaN), SLARespectees: int(r.SlaRespectees), SLA: percent(float64(r.SlaRespectees), float64(r.SlaN)),
		SatisfactionN:       int(r.SatisfactionN),
		SatisfactionMoyenne: ratio(float64(r.SatisfactionSomme), float64(r.SatisfactionN)),
		Satisfaction:        percent(float64(r.Satisfaits), float64(r.SatisfactionN)),
	}, nil
}

func preventive(ctx context.Context, q *access.Queries, f db.KpiInterventionsParams, regle string) (Preventif, error) {
	pm, err := q.KpiPreventif(ctx, db.KpiPreventifParams{Regle: regle, EquipementID: f.EquipementID, ClientID: f.ClientID,
		Type: f.Type, Du: f.Du, Au: f.Au})
	if err != nil {
		return Preventif{}, fmt.Errorf("preventive work: %w", err)
	}
	t, err := q.KpiTemps(ctx, db.KpiTempsParams(f))
	if err != nil {
		return Preventif{}, fmt.Errorf("labour: %w", err)
	}
	return Preventif{
		Dues: int(pm.Dues), ATemps: int(pm.ATemps), Conformite: percent(float64(pm.ATemps), float64(pm.Dues)),
		HeuresTotales: float64(t.Minutes) / 60, HeuresPlanifiees: float64(t.Planifiees) / 60,
		PMP: percent(float64(t.Planifiees), float64(t.Minutes)),
	}, nil
}

// backlog measures the open work against the weekly capacity of the active technicians.
func backlog(ctx context.Context, tx pgx.Tx, q *access.Queries, f db.KpiInterventionsParams, now time.Time) (Backlog, error) {
	r, err := q.KpiBacklog(ctx, db.KpiBacklogParams{EquipementID: f.EquipementID, ClientID: f.ClientID, Type: f.Type, Maintenant: now})
	if err != nil {
		return Backlog{}, fmt.Errorf("backlog: %w", err)
	}
	techs, err := db.New(tx).ChargeTechniciens(ctx)
	if err != nil {
		return Backlog{}, fmt.Errorf("crew: %w", err)
	}
	var weekly int
	for _, t := range techs {
		if from, to, ok := dispatch.Hours(t.HorairesTravail); ok && t.Disponibilite != db.TechnicienDisponibiliteConge {
			weekly += 5 * (to - from)
		}
	}
	estime := float64(r.Minutes) / 60
	return Backlog{
		Ouvertes: int(r.Ouvertes), HeuresEstimees: estime, CapaciteHebdoHeures: float64(weekly) / 60,
		Semaines: ratio(estime, float64(weekly)/60),
		J0a7:     int(r.J07), J8a30: int(r.J830), J31a90: int(r.J3190), Plus90: int(r.Plus90),
	}, nil
}

func (s *Service) costs(ctx context.Context, q *access.Queries, f db.KpiInterventionsParams) (*Couts, error) {
	rows, err := q.KpiCouts(ctx, db.KpiCoutsParams(f))
	if err != nil {
		return nil, fmt.Errorf("costs: %w", err)
	}
	out := &Couts{Devise: s.devise, ParMois: []CoutMois{}, ParEquipement: []CoutLigne{}, ParClient: []CoutLigne{},
		ParContrat: []CoutLigne{}}
	for _, r := range rows {
		l := CoutLigne{ID: r.Cle, Nom: r.Nom, Interventions: int(r.Interventions), Pieces: r.Pieces,
			MainOeuvre: r.MainOeuvre, Autres: r.Autres}
		switch r.Axe {
		case "total":
			out.Total = l
		case "mois":
			l.ID, l.Nom = 0, ""
			out.ParMois = append(out.ParMois, CoutMois{Mois: r.Mois, CoutLigne: l})
		case "equipement":
			out.ParEquipement = append(out.ParEquipement, l)
		case "client":
			out.ParClient = append(out.ParClient, l)
		case "contrat":
			out.ParContrat = append(out.ParContrat, l)
		}
	}
	return out, nil
}

// series fills the buckets' intervention counts and costs (downtime is filled by downtime).
func series(ctx context.Context, q *access.Queries, w window, f db.KpiInterventionsParams, withCosts bool) error {
	rows, err := q.KpiSerie(ctx, db.KpiSerieParams{Unite: unit(w.granularite), EquipementID: f.EquipementID,
		ClientID: f.ClientID, Type: f.Type, Du: f.Du, Au: f.Au})
	if err != nil {
		return fmt.Errorf("series: %w", err)
	}
	if withCosts {
		for i := range w.buckets {
			w.buckets[i].CoutTotal = new(int64)
		}
	}
	for _, r := range rows {
		i := w.bucketOf(later(r.Jour, w.du))
		if i < 0 {
			continue
		}
		b := &w.buckets[i]
		switch r.Axe {
		case "c":
			b.Creees += int(r.N)
		case "f":
			b.Cloturees += int(r.N)
		case "k":
			if withCosts {
				*b.CoutTotal += r.Cout
			}
		}
	}
	return nil
}
