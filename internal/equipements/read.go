package equipements

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Sort keys accepted by List; a leading '-' sorts descending.
var sortKeys = map[string]bool{
	"id": true, "-id": true, "nom": true, "-nom": true, "created_at": true, "-created_at": true,
	"criticite": true, "-criticite": true, "statut": true, "-statut": true,
	"localisation": true, "-localisation": true,
}

// ListFilter selects and orders a page of machines.
type ListFilter struct {
	Statut, Criticite, Type string
	ClientID                *int64
	ContratID               *int64
	ParentID                *int64
	Query                   string
	Sort                    string
	Limit, Offset           int
}

// Get reads one machine the caller may read.
func (s *Service) Get(ctx context.Context, viewer auth.Principal, id int64) (Equipement, error) {
	return get(ctx, s.pool, access.For(viewer), id)
}

// get reads one machine in sc.
func get(ctx context.Context, q db.DBTX, sc access.Scope, id int64) (Equipement, error) {
	row, err := sc.Queries(q).GetEquipement(ctx, db.GetEquipementParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Equipement{}, errNotFound
	}
	if err != nil {
		return Equipement{}, fmt.Errorf("get equipement %d: %w", id, err)
	}
	return withComputed(row.Equipement, row.NbInterventionsActives, row.ProchaineMaintenance, row.MaintenanceEnRetard)
}

func withComputed(e db.Equipement, actives int32, prochaine any, retard bool) (Equipement, error) {
	out := Equipement{Equipement: e, NbInterventionsActives: int(actives), MaintenanceEnRetard: retard}
	switch v := prochaine.(type) {
	case nil:
	case time.Time:
		out.ProchaineMaintenance = &v
	default:
		return Equipement{}, fmt.Errorf("equipement %d: prochaine_maintenance of type %T", e.ID, prochaine)
	}
	return out, nil
}

// List returns one page of the machines the caller may read, and how many match the filter.
func (s *Service) List(ctx context.Context, viewer auth.Principal, f ListFilter) ([]Equipement, int64, error) {
	if f.Sort == "" {
		f.Sort = "-created_at"
	}
	var fields []apperr.FieldError
	if !sortKeys[f.Sort] {
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	var statut db.NullEquipementStatut
	if f.Statut != "" {
		statut = db.NullEquipementStatut{EquipementStatut: db.EquipementStatut(f.Statut), Valid: true}
		if !statut.EquipementStatut.Valid() {
			fields = append(fields, apperr.FieldError{Field: "statut", Message: "statut inconnu"})
		}
	}
	var criticite db.NullEquipementCriticite
	if f.Criticite != "" {
		criticite = db.NullEquipementCriticite{EquipementCriticite: db.EquipementCriticite(f.Criticite), Valid: true}
		if !criticite.EquipementCriticite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "criticite", Message: "criticité inconnue"})
		}
	}
	if strings.ContainsRune(f.Type, 0) {
		fields = append(fields, apperr.FieldError{Field: "type", Message: nulMessage})
	}
	if strings.ContainsRune(f.Query, 0) {
		fields = append(fields, apperr.FieldError{Field: "q", Message: nulMessage})
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	typ := trimmedOrNil(&f.Type)
	var q *string
	if s := strings.TrimSpace(f.Query); s != "" {
		esc := text.EscapeLike(s)
		q = &esc
	}
	sc := access.For(viewer)
	p := db.ListEquipementsParams{Statut: statut, Criticite: criticite, Type: typ, ClientID: f.ClientID,
		ContratID: f.ContratID, ParentID: f.ParentID, Q: q, Sort: f.Sort, Lim: limit, Off: offset}
	if !sc.ReadsAllEquipment() {
		pg, err := s.readPage(ctx, sc, p)
		return pg.rows, pg.total, err
	}
	// Every machine is read alike by the callers who read them all: the identical requests that
	// wait share a read (coalesce: never one that began before the request arrived).
	key, err := coalesce.Key(p)
	if err != nil {
		return nil, 0, err
	}
	pg, err := s.pages.Do(ctx, key, func(ctx context.Context) (page, error) { return s.readPage(ctx, sc, p) })
	return pg.rows, pg.total, err
}

// page is a page of machines and the total of its filter. It may be shared: read-only.
type page struct {
	rows  []Equipement
	total int64
}

// readPage reads the page of p (scope left to fill) and its total in sc.
func (s *Service) readPage(ctx context.Context, sc access.Scope, p db.ListEquipementsParams) (page, error) {
	var err error
	queries := sc.Queries(s.pool)
	unfiltered := !p.Criticite.Valid && p.Type == nil && p.ClientID == nil && p.ContratID == nil && p.ParentID == nil && p.Q == nil
	var rows []db.ListEquipementsRow
	if sc.ReadsAllEquipment() && unfiltered && !p.Statut.Valid && p.Sort == "-created_at" {
		// The default page of every machine: a fixed-shape statement with a cached plan.
		var recent []db.ListEquipementsRecentRow
		recent, err = queries.ListEquipementsRecent(ctx, db.ListEquipementsRecentParams{Lim: p.Lim, Off: p.Off})
		rows = platform.ConvertRows(recent, func(r db.ListEquipementsRecentRow) db.ListEquipementsRow { return db.ListEquipementsRow(r) })
	} else {
		rows, err = queries.ListEquipements(ctx, p)
	}
	if err != nil {
		return page{}, fmt.Errorf("list equipements: %w", err)
	}
	var total int64
	if sc.ReadsAllEquipment() && unfiltered {
		// Every machine, or those of one statut: from the pre-aggregated figures.
		total, err = db.New(s.pool).CountEquipementsGlobal(ctx, p.Statut)
	} else {
		total, err = queries.CountEquipements(ctx, db.CountEquipementsParams{
			Statut: p.Statut, Criticite: p.Criticite, Type: p.Type,
			ClientID: p.ClientID, ContratID: p.ContratID, ParentID: p.ParentID, Q: p.Q,
		})
	}
	if err != nil {
		return page{}, fmt.Errorf("count equipements: %w", err)
	}
	out := make([]Equipement, len(rows))
	for i, r := range rows {
		if out[i], err = withComputed(r.Equipement, r.NbInterventionsActives, r.ProchaineMaintenance, r.MaintenanceEnRetard); err != nil {
			return page{}, err
		}
	}
	return page{out, total}, nil
}
