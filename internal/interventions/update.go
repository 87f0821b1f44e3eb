package interventions

import (
	"context"
	"errors"
	"fmt"
	"github.com/mif-erp/erp/internal/text"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

// UpdateInput is a partial update of the editable fields: nil pointers and unset fields keep the
// current value; a cleared patch.Field sets NULL. The status changes only through actions.
type UpdateInput struct {
	Titre          *string
	Description    patch.Field[string]
	Type           *string
	Priorite       *string
	Urgence        *bool
	DateLimite     patch.Field[time.Time]
	ContratID      patch.Field[int64]
	CoutMainOeuvre patch.Field[int64]
	CoutPieces     patch.Field[int64]
	CoutEstime     patch.Field[int64]
	DureeMinutes   patch.Field[int]
}

// Update changes the editable fields of an open intervention (admins and responsables). A
// deadline that followed the old priority's response time follows the new one, unless the
// request sets date_limite itself. Nothing changed writes nothing.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput, expect Expect) (Intervention, error) {
	var out Intervention
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c := callerOf(actor)
		r, err := c.lock(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !c.Manager() {
			return access.ErrManagersOnly
		}
		if !expect.holds(r.Version) {
			return errStale
		}
		if !Statut(r.Statut).Editable() {
			return apperr.Conflict("Intervention non modifiable (%s)", r.Statut)
		}
		next, changed, err := applyUpdate(ctx, q, r, in)
		if err != nil {
			return err
		}
		if len(changed) == 0 {
			out = c.view(r)
			return nil
		}
		saved, err := save(ctx, q, next)
		if err != nil {
			return err
		}
		st := Statut(saved.Statut)
		remarque := "Champs modifiés : " + strings.Join(changed, ", ")
		if err := history(ctx, q, saved.ID, "update", &st, st, &remarque, actor.UserID); err != nil {
			return err
		}
		out = c.view(saved)
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention.updated", ResourceType: "intervention", ResourceID: strconv.FormatInt(saved.ID, 10),
			Details: map[string]any{"champs": changed}})
	})
	if err != nil {
		return Intervention{}, fmt.Errorf("update intervention %d: %w", id, err)
	}
	return out, nil
}

// applyUpdate computes the new row and the names of the fields that really change.
func applyUpdate(ctx context.Context, q *db.Queries, r Row, in UpdateInput) (Row, []string, error) {
	var fields []apperr.FieldError
	next := r
	var changed []string
	mark := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	if in.Titre != nil {
		t := strings.TrimSpace(*in.Titre)
		if t == "" {
			fields = append(fields, apperr.FieldError{Field: "titre", Message: "ne doit pas être vide"})
		}
		fields = text.CheckOptional(fields, "titre", &t, maxTitre)
		next.Titre = t
		mark("titre", t != r.Titre)
	}
	if in.Description.Set {
		next.Description = text.Optional(in.Description.Value)
		fields = text.CheckOptional(fields, "description", next.Description, maxDescription)
		mark("description", !equalPtr(next.Description, r.Description))
	}
	if in.Type != nil {
		next.TypeIntervention = db.InterventionType(*in.Type)
		if !next.TypeIntervention.Valid() {
			fields = append(fields, apperr.FieldError{Field: "type", Message: "type inconnu"})
		}
		mark("type", next.TypeIntervention != r.TypeIntervention)
	}
	if in.Priorite != nil {
		next.Priorite = db.InterventionPriorite(*in.Priorite)
		if !next.Priorite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "priorite", Message: "priorité inconnue"})
		}
		mark("priorite", next.Priorite != r.Priorite)
	}
	if in.Urgence != nil {
		next.Urgence = *in.Urgence
		mark("urgence", next.Urgence != r.Urgence)
	}
	if in.CoutMainOeuvre.Set {
		next.CoutMainOeuvre = in.CoutMainOeuvre.Value
		mark("cout_main_oeuvre", !equalPtr(next.CoutMainOeuvre, r.CoutMainOeuvre))
	}
	if in.CoutPieces.Set {
		next.CoutPieces = in.CoutPieces.Value
		mark("cout_pieces", !equalPtr(next.CoutPieces, r.CoutPieces))
	}
	if in.CoutEstime.Set {
		next.CoutEstime = in.CoutEstime.Value
		mark("cout_estime", !equalPtr(next.CoutEstime, r.CoutEstime))
	}
	for name, v := range map[string]*int64{"cout_main_oeuvre": next.CoutMainOeuvre, "cout_pieces": next.CoutPieces,
		"cout_estime": next.CoutEstime} {
		if v != nil && *v < 0 {
			fields = append(fields, apperr.FieldError{Field: name, Message: "doit être positif ou nul"})
		}
	}
	if in.DureeMinutes.Set {
		next.DureeMinutes = nil
		if v := in.DureeMinutes.Value; v != nil {
			if *v < 0 || *v > 1_000_000 {
				fields = append(fields, apperr.FieldError{Field: "duree_minutes", Message: "entre 0 et 1000000"})
			} else {
				next.DureeMinutes = ptr(int32(*v))
			}
		}
		mark("duree_minutes", !equalPtr(next.DureeMinutes, r.DureeMinutes))
	}
	if len(fields) > 0 {
		return r, nil, apperr.Validation(fields...)
	}

	// The contract must be the client's; the deadline may follow the priority.
	var contrat *db.InterventionContratTargetRow
	if in.ContratID.Set {
		next.ContratID = in.ContratID.Value
		if next.ContratID != nil {
			k, err := contractFor(ctx, q, r.ClientID, next.ContratID, nil)
			if err != nil {
				return r, nil, err
			}
			contrat = k
		}
		mark("contrat_id", !equalPtr(next.ContratID, r.ContratID))
	}
	if in.DateLimite.Set {
		next.DateLimite = in.DateLimite.Value
		if v := next.DateLimite; v != nil && !v.After(r.DateCreation) {
			return r, nil, apperr.Validation(apperr.FieldError{Field: "date_limite",
				Message: "l'échéance doit être postérieure à la création de l'intervention (" + r.DateCreation.UTC().Format(time.RFC3339) + ")"})
		}
	} else if next.Priorite != r.Priorite || !equalPtr(next.ContratID, r.ContratID) {
		oldContrat, err := contractOf(ctx, q, r.ContratID)
		if err != nil {
			return r, nil, err
		}
		newContrat := oldContrat
		if !equalPtr(next.ContratID, r.ContratID) {
			newContrat = contrat // nil when cleared
		}
		if followsSLA(r.DateCreation, r.DateLimite, slaHours(r.Priorite, oldContrat)) {
			next.DateLimite = deadline(r.DateCreation, slaHours(next.Priorite, newContrat))
		}
	}
	mark("date_limite", !equalTime(next.DateLimite, r.DateLimite))
	return next, changed, nil
}

