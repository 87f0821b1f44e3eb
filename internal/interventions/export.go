package interventions

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

// MaxExportRows bounds one export; DefaultExportRows is the bound when none is asked.
const (
	MaxExportRows     = 50000
	DefaultExportRows = 10000
)

// Export walks the interventions the caller may read that match f (its Limit is the maximum
// number of rows), page by page inside one read-only repeatable-read transaction, so every page
// sees the same snapshot and memory stays bounded whatever the size. fn receives each row.
func (s *Service) Export(ctx context.Context, actor auth.Principal, f Filter, fn func(Intervention) error) error {
	maxRows := f.Limit
	if maxRows <= 0 {
		maxRows = DefaultExportRows
	}
	if maxRows > MaxExportRows {
		return apperr.InvalidField("limit", fmt.Sprintf("entre 1 et %d", MaxExportRows))
	}
	f.Limit, f.Offset = MaxLimit, 0
	p, err := f.params()
	if err != nil {
		return err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // read-only: nothing to commit
	c := callerOf(actor)
	q := c.Queries(tx)
	for sent := 0; sent < maxRows; {
		p.Lim = int32(min(MaxLimit, maxRows-sent))
		p.Off = int32(sent)
		rows, err := q.InterventionList(ctx, p)
		if err != nil {
			return fmt.Errorf("export interventions: %w", err)
		}
		if err := withNames(ctx, tx, nil, nil, rows); err != nil { // the export's snapshot, not the cache
			return err
		}
		for _, r := range rows {
			if err := fn(c.view(Row(r))); err != nil {
				return err
			}
		}
		sent += len(rows)
		if len(rows) < int(p.Lim) {
			break
		}
	}
	return nil
}

// CheckExport validates an export request before anything is written to the client.
func CheckExport(f Filter) error {
	if f.Limit > MaxExportRows || f.Limit < 0 {
		return apperr.InvalidField("limit", fmt.Sprintf("entre 1 et %d", MaxExportRows))
	}
	f.Limit, f.Offset = MaxLimit, 0
	_, err := f.params()
	return err
}
