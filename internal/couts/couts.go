// Package couts records the costs of interventions other than parts and labour (sous-traitance,
// déplacement, autre), keeps their sum on the intervention (cout_autres), and rolls the costs of
// interventions up by month and type for a machine, a client company or a contract.
//
// Cost lines are never deleted: cancelling one stamps it and the sum leaves it out. Lines are
// written by admins and responsables under the intervention's lock, while it is open or closed.
package couts

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
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// MaxMontant is the largest cost line, in cents.
const MaxMontant = 100_000_000_000

var (
	errLineNotFound     = apperr.NotFound("Ligne de coût introuvable")
	errAlreadyCancelled = apperr.Conflict("Ligne de coût déjà annulée")
	errNoTechnicien     = apperr.Forbidden("Accès réservé aux rôles : admin, responsable, client")
)

// Service records cost lines and rolls costs up.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// Line is a cost line of an intervention.
type Line = db.InterventionsCout

// Input is a cost line to record.
type Input struct {
	Type        string
	Libelle     string
	Montant     int64
	Fournisseur *string
	DateCout    *time.Time // nil: today (UTC)
}

// List reads the cost lines of an intervention the caller may read (404 otherwise).
func (s *Service) List(ctx context.Context, actor auth.Principal, interventionID int64) ([]Line, error) {
	if err := interventions.CheckReadable(ctx, s.pool, actor, interventionID); err != nil {
		return nil, err
	}
	rows, err := db.New(s.pool).ListCouts(ctx, interventionID)
	if err != nil {
		return nil, fmt.Errorf("list costs of intervention %d: %w", interventionID, err)
	}
	return rows, nil
}

// Add records a cost line on an intervention that is open or closed.
func (s *Service) Add(ctx context.Context, actor auth.Principal, interventionID int64, in Input) (Line, error) {
	if !access.For(actor).Manager() {
		return Line{}, access.ErrManagersOnly
	}
	date, err := s.check(&in)
	if err != nil {
		return Line{}, err
	}
	var out Line
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := interventions.LockBilled(ctx, tx, actor, interventionID); err != nil {
			return err
		}
		q := db.New(tx)
		id, err := q.InsertCout(ctx, db.InsertCoutParams{InterventionID: interventionID, TypeCout: db.TypeCout(in.Type),
			Libelle: in.Libelle, Montant: in.Montant, Fournisseur: in.Fournisseur, DateCout: date, UserID: actor.UserID})
		if err != nil {
			return fmt.Errorf("insert cost: %w", err)
		}
		if err := sync(ctx, tx, interventionID); err != nil {
			return err
		}
		if err := auditLine(ctx, tx, actor, "intervention.cout_ajoute", interventionID, id); err != nil {
			return err
		}
		out, err = q.GetCout(ctx, id)
		return err
	})
	if err != nil {
		return Line{}, fmt.Errorf("add cost to intervention %d: %w", interventionID, err)
	}
	return out, nil
}

// Cancel cancels a cost line (it stays, out of the sum).
func (s *Service) Cancel(ctx context.Context, actor auth.Principal, interventionID, lineID int64) (Line, error) {
	if !access.For(actor).Manager() {
		return Line{}, access.ErrManagersOnly
	}
	var out Line
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := interventions.LockBilled(ctx, tx, actor, interventionID); err != nil {
			return err
		}
		q := db.New(tx)
		l, err := q.LockCout(ctx, db.LockCoutParams{ID: lineID, InterventionID: interventionID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errLineNotFound
		}
		if err != nil {
			return fmt.Errorf("lock cost: %w", err)
		}
		if l.AnnuleeAt != nil {
			return errAlreadyCancelled
		}
		if err := q.CancelCout(ctx, db.CancelCoutParams{ID: l.ID, UserID: &actor.UserID}); err != nil {
			return fmt.Errorf("cancel cost: %w", err)
		}
		if err := sync(ctx, tx, interventionID); err != nil {
			return err
		}
		if err := auditLine(ctx, tx, actor, "intervention.cout_annule", interventionID, l.ID); err != nil {
			return err
		}
		out, err = q.GetCout(ctx, l.ID)
		return err
	})
	if err != nil {
		return Line{}, fmt.Errorf("cancel cost %d of intervention %d: %w", lineID, interventionID, err)
	}
	return out, nil
}

func (s *Service) check(in *Input) (time.Time, error) {
	var fields apperr.Fields
	if !db.TypeCout(in.Type).Valid() {
		fields.Add("type_cout", "sous_traitance, deplacement ou autre")
	}
	in.Libelle = strings.TrimSpace(in.Libelle)
	fields = text.CheckRequired(fields, "libelle", in.Libelle, 255)
	if in.Montant < 1 || in.Montant > MaxMontant {
		fields.Addf("montant", "entre 1 et %d centimes", int64(MaxMontant))
	}
	in.Fournisseur = text.Optional(in.Fournisseur)
	fields = text.CheckOptional(fields, "fournisseur", in.Fournisseur, 255)
	today := s.now().UTC().Truncate(24 * time.Hour)
	date := today
	if in.DateCout != nil {
		date = time.Date(in.DateCout.Year(), in.DateCout.Month(), in.DateCout.Day(), 0, 0, 0, 0, time.UTC)
		if date.After(today) {
			fields.Add("date_cout", "ne doit pas être dans le futur")
		}
	}
	return date, fields.Err()
}

// sync writes the intervention's cout_autres from its lines.
func sync(ctx context.Context, tx pgx.Tx, interventionID int64) error {
	q := db.New(tx)
	t, err := q.InterventionCoutsTotal(ctx, interventionID)
	if err != nil {
		return fmt.Errorf("cost total: %w", err)
	}
	var total *int64
	if t.Lignes > 0 {
		total = &t.Total
	}
	if err := q.SetInterventionCoutAutres(ctx, db.SetInterventionCoutAutresParams{ID: interventionID, CoutAutres: total}); err != nil {
		return fmt.Errorf("write cout_autres: %w", err)
	}
	return nil
}

func auditLine(ctx context.Context, tx pgx.Tx, actor auth.Principal, action string, interventionID, lineID int64) error {
	return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: action,
		ResourceType: "intervention", ResourceID: strconv.FormatInt(interventionID, 10),
		Details: map[string]any{"cout_id": lineID}})
}
