package rapports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
)

// Modele is a report template.
type Modele = db.RapportsModele

// ModeleInput is a template to save.
type ModeleInput struct {
	Nom         string
	Description *string
	Type        string
	Format      string
	TitreModele string
	Periode     string // "": last_30_days
	Filtres     Filtres
	Separateur  *string
}

var (
	errModeleNotFound = apperr.NotFound("Modèle de rapport introuvable")
	errModeleNomTaken = apperr.Conflict("Un modèle de rapport porte déjà ce nom")
	errModeleInUse    = apperr.Conflict("Ce modèle est utilisé par une planification : supprimez-la d'abord")
)

// Modeles reads a page of the templates (managers), by name, and their total.
func (s *Service) Modeles(ctx context.Context, actor auth.Principal, limit, offset int) ([]Modele, int64, error) {
	q := db.New(s.Pool)
	return managersPage(actor, limit, offset, "templates",
		func(lim, off int32) ([]Modele, error) {
			return q.ModeleList(ctx, db.ModeleListParams{Lim: lim, Off: off})
		},
		func() (int64, error) { return q.ModeleCount(ctx) })
}

// managersPage reads a page of a managers-only list and its total.
func managersPage[T any](actor auth.Principal, limit, offset int, what string, list func(lim, off int32) ([]T, error),
	count func() (int64, error)) ([]T, int64, error) {
	if !access.For(actor).Manager() {
		return nil, 0, access.ErrManagersOnly
	}
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	rows, err := list(lim, off)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", what, err)
	}
	n, err := count()
	if err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", what, err)
	}
	return rows, n, nil
}

// Modele reads a template (managers).
func (s *Service) Modele(ctx context.Context, actor auth.Principal, id int64) (Modele, error) {
	if !access.For(actor).Manager() {
		return Modele{}, access.ErrManagersOnly
	}
	return s.modele(ctx, db.New(s.Pool), id)
}

func (s *Service) modele(ctx context.Context, q *db.Queries, id int64) (Modele, error) {
	m, err := q.ModeleGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Modele{}, errModeleNotFound
	}
	if err != nil {
		return Modele{}, fmt.Errorf("template %d: %w", id, err)
	}
	return m, nil
}

// checkModele checks a template and returns its row's fields.
func (s *Service) checkModele(ctx context.Context, sc access.Scope, in ModeleInput) (db.ModeleInsertParams, error) {
	typ, format := db.RapportType(in.Type), db.RapportFormat(in.Format)
	sep, fields, err := spec(sc, typ, format, in.Filtres, in.Separateur)
	if err != nil {
		return db.ModeleInsertParams{}, err
	}
	periode := db.RapportPeriodeLast30Days
	if in.Periode != "" {
		periode = db.RapportPeriode(in.Periode)
	}
	nom, titre := strings.TrimSpace(in.Nom), strings.TrimSpace(in.TitreModele)
	if nom == "" {
		fields.Add("nom", "obligatoire")
	}
	if titre == "" {
		fields.Add("titre_modele", "obligatoire")
	}
	if !periode.Valid() {
		fields.Add("periode", "période inconnue")
	}
	if err := fields.Err(); err != nil {
		return db.ModeleInsertParams{}, err
	}
	if err := s.checkFilters(ctx, sc, in.Filtres); err != nil {
		return db.ModeleInsertParams{}, err
	}
	raw, err := json.Marshal(in.Filtres)
	if err != nil {
		return db.ModeleInsertParams{}, fmt.Errorf("filters: %w", err)
	}
	return db.ModeleInsertParams{Nom: nom, Description: in.Description, TypeRapport: typ, Format: format, TitreModele: titre,
		Periode: periode, Filtres: raw, Separateur: sep}, nil
}

