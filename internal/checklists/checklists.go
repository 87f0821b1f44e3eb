// Package checklists keeps checklist templates (ordered items: case, oui_non, mesure with unit
// and bounds, texte, photo) and the checklists of interventions: each intervention has its own
// copy (internal/interventions makes it at creation, or its plan at generation), filled by its
// technicien; a `non` or a measure out of bounds may open a follow-up corrective intervention,
// once; closing is refused while a required item is unanswered (internal/interventions).
package checklists

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
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Limits of a template.
const (
	maxNom         = 255
	maxDescription = 2000
	maxLibelle     = 255
	maxUnite       = 20
	maxItems       = 100
	maxValeur      = 1e12
)

var (
	errNotFound = apperr.NotFound("Checklist introuvable")
	errNomTaken = apperr.Conflict("Une checklist porte déjà ce nom")
)

// Service keeps templates and the checklists of interventions.
type Service struct {
	pool *pgxpool.Pool
	zone *time.Location // of the deadlines in the notification texts (APP_TIMEZONE); nil: UTC
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// WithZone returns the service writing the deadlines of its notification texts in loc.
func (s *Service) WithZone(loc *time.Location) *Service {
	c := *s
	c.zone = loc
	return &c
}

// Template is a checklist template with its items in order.
type Template struct {
	db.Checklist
	Items []db.ChecklistItem
}

// ItemInput is an item of a template.
type ItemInput struct {
	Libelle      string
	Type         string
	Unite        *string
	Min, Max     *float64
	Obligatoire  *bool // default true
	SuiviSiEcart bool
}

// Input is a template (a creation, or a replacement).
type Input struct {
	Nom         string
	Description *string
	Items       []ItemInput
}

// List returns one page of templates by name (staff).
func (s *Service) List(ctx context.Context, actor auth.Principal, q *string, limit, offset int) ([]Template, int64, error) {
	if !access.For(actor).ReadsAllEquipment() {
		return nil, 0, access.ErrStaffOnly
	}
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	q = text.Optional(q)
	if f := text.CheckOptional(nil, "q", q, 100); len(f) > 0 {
		return nil, 0, apperr.Validation(f...)
	}
	if q != nil {
		q = ptr(text.EscapeLike(*q))
	}
	dq := db.New(s.pool)
	rows, err := dq.ListChecklists(ctx, db.ListChecklistsParams{Q: q, Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("list checklists: %w", err)
	}
	total, err := dq.CountChecklists(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("count checklists: %w", err)
	}
	out, err := withItems(ctx, dq, rows)
	return out, total, err
}

// Get reads one template (staff).
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Template, error) {
	if !access.For(actor).ReadsAllEquipment() {
		return Template{}, access.ErrStaffOnly
	}
	return get(ctx, db.New(s.pool), id)
}

func get(ctx context.Context, q *db.Queries, id int64) (Template, error) {
	c, err := q.GetChecklist(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Template{}, errNotFound
	}
	if err != nil {
		return Template{}, fmt.Errorf("checklist %d: %w", id, err)
	}
	out, err := withItems(ctx, q, []db.Checklist{c})
	if err != nil {
		return Template{}, err
	}
	return out[0], nil
}

func withItems(ctx context.Context, q *db.Queries, rows []db.Checklist) ([]Template, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	items, err := q.ChecklistItemsOf(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("checklist items: %w", err)
	}
	out := make([]Template, len(rows))
	for i, r := range rows {
		out[i] = Template{Checklist: r, Items: []db.ChecklistItem{}}
		for _, it := range items {
			if it.ChecklistID == r.ID {
				out[i].Items = append(out[i].Items, it)
			}
		}
	}
	return out, nil
}

// Create adds a template (managers).
func (s *Service) Create(ctx context.Context, actor auth.Principal, in Input) (Template, error) {
	return s.write(ctx, actor, 0, in)
}

// Replace replaces a template's name, description and items (managers); the copies on
// interventions do not change.
func (s *Service) Replace(ctx context.Context, actor auth.Principal, id int64, in Input) (Template, error) {
	return s.write(ctx, actor, id, in)
}

func (s *Service) write(ctx context.Context, actor auth.Principal, id int64, in Input) (Template, error) {
	if !access.For(actor).Manager() {
		return Template{}, access.ErrManagersOnly
	}
	in.Nom = strings.TrimSpace(in.Nom)
	in.Description = text.Optional(in.Description)
	var fields apperr.Fields
	fields = text.CheckRequired(fields, "nom", in.Nom, maxNom)
	fields = text.CheckOptional(fields, "description", in.Description, maxDescription)
	items := make([]db.InsertChecklistItemParams, len(in.Items))
	switch {
	case len(in.Items) == 0:
		fields.Add("items", "au moins un élément")
	case len(in.Items) > maxItems:
		fields.Addf("items", "%d éléments au plus", maxItems)
	}
	for i, it := range in.Items {
		items[i], fields = checkItem(fields, i, it)
	}
	if err := fields.Err(); err != nil {
		return Template{}, err
	}
	var out Template
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		action := "checklist.creee"
		if id != 0 {
			action = "checklist.modifiee"
			if _, err := q.LockChecklist(ctx, id); errors.Is(err, pgx.ErrNoRows) {
				return errNotFound
			} else if err != nil {
				return fmt.Errorf("lock checklist %d: %w", id, err)
			}
		}
		if taken, err := q.ChecklistNomTaken(ctx, db.ChecklistNomTakenParams{Nom: in.Nom, SaufID: id}); err != nil {
			return fmt.Errorf("check name: %w", err)
		} else if taken {
			return errNomTaken
		}
		var err error
		if id == 0 {
			id, err = q.InsertChecklist(ctx, db.InsertChecklistParams{Nom: in.Nom, Description: in.Description})
		} else {
			err = q.UpdateChecklist(ctx, db.UpdateChecklistParams{ID: id, Nom: in.Nom, Description: in.Description})
			if err == nil {
				err = q.ClearChecklistItems(ctx, id)
			}
		}
		if err != nil {
			return platform.WriteError("write checklist", err, platform.Constraints{"checklists_nom_key": errNomTaken})
		}
		for _, it := range items {
			it.ChecklistID = id
			if err := q.InsertChecklistItem(ctx, it); err != nil {
				return fmt.Errorf("checklist item: %w", err)
			}
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: action,
			ResourceType: "checklist", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom": in.Nom, "items": len(items)}}); err != nil {
			return err
		}
		out, err = get(ctx, q, id)
		return err
	})
	if err != nil {
		return Template{}, fmt.Errorf("write checklist: %w", err)
	}
	return out, nil
}

