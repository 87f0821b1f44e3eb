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
	pr := pageRead{statut: statut, criticite: criticite, typ: typ, clientID: f.ClientID, contratID: f.ContratID,
		parentID: f.ParentID, q: q, sort: f.Sort, limit: limit, offset: offset}
	if !sc.ReadsAllEquipment() {
		return s.readPage(ctx, sc, pr)
	}
	// Every machine is read alike by the callers who read them all: the identical requests that
	// wait share a read (coalesce: never one that began before the request arrived).
	pg, err := s.pages.Do(ctx, pr.key(), func(ctx context.Context) (page, error) {
		rows, total, err := s.readPage(ctx, sc, pr)
		return page{rows, total}, err
	})
	return pg.rows, pg.total, err
}

// pageRead is a checked page request of List.
type pageRead struct {
	statut                        db.NullEquipementStatut
	criticite                     db.NullEquipementCriticite
	typ, q                        *string
	clientID, contratID, parentID *int64
	sort                          string
	limit, offset                 int32
}

// pageKey is a pageRead by value: the requests of the same page have the same key.
type pageKey struct {
	statut, criticite, typ, q, sort string
	hasTyp, hasQ                    bool
	clientID, contratID, parentID   int64 // 0: none (ids start at 1)
	limit, offset                   int32
}

func (r pageRead) key() pageKey {
	deref := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	k := pageKey{statut: string(r.statut.EquipementStatut), criticite: string(r.criticite.EquipementCriticite),
		sort: r.sort, clientID: deref(r.clientID), contratID: deref(r.contratID), parentID: deref(r.parentID),
		limit: r.limit, offset: r.offset}
	if r.typ != nil {
		k.typ, k.hasTyp = *r.typ, true
	}
	if r.q != nil {
		k.q, k.hasQ = *r.q, true
	}
	return k
}

// page is a page of machines and the total of its filter. It may be shared: read-only.
type page struct {
	rows  []Equipement
	total int64
}

// readPage reads the page of r and its total in sc.
func (s *Service) readPage(ctx context.Context, sc access.Scope, r pageRead) ([]Equipement, int64, error) {
	var err error
	queries := sc.Queries(s.pool)
	unfiltered := !r.criticite.Valid && r.typ == nil && r.clientID == nil && r.contratID == nil && r.parentID == nil && r.q == nil
	var rows []db.ListEquipementsRow
	if sc.ReadsAllEquipment() && unfiltered && !r.statut.Valid && r.sort == "-created_at" {
		// The default page of every machine: a fixed-shape statement with a cached plan.
		var recent []db.ListEquipementsRecentRow
		recent, err = queries.ListEquipementsRecent(ctx, db.ListEquipementsRecentParams{Lim: r.limit, Off: r.offset})
		rows = platform.ConvertRows(recent, func(r db.ListEquipementsRecentRow) db.ListEquipementsRow { return db.ListEquipementsRow(r) })
	} else {
		rows, err = queries.ListEquipements(ctx, db.ListEquipementsParams{
			Statut: r.statut, Criticite: r.criticite, Type: r.typ,
			ClientID: r.clientID, ContratID: r.contratID, ParentID: r.parentID, Q: r.q,
			Sort: r.sort, Lim: r.limit, Off: r.offset,
		})
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list equipements: %w", err)
	}
	var total int64
	if sc.ReadsAllEquipment() && unfiltered {
		// Every machine, or those of one statut: from the pre-aggregated figures.
		total, err = db.New(s.pool).CountEquipementsGlobal(ctx, r.statut)
	} else {
		total, err = queries.CountEquipements(ctx, db.CountEquipementsParams{
			Statut: r.statut, Criticite: r.criticite, Type: r.typ,
			ClientID: r.clientID, ContratID: r.contratID, ParentID: r.parentID, Q: r.q,
		})
	}
	if err != nil {
		return nil, 0, fmt.Errorf("count equipements: %w", err)
	}
	out := make([]Equipement, len(rows))
	for i, r := range rows {
		if out[i], err = withComputed(r.Equipement, r.NbInterventionsActives, r.ProchaineMaintenance, r.MaintenanceEnRetard); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}
