package techniciens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
)

// Sort keys accepted by List; a leading '-' sorts descending. "nom" is the account's full name,
// "charge" the workload.
var sortKeys = map[string]bool{
	"id": true, "-id": true, "nom": true, "-nom": true, "equipe": true, "-equipe": true,
	"created_at": true, "-created_at": true, "charge": true, "-charge": true,
}

// ListFilter selects and orders a page of profiles. Zero values do not filter.
type ListFilter struct {
	Equipe, Disponibilite, Niveau string
	CompetenceID                  int64
	Query                         string
	Sort                          string // default "nom"
	Limit, Offset                 int
}

// Get reads one profile. Its hourly rate is for managers only.
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Profile, error) {
	p, err := view(ctx, db.New(s.pool), id)
	if err != nil {
		return Profile{}, fmt.Errorf("get technicien %d: %w", id, err)
	}
	return hideRate(actor, p), nil
}

// hideRate blanks the hourly rate of a profile read by anyone but a manager.
func hideRate(actor auth.Principal, p Profile) Profile {
	if !access.For(actor).Manager() {
		p.TauxHoraire = nil
	}
	return p
}

// List returns one page of profiles and the total number matching the filter. It costs three
// queries whatever the page size: the page (with accounts and workloads), the total, and the
// competences of every technician of the page (prepared: one statement whatever the filter).
func (s *Service) List(ctx context.Context, actor auth.Principal, f ListFilter) ([]Profile, int64, error) {
	if f.Sort == "" {
		f.Sort = "nom"
	}
	fields := textFields(map[string]*string{"equipe": &f.Equipe, "q": &f.Query})
	if !sortKeys[f.Sort] {
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	var dispo db.NullTechnicienDisponibilite
	if f.Disponibilite != "" {
		dispo = db.NullTechnicienDisponibilite{TechnicienDisponibilite: db.TechnicienDisponibilite(f.Disponibilite), Valid: true}
		if !dispo.TechnicienDisponibilite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "disponibilite", Message: "disponibilité inconnue"})
		}
	}
	var niveau db.NullNiveauCompetence
	if f.Niveau != "" {
		niveau = db.NullNiveauCompetence{NiveauCompetence: db.NiveauCompetence(f.Niveau), Valid: true}
		if !niveau.NiveauCompetence.Valid() {
			fields = append(fields, apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
		}
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	var equipe *string
	if e := strings.TrimSpace(f.Equipe); e != "" {
		equipe = &e
	}
	var competence *int64
	if f.CompetenceID != 0 {
		competence = &f.CompetenceID
	}
	query := likePattern(f.Query)
	p := db.ListTechniciensParams{Equipe: equipe, Disponibilite: dispo, Niveau: niveau, CompetenceID: competence,
		Q: query, Sort: f.Sort, Lim: limit, Off: offset}
	key, err := coalesce.Key(p)
	if err != nil {
		return nil, 0, err
	}
	// Every caller reads the same profiles (the rate is hidden afterwards): the identical requests
	// that wait share a read (coalesce: never one that began before the request arrived).
	pg, err := s.pages.Do(ctx, key, func(ctx context.Context) (page, error) { return s.readPage(ctx, p) })
	if err != nil {
		return nil, 0, err
	}
	out := make([]Profile, len(pg.profiles))
	for i := range pg.profiles {
		out[i] = hideRate(actor, pg.profiles[i])
	}
	return out, pg.total, nil
}

// page is a page of profiles, rates included, and the total of its filter. It may be shared:
// read-only.
type page struct {
	profiles []Profile
	total    int64
}

// readPage reads the page of p and its total: three queries whatever the page size.
func (s *Service) readPage(ctx context.Context, p db.ListTechniciensParams) (page, error) {
	var rows []db.ListTechniciensRow
	var total int64
	var err error
	if p.Equipe == nil && !p.Disponibilite.Valid && !p.Niveau.Valid && p.CompetenceID == nil && p.Q == nil && p.Sort == "nom" {
		// The default page: fixed-shape statements with cached generic plans.
		var byName []db.ListTechniciensParNomRow
		byName, err = db.New(platform.PlanGeneric(s.pool)).ListTechniciensParNom(ctx, db.ListTechniciensParNomParams{Lim: p.Lim, Off: p.Off})
		rows = platform.ConvertRows(byName, func(r db.ListTechniciensParNomRow) db.ListTechniciensRow { return db.ListTechniciensRow(r) })
		if err == nil {
			total, err = db.New(s.pool).CountTechniciensAll(ctx)
		}
	} else {
		q := db.New(platform.PlanEachCall(s.pool)) // a catch-all list: planned with its values
		rows, err = q.ListTechniciens(ctx, p)
		if err == nil {
			total, err = q.CountTechniciens(ctx, db.CountTechniciensParams{
				Equipe: p.Equipe, Disponibilite: p.Disponibilite, Niveau: p.Niveau, CompetenceID: p.CompetenceID, Q: p.Q,
			})
		}
	}
	if err != nil {
		return page{}, fmt.Errorf("list techniciens: %w", err)
	}
	out := make([]Profile, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = Profile{Technicien: r.Technicien, User: r.User, Charge: int(r.ChargeTravail), Competences: []Held{}}
		ids[i] = r.Technicien.ID
	}
	if err := attachCompetences(ctx, db.New(s.pool), out, ids); err != nil {
		return page{}, err
	}
	return page{profiles: out, total: total}, nil
}

// view reads one profile with its account, workload and competences (two queries).
func view(ctx context.Context, q *db.Queries, id int64) (Profile, error) {
	r, err := q.GetTechnicienView(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Profile{}, errNotFound
	}
	if err != nil {
		return Profile{}, fmt.Errorf("read technicien: %w", err)
	}
	out := []Profile{{Technicien: r.Technicien, User: r.User, Charge: int(r.ChargeTravail), Competences: []Held{}}}
	if err := attachCompetences(ctx, q, out, []int64{id}); err != nil {
		return Profile{}, err
	}
	return out[0], nil
}

// attachCompetences reads the competences of every profile of ps (whose ids are ids) in one query.
func attachCompetences(ctx context.Context, q *db.Queries, ps []Profile, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.ListCompetencesOfTechniciens(ctx, ids)
	if err != nil {
		return fmt.Errorf("read competences: %w", err)
	}
	at := make(map[int64]int, len(ps))
	for i, p := range ps {
		at[p.ID] = i
	}
	for _, r := range rows {
		if i, ok := at[r.TechnicienID]; ok {
			ps[i].Competences = append(ps[i].Competences, Held{
				CompetenceID: r.ID, Nom: r.Nom, Domaine: r.Domaine, Niveau: r.Niveau, DateAcquisition: r.DateAcquisition,
			})
		}
	}
	return nil
}