// checkItem checks item i of a template and gives its row (ordre i+1).
func checkItem(fields apperr.Fields, i int, it ItemInput) (db.InsertChecklistItemParams, apperr.Fields) {
	name := func(f string) string { return "items." + strconv.Itoa(i) + "." + f }
	p := db.InsertChecklistItemParams{Ordre: int32(i + 1), Libelle: strings.TrimSpace(it.Libelle),
		TypeItem: db.TypeItemChecklist(it.Type), Unite: text.Optional(it.Unite), Mini: it.Min, Maxi: it.Max,
		Obligatoire: it.Obligatoire == nil || *it.Obligatoire, SuiviSiEcart: it.SuiviSiEcart}
	fields = text.CheckRequired(fields, name("libelle"), p.Libelle, maxLibelle)
	fields = text.CheckOptional(fields, name("unite"), p.Unite, maxUnite)
	if !p.TypeItem.Valid() {
		fields.Add(name("type_item"), "case, oui_non, mesure, texte ou photo")
	}
	measure := p.TypeItem == db.TypeItemChecklistMesure
	if !measure && (p.Unite != nil || p.Mini != nil || p.Maxi != nil) {
		fields.Add(name("type_item"), "unite, min et max ne vont qu'avec un élément mesure")
	}
	for _, b := range []struct {
		f string
		v *float64
	}{{"min", p.Mini}, {"max", p.Maxi}} {
		if b.v != nil && (*b.v != *b.v || *b.v < -maxValeur || *b.v > maxValeur) {
			fields.Addf(name(b.f), "un nombre entre -%g et %g", maxValeur, maxValeur)
		}
	}
	if p.Mini != nil && p.Maxi != nil && *p.Mini > *p.Maxi {
		fields.Add(name("max"), "doit être supérieur ou égal à min")
	}
	if p.SuiviSiEcart && p.TypeItem != db.TypeItemChecklistOuiNon && !(measure && (p.Mini != nil || p.Maxi != nil)) {
		fields.Add(name("suivi_si_ecart"), "seulement sur un élément oui_non, ou mesure avec des bornes")
	}
	return p, fields
}

// Delete removes a template no plan names (managers); the copies on interventions stay.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c, err := q.LockChecklist(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if n, err := q.ChecklistUsedByPlans(ctx, id); err != nil {
			return fmt.Errorf("plans: %w", err)
		} else if n > 0 {
			return apperr.Conflict("La checklist sert de modèle à %d planning(s) : retirez-la d'abord de leur modèle", n)
		}
		if err := q.DeleteChecklist(ctx, id); err != nil {
			if platform.IsForeignKeyViolation(err) {
				return apperr.Conflict("La checklist sert de modèle à un planning")
			}
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "checklist.supprimee",
			ResourceType: "checklist", ResourceID: strconv.FormatInt(id, 10), Details: map[string]any{"nom": c.Nom}})
	})
	if err != nil {
		return fmt.Errorf("delete checklist %d: %w", id, err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
