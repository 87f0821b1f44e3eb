// Package interventions manages work orders: creation, editing, the lifecycle state machine with
// its history, search and the dashboard figures.
//
// Row-level access is part of every read query (sql/queries/interventions.sql, one scoping
// predicate filled in by internal/access): admins and responsables see every intervention, a
// technicien those assigned to its profile, a client those of its company. A row the caller may
// not read answers 404, exactly like a missing one, so ids do not leak.
package interventions

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/singleflight"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/namecache"
	"github.com/mif-erp/erp/internal/platform"
)

// Service manages interventions.
type Service struct {
	pool      *pgxpool.Pool
	settlers  []Settler
	quotaMode string         // QuotaSignaler (default) or QuotaRefuser
	zone      *time.Location // of the deadlines in the notification texts (APP_TIMEZONE); nil: UTC
	names     *namecache.Cache
	nameReads singleflight.Group                              // reads of the names missing from names, shared (withNames)
	pages     coalesce.Group[string, listPage]                // the managers' pages, shared (list)
	dashboard coalesce.Group[struct{}, db.DashboardGlobalRow] // the global figures, shared (Dashboard)
}

// WithNameCache makes the lists take the machine and technician names they show from c (nil:
// read them for each page). c must hear of every rename (see namecache).
func (s *Service) WithNameCache(c *namecache.Cache) *Service {
	s.names = c
	return s
}

// WithZone sets the zone the notification texts read the deadlines in (APP_TIMEZONE).
func (s *Service) WithZone(loc *time.Location) *Service {
	s.zone = loc
	return s
}

