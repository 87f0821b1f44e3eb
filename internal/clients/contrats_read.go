package clients

import (
	"context"
	"errors"
	"fmt"

	"github.com/mif-erp/erp/internal/paging"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

var contratSortKeys = map[string]bool{
	"id": true, "-id": true, "numero_contrat": true, "-numero_contrat": true,
	"date_debut": true, "-date_debut": true, "date_fin": true, "-date_fin": true,
	"created_at": true, "-created_at": true,
}

// ContratFilter selects and orders a page of contracts.
type ContratFilter struct {
	ClientID      *int64
	Statut        string
	TypeContrat   string
	Sort          string // default -date_debut
	Limit, Offset int
}

// GetContrat reads one contract the caller may see (404 otherwise).
func (s *Service) GetContrat(ctx context.Context, actor auth.Principal, id int64) (Contrat, error) {
	c, err := getContrat(ctx, s.pool, access.For(actor), id)
	if err != nil {
		return Contrat{}, fmt.Errorf("get contract %d: %w", id, err)
	}
	return c, nil
}

// getContrat reads one contract in sc.
func getContrat(ctx context.Context, q db.DBTX, sc access.Scope, id int64) (Contrat, error) {
	r, err := sc.Queries(q).GetContratScoped(ctx, db.GetContratScopedParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Contrat{}, errContratNotFound
	}
	if err != nil {
		return Contrat{}, fmt.Errorf("read contract: %w", err)
	}
	return newContrat(r.Contrat, r.NbInterventionsUtilisees, r.EstActif), nil
}

func newContrat(c db.Contrat, used int32, active bool) Contrat {
	out := Contrat{Contrat: c, NbInterventionsUtilisees: int(used), EstActif: active}
	if c.NbInterventionsIncluses != nil {
		left := max(int(*c.NbInterventionsIncluses)-int(used), 0)
		out.QuotaRestant = &left
	}
	return out
}

// ListContrats returns one page of the contracts the caller may see and their total number.
// It costs two queries whatever the page size.
func (s *Service) ListContrats(ctx context.Context, actor auth.Principal, f ContratFilter) ([]Contrat, int64, error) {
	if f.Sort == "" {
		f.Sort = "-date_debut"
	}
	var fields []apperr.FieldError
	if !contratSortKeys[f.Sort] {
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	var statut db.NullContratStatut
	if f.Statut != "" {
		statut = db.NullContratStatut{ContratStatut: db.ContratStatut(f.Statut), Valid: true}
		if !statut.ContratStatut.Valid() {
			fields = append(fields, apperr.FieldError{Field: "statut", Message: "statut inconnu"})
		}
	}
	var typ db.NullContratType
	if f.TypeContrat != "" {
		typ = db.NullContratType{ContratType: db.ContratType(f.TypeContrat), Valid: true}
		if !typ.ContratType.Valid() {
			fields = append(fields, apperr.FieldError{Field: "type_contrat", Message: "type de contrat inconnu"})
		}
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	queries := access.For(actor).Queries(s.pool)
	rows, err := queries.ListContratsScoped(ctx, db.ListContratsScopedParams{
		ClientID: f.ClientID, Statut: statut, TypeContrat: typ,
		Sort: f.Sort, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list contracts: %w", err)
	}
	total, err := queries.CountContratsScoped(ctx, db.CountContratsScopedParams{
		ClientID: f.ClientID, Statut: statut, TypeContrat: typ,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count contracts: %w", err)
	}
	out := make([]Contrat, len(rows))
	for i, r := range rows {
		out[i] = newContrat(r.Contrat, r.NbInterventionsUtilisees, r.EstActif)
	}
	return out, total, nil
}
