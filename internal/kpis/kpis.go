// Package kpis computes the maintenance indicators of GET /kpis (issue 15): availability, MTBF
// and MTTR from downtime records, first response, SLA and client ratings, PM compliance and the
// planned maintenance percentage, the backlog and its age, and the costs, over a window of days
// and by bucket. Definitions follow SMRP and EN 13306 and are written in the contract.
//
// The database sums the intervention figures (scoped like every read, see internal/access);
// downtime is clipped and bucketed here, from the records that overlap the window, so the
// arithmetic of a record cut by the window is plain Go with its own tests.
package kpis

import (
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Service computes the indicators.
type Service struct {
	pool   *pgxpool.Pool
	devise string
	now    func() time.Time
	cache  *cache // nil: every request computes
}

// NewService returns the service; devise is the currency of the costs (DEFAULT_CURRENCY).
func NewService(pool *pgxpool.Pool, devise string) *Service {
	return &Service{pool: pool, devise: devise, now: time.Now}
}

// WithCache returns a copy of the service that keeps for ttl (KPI_CACHE_SECONDS) the figures
// whose computation took minCost (KPI_CACHE_MIN_MS) or more; ttl 0 keeps none.
func (s *Service) WithCache(ttl, minCost time.Duration) *Service {
	c := *s
	c.cache = nil
	if ttl > 0 {
		c.cache = &cache{ttl: ttl, minCost: minCost}
	}
	return &c
}

// Granularities of the series.
const (
	Jour    = "jour"
	Semaine = "semaine"
	Mois    = "mois"
)

// On-time rules of preventive work.
const (
	RegleEcheance    = "echeance"
	RegleJour        = "jour"
	RegleDixPourcent = "dix_pourcent"
)

// Params are the query of GET /kpis; nil and "" take the defaults.
type Params struct {
	From, To               *time.Time // days (UTC); To included
	EquipementID, ClientID *int64
	Type                   *string // intervention type
	Granularite, ReglePM   string
}

// Result is the indicators of a window.
type Result struct {
	CalculeLe            time.Time // when the figures were read
	From, To             time.Time // days, To included
	Granularite, ReglePM string
	Equipements          Availability
	Interventions        Interventions
	Preventif            Preventif
	Backlog              Backlog
	Couts                *Couts // nil for techniciens
	TopArrets            []TopArret
	Serie                []Bucket
}

// Availability is the reliability of the machines counted.
type Availability struct {
	Equipements                              int
	TempsMinutes, ArretMinutes, PanneMinutes int64
	Disponibilite                            *float64 // percent
	Pannes, Reparations                      int
	MTBFHeures, MTTRHeures                   *float64
}

// Interventions is the work created and closed in the window.
type Interventions struct {
	Creees, Correctives, Preventives, Cloturees int
	Reactif                                     *float64 // percent
	MTTAN                                       int
	MTTAHeures                                  *float64
	SLAN, SLARespectees                         int
	SLA                                         *float64 // percent
	SatisfactionN                               int
	SatisfactionMoyenne, Satisfaction           *float64 // mean 1-5, percent of 4 and 5
}

// Preventif is PM compliance and the planned maintenance percentage.
type Preventif struct {
	Dues, ATemps                    int
	Conformite                      *float64 // percent
	HeuresTotales, HeuresPlanifiees float64
	PMP                             *float64 // percent
}

// Backlog is the open work at the time of the request.
type Backlog struct {
	Ouvertes                            int
	HeuresEstimees, CapaciteHebdoHeures float64
	Semaines                            *float64
	J0a7, J8a30, J31a90, Plus90         int
}

// Couts is the costs of the window, in cents.
type Couts struct {
	Devise                               string
	Total                                CoutLigne
	ParMois                              []CoutMois
	ParEquipement, ParClient, ParContrat []CoutLigne
}

// CoutLigne is the costs of a machine, a company or a contract (or of everything).
type CoutLigne struct {
	ID                         int64
	Nom                        string
	Interventions              int
	Pieces, MainOeuvre, Autres int64
}

// Total is parts + labour + other costs.
func (c CoutLigne) Total() int64 { return c.Pieces + c.MainOeuvre + c.Autres }

// CoutMois is the costs of a calendar month (YYYY-MM).
type CoutMois struct {
	Mois string
	CoutLigne
}

// TopArret is a machine among those with the most downtime.
type TopArret struct {
	EquipementID int64
	Nom          string
	ArretMinutes int64
	Pannes       int
}

// Bucket is one period of the series.
type Bucket struct {
	Debut, Fin        time.Time // days, Fin included
	Creees, Cloturees int
	ArretMinutes      int64
	Disponibilite     *float64
	CoutTotal         *int64 // nil for techniciens

	start, end time.Time // [start, end): the bucket's instants
}

// percent is 100 × n / d rounded to two decimals, nil when d is 0.
func percent(n, d float64) *float64 {
	if d == 0 {
		return nil
	}
	return ratio(100*n, d)
}

// ratio is n / d rounded to two decimals, nil when d is 0.
func ratio(n, d float64) *float64 {
	if d == 0 {
		return nil
	}
	v := math.Round(n/d*100) / 100
	return &v
}

// hours is d in hours.
func hours(d time.Duration) float64 { return d.Hours() }

// minutes is d in whole minutes, rounded.
func minutes(d time.Duration) int64 { return int64(d.Round(time.Minute) / time.Minute) }