// WithQuotaMode sets what a request beyond its contract's quota gets: QuotaSignaler (accepted,
// flagged hors_contrat) or QuotaRefuser (409).
func (s *Service) WithQuotaMode(mode string) *Service {
	s.quotaMode = mode
	return s
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

var (
	errNotFound                = apperr.NotFound("Intervention introuvable")
	errEquipementCibleNotFound = apperr.NotFound("Équipement cible introuvable")
	errEquipementNotFound      = apperr.NotFound("Équipement introuvable")
	errTechnicienCibleNotFound = apperr.NotFound("Technicien assigné introuvable")
	errTechnicienNotFound      = apperr.NotFound("Technicien introuvable")
	errStale                   = apperr.PreconditionFailed("L'intervention a été modifiée depuis sa lecture (If-Match périmé) : relisez-la")
)

// Row is an intervention as stored, with db_now, the database clock of the statement that read
// it (the computed fields use it, so they agree with the SQL filters).
type Row = db.InterventionGetRow

// Intervention is a work order as one caller sees it, with its computed fields.
type Intervention struct {
	Row
	EstEnRetard        bool
	DelaiRestantHeures *float64 // nil without deadline or once no longer active
	SlaRespecte        *bool    // nil while not finished or without deadline
	CoutTotal          int64    // labour + parts, in cents
	CoutReel           int64    // labour + parts + other costs, in cents
	ActionsPossibles   []Action // what this caller may do now (never nil)
}

// Expect is an If-Match precondition: it reports whether the current version satisfies it.
// A nil Expect checks nothing.
type Expect func(version int32) bool

func (e Expect) holds(version int32) bool { return e == nil || e(version) }

// caller is the caller's row scope (internal/access) with the lifecycle's view of it.
type caller struct{ access.Scope }

// callerOf is the scope of an authenticated principal.
func callerOf(p auth.Principal) caller { return caller{access.For(p)} }

// lifecycleRole is the caller's role as the lifecycle sees it.
func (c caller) lifecycleRole() Role {
	switch {
	case c.Manager():
		return RoleManager
	case c.IsTechnicien():
		return RoleTechnicien
	}
	return RoleNone
}

// actor is the caller seen from one intervention.
func (c caller) actor(r Row) Actor {
	a := Actor{Role: c.lifecycleRole()}
	if a.Role == RoleTechnicien && c.TechnicienID() != nil {
		a.Assigned = c.Assigned(r.TechnicienID)
		a.CanTake = r.TechnicienID == nil && Statut(r.Statut) == Ouverte
	}
	return a
}

// view adds the computed fields of r for c.
func (c caller) view(r Row) Intervention {
	v := Intervention{Row: r, ActionsPossibles: Possible(Statut(r.Statut), c.actor(r))}
	now := r.DbNow
	st := Statut(r.Statut)
	if r.DateLimite != nil && st.Active() {
		v.EstEnRetard = now.After(*r.DateLimite)
		h := math.Round(r.DateLimite.Sub(now).Hours()*100) / 100
		v.DelaiRestantHeures = &h
	}
	if r.DateLimite != nil && r.DateCloture != nil && st.Finished() {
		ok := !r.DateCloture.After(*r.DateLimite)
		v.SlaRespecte = &ok
	}
	if r.CoutMainOeuvre != nil {
		v.CoutTotal += *r.CoutMainOeuvre
	}
	if r.CoutPieces != nil {
		v.CoutTotal += *r.CoutPieces
	}
	v.CoutReel = v.CoutTotal
	if r.CoutAutres != nil {
		v.CoutReel += *r.CoutAutres
	}
	return v
}

// get reads one intervention the caller may read, without its names (withNames fills them).
func (c caller) get(ctx context.Context, q db.DBTX, id int64) (Row, error) {
	r, err := c.Queries(q).InterventionGet(ctx, db.InterventionGetParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Row{}, errNotFound
	}
	if err != nil {
		return Row{}, fmt.Errorf("get intervention %d: %w", id, err)
	}
	return r, nil
}

// lock reads and locks one intervention the caller may change (mayTake: also an unassigned
// ouverte one a technicien may take).
func (c caller) lock(ctx context.Context, q db.DBTX, id int64, mayTake bool) (Row, error) {
	r, err := c.Queries(q).InterventionLock(ctx, db.InterventionLockParams{ID: id, MayTake: mayTake})
	if errors.Is(err, pgx.ErrNoRows) {
		return Row{}, errNotFound
	}
	if err != nil {
		return Row{}, fmt.Errorf("lock intervention %d: %w", id, err)
	}
	return Row(r), nil
}

// save writes every mutable column of r (a locked row) and returns the stored row.
func save(ctx context.Context, q *db.Queries, r Row) (Row, error) {
	out, err := q.InterventionSave(ctx, db.InterventionSaveParams{
		ID:                 r.ID,
		Titre:              r.Titre,
		Description:        r.Description,
		TypeIntervention:   r.TypeIntervention,
		Statut:             r.Statut,
		Priorite:           r.Priorite,
		Urgence:            r.Urgence,
		TechnicienID:       r.TechnicienID,
		ContratID:          r.ContratID,
		DateLimite:         r.DateLimite,
		DateAffectation:    r.DateAffectation,
		DateDebutTravaux:   r.DateDebutTravaux,
		DateFinTravaux:     r.DateFinTravaux,
		DateCloture:        r.DateCloture,
		DateArchivage:      r.DateArchivage,
		CoutMainOeuvre:     r.CoutMainOeuvre,
		CoutPieces:         r.CoutPieces,
		CoutEstime:         r.CoutEstime,
		DureeMinutes:       r.DureeMinutes,
		Rapport:            r.Rapport,
		SatisfactionClient: r.SatisfactionClient,
		MotifAnnulation:    r.MotifAnnulation,
	})
	if err != nil {
		return Row{}, platform.WriteError(fmt.Sprintf("save intervention %d", r.ID), err, constraints)
	}
	return Row(out), nil
}

// history appends one history row.
func history(ctx context.Context, q *db.Queries, id int64, action string, from *Statut, to Statut, remarque *string, userID int64) error {
	var avant db.NullInterventionStatut
	if from != nil {
		avant = db.NullInterventionStatut{InterventionStatut: db.InterventionStatut(*from), Valid: true}
	}
	var author *int64
	if userID > 0 {
		author = &userID
	}
	err := q.InterventionHistoriqueInsert(ctx, db.InterventionHistoriqueInsertParams{
		InterventionID: id, Action: action, StatutAvant: avant, StatutApres: db.InterventionStatut(to),
		Remarque: remarque, UserID: author,
	})
	if err != nil {
		return fmt.Errorf("history of intervention %d: %w", id, err)
	}
	return nil
}

// defaultSLA is the response time of each priority when the contract sets none (programmee: none).
var defaultSLA = map[db.InterventionPriorite]int32{
	db.InterventionPrioriteUrgente: 2,
	db.InterventionPrioriteHaute:   24,
	db.InterventionPrioriteNormale: 72,
	db.InterventionPrioriteBasse:   168,
}

// slaHours is the response time of a priority under a contract (nil: none), in hours.
func slaHours(p db.InterventionPriorite, k *db.InterventionContratTargetRow) *int32 {
	if k != nil {
		var h *int32
		switch p {
		case db.InterventionPrioriteUrgente:
			h = k.DelaiUrgenteHeures
		case db.InterventionPrioriteHaute:
			h = k.DelaiHauteHeures
		case db.InterventionPrioriteNormale:
			h = k.DelaiNormaleHeures
		case db.InterventionPrioriteBasse:
			h = k.DelaiBasseHeures
		}
		if h != nil {
			return h
		}
	}
	if h, ok := defaultSLA[p]; ok {
		return &h
	}
	return nil
}