// contractOf reads a contract's response times (nil without contract).
func contractOf(ctx context.Context, q *db.Queries, id *int64) (*db.InterventionContratTargetRow, error) {
	if id == nil {
		return nil, nil
	}
	k, err := q.InterventionContratTarget(ctx, *id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("contract %d: %w", *id, err)
	}
	return &k, nil
}

// deadline is creation + the response time (nil without one).
func deadline(created time.Time, hours *int32) *time.Time {
	if hours == nil {
		return nil
	}
	t := created.Add(time.Duration(*hours) * time.Hour)
	return &t
}

// followsSLA reports whether a deadline is the default one of a response time (it was not set by
// hand), so it moves with the priority.
func followsSLA(created time.Time, limite *time.Time, hours *int32) bool {
	return equalTime(limite, deadline(created, hours))
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// Rate records the client's satisfaction (1..5) with a finished intervention, once.
func (s *Service) Rate(ctx context.Context, actor auth.Principal, id int64, note int, commentaire *string) (Intervention, error) {
	commentaire = text.Optional(commentaire)
	var fields []apperr.FieldError
	if note < 1 || note > 5 {
		fields = append(fields, apperr.FieldError{Field: "satisfaction_client", Message: "entre 1 et 5"})
	}
	fields = text.CheckOptional(fields, "commentaire", commentaire, maxRemarque)
	if len(fields) > 0 {
		return Intervention{}, apperr.Validation(fields...)
	}
	var out Intervention
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c := callerOf(actor)
		r, err := c.lock(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if c.Role != string(db.UserRoleClient) {
			return apperr.Forbidden("Seul le client de l'intervention peut la noter")
		}
		st := Statut(r.Statut)
		if !st.Finished() {
			return apperr.Conflict("Intervention non clôturée (%s) : notation impossible", r.Statut)
		}
		if r.SatisfactionClient != nil {
			return apperr.Conflict("Intervention déjà notée (%d/5)", *r.SatisfactionClient)
		}
		r.SatisfactionClient = ptr(int16(note))
		saved, err := save(ctx, q, r)
		if err != nil {
			return err
		}
		remarque := fmt.Sprintf("Satisfaction du client : %d/5", note)
		if commentaire != nil {
			remarque += " : " + *commentaire
		}
		if err := history(ctx, q, saved.ID, "rate", &st, st, &remarque, actor.UserID); err != nil {
			return err
		}
		out = c.view(saved)
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention.rated", ResourceType: "intervention", ResourceID: strconv.FormatInt(saved.ID, 10),
			Details: map[string]any{"satisfaction_client": note}})
	})
	if err != nil {
		return Intervention{}, fmt.Errorf("rate intervention %d: %w", id, err)
	}
	return out, nil
}
