// Package compteurs keeps the meters of machines and their readings (issue 14): cumulative
// meters never decrease over time (a reading is checked against its neighbours in time, under the
// meter's row lock, so late and concurrent readings are checked too), gauges take any value.
package compteurs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// MaxValeur bounds a reading (either sign).
const MaxValeur = 1e12

var (
	errCompteurNotFound = apperr.NotFound("Compteur introuvable")
	errNomTaken         = apperr.Conflict("Ce compteur existe déjà sur la machine")
	errNoWorkHere       = apperr.Forbidden("Un technicien ne relève que les compteurs des machines où il a une intervention en cours")
)

// Service keeps meters and readings.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
	zone *time.Location // of the times in the texts of generated work (APP_TIMEZONE); nil: UTC
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// WithZone returns the service writing the times of the texts it makes in loc (APP_TIMEZONE).
func (s *Service) WithZone(loc *time.Location) *Service {
	c := *s
	c.zone = loc
	return &c
}

// Compteur is a meter with its latest reading.
type Compteur = db.Compteur

// Releve is a reading.
type Releve = db.Relefe

// CompteurInput is a new meter.
type CompteurInput struct{ Nom, Unite, Type string }

// ReleveInput is a reading to record (LuLe nil: now).
type ReleveInput struct {
	Valeur float64
	LuLe   *time.Time
	Source string // manuel (default), capteur or import
}

// List reads the meters of a machine the caller may read.
func (s *Service) List(ctx context.Context, actor auth.Principal, equipementID int64) ([]Compteur, error) {
	if err := access.For(actor).Queries(s.pool).CheckEquipement(ctx, equipementID); err != nil {
		return nil, err
	}
	rows, err := db.New(s.pool).ListCompteurs(ctx, equipementID)
	if err != nil {
		return nil, fmt.Errorf("list meters of %d: %w", equipementID, err)
	}
	return rows, nil
}

// Create adds a meter to a machine.
func (s *Service) Create(ctx context.Context, actor auth.Principal, equipementID int64, in CompteurInput) (Compteur, error) {
	if !access.For(actor).Manager() {
		return Compteur{}, access.ErrManagersOnly
	}
	in.Nom, in.Unite = strings.TrimSpace(in.Nom), strings.TrimSpace(in.Unite)
	var fields apperr.Fields
	fields = text.CheckRequired(fields, "nom", in.Nom, 100)
	fields = text.CheckRequired(fields, "unite", in.Unite, 20)
	if !db.TypeCompteur(in.Type).Valid() {
		fields.Add("type_compteur", "cumulatif ou jauge")
	}
	if err := fields.Err(); err != nil {
		return Compteur{}, err
	}
	var out Compteur
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := access.For(actor).Queries(tx).CheckEquipement(ctx, equipementID); err != nil {
			return err
		}
		q := db.New(tx)
		if taken, err := q.CompteurNomTaken(ctx, db.CompteurNomTakenParams{EquipementID: equipementID, Nom: in.Nom}); err != nil {
			return fmt.Errorf("check name: %w", err)
		} else if taken {
			return errNomTaken
		}
		id, err := q.InsertCompteur(ctx, db.InsertCompteurParams{EquipementID: equipementID, Nom: in.Nom, Unite: in.Unite,
			TypeCompteur: db.TypeCompteur(in.Type)})
		if err != nil {
			return platform.WriteError("insert meter", err, platform.Constraints{"compteurs_nom_key": errNomTaken})
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "compteur.cree",
			ResourceType: "equipement", ResourceID: strconv.FormatInt(equipementID, 10),
			Details: map[string]any{"compteur_id": id, "nom": in.Nom}}); err != nil {
			return err
		}
		out, err = q.GetCompteur(ctx, id)
		return err
	})
	if err != nil {
		return Compteur{}, fmt.Errorf("create meter on %d: %w", equipementID, err)
	}
	return out, nil
}

// Releves returns one page of a meter's readings, newest first, and their total.
func (s *Service) Releves(ctx context.Context, actor auth.Principal, compteurID int64, depuis, jusqua *time.Time, limit, offset int) ([]Releve, int64, error) {
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	q := db.New(s.pool)
	c, err := q.GetCompteur(ctx, compteurID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, errCompteurNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read meter %d: %w", compteurID, err)
	}
	if err := access.For(actor).Queries(s.pool).CheckEquipement(ctx, c.EquipementID); err != nil {
		return nil, 0, errCompteurNotFound
	}
	rows, err := q.ListReleves(ctx, db.ListRelevesParams{CompteurID: compteurID, Depuis: depuis, JusquA: jusqua, Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("list readings: %w", err)
	}
	total, err := q.CountReleves(ctx, db.CountRelevesParams{CompteurID: compteurID, Depuis: depuis, JusquA: jusqua})
	if err != nil {
		return nil, 0, fmt.Errorf("count readings: %w", err)
	}
	return rows, total, nil
}

// Record records one reading.
func (s *Service) Record(ctx context.Context, actor auth.Principal, compteurID int64, in ReleveInput) (Releve, error) {
	if in.Source == "" {
		in.Source = "manuel"
	}
	var out Releve
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.lockWritable(ctx, tx, actor, compteurID)
		if err != nil {
			return err
		}
		plans, err := planning.PlansOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if out, err = s.insert(ctx, tx, actor, &c, plans, in); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "compteur.releve",
			ResourceType: "compteur", ResourceID: strconv.FormatInt(c.ID, 10),
			Details: map[string]any{"releve_id": out.ID, "valeur": out.Valeur, "source": out.Source}})
	})
	if err != nil {
		return Releve{}, fmt.Errorf("record reading of meter %d: %w", compteurID, err)
	}
	return out, nil
}

