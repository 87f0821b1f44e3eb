package planning

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/platform"
)

// ListFilter selects and orders a page of plans (zero values: no condition).
type ListFilter struct {
	EquipementID  *int64
	Statut        *string
	DueBefore     *time.Time
	Sort          string // default prochaine_date (soonest first)
	Limit, Offset int    // zero Limit: the default page
}

// List returns one page of the plans the caller may read and the total matching f.
func (s *Service) List(ctx context.Context, actor auth.Principal, f ListFilter) ([]Plan, int64, error) {
	var fields []apperr.FieldError
	if f.Sort == "" {
		f.Sort = "prochaine_date"
	}
	if !slices.Contains(SortKeys, f.Sort) {
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		fields = append(fields, apperr.FieldError{Field: "limit", Message: fmt.Sprintf("entre 1 et %d", MaxLimit)})
	}
	if f.Offset < 0 || f.Offset > math.MaxInt32 {
		fields = append(fields, apperr.FieldError{Field: "offset", Message: fmt.Sprintf("entre 0 et %d", math.MaxInt32)})
	}
	var statut db.NullPlanningStatut
	if f.Statut != nil {
		statut = db.NullPlanningStatut{PlanningStatut: db.PlanningStatut(*f.Statut), Valid: true}
		if !statut.PlanningStatut.Valid() {
			fields = append(fields, apperr.FieldError{Field: "statut", Message: "statut inconnu"})
		}
	}
	var due *time.Time
	if f.DueBefore != nil {
		due = datePtr(dateOf(*f.DueBefore))
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	sc := access.For(actor)
	today := s.today()
	p := db.PlanningListParams{EquipementID: f.EquipementID, Statut: statut, DueBefore: due,
		Sort: f.Sort, Lim: int32(f.Limit), Off: int32(f.Offset)}
	if !sc.Manager() {
		pg, err := s.readPage(ctx, sc, p, today)
		return pg.plans, pg.total, err
	}
	// Every plan is read alike by the managers: the identical requests that wait share a read
	// (coalesce: never one that began before the request arrived).
	key, err := coalesce.Key(p, today)
	if err != nil {
		return nil, 0, err
	}
	pg, err := s.pages.Do(ctx, key, func(ctx context.Context) (plansPage, error) { return s.readPage(ctx, sc, p, today) })
	return pg.plans, pg.total, err
}

// plansPage is a page of plans and the total of its filter. It may be shared: read-only.
type plansPage struct {
	plans []Plan
	total int64
}

// readPage reads the page of plans of p (scope left to fill) in sc, as seen on day today.
func (s *Service) readPage(ctx context.Context, sc access.Scope, p db.PlanningListParams, today time.Time) (plansPage, error) {
	q := sc.Queries(s.pool)
	var rows []db.PlanningListRow
	var total int64
	var err error
	if p.EquipementID == nil && !p.Statut.Valid && p.DueBefore == nil && p.Sort == "prochaine_date" {
		// The default page: fixed-shape statements with cached generic plans.
		var next []db.PlanningListProchainesRow
		next, err = q.PlanningListProchaines(ctx, db.PlanningListProchainesParams{Lim: p.Lim, Off: p.Off})
		rows = platform.ConvertRows(next, func(r db.PlanningListProchainesRow) db.PlanningListRow { return db.PlanningListRow(r) })
		if err == nil {
			total, err = q.PlanningCountAll(ctx, db.PlanningCountAllParams{})
		}
	} else {
		rows, err = q.PlanningList(ctx, p)
		if err == nil {
			total, err = q.PlanningCount(ctx, db.PlanningCountParams{
				EquipementID: p.EquipementID, Statut: p.Statut, DueBefore: p.DueBefore,
			})
		}
	}
	if err != nil {
		return plansPage{}, fmt.Errorf("list plans: %w", err)
	}
	out := make([]Plan, len(rows))
	for i, r := range rows {
		out[i] = view(Row(r), today)
	}
	if err := withTriggers(ctx, s.pool, out); err != nil {
		return plansPage{}, err
	}
	return plansPage{plans: out, total: total}, nil
}

// Get reads one plan the caller may read.
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Plan, error) {
	r, err := get(ctx, s.pool, access.For(actor), id)
	if err != nil {
		return Plan{}, err
	}
	out := []Plan{view(r, s.today())}
	if err := withTriggers(ctx, s.pool, out); err != nil {
		return Plan{}, err
	}
	return out[0], nil
}

// get reads one plan in sc.
func get(ctx context.Context, q db.DBTX, sc access.Scope, id int64) (Row, error) {
	r, err := sc.Queries(q).PlanningGet(ctx, db.PlanningGetParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Row{}, errNotFound
	}
	if err != nil {
		return Row{}, fmt.Errorf("get plan %d: %w", id, err)
	}
	return r, nil
}

// Occurrences lists the days the plan falls due between from (default today) and to (default
// one year after from), both included, at most MaxOccurrences: the next date and the following
// occurrences of its calendar. Empty for a suspended or terminated plan, and for a
// completion-based plan waiting for the closing of its last intervention.
func (s *Service) Occurrences(ctx context.Context, actor auth.Principal, id int64, from, to *time.Time) ([]time.Time, error) {
	today := s.today()
	start := today
	if from != nil {
		start = dateOf(*from)
	}
	end := start.AddDate(1, 0, 0)
	if to != nil {
		end = dateOf(*to)
	}
	switch {
	case end.Before(start):
		return nil, apperr.Validation(apperr.FieldError{Field: "to", Message: "doit être le même jour que from ou après"})
	case end.After(start.AddDate(maxOccurrenceYears, 0, 0)):
		return nil, apperr.Validation(apperr.FieldError{Field: "to", Message: fmt.Sprintf("au plus %d ans après from", maxOccurrenceYears)})
	}
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if p.Statut != db.PlanningStatutActif || p.ProchaineDate == nil {
		return []time.Time{}, nil
	}
	next := dateOf(*p.ProchaineDate)
	if start.Before(next) {
		start = next
	}
	return p.Recurrence().Between(start, end, MaxOccurrences), nil
}
