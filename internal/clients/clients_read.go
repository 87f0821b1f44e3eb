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

var clientSortKeys = map[string]bool{
	"id": true, "-id": true, "nom_entreprise": true, "-nom_entreprise": true,
	"created_at": true, "-created_at": true,
}

// ClientFilter selects and orders a page of companies.
type ClientFilter struct {
	IsActive      *bool
	Query         string
	Sort          string // default nom_entreprise
	Limit, Offset int
}

// GetClient reads one company the caller may see (404 otherwise).
func (s *Service) GetClient(ctx context.Context, actor auth.Principal, id int64) (Client, error) {
	c, err := getClient(ctx, s.pool, access.For(actor), id)
	if err != nil {
		return Client{}, fmt.Errorf("get client %d: %w", id, err)
	}
	return c, nil
}

// getClient reads one company in sc.
func getClient(ctx context.Context, q db.DBTX, sc access.Scope, id int64) (Client, error) {
	r, err := sc.Queries(q).GetClientScoped(ctx, db.GetClientScopedParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Client{}, errClientNotFound
	}
	if err != nil {
		return Client{}, fmt.Errorf("read client: %w", err)
	}
	return Client{Client: r.Client, NbContratsActifs: int(r.NbContratsActifs), NbEquipements: int(r.NbEquipements)}, nil
}

// ListClients returns one page of the companies the caller may see and their total number.
// It costs two queries whatever the page size.
func (s *Service) ListClients(ctx context.Context, actor auth.Principal, f ClientFilter) ([]Client, int64, error) {
	if f.Sort == "" {
		f.Sort = "nom_entreprise"
	}
	if !clientSortKeys[f.Sort] {
		return nil, 0, apperr.Validation(apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	q, err := likePattern(f.Query)
	if err != nil {
		return nil, 0, err
	}
	queries := access.For(actor).Queries(s.pool)
	rows, err := queries.ListClientsScoped(ctx, db.ListClientsScopedParams{
		IsActive: f.IsActive, Q: q, Sort: f.Sort, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	total, err := queries.CountClientsScoped(ctx, db.CountClientsScopedParams{IsActive: f.IsActive, Q: q})
	if err != nil {
		return nil, 0, fmt.Errorf("count clients: %w", err)
	}
	out := make([]Client, len(rows))
	for i, r := range rows {
		out[i] = Client{Client: r.Client, NbContratsActifs: int(r.NbContratsActifs), NbEquipements: int(r.NbEquipements)}
	}
	return out, total, nil
}
