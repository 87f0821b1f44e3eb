package techniciens

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// CreateInput is a new profile. Nil fields take their defaults.
type CreateInput struct {
	UserID                                int64
	Equipe, NumeroBadge, ZoneIntervention *string
	TelephoneUrgence, HorairesTravail     *string
	Niveau, Disponibilite                 *string
	Astreinte                             *bool
	DateEmbauche                          *time.Time
	TauxHoraire                           *int64  // cents per hour
	CompetenceIDs                         []int64 // at level intermediaire
	Competences                           []CompetenceLevel
}

// UpdateInput is a partial update: absent fields keep their value, cleared optional ones become
// null. Niveau, Disponibilite, HorairesTravail and Astreinte cannot be cleared.
type UpdateInput struct {
	Equipe, NumeroBadge, ZoneIntervention, TelephoneUrgence patch.Field[string]
	DateEmbauche                                            patch.Field[time.Time]
	Niveau, Disponibilite, HorairesTravail                  patch.Field[string]
	Astreinte                                               patch.Field[bool]
	TauxHoraire                                             patch.Field[int64]
}

// Create adds a profile to an account of role technicien, with its competences.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Profile, error) {
	params := db.CreateTechnicienParams{
		UserID:           in.UserID,
		Equipe:           text.Optional(in.Equipe),
		NumeroBadge:      text.Optional(in.NumeroBadge),
		ZoneIntervention: text.Optional(in.ZoneIntervention),
		TelephoneUrgence: text.Optional(in.TelephoneUrgence),
		Niveau:           db.NiveauCompetenceIntermediaire,
		Disponibilite:    db.TechnicienDisponibiliteDisponible,
		HorairesTravail:  "08:00-17:00",
		DateEmbauche:     dateOnly(in.DateEmbauche),
		TauxHoraire:      in.TauxHoraire,
	}
	fields := textFields(map[string]*string{"equipe": in.Equipe, "numero_badge": in.NumeroBadge,
		"zone_intervention": in.ZoneIntervention, "telephone_urgence": in.TelephoneUrgence,
		"horaires_travail": in.HorairesTravail})
	if len(fields) > 0 {
		return Profile{}, apperr.Validation(fields...)
	}
	if in.Niveau != nil {
		params.Niveau = db.NiveauCompetence(*in.Niveau)
		if !params.Niveau.Valid() {
			fields = append(fields, apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
		}
	}
	if in.Disponibilite != nil {
		params.Disponibilite = db.TechnicienDisponibilite(*in.Disponibilite)
		if !params.Disponibilite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "disponibilite", Message: "disponibilité inconnue"})
		}
	}
	if in.HorairesTravail != nil {
		params.HorairesTravail = strings.TrimSpace(*in.HorairesTravail)
		if params.HorairesTravail == "" {
			fields = append(fields, apperr.FieldError{Field: "horaires_travail", Message: "ne doit pas être vide"})
		}
	}
	if in.Astreinte != nil {
		params.Astreinte = *in.Astreinte
	}
	fields = checkRate(fields, in.TauxHoraire)
	levels, levelFields := competenceLevels(in.CompetenceIDs, in.Competences)
	fields = append(fields, levelFields...)
	if len(fields) > 0 {
		return Profile{}, apperr.Validation(fields...)
	}

	var p Profile
	defer s.accounts.Forget(in.UserID) // once committed: the account now has a profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		user, err := q.GetUser(ctx, in.UserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		}
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		if user.Role != db.UserRoleTechnicien {
			return errNotTechnicien()
		}
		if exists, err := q.TechnicienProfileExists(ctx, in.UserID); err != nil {
			return fmt.Errorf("check profile: %w", err)
		} else if exists {
			return errProfileExists
		}
		if err := checkBadge(ctx, q, params.NumeroBadge, 0); err != nil {
			return err
		}
		if err := lockCompetences(ctx, q, levels); err != nil {
			return err
		}
		t, err := q.CreateTechnicien(ctx, params)
		if err != nil {
			return platform.WriteError("write technicien", err, constraints)
		}
		if err := addCompetences(ctx, q, t.ID, levels); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.created", ResourceType: "technicien", ResourceID: strconv.FormatInt(t.ID, 10),
			Details: map[string]any{"user_id": in.UserID, "competences": len(levels)}}); err != nil {
			return err
		}
		p, err = view(ctx, q, t.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("create technicien: %w", err)
	}
	return p, nil
}

// Update changes the fields sent.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput) (Profile, error) {
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := q.GetTechnicienForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("load technicien: %w", err)
		}
		params, changed, err := applyUpdate(cur, in)
		if err != nil {
			return err
		}
		if in.NumeroBadge.Set {
			if err := checkBadge(ctx, q, params.NumeroBadge, id); err != nil {
				return err
			}
		}
		if _, err := q.UpdateTechnicien(ctx, params); err != nil {
			return platform.WriteError("write technicien", err, constraints)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.updated", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"fields": changed}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("update technicien %d: %w", id, err)
	}
	return p, nil
}

