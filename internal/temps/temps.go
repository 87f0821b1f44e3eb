// Package temps records the labour spent on interventions: time entries at an hourly rate, and
// the timers technicians start and stop. An intervention with entries gets its labour cost
// (cout_main_oeuvre) and duration (duree_minutes) computed from them.
//
// Entries are never deleted: cancelling one stamps it, and the sums leave it out. Every change
// runs under the intervention's lock (interventions.LockOpen), which also says who may make it:
// managers on any open intervention, a technicien on those assigned to it.
package temps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Limits of an entry.
const (
	MaxMinutes     = 44640 // 31 days
	MaxTauxHoraire = 100_000_000
)

var (
	errInterventionNotFound = apperr.NotFound("Intervention introuvable")
	errEntryNotFound        = apperr.NotFound("Saisie de temps introuvable")
	errRateManagersOnly     = apperr.Forbidden("Seuls les rôles admin et responsable fixent le taux horaire")
	errNoProfile            = apperr.Forbidden("Chronomètre réservé aux techniciens (profil technicien requis)")
	errNoRunningTimer       = apperr.Conflict("Aucun chronomètre en cours sur cette intervention")
	errAlreadyCancelled     = apperr.Conflict("Saisie déjà annulée")
	errNotOwnEntry          = apperr.Forbidden("Un technicien n'annule que ses propres saisies")
)

// Service records labour.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// Entry is a time entry with its technician's name.
type Entry struct {
	db.InterventionsTemp
	TechnicienNom string
}

// Running reports whether the entry is a timer still running.
func (e Entry) Running() bool { return e.Minutes == nil && e.AnnuleeAt == nil }

// Input is a time entry to record; nil pointers are absent fields.
type Input struct {
	TechnicienID *int64
	Debut, Fin   *time.Time
	Minutes      *int
	TauxHoraire  *int64
	Commentaire  *string
}

// List reads the entries of an intervention the caller may read (404 otherwise), oldest first.
func (s *Service) List(ctx context.Context, actor auth.Principal, interventionID int64) ([]Entry, error) {
	if err := interventions.CheckReadable(ctx, s.pool, actor, interventionID); err != nil {
		return nil, err
	}
	rows, err := db.New(s.pool).ListTemps(ctx, interventionID)
	if err != nil {
		return nil, fmt.Errorf("list temps of intervention %d: %w", interventionID, err)
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{r.InterventionsTemp, r.TechnicienNom}
	}
	return out, nil
}

// Add records time spent on an open intervention.
func (s *Service) Add(ctx context.Context, actor auth.Principal, interventionID int64, in Input) (Entry, error) {
	sc := access.For(actor)
	if !sc.ReadsAllEquipment() {
		return Entry{}, access.ErrStaffOnly
	}
	if in.TauxHoraire != nil && !sc.Manager() {
		return Entry{}, errRateManagersOnly
	}
	now := s.now()
	minutes, err := checkInput(&in, now)
	if err != nil {
		return Entry{}, err
	}
	var out Entry
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		iv, err := interventions.LockOpen(ctx, tx, actor, interventionID)
		if err != nil {
			return err
		}
		techID, err := whose(sc, in.TechnicienID, iv.TechnicienID)
		if err != nil {
			return err
		}
		rate, err := rateOf(ctx, tx, techID, in.TauxHoraire)
		if err != nil {
			return err
		}
		m := int32(minutes)
		id, err := db.New(tx).InsertTemps(ctx, db.InsertTempsParams{InterventionID: interventionID, TechnicienID: techID,
			Debut: in.Debut, Fin: in.Fin, Minutes: &m, TauxHoraire: rate, Montant: ptr(amount(minutes, rate)),
			Commentaire: in.Commentaire, UserID: actor.UserID})
		if err != nil {
			return platform.WriteError("insert temps", err, constraints)
		}
		if err := syncLabour(ctx, tx, interventionID); err != nil {
			return err
		}
		if err := auditEntry(ctx, tx, actor, "intervention.temps_ajoute", interventionID, id); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("add temps to intervention %d: %w", interventionID, err)
	}
	return out, nil
}

// Start starts the caller's timer on an open intervention assigned to it.
func (s *Service) Start(ctx context.Context, actor auth.Principal, interventionID int64, commentaire *string) (Entry, error) {
	techID := access.For(actor).TechnicienID()
	if techID == nil {
		return Entry{}, errNoProfile
	}
	commentaire = text.Optional(commentaire)
	if fields := text.CheckOptional(nil, "commentaire", commentaire, 10000); len(fields) > 0 {
		return Entry{}, apperr.Validation(fields...)
	}
	var out Entry
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		iv, err := interventions.LockOpen(ctx, tx, actor, interventionID)
		if err != nil {
			return err
		}
		if iv.TechnicienID == nil || *iv.TechnicienID != *techID {
			return errInterventionNotFound // a manager with a profile, on work not assigned to it
		}
		q := db.New(tx)
		if running, err := q.RunningTemps(ctx, *techID); err == nil {
			return apperr.Conflict("Un chronomètre tourne déjà (intervention n° %d) : arrêtez-le d'abord", running.InterventionID)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("running timer: %w", err)
		}
		rate, err := rateOf(ctx, tx, *techID, nil)
		if err != nil {
			return err
		}
		debut := s.now().UTC()
		id, err := q.InsertTemps(ctx, db.InsertTempsParams{InterventionID: interventionID, TechnicienID: *techID,
			Debut: &debut, TauxHoraire: rate, Commentaire: commentaire, UserID: actor.UserID})
		if err != nil {
			return platform.WriteError("start timer", err, constraints)
		}
		if err := auditEntry(ctx, tx, actor, "intervention.chrono_demarre", interventionID, id); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("start timer on intervention %d: %w", interventionID, err)
	}
	return out, nil
}

