package interventions

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// SortKeys are the accepted sort keys; a leading '-' sorts descending. priorite puts the most
// urgent first.
var SortKeys = []string{"id", "-id", "date_creation", "-date_creation", "date_limite", "-date_limite",
	"priorite", "-priorite", "statut", "-statut", "titre", "-titre"}

// sortPertinence ranks full-text matches (only with a Query). It is never the default: it ranks
// every match, so its cost grows with their number, while every key of SortKeys is read from an
// index and a page costs the same whatever the table size.
const sortPertinence = "pertinence"

// Filter selects and orders a page of interventions (zero values: no condition).
type Filter struct {
	Statuts        []string
	Priorites      []string
	Type           *string
	Urgence        *bool
	TechnicienID   *int64 // 0 means any, as in the original
	EquipementID   *int64
	ClientID       *int64
	ContratID      *int64
	CreatedFrom    *time.Time
	CreatedTo      *time.Time
	DeadlineBefore *time.Time
	EnRetard       *bool
	Query          string // full-text search in titre and description
	Sort           string // default -date_creation; "pertinence" ranks the matches of Query
	Limit, Offset  int
}

// params checks f and turns it into the list and count parameters (scope left to fill).
func (f Filter) params() (db.InterventionListParams, error) {
	var fields []apperr.FieldError
	p := db.InterventionListParams{
		Statuts: []string{}, Priorites: []string{}, Urgence: f.Urgence, EquipementID: f.EquipementID,
		ClientID: f.ClientID, ContratID: f.ContratID, CreatedFrom: f.CreatedFrom, CreatedTo: f.CreatedTo,
		DeadlineBefore: f.DeadlineBefore, EnRetard: f.EnRetard, Sort: f.Sort,
	}
	for _, s := range f.Statuts {
		if !db.InterventionStatut(s).Valid() {
			fields = append(fields, apperr.FieldError{Field: "statut", Message: "statut inconnu : " + s})
		}
		p.Statuts = append(p.Statuts, s)
	}
	for _, s := range f.Priorites {
		if !db.InterventionPriorite(s).Valid() {
			fields = append(fields, apperr.FieldError{Field: "priorite", Message: "priorité inconnue : " + s})
		}
		p.Priorites = append(p.Priorites, s)
	}
	if f.Type != nil {
		p.Type = db.NullInterventionType{InterventionType: db.InterventionType(*f.Type), Valid: true}
		if !p.Type.InterventionType.Valid() {
			fields = append(fields, apperr.FieldError{Field: "type", Message: "type inconnu"})
		}
	}
	if f.TechnicienID != nil && *f.TechnicienID != 0 {
		p.TechnicienID = f.TechnicienID
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		fields = text.CheckOptional(fields, "q", &q, 200)
		p.Q = &q
	}
	switch {
	case p.Sort == "":
		p.Sort = "-date_creation"
	case p.Sort == sortPertinence && p.Q == nil:
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "le tri par pertinence demande une recherche q"})
	case p.Sort != sortPertinence && !slices.Contains(SortKeys, p.Sort):
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	if f.CreatedFrom != nil && f.CreatedTo != nil && !f.CreatedFrom.Before(*f.CreatedTo) {
		fields = append(fields, apperr.FieldError{Field: "created_to", Message: "doit suivre created_from"})
	}
	lim, off, err := paging.Check(f.Limit, f.Offset)
	if ae, ok := apperr.As(err); ok {
		fields = append(fields, ae.Fields...)
	}
	p.Lim, p.Off = lim, off
	if len(fields) > 0 {
		return p, apperr.Validation(fields...)
	}
	return p, nil
}

// Get reads one intervention the caller may read.
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Intervention, error) {
	c := callerOf(actor)
	r, err := c.get(ctx, s.pool, id)
	if err != nil {
		return Intervention{}, err
	}
	page := []db.InterventionListRow{db.InterventionListRow(r)}
	if err := withNames(ctx, s.pool, s.names, &s.nameReads, page); err != nil {
		return Intervention{}, err
	}
	return c.view(Row(page[0])), nil
}

