package notifications

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/platform"
)

const (
	deadlineBatch      = 200
	deadlineMaxBatches = 10
)

// DeadlineReport counts what one scan did.
type DeadlineReport struct {
	Reminders int // interventions recalled before their deadline
	Overdue   int // interventions reported overdue
}

// RunDeadlines scans the open interventions at now: those due within the reminder delay get a
// reminder (type rappel), those past their deadline an overdue notice (type retard), each
// once per intervention (a row of intervention_echeance_notices, written in the same
// transaction as the notifications; the unique key on notifications backs it), to the assigned
// technician's account, or to every active responsable when nobody is assigned. The scan is
// bounded (2000 interventions of each kind per run) and safe to run on several replicas.
func (s *Service) RunDeadlines(ctx context.Context, now time.Time) (DeadlineReport, error) {
	var rep DeadlineReport
	n, err := s.scan(ctx, db.NotificationTypeRappel, now, now.Add(s.reminderBefore))
	rep.Reminders = n
	if err != nil {
		return rep, err
	}
	n, err = s.scan(ctx, db.NotificationTypeRetard, now.AddDate(-100, 0, 0), now)
	rep.Overdue = n
	return rep, err
}

func (s *Service) scan(ctx context.Context, typ db.NotificationType, from, to time.Time) (int, error) {
	done := 0
	for range deadlineMaxBatches {
		batch, err := db.New(s.pool).NotificationDeadlineCandidates(ctx, db.NotificationDeadlineCandidatesParams{
			FromTime: from, ToTime: to, Type: typ, Lim: deadlineBatch,
		})
		if err != nil {
			return done, fmt.Errorf("deadline candidates (%s): %w", typ, err)
		}
		for _, c := range batch {
			sent, err := s.notifyDeadline(ctx, typ, c)
			if err != nil {
				return done, err
			}
			if sent {
				done++
			}
		}
		if len(batch) < deadlineBatch {
			break
		}
	}
	return done, nil
}

// notifyDeadline sends one reminder or overdue notice in its own transaction; false when
// another run got there first or the intervention is no longer open.
func (s *Service) notifyDeadline(ctx context.Context, typ db.NotificationType, c db.NotificationDeadlineCandidatesRow) (bool, error) {
	sent := false
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		_, err := q.NotificationDeadlineClaim(ctx, db.NotificationDeadlineClaimParams{Type: typ, InterventionID: c.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim %s of intervention %d: %w", typ, c.ID, err)
		}
		var recipients []int64
		if c.TechnicienID != nil {
			id, err := q.NotificationTechnicienUser(ctx, *c.TechnicienID)
			switch {
			case err == nil:
				recipients = []int64{id}
			case !errors.Is(err, pgx.ErrNoRows):
				return fmt.Errorf("account of technician %d: %w", *c.TechnicienID, err)
			}
		}
		if len(recipients) == 0 { // unassigned, or the technician's account is inactive
			if recipients, err = q.NotificationActiveResponsables(ctx); err != nil {
				return fmt.Errorf("responsables: %w", err)
			}
		}
		sub := Subject{InterventionID: c.ID, Titre: c.Titre, DateLimite: &c.DateLimite, Zone: s.zone}
		n := New{Type: typ}
		if typ == db.NotificationTypeRappel {
			n.Titre = "Échéance proche"
			n.Contenu = ptr("L'intervention " + sub.ref() + " arrive à échéance le " + formatTime(c.DateLimite, s.zone) + ".")
		} else {
			n.Titre = "Intervention en retard"
			n.Contenu = ptr("L'intervention " + sub.ref() + " a dépassé son échéance du " + formatTime(c.DateLimite, s.zone) +
				" sans être clôturée.")
		}
		if err := send(ctx, tx, recipients, n, sub); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}