// Stop stops the caller's timer running on an intervention.
func (s *Service) Stop(ctx context.Context, actor auth.Principal, interventionID int64) (Entry, error) {
	techID := access.For(actor).TechnicienID()
	if techID == nil {
		return Entry{}, errNoProfile
	}
	var out Entry
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := interventions.LockOpen(ctx, tx, actor, interventionID); err != nil {
			return err
		}
		running, err := db.New(tx).RunningTemps(ctx, *techID)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && running.InterventionID != interventionID) {
			return errNoRunningTimer
		}
		if err != nil {
			return fmt.Errorf("running timer: %w", err)
		}
		if err := stop(ctx, tx, running, s.now()); err != nil {
			return err
		}
		if err := syncLabour(ctx, tx, interventionID); err != nil {
			return err
		}
		if err := auditEntry(ctx, tx, actor, "intervention.chrono_arrete", interventionID, running.ID); err != nil {
			return err
		}
		out, err = get(ctx, tx, running.ID)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("stop timer on intervention %d: %w", interventionID, err)
	}
	return out, nil
}

// Cancel cancels an entry of an open intervention: managers any, a technicien its own.
func (s *Service) Cancel(ctx context.Context, actor auth.Principal, interventionID, entryID int64) (Entry, error) {
	sc := access.For(actor)
	if !sc.ReadsAllEquipment() {
		return Entry{}, access.ErrStaffOnly
	}
	var out Entry
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := interventions.LockOpen(ctx, tx, actor, interventionID); err != nil {
			return err
		}
		q := db.New(tx)
		e, err := q.LockTemps(ctx, db.LockTempsParams{ID: entryID, InterventionID: interventionID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errEntryNotFound
		}
		if err != nil {
			return fmt.Errorf("lock entry: %w", err)
		}
		if !sc.Manager() && (sc.TechnicienID() == nil || *sc.TechnicienID() != e.TechnicienID) {
			return errNotOwnEntry
		}
		if e.AnnuleeAt != nil {
			return errAlreadyCancelled
		}
		if err := q.CancelTemps(ctx, db.CancelTempsParams{ID: e.ID, UserID: &actor.UserID}); err != nil {
			return fmt.Errorf("cancel entry: %w", err)
		}
		if err := syncLabour(ctx, tx, interventionID); err != nil {
			return err
		}
		if err := auditEntry(ctx, tx, actor, "intervention.temps_annule", interventionID, e.ID); err != nil {
			return err
		}
		out, err = get(ctx, tx, e.ID)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("cancel temps %d of intervention %d: %w", entryID, interventionID, err)
	}
	return out, nil
}

// Settle is the intervention lifecycle's settler of labour (interventions.Settler): closing or
// cancelling stops the timers still running on it and, when it has time entries, records their
// total cost and duration (over any typed by hand).
func Settle(ctx context.Context, tx pgx.Tx, _ int64, a interventions.Action, next *interventions.Row) error {
	if a != interventions.Close && a != interventions.Cancel {
		return nil
	}
	q := db.New(tx)
	running, err := q.RunningTempsOfIntervention(ctx, next.ID)
	if err != nil {
		return fmt.Errorf("running timers: %w", err)
	}
	for _, r := range running {
		if err := stop(ctx, tx, r, time.Now()); err != nil {
			return err
		}
	}
	t, err := q.InterventionTempsTotals(ctx, next.ID)
	if err != nil {
		return fmt.Errorf("labour totals: %w", err)
	}
	if t.Lignes > 0 {
		next.CoutMainOeuvre, next.DureeMinutes = &t.Montant, &t.Minutes
	}
	return nil
}