// List returns one page of the interventions the caller may read and the total matching f.
// GET /interventions and GET /filters/interventions share it.
func (s *Service) List(ctx context.Context, actor auth.Principal, f Filter) ([]Intervention, int64, error) {
	p, err := f.params()
	if err != nil {
		return nil, 0, err
	}
	c := callerOf(actor)
	return s.list(ctx, c, p)
}

// list runs the page and count queries: two queries whatever the page size, one when the page
// is the last. The callers who read every intervention (admins, responsables) share the reads of
// the same page with the identical requests that wait for them (coalesce: never a read that began
// before the request arrived).
func (s *Service) list(ctx context.Context, c caller, p db.InterventionListParams) ([]Intervention, int64, error) {
	var pg listPage
	var err error
	if c.Manager() {
		var key string
		if key, err = coalesce.Key(p); err != nil {
			return nil, 0, err
		}
		pg, err = s.pages.Do(ctx, key, func(ctx context.Context) (listPage, error) { return s.readPage(ctx, c, p) })
	} else {
		pg, err = s.readPage(ctx, c, p)
	}
	if err != nil {
		return nil, 0, err
	}
	out := make([]Intervention, len(pg.rows))
	for i, r := range pg.rows {
		out[i] = c.view(Row(r))
	}
	return out, pg.total, nil
}

// listPage is a page of interventions and the total of its filter, as read for list. It may be
// shared among callers: read-only.
type listPage struct {
	rows  []db.InterventionListRow
	total int64
}

// readPage reads the page of p and its total.
func (s *Service) readPage(ctx context.Context, c caller, p db.InterventionListParams) (listPage, error) {
	var rows []db.InterventionListRow
	var err error
	if c.Manager() && unfiltered(p) && len(p.Statuts) == 0 && len(p.Priorites) == 0 && p.Sort == "-date_creation" {
		// The default page of every intervention: a fixed-shape statement with a cached plan.
		var recent []db.InterventionListRecentRow
		recent, err = c.Queries(s.pool).InterventionListRecent(ctx, db.InterventionListRecentParams{Lim: p.Lim, Off: p.Off})
		rows = platform.ConvertRows(recent, func(r db.InterventionListRecentRow) db.InterventionListRow { return db.InterventionListRow(r) })
	} else {
		rows, err = c.Queries(s.pool).InterventionList(ctx, p)
	}
	if err != nil {
		return listPage{}, fmt.Errorf("list interventions: %w", err)
	}
	if err := withNames(ctx, s.pool, s.names, &s.nameReads, rows); err != nil {
		return listPage{}, err
	}
	// A page shorter than asked is the last one: its rows end the count, no count query (unless
	// it is empty past the first page, which says nothing of how many rows come before).
	total := int64(p.Off) + int64(len(rows))
	if len(rows) == int(p.Lim) || len(rows) == 0 && p.Off > 0 {
		if total, err = s.count(ctx, c, p); err != nil {
			return listPage{}, fmt.Errorf("count interventions: %w", err)
		}
	}
	return listPage{rows: rows, total: total}, nil
}

// TotalAhead is how far past the page's offset the count of a text search goes: List counts the
// matches up to offset+TotalAhead+1, and GET /interventions says X-Total-Count: offset+TotalAhead
// with X-Total-Count-Capped: true when there are more. Counting every match of an arbitrary text
// costs as much as reading them all; up to a thousand past the page, PostgreSQL stops along the
// date index (README, Performance).
const TotalAhead = 1_000

// totalCap is the largest total a text search reports exactly for a page at offset off.
func totalCap(off int64) int64 { return max(off, 0) + TotalAhead }

// countCap is where the count of p stops: one past totalCap for a text search (to tell "more"),
// no limit otherwise.
func countCap(p db.InterventionListParams) int32 {
	if p.Q == nil {
		return math.MaxInt32
	}
	return int32(min(totalCap(int64(p.Off))+1, math.MaxInt32))
}

// Capped is the X-Total-Count of total, as List returned it for f, and whether it was capped:
// more than totalCap matches of a text search (there are more than it says).
func Capped(f Filter, total int64) (int64, bool) {
	if c := totalCap(int64(f.Offset)); strings.TrimSpace(f.Query) != "" && total > c {
		return c, true
	}
	return total, false
}

