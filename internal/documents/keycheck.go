package documents

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
)

// KeyUse is a master key that stored files were encrypted with, and how many of them.
type KeyUse struct {
	KeyID     string
	Documents int64 // rows of documents
	Rapports  int64 // completed generated reports
}

// MissingKeys lists the keys that stored documents and completed reports were encrypted with
// and that the ring lacks, by key id, with the number of files of each: those files cannot be
// read until their key is listed in DOCUMENT_KEYS again. Empty when every stored file is
// readable. It costs one index probe per distinct document key, a count of the documents of
// the missing keys only, and a read of the (small) reports table.
func MissingKeys(ctx context.Context, pool *pgxpool.Pool, ring *KeyRing) ([]KeyUse, error) {
	q := db.New(pool)
	ids, err := q.DocumentKeyIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the key ids of the documents: %w", err)
	}
	missing := map[string]*KeyUse{}
	var unknown []string
	for _, id := range ids {
		if !ring.Has(id) {
			unknown = append(unknown, id)
			missing[id] = &KeyUse{KeyID: id}
		}
	}
	if len(unknown) > 0 {
		counts, err := q.DocumentCountByKey(ctx, unknown)
		if err != nil {
			return nil, fmt.Errorf("count the documents of missing keys: %w", err)
		}
		for _, c := range counts {
			missing[c.KeyID].Documents = c.N
		}
	}
	reports, err := q.RapportCountByKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("count the reports by key: %w", err)
	}
	for _, c := range reports {
		if ring.Has(c.KeyID) {
			continue
		}
		if missing[c.KeyID] == nil {
			missing[c.KeyID] = &KeyUse{KeyID: c.KeyID}
		}
		missing[c.KeyID].Rapports = c.N
	}
	out := make([]KeyUse, 0, len(missing))
	for _, u := range missing {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b KeyUse) int { return strings.Compare(a.KeyID, b.KeyID) })
	return out, nil
}