// checkInput checks an entry (times not in the future, fin after debut, minutes or both times)
// and returns its minutes.
func checkInput(in *Input, now time.Time) (int, error) {
	var fields apperr.Fields
	in.Commentaire = text.Optional(in.Commentaire)
	fields = text.CheckOptional(fields, "commentaire", in.Commentaire, 10000)
	if in.TauxHoraire != nil && (*in.TauxHoraire < 0 || *in.TauxHoraire > MaxTauxHoraire) {
		fields.Addf("taux_horaire", "entre 0 et %d centimes", MaxTauxHoraire)
	}
	for name, t := range map[string]*time.Time{"debut": in.Debut, "fin": in.Fin} {
		if t != nil && t.After(now.Add(time.Minute)) {
			fields.Add(name, "ne doit pas être dans le futur")
		}
	}
	minutes := 0
	switch {
	case in.Minutes != nil && in.Fin != nil:
		fields.Add("minutes", "minutes ou debut et fin, pas les deux")
	case in.Minutes != nil:
		minutes = *in.Minutes
		if minutes < 1 || minutes > MaxMinutes {
			fields.Addf("minutes", "entre 1 et %d", MaxMinutes)
		}
	case in.Debut == nil || in.Fin == nil:
		fields.Add("minutes", "obligatoire (ou debut et fin)")
	case !in.Fin.After(*in.Debut):
		fields.Add("fin", "doit être postérieure à debut")
	default:
		minutes = ceilMinutes(in.Fin.Sub(*in.Debut))
		if minutes > MaxMinutes {
			fields.Addf("fin", "%d minutes au plus après debut", MaxMinutes)
		}
	}
	if in.Debut != nil {
		in.Debut = ptr(in.Debut.UTC())
	}
	if in.Fin != nil {
		in.Fin = ptr(in.Fin.UTC())
	}
	return minutes, fields.Err()
}

// whose is the technician of an entry: a technicien records its own time; a manager names one,
// else the intervention's.
func whose(sc access.Scope, named, assigned *int64) (int64, error) {
	if !sc.Manager() {
		if named != nil && *named != *sc.TechnicienID() {
			return 0, apperr.Forbidden("Un technicien ne saisit que son propre temps")
		}
		return *sc.TechnicienID(), nil
	}
	switch {
	case named != nil:
		return *named, nil
	case assigned != nil:
		return *assigned, nil
	default:
		return 0, apperr.InvalidField("technicien_id", "obligatoire : l'intervention n'est affectée à personne")
	}
}

// rateOf is the rate of an entry: the one given, else the technician's, else 0.
func rateOf(ctx context.Context, tx pgx.Tx, techID int64, given *int64) (int64, error) {
	rate, err := db.New(tx).TechnicienRate(ctx, techID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.InvalidField("technicien_id", "technicien introuvable")
	}
	if err != nil {
		return 0, fmt.Errorf("technician rate: %w", err)
	}
	switch {
	case given != nil:
		return *given, nil
	case rate != nil:
		return *rate, nil
	default:
		return 0, nil
	}
}

// stop finishes a running timer at now.
func stop(ctx context.Context, tx pgx.Tx, r db.InterventionsTemp, now time.Time) error {
	fin := now.UTC()
	if !fin.After(*r.Debut) {
		fin = r.Debut.Add(time.Second)
	}
	minutes := min(ceilMinutes(fin.Sub(*r.Debut)), MaxMinutes)
	m := int32(minutes)
	if err := db.New(tx).StopTemps(ctx, db.StopTempsParams{ID: r.ID, Fin: &fin, Minutes: &m,
		Montant: ptr(amount(minutes, r.TauxHoraire))}); err != nil {
		return fmt.Errorf("stop timer: %w", err)
	}
	return nil
}

// syncLabour writes the labour cost and duration of an intervention from its entries.
func syncLabour(ctx context.Context, tx pgx.Tx, interventionID int64) error {
	q := db.New(tx)
	t, err := q.InterventionTempsTotals(ctx, interventionID)
	if err != nil {
		return fmt.Errorf("labour totals: %w", err)
	}
	if err := q.SetInterventionLabour(ctx, db.SetInterventionLabourParams{ID: interventionID,
		CoutMainOeuvre: &t.Montant, DureeMinutes: &t.Minutes}); err != nil {
		return fmt.Errorf("write labour: %w", err)
	}
	return nil
}

// amount is the cost of minutes at rate (cents per hour), rounded half up to the cent.
func amount(minutes int, rate int64) int64 {
	return (int64(minutes)*rate*2 + 60) / 120
}

// ceilMinutes is d in minutes, rounded up, at least 1.
func ceilMinutes(d time.Duration) int {
	return max(1, int((d+time.Minute-1)/time.Minute))
}

func get(ctx context.Context, q db.DBTX, id int64) (Entry, error) {
	r, err := db.New(q).GetTemps(ctx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("read entry %d: %w", id, err)
	}
	return Entry{r.InterventionsTemp, r.TechnicienNom}, nil
}

func auditEntry(ctx context.Context, tx pgx.Tx, actor auth.Principal, action string, interventionID, entryID int64) error {
	return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: action,
		ResourceType: "intervention", ResourceID: strconv.FormatInt(interventionID, 10),
		Details: map[string]any{"temps_id": entryID}})
}

// constraints are the answers of the checks a concurrent writer may get past.
var constraints = platform.Constraints{
	"interventions_temps_running_key":        apperr.Conflict("Un chronomètre tourne déjà pour ce technicien : arrêtez-le d'abord"),
	"interventions_temps_technicien_id_fkey": apperr.InvalidField("technicien_id", "technicien introuvable"),
}

func ptr[T any](v T) *T { return &v }
