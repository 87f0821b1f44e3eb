package rapports

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/robfig/cron/v3"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// Planifie is a report schedule.
type Planifie = db.RapportsPlanifie

// Ways a scheduled report is sent.
const (
	EnvoiPieceJointe = "piece_jointe"
	EnvoiLien        = "lien"
)

// maxRecipients bounds the recipients of a schedule.
const maxRecipients = 50

// PlanifieInput is a schedule to save.
type PlanifieInput struct {
	Nom      string
	ModeleID int64
	Cron     string
	Fuseau   *string // nil: APP_TIMEZONE
	Users    []int64
	Emails   []string
	Envoi    *string // nil: piece_jointe
	Actif    *bool   // nil: true
}

var errPlanifieNotFound = apperr.NotFound("Planification introuvable")

// cronParser reads five-field expressions and the @daily, @weekly, @monthly descriptors.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseCron reads a schedule's expression: five fields, or a descriptor (@daily, @weekly,
// @monthly...). The zone is the schedule's fuseau: a TZ= or CRON_TZ= prefix, which the cron
// library would let override it (and panics on when nothing follows it), is refused, and so is
// @every, an interval rather than times of the calendar.
func parseCron(expr string) (cron.Schedule, error) {
	for _, p := range []string{"TZ=", "CRON_TZ=", "@every"} {
		if strings.HasPrefix(expr, p) {
			return nil, fmt.Errorf("%s is not accepted", p)
		}
	}
	return cronParser.Parse(expr)
}

// nextTime is the first time of expr strictly after t, in zone.
func nextTime(expr, zone string, t time.Time) (time.Time, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, err
	}
	sched, err := parseCron(expr)
	if err != nil {
		return time.Time{}, err
	}
	next := sched.Next(t.In(loc))
	if next.IsZero() {
		return time.Time{}, errors.New("aucune date ne correspond")
	}
	return next.UTC(), nil
}

// Planifies reads a page of the schedules (managers), by name, and their total.
func (s *Service) Planifies(ctx context.Context, actor auth.Principal, limit, offset int) ([]Planifie, int64, error) {
	q := db.New(s.Pool)
	return managersPage(actor, limit, offset, "schedules",
		func(lim, off int32) ([]Planifie, error) {
			return q.PlanifieList(ctx, db.PlanifieListParams{Lim: lim, Off: off})
		},
		func() (int64, error) { return q.PlanifieCount(ctx) })
}

// Planifie reads a schedule (managers).
func (s *Service) Planifie(ctx context.Context, actor auth.Principal, id int64) (Planifie, error) {
	if !access.For(actor).Manager() {
		return Planifie{}, access.ErrManagersOnly
	}
	p, err := db.New(s.Pool).PlanifieGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Planifie{}, errPlanifieNotFound
	}
	if err != nil {
		return Planifie{}, fmt.Errorf("schedule %d: %w", id, err)
	}
	return p, nil
}

// checkPlanifie checks a schedule and returns its row's fields, its next time computed from now.
func (s *Service) checkPlanifie(ctx context.Context, in PlanifieInput) (db.PlanifieInsertParams, error) {
	var fields apperr.Fields
	nom := strings.TrimSpace(in.Nom)
	if nom == "" {
		fields.Add("nom", "obligatoire")
	}
	zone := platform.ZoneOr(s.Zone).String()
	if in.Fuseau != nil {
		zone = strings.TrimSpace(*in.Fuseau)
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		fields.Add("fuseau", "fuseau horaire inconnu (un nom IANA comme Africa/Casablanca ou Europe/Paris)")
	}
	expr := strings.TrimSpace(in.Cron)
	if _, err := parseCron(expr); err != nil {
		fields.Add("cron", "expression cron invalide (cinq champs : minute heure jour mois jour-de-semaine, ou @daily, @weekly, @monthly)")
	}
	envoi := EnvoiPieceJointe
	if in.Envoi != nil {
		envoi = *in.Envoi
	}
	if envoi != EnvoiPieceJointe && envoi != EnvoiLien {
		fields.Add("envoi", "piece_jointe ou lien")
	}
	users := append([]int64{}, slices.Compact(slices.Sorted(slices.Values(in.Users)))...) // never NULL
	emails := []string{}
	for i, e := range in.Emails {
		a, err := mail.ParseAddress(strings.TrimSpace(e))
		if err != nil || a.Name != "" || !strings.Contains(a.Address, ".") {
			fields.Add(fmt.Sprintf("destinataires.emails.%d", i), "adresse e-mail invalide")
			continue
		}
		if !slices.Contains(emails, strings.ToLower(a.Address)) {
			emails = append(emails, strings.ToLower(a.Address))
		}
	}
	switch n := len(users) + len(emails); {
	case n == 0:
		fields.Add("destinataires", "au moins un utilisateur ou une adresse")
	case n > maxRecipients:
		fields.Add("destinataires", fmt.Sprintf("%d destinataires au plus", maxRecipients))
	}
	if len(users) > 0 {
		found, err := db.New(s.Pool).UsersActifs(ctx, users)
		if err != nil {
			return db.PlanifieInsertParams{}, fmt.Errorf("recipients: %w", err)
		}
		if len(found) != len(users) {
			var missing []string
			for _, id := range users {
				if !slices.ContainsFunc(found, func(u db.UsersActifsRow) bool { return u.ID == id }) {
					missing = append(missing, fmt.Sprint(id))
				}
			}
			fields.Add("destinataires.utilisateurs", "utilisateurs introuvables ou désactivés : "+strings.Join(missing, ", "))
		}
	}
	if _, err := s.modele(ctx, db.New(s.Pool), in.ModeleID); errors.Is(err, errModeleNotFound) {
		fields.Add("modele_id", "modèle de rapport introuvable")
	} else if err != nil {
		return db.PlanifieInsertParams{}, err
	}
	if err := fields.Err(); err != nil {
		return db.PlanifieInsertParams{}, err
	}
	next, err := nextTime(expr, zone, s.now())
	if err != nil {
		return db.PlanifieInsertParams{}, apperr.InvalidField("cron", "aucune date ne correspond")
	}
	actif := in.Actif == nil || *in.Actif
	return db.PlanifieInsertParams{Nom: nom, ModeleID: in.ModeleID, Cron: expr, Fuseau: zone, DestinatairesUsers: users,
		DestinatairesEmails: emails, Envoi: envoi, Actif: actif, ProchaineExecution: next}, nil
}