// lockWritable locks a meter the caller may record readings of: managers, or a technicien with
// open work on its machine.
func (s *Service) lockWritable(ctx context.Context, tx pgx.Tx, actor auth.Principal, compteurID int64) (db.Compteur, error) {
	sc := access.For(actor)
	if !sc.ReadsAllEquipment() {
		return db.Compteur{}, access.ErrStaffOnly
	}
	q := db.New(tx)
	c, err := q.LockCompteur(ctx, compteurID)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Compteur{}, errCompteurNotFound
	}
	if err != nil {
		return db.Compteur{}, fmt.Errorf("lock meter: %w", err)
	}
	if !sc.Manager() {
		works, err := q.TechnicienWorksOn(ctx, db.TechnicienWorksOnParams{EquipementID: c.EquipementID, TechnicienID: sc.TechnicienID()})
		if err != nil {
			return db.Compteur{}, fmt.Errorf("check work: %w", err)
		}
		if !works {
			return db.Compteur{}, errNoWorkHere
		}
	}
	return c, nil
}

// insert checks a reading against the meter's kind, the clock and (cumulative) its neighbours in
// time, then writes it (the meter is locked by the caller; c follows its latest reading) and
// lets the meter-based plans see it (plans: those of the meter, read once under its lock).
func (s *Service) insert(ctx context.Context, tx pgx.Tx, actor auth.Principal, c *db.Compteur, plans planning.MeterPlans, in ReleveInput) (Releve, error) {
	now := s.now().UTC()
	at := now
	if in.LuLe != nil {
		at = in.LuLe.UTC()
	}
	var fields apperr.Fields
	if in.Valeur != in.Valeur || in.Valeur < -MaxValeur || in.Valeur > MaxValeur {
		fields.Addf("valeur", "un nombre entre -%g et %g", MaxValeur, MaxValeur)
	}
	if at.After(now.Add(time.Minute)) {
		fields.Add("lu_le", "ne doit pas être dans le futur")
	}
	if err := fields.Err(); err != nil {
		return Releve{}, err
	}
	q := db.New(tx)
	if c.TypeCompteur == db.TypeCompteurCumulatif {
		before, err := q.ReleveAvant(ctx, db.ReleveAvantParams{CompteurID: c.ID, LuLe: at})
		switch {
		case err == nil && in.Valeur < before.Valeur:
			return Releve{}, apperr.InvalidField("valeur", fmt.Sprintf("compteur cumulatif : au moins %s (relevé du %s)",
				num(before.Valeur), before.LuLe.UTC().Format(time.RFC3339)))
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return Releve{}, fmt.Errorf("reading before: %w", err)
		}
		after, err := q.ReleveApres(ctx, db.ReleveApresParams{CompteurID: c.ID, LuLe: at})
		switch {
		case err == nil && in.Valeur > after.Valeur:
			return Releve{}, apperr.InvalidField("valeur", fmt.Sprintf("compteur cumulatif : au plus %s (relevé du %s)",
				num(after.Valeur), after.LuLe.UTC().Format(time.RFC3339)))
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return Releve{}, fmt.Errorf("reading after: %w", err)
		}
	}
	r, err := q.InsertReleve(ctx, db.InsertReleveParams{CompteurID: c.ID, Valeur: in.Valeur, LuLe: at, Source: in.Source,
		UserID: &actor.UserID})
	if err != nil {
		return Releve{}, fmt.Errorf("insert reading: %w", err)
	}
	latest := c.DerniereLecture == nil || !at.Before(*c.DerniereLecture)
	if latest {
		if err := q.SetCompteurDernier(ctx, db.SetCompteurDernierParams{ID: c.ID, Valeur: &in.Valeur, LuLe: &at}); err != nil {
			return Releve{}, fmt.Errorf("latest reading: %w", err)
		}
		c.DerniereValeur, c.DerniereLecture = &in.Valeur, &at
	}
	if err := plans.Reading(ctx, tx, *c, r, latest, now, s.zone); err != nil {
		return Releve{}, fmt.Errorf("meter-based plans: %w", err)
	}
	return r, nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
