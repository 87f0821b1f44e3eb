package techniciens

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// Held is a competence a technician holds, with its level.
type Held struct {
	CompetenceID    int64
	Nom, Domaine    string
	Niveau          db.NiveauCompetence
	DateAcquisition time.Time
}

// CompetenceLevel is a competence to give, at a level ("" means intermediaire).
type CompetenceLevel struct {
	CompetenceID int64
	Niveau       string
}

// AddCompetence gives a technician a competence ("" level means intermediaire).
func (s *Service) AddCompetence(ctx context.Context, actor auth.Principal, id int64, in CompetenceLevel) (Profile, error) {
	levels, fields := competenceLevels(nil, []CompetenceLevel{in})
	if len(fields) > 0 {
		return Profile{}, apperr.Validation(fields...)
	}
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := touch(ctx, q, id); err != nil {
			return err
		}
		if err := lockCompetences(ctx, q, levels); err != nil {
			if errors.Is(err, errCompetencesNotFound) {
				return errCompetenceNotFound
			}
			return err
		}
		n, err := q.AddTechnicienCompetences(ctx, db.AddTechnicienCompetencesParams{
			TechnicienID: id, CompetenceIds: []int64{in.CompetenceID}, Niveaux: []string{levels[0].Niveau},
		})
		if err != nil {
			return fmt.Errorf("add competence: %w", err)
		}
		if n == 0 {
			return errAlreadyHeld
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.competence_added", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"competence_id": in.CompetenceID, "niveau": levels[0].Niveau}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("add competence to technicien %d: %w", id, err)
	}
	return p, nil
}

// SetCompetenceLevel changes the level of a competence the technician holds.
func (s *Service) SetCompetenceLevel(ctx context.Context, actor auth.Principal, id, competenceID int64, niveau string) (Profile, error) {
	level := db.NiveauCompetence(niveau)
	if !level.Valid() {
		return Profile{}, apperr.Validation(apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
	}
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := touch(ctx, q, id); err != nil {
			return err
		}
		n, err := q.SetTechnicienCompetenceLevel(ctx, db.SetTechnicienCompetenceLevelParams{
			Niveau: level, TechnicienID: id, CompetenceID: competenceID,
		})
		if err != nil {
			return fmt.Errorf("set level: %w", err)
		}
		if n == 0 {
			return errNotHeld
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.competence_updated", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"competence_id": competenceID, "niveau": level}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("set competence level of technicien %d: %w", id, err)
	}
	return p, nil
}

// RemoveCompetence takes a competence away from a technician.
func (s *Service) RemoveCompetence(ctx context.Context, actor auth.Principal, id, competenceID int64) (Profile, error) {
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := touch(ctx, q, id); err != nil {
			return err
		}
		n, err := q.RemoveTechnicienCompetence(ctx, db.RemoveTechnicienCompetenceParams{
			TechnicienID: id, CompetenceID: competenceID,
		})
		if err != nil {
			return fmt.Errorf("remove competence: %w", err)
		}
		if n == 0 {
			return errNotHeld
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.competence_removed", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"competence_id": competenceID}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("remove competence from technicien %d: %w", id, err)
	}
	return p, nil
}

// touch locks a profile and bumps its updated_at; errNotFound when it does not exist.
func touch(ctx context.Context, q *db.Queries, id int64) error {
	n, err := q.TouchTechnicien(ctx, id)
	if err != nil {
		return fmt.Errorf("lock technicien: %w", err)
	}
	if n == 0 {
		return errNotFound
	}
	return nil
}

// competenceLevels merges the original's competences_ids (level intermediaire) with the
// competences given with a level, refusing duplicates and unknown levels.
func competenceLevels(ids []int64, withLevel []CompetenceLevel) ([]CompetenceLevel, []apperr.FieldError) {
	out := make([]CompetenceLevel, 0, len(ids)+len(withLevel))
	var fields []apperr.FieldError
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			fields = append(fields, apperr.FieldError{Field: "competences_ids." + strconv.Itoa(i), Message: "compétence en double"})
			continue
		}
		seen[id] = true
		out = append(out, CompetenceLevel{CompetenceID: id, Niveau: string(db.NiveauCompetenceIntermediaire)})
	}
	for i, c := range withLevel {
		if seen[c.CompetenceID] {
			fields = append(fields, apperr.FieldError{Field: "competences." + strconv.Itoa(i) + ".competence_id", Message: "compétence en double"})
			continue
		}
		seen[c.CompetenceID] = true
		if c.Niveau == "" {
			c.Niveau = string(db.NiveauCompetenceIntermediaire)
		} else if !db.NiveauCompetence(c.Niveau).Valid() {
			fields = append(fields, apperr.FieldError{Field: "competences." + strconv.Itoa(i) + ".niveau", Message: "niveau inconnu"})
		}
		out = append(out, c)
	}
	return out, fields
}

// lockCompetences checks that every competence exists and key-share locks them until the
// transaction ends, so none is deleted before the links commit.
func lockCompetences(ctx context.Context, q *db.Queries, levels []CompetenceLevel) error {
	if len(levels) == 0 {
		return nil
	}
	ids := make([]int64, len(levels))
	for i, l := range levels {
		ids[i] = l.CompetenceID
	}
	found, err := q.LockCompetences(ctx, ids)
	if err != nil {
		return fmt.Errorf("lock competences: %w", err)
	}
	if len(found) != len(ids) {
		return errCompetencesNotFound
	}
	return nil
}

func addCompetences(ctx context.Context, q *db.Queries, id int64, levels []CompetenceLevel) error {
	if len(levels) == 0 {
		return nil
	}
	ids := make([]int64, len(levels))
	niveaux := make([]string, len(levels))
	for i, l := range levels {
		ids[i], niveaux[i] = l.CompetenceID, l.Niveau
	}
	if _, err := q.AddTechnicienCompetences(ctx, db.AddTechnicienCompetencesParams{
		TechnicienID: id, CompetenceIds: ids, Niveaux: niveaux,
	}); err != nil {
		return fmt.Errorf("add competences: %w", err)
	}
	return nil
}