// count is the number of rows of p without limit and offset: from the pre-aggregated figures
// when the caller reads every intervention and p filters by statut and priorite at most (the
// default list: constant time whatever the table size), up to countCap for a text search, by
// counting the matching rows otherwise.
func (s *Service) count(ctx context.Context, c caller, p db.InterventionListParams) (int64, error) {
	if c.Manager() && unfiltered(p) {
		// A generic plan (the kind's rows, filtered) is as good as a custom one, which PostgreSQL
		// would make on every call for the array parameters (0.16 ms of planning for 0.13 of work).
		return db.New(platform.PlanGeneric(s.pool)).InterventionCountGlobal(ctx, db.InterventionCountGlobalParams{Statuts: p.Statuts, Priorites: p.Priorites})
	}
	// The count query takes the list's parameters (sql/queries/interventions.sql): a conversion,
	// with the cap as limit.
	capped := p
	capped.Lim, capped.Off = countCap(p), 0
	return c.Queries(s.pool).InterventionCount(ctx, db.InterventionCountParams(capped))
}

// unfiltered reports whether p filters by statut and priorite at most.
func unfiltered(p db.InterventionListParams) bool {
	return !p.Type.Valid && p.Urgence == nil && p.TechnicienID == nil && p.EquipementID == nil &&
		p.ClientID == nil && p.ContratID == nil && p.CreatedFrom == nil && p.CreatedTo == nil &&
		p.DeadlineBefore == nil && p.EnRetard == nil && p.Q == nil
}

// ListForEquipement lists the interventions of one machine the caller may read; 404 when the
// caller may not read the machine (a client: not its own).
func (s *Service) ListForEquipement(ctx context.Context, actor auth.Principal, equipementID int64, f Filter) ([]Intervention, int64, error) {
	f.EquipementID = &equipementID
	p, err := f.params()
	if err != nil {
		return nil, 0, err
	}
	c := callerOf(actor)
	_, err = c.Queries(s.pool).InterventionEquipementTarget(ctx, db.InterventionEquipementTargetParams{ID: equipementID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, errEquipementNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("equipment %d: %w", equipementID, err)
	}
	return s.list(ctx, c, p)
}

// ListForTechnicien lists the interventions of one technician: any for admins and responsables,
// only its own for a technicien (another id answers 404).
func (s *Service) ListForTechnicien(ctx context.Context, actor auth.Principal, technicienID int64, f Filter) ([]Intervention, int64, error) {
	f.TechnicienID = &technicienID
	p, err := f.params()
	if err != nil {
		return nil, 0, err
	}
	c := callerOf(actor)
	switch {
	case c.Manager():
		found, err := db.New(s.pool).InterventionTechnicienExists(ctx, technicienID)
		if err != nil {
			return nil, 0, fmt.Errorf("technician %d: %w", technicienID, err)
		}
		if !found {
			return nil, 0, errTechnicienNotFound
		}
	case !c.Assigned(&technicienID):
		return nil, 0, errTechnicienNotFound
	}
	return s.list(ctx, c, p)
}

// HistoriqueEntry is one change of an intervention.
type HistoriqueEntry = db.InterventionHistoriqueListRow

// Historique returns one page of an intervention's history, oldest first, and its total.
func (s *Service) Historique(ctx context.Context, actor auth.Principal, id int64, limit, offset int) ([]HistoriqueEntry, int64, error) {
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	c := callerOf(actor)
	q := db.New(s.pool)
	ok, err := c.Queries(s.pool).InterventionReadable(ctx, db.InterventionReadableParams{ID: id})
	if err != nil {
		return nil, 0, fmt.Errorf("intervention %d: %w", id, err)
	}
	if !ok {
		return nil, 0, errNotFound
	}
	rows, err := q.InterventionHistoriqueList(ctx, db.InterventionHistoriqueListParams{InterventionID: id, Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("history of intervention %d: %w", id, err)
	}
	total, err := q.InterventionHistoriqueCount(ctx, id)
	if err != nil {
		return nil, 0, fmt.Errorf("count history of intervention %d: %w", id, err)
	}
	return rows, total, nil
}