// CreatePlanifie saves a schedule (managers); its reports are made with the caller's access.
func (s *Service) CreatePlanifie(ctx context.Context, actor auth.Principal, in PlanifieInput) (Planifie, error) {
	if !access.For(actor).Manager() {
		return Planifie{}, access.ErrManagersOnly
	}
	p, err := s.checkPlanifie(ctx, in)
	if err != nil {
		return Planifie{}, err
	}
	p.ProprietaireID = actor.UserID
	var out Planifie
	err = platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		if out, err = db.New(tx).PlanifieInsert(ctx, p); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "rapport_planifie.cree", "rapport_planifie", out.ID, map[string]any{"nom": out.Nom})
	})
	if err != nil {
		return Planifie{}, fmt.Errorf("save schedule: %w", err)
	}
	return out, nil
}

// UpdatePlanifie replaces a schedule (managers); its next time is computed again from now.
func (s *Service) UpdatePlanifie(ctx context.Context, actor auth.Principal, id int64, in PlanifieInput) (Planifie, error) {
	if !access.For(actor).Manager() {
		return Planifie{}, access.ErrManagersOnly
	}
	p, err := s.checkPlanifie(ctx, in)
	if err != nil {
		return Planifie{}, err
	}
	var out Planifie
	err = platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		out, err = db.New(tx).PlanifieUpdate(ctx, db.PlanifieUpdateParams{ID: id, Nom: p.Nom, ModeleID: p.ModeleID, Cron: p.Cron,
			Fuseau: p.Fuseau, DestinatairesUsers: p.DestinatairesUsers, DestinatairesEmails: p.DestinatairesEmails, Envoi: p.Envoi,
			Actif: p.Actif, ProchaineExecution: p.ProchaineExecution})
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "rapport_planifie.modifie", "rapport_planifie", id, map[string]any{"nom": out.Nom, "actif": out.Actif})
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Planifie{}, errPlanifieNotFound
	}
	if err != nil {
		return Planifie{}, fmt.Errorf("update schedule %d: %w", id, err)
	}
	return out, nil
}

// DeletePlanifie deletes a schedule (managers); its reports stay.
func (s *Service) DeletePlanifie(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	return platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		n, err := db.New(tx).PlanifieDelete(ctx, id)
		if err != nil {
			return fmt.Errorf("delete schedule %d: %w", id, err)
		}
		if n == 0 {
			return errPlanifieNotFound
		}
		return writeAudit(ctx, tx, actor, "rapport_planifie.supprime", "rapport_planifie", id, nil)
	})
}

// RunSchedules queues the report of every schedule whose time has come, once per due time
// (the schedules are locked for the run, and a report's (schedule, due time) key is unique),
// and moves each schedule to its next time after now: times missed while nothing ran give one
// report, not one per missed time. It returns how many reports it queued.
func (s *Service) RunSchedules(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	err := platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		due, err := q.PlanifiesDus(ctx, now)
		if err != nil {
			return fmt.Errorf("due schedules: %w", err)
		}
		for _, p := range due {
			queued, err := s.runSchedule(ctx, q, p, now)
			if err != nil {
				return err
			}
			if queued {
				n++
			}
		}
		return nil
	})
	return n, err
}

func (s *Service) runSchedule(ctx context.Context, q *db.Queries, p Planifie, now time.Time) (bool, error) {
	next, err := nextTime(p.Cron, p.Fuseau, now)
	if err != nil { // checked when saved: a zone gone from the system's database
		s.Logger.ErrorContext(ctx, "schedule cannot be computed; tried again in a day", "planification", p.ID, "error", err)
		next = now.Add(24 * time.Hour)
	}
	echeance := p.ProchaineExecution
	m, err := s.modele(ctx, q, p.ModeleID)
	if err != nil {
		return false, err
	}
	loc, err := time.LoadLocation(p.Fuseau)
	if err != nil {
		loc = time.UTC
	}
	day := localDay(echeance, loc)
	from, to := periodOf(m.Periode, day)
	queued := true
	_, err = q.RapportInsertPlanifie(ctx, db.RapportInsertPlanifieParams{Titre: titleOf(m.TitreModele, from, to, day),
		TypeRapport: m.TypeRapport, Format: m.Format, DateDebut: from, DateFin: to, Filtres: m.Filtres, Separateur: m.Separateur,
		DemandeurID: p.ProprietaireID, ModeleID: &m.ID, PlanificationID: &p.ID, Echeance: &echeance})
	if errors.Is(err, pgx.ErrNoRows) {
		queued = false // that time already has its report
	} else if err != nil {
		return false, fmt.Errorf("queue report of schedule %d: %w", p.ID, err)
	}
	if err := q.PlanifieAvance(ctx, db.PlanifieAvanceParams{ID: p.ID, ProchaineExecution: next, DerniereExecution: &echeance}); err != nil {
		return false, fmt.Errorf("advance schedule %d: %w", p.ID, err)
	}
	return queued, nil
}
