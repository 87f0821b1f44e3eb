package techniciens

import (
	"context"
	"errors"
	"fmt"
	"github.com/mif-erp/erp/internal/text"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

// DefaultDomaine is the domain of a competence created without one (the original's only value).
const DefaultDomaine = "general"

var (
	errCompetenceNotFound = apperr.NotFound("Compétence introuvable")
	errCompetenceTaken    = apperr.Conflict("Compétence déjà existante")
	errCompetenceHeld     = apperr.Conflict("Compétence détenue par des techniciens")
)

// Competence is an entry of the catalogue with the number of technicians holding it.
type Competence struct {
	db.Competence
	NbTechniciens int
}

// CompetenceInput is a new competence.
type CompetenceInput struct {
	Nom         string
	Domaine     *string // default "general"
	Description *string
}

// CompetenceUpdate is a partial update of a competence; only Description may be cleared.
type CompetenceUpdate struct {
	Nom, Domaine patch.Field[string]
	Description  patch.Field[string]
}

// CompetenceFilter selects a page of the catalogue.
type CompetenceFilter struct {
	Query         string
	Limit, Offset int
}

// ListCompetences returns one page of the catalogue, sorted by name, and the total.
func (s *Service) ListCompetences(ctx context.Context, f CompetenceFilter) ([]Competence, int64, error) {
	if fields := textFields(map[string]*string{"q": &f.Query}); len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	query := likePattern(f.Query)
	q := db.New(s.pool)
	rows, err := q.ListCompetences(ctx, db.ListCompetencesParams{
		Q: query, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list competences: %w", err)
	}
	total, err := q.CountCompetences(ctx, query)
	if err != nil {
		return nil, 0, fmt.Errorf("count competences: %w", err)
	}
	out := make([]Competence, len(rows))
	for i, r := range rows {
		out[i] = Competence{Competence: r.Competence, NbTechniciens: int(r.NbTechniciens)}
	}
	return out, total, nil
}

// CreateCompetence adds a competence; its name is trimmed and unique case-insensitively.
func (s *Service) CreateCompetence(ctx context.Context, actor auth.Principal, in CompetenceInput) (Competence, error) {
	if fields := textFields(map[string]*string{"nom": &in.Nom, "domaine": in.Domaine, "description": in.Description}); len(fields) > 0 {
		return Competence{}, apperr.Validation(fields...)
	}
	nom := strings.TrimSpace(in.Nom)
	domaine := DefaultDomaine
	if d := text.Optional(in.Domaine); d != nil {
		domaine = *d
	}
	if nom == "" {
		return Competence{}, apperr.Validation(apperr.FieldError{Field: "nom", Message: "ne doit pas être vide"})
	}
	var c db.Competence
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := checkCompetenceName(ctx, q, nom, 0); err != nil {
			return err
		}
		var err error
		c, err = q.CreateCompetence(ctx, db.CreateCompetenceParams{Nom: nom, Domaine: domaine, Description: text.Optional(in.Description)})
		if err != nil {
			return platform.WriteError("write competence", err, competenceConstraints)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "competence.created", ResourceType: "competence", ResourceID: strconv.FormatInt(c.ID, 10),
			Details: map[string]any{"nom": nom, "domaine": domaine}})
	})
	if err != nil {
		return Competence{}, fmt.Errorf("create competence: %w", err)
	}
	return Competence{Competence: c}, nil
}

// UpdateCompetence changes the fields sent; renaming to a name in use answers 409.
func (s *Service) UpdateCompetence(ctx context.Context, actor auth.Principal, id int64, in CompetenceUpdate) (Competence, error) {
	if fields := textFields(map[string]*string{"nom": in.Nom.Value, "domaine": in.Domaine.Value,
		"description": in.Description.Value}); len(fields) > 0 {
		return Competence{}, apperr.Validation(fields...)
	}
	var out Competence
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := q.GetCompetenceForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errCompetenceNotFound
		}
		if err != nil {
			return fmt.Errorf("load competence: %w", err)
		}
		p := db.UpdateCompetenceParams{ID: id, Nom: cur.Nom, Domaine: cur.Domaine,
			Description: optionalField(in.Description, cur.Description)}
		var fields []apperr.FieldError
		if in.Nom.Set {
			if v := text.Optional(in.Nom.Value); v == nil {
				fields = append(fields, apperr.FieldError{Field: "nom", Message: "ne doit pas être vide"})
			} else {
				p.Nom = *v
			}
		}
		if in.Domaine.Set {
			if v := text.Optional(in.Domaine.Value); v == nil {
				fields = append(fields, apperr.FieldError{Field: "domaine", Message: "ne doit pas être vide"})
			} else {
				p.Domaine = *v
			}
		}
		if len(fields) > 0 {
			return apperr.Validation(fields...)
		}
		if p.Nom != cur.Nom {
			if err := checkCompetenceName(ctx, q, p.Nom, id); err != nil {
				return err
			}
		}
		if _, err := q.UpdateCompetence(ctx, p); err != nil {
			return platform.WriteError("write competence", err, competenceConstraints)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "competence.updated", ResourceType: "competence", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom_before": cur.Nom, "nom_after": p.Nom, "domaine": p.Domaine}}); err != nil {
			return err
		}
		r, err := q.GetCompetenceWithCount(ctx, id)
		if err != nil {
			return fmt.Errorf("read competence: %w", err)
		}
		out = Competence{Competence: r.Competence, NbTechniciens: int(r.NbTechniciens)}
		return nil
	})
	if err != nil {
		return Competence{}, fmt.Errorf("update competence %d: %w", id, err)
	}
	return out, nil
}

// DeleteCompetence removes a competence no technician holds.
func (s *Service) DeleteCompetence(ctx context.Context, actor auth.Principal, id int64) error {
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c, err := q.GetCompetenceForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errCompetenceNotFound
		}
		if err != nil {
			return fmt.Errorf("load competence: %w", err)
		}
		held, err := q.CompetenceHeld(ctx, id)
		if err != nil {
			return fmt.Errorf("check holders: %w", err)
		}
		if held {
			return errCompetenceHeld
		}
		if _, err := q.DeleteCompetence(ctx, id); err != nil {
			return platform.WriteError("write competence", err, competenceConstraints)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "competence.deleted", ResourceType: "competence", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom": c.Nom}})
	})
	if err != nil {
		return fmt.Errorf("delete competence %d: %w", id, err)
	}
	return nil
}

func checkCompetenceName(ctx context.Context, q *db.Queries, nom string, exclude int64) error {
	taken, err := q.CompetenceNameTaken(ctx, db.CompetenceNameTakenParams{Nom: nom, ExcludeID: exclude})
	if err != nil {
		return fmt.Errorf("check name: %w", err)
	}
	if taken {
		return errCompetenceTaken
	}
	return nil
}

// competenceConstraints are the answers of the checks that a concurrent writer may get past: a
// duplicate name, a competence taken by a technician or a plan while it was being deleted.
var competenceConstraints = platform.Constraints{
	"competences_nom_key":                       errCompetenceTaken,
	"technicien_competences_competence_id_fkey": errCompetenceHeld,
	"planning_competences_competence_id_fkey":   errCompetenceHeld,
}