// CreateModele saves a template (managers); names are unique (409).
func (s *Service) CreateModele(ctx context.Context, actor auth.Principal, in ModeleInput) (Modele, error) {
	sc := access.For(actor)
	if !sc.Manager() {
		return Modele{}, access.ErrManagersOnly
	}
	p, err := s.checkModele(ctx, sc, in)
	if err != nil {
		return Modele{}, err
	}
	p.CreatedBy = &actor.UserID
	var out Modele
	err = platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if taken, err := q.ModeleNomTaken(ctx, db.ModeleNomTakenParams{Nom: p.Nom}); err != nil || taken {
			return cmpErr(err, errModeleNomTaken)
		}
		if out, err = q.ModeleInsert(ctx, p); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "rapport_modele.cree", "rapport_modele", out.ID, map[string]any{"nom": out.Nom})
	})
	return out, wrapUnique(err)
}

// UpdateModele replaces a template (managers).
func (s *Service) UpdateModele(ctx context.Context, actor auth.Principal, id int64, in ModeleInput) (Modele, error) {
	sc := access.For(actor)
	if !sc.Manager() {
		return Modele{}, access.ErrManagersOnly
	}
	p, err := s.checkModele(ctx, sc, in)
	if err != nil {
		return Modele{}, err
	}
	var out Modele
	err = platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if taken, err := q.ModeleNomTaken(ctx, db.ModeleNomTakenParams{Nom: p.Nom, ID: id}); err != nil || taken {
			return cmpErr(err, errModeleNomTaken)
		}
		out, err = q.ModeleUpdate(ctx, db.ModeleUpdateParams{ID: id, Nom: p.Nom, Description: p.Description,
			TypeRapport: p.TypeRapport, Format: p.Format, TitreModele: p.TitreModele, Periode: p.Periode, Filtres: p.Filtres,
			Separateur: p.Separateur})
		if errors.Is(err, pgx.ErrNoRows) {
			return errModeleNotFound
		}
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "rapport_modele.modifie", "rapport_modele", id, map[string]any{"nom": out.Nom})
	})
	return out, wrapUnique(err)
}

// DeleteModele deletes a template no schedule uses (managers; 409 otherwise).
func (s *Service) DeleteModele(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	return platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if used, err := q.ModeleInUse(ctx, id); err != nil || used {
			return cmpErr(err, errModeleInUse)
		}
		n, err := q.ModeleDelete(ctx, id)
		if err != nil {
			if platform.IsForeignKeyViolation(err) {
				return errModeleInUse
			}
			return fmt.Errorf("delete template %d: %w", id, err)
		}
		if n == 0 {
			return errModeleNotFound
		}
		return writeAudit(ctx, tx, actor, "rapport_modele.supprime", "rapport_modele", id, nil)
	})
}

// GenerateModele queues a template's report for its period as of today (local days).
func (s *Service) GenerateModele(ctx context.Context, actor auth.Principal, id int64) (Rapport, error) {
	sc := access.For(actor)
	if !sc.Manager() {
		return Rapport{}, access.ErrManagersOnly
	}
	m, err := s.modele(ctx, db.New(s.Pool), id)
	if err != nil {
		return Rapport{}, err
	}
	day := localDay(s.now(), platform.ZoneOr(s.Zone))
	from, to := periodOf(m.Periode, day)
	var r int64
	err = platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		r, err = db.New(tx).RapportInsertPlanifie(ctx, db.RapportInsertPlanifieParams{Titre: titleOf(m.TitreModele, from, to, day),
			TypeRapport: m.TypeRapport, Format: m.Format, DateDebut: from, DateFin: to, Filtres: m.Filtres, Separateur: m.Separateur,
			DemandeurID: actor.UserID, ModeleID: &m.ID})
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "rapport.demande", "rapport", r, map[string]any{"modele_id": m.ID})
	})
	if err != nil {
		return Rapport{}, fmt.Errorf("queue report of template %d: %w", id, err)
	}
	return s.Get(ctx, actor, r)
}

// cmpErr is err when the check failed, else the refusal.
func cmpErr(err error, refusal error) error {
	if err != nil {
		return err
	}
	return refusal
}

// wrapUnique turns a lost race on the name's unique index into the 409.
func wrapUnique(err error) error {
	if platform.IsUniqueViolation(err) {
		return errModeleNomTaken
	}
	return err
}