// applyUpdate computes the new row from the current one and the fields sent, and lists the
// fields that change.
func applyUpdate(cur db.Technicien, in UpdateInput) (db.UpdateTechnicienParams, []string, error) {
	p := db.UpdateTechnicienParams{
		ID:               cur.ID,
		Equipe:           optionalField(in.Equipe, cur.Equipe),
		NumeroBadge:      optionalField(in.NumeroBadge, cur.NumeroBadge),
		ZoneIntervention: optionalField(in.ZoneIntervention, cur.ZoneIntervention),
		TelephoneUrgence: optionalField(in.TelephoneUrgence, cur.TelephoneUrgence),
		DateEmbauche:     dateOnly(in.DateEmbauche.Or(cur.DateEmbauche)),
		Niveau:           cur.Niveau,
		Disponibilite:    cur.Disponibilite,
		HorairesTravail:  cur.HorairesTravail,
		Astreinte:        cur.Astreinte,
		TauxHoraire:      in.TauxHoraire.Or(cur.TauxHoraire),
	}
	fields := textFields(map[string]*string{"equipe": in.Equipe.Value, "numero_badge": in.NumeroBadge.Value,
		"zone_intervention": in.ZoneIntervention.Value, "telephone_urgence": in.TelephoneUrgence.Value,
		"horaires_travail": in.HorairesTravail.Value})
	if len(fields) > 0 {
		return p, nil, apperr.Validation(fields...)
	}
	if v := in.Niveau.Value; in.Niveau.Set {
		if v == nil || !db.NiveauCompetence(*v).Valid() {
			fields = append(fields, apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
		} else {
			p.Niveau = db.NiveauCompetence(*v)
		}
	}
	if v := in.Disponibilite.Value; in.Disponibilite.Set {
		if v == nil || !db.TechnicienDisponibilite(*v).Valid() {
			fields = append(fields, apperr.FieldError{Field: "disponibilite", Message: "disponibilité inconnue"})
		} else {
			p.Disponibilite = db.TechnicienDisponibilite(*v)
		}
	}
	if v := in.HorairesTravail.Value; in.HorairesTravail.Set {
		if v == nil || strings.TrimSpace(*v) == "" {
			fields = append(fields, apperr.FieldError{Field: "horaires_travail", Message: "ne doit pas être vide"})
		} else {
			p.HorairesTravail = strings.TrimSpace(*v)
		}
	}
	fields = checkRate(fields, p.TauxHoraire)
	if v := in.Astreinte.Value; in.Astreinte.Set {
		if v == nil {
			fields = append(fields, apperr.FieldError{Field: "astreinte", Message: "ne peut pas être null"})
		} else {
			p.Astreinte = *v
		}
	}
	if len(fields) > 0 {
		return p, nil, apperr.Validation(fields...)
	}
	var changed []string
	add := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	add("equipe", !sameString(cur.Equipe, p.Equipe))
	add("numero_badge", !sameString(cur.NumeroBadge, p.NumeroBadge))
	add("niveau", cur.Niveau != p.Niveau)
	add("zone_intervention", !sameString(cur.ZoneIntervention, p.ZoneIntervention))
	add("disponibilite", cur.Disponibilite != p.Disponibilite)
	add("astreinte", cur.Astreinte != p.Astreinte)
	add("horaires_travail", cur.HorairesTravail != p.HorairesTravail)
	add("telephone_urgence", !sameString(cur.TelephoneUrgence, p.TelephoneUrgence))
	add("date_embauche", !sameDate(cur.DateEmbauche, p.DateEmbauche))
	add("taux_horaire", !sameInt(cur.TauxHoraire, p.TauxHoraire))
	if changed == nil {
		changed = []string{}
	}
	return p, changed, nil
}

func checkBadge(ctx context.Context, q *db.Queries, badge *string, exclude int64) error {
	if badge == nil {
		return nil
	}
	taken, err := q.BadgeTaken(ctx, db.BadgeTakenParams{NumeroBadge: *badge, ExcludeID: exclude})
	if err != nil {
		return fmt.Errorf("check badge: %w", err)
	}
	if taken {
		return errBadgeTaken
	}
	return nil
}

// MaxTauxHoraire is the highest hourly rate accepted, in cents.
const MaxTauxHoraire = 100_000_000

// checkRate adds why an hourly rate is refused.
func checkRate(fields []apperr.FieldError, rate *int64) []apperr.FieldError {
	if rate != nil && (*rate < 0 || *rate > MaxTauxHoraire) {
		return append(fields, apperr.FieldError{Field: "taux_horaire", Message: fmt.Sprintf("entre 0 et %d centimes", MaxTauxHoraire)})
	}
	return fields
}

func sameInt(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
