package documents

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// KeyUse is a master key that stored files were encrypted with, and how many of them.
type KeyUse struct {
	KeyID     string
	Documents int64 // rows of documents
	Rapports  int64 // completed generated reports
}

// storedDocumentKeys lists the distinct key ids of the documents by walking the key_id index
// (a loose index scan: one index probe per distinct key, however many documents there are).
const storedDocumentKeys = `
WITH RECURSIVE k AS (
    (SELECT key_id FROM documents ORDER BY key_id LIMIT 1)
    UNION ALL
    SELECT (SELECT d.key_id FROM documents d WHERE d.key_id > k.key_id ORDER BY d.key_id LIMIT 1)
    FROM k WHERE k.key_id IS NOT NULL
)
SELECT key_id FROM k WHERE key_id IS NOT NULL`

// documentsByKey counts the documents of the given keys (through the key_id index).
const documentsByKey = `SELECT key_id, count(*) FROM documents WHERE key_id = ANY ($1::text[]) GROUP BY key_id`

// rapportsByKey counts the readable generated reports by key (the table holds the reports of
// the retention period only).
const rapportsByKey = `SELECT key_id, count(*) FROM rapports WHERE statut = 'completed' AND key_id IS NOT NULL GROUP BY key_id`

// MissingKeys lists the keys that stored documents and completed reports were encrypted with
// and that the ring lacks, by key id, with the number of files of each: those files cannot be
// read until their key is listed in DOCUMENT_KEYS again. Empty when every stored file is
// readable. It costs one index probe per distinct document key, a count of the documents of
// the missing keys only, and a read of the (small) reports table.
func MissingKeys(ctx context.Context, pool *pgxpool.Pool, ring *KeyRing) ([]KeyUse, error) {
	ids, err := queryStrings(ctx, pool, storedDocumentKeys)
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
		if err := countByKey(ctx, pool, documentsByKey, []any{unknown}, func(id string, n int64) {
			missing[id].Documents = n
		}); err != nil {
			return nil, fmt.Errorf("count the documents of missing keys: %w", err)
		}
	}
	if err := countByKey(ctx, pool, rapportsByKey, nil, func(id string, n int64) {
		if ring.Has(id) {
			return
		}
		if missing[id] == nil {
			missing[id] = &KeyUse{KeyID: id}
		}
		missing[id].Rapports = n
	}); err != nil {
		return nil, fmt.Errorf("count the reports by key: %w", err)
	}
	out := make([]KeyUse, 0, len(missing))
	for _, u := range missing {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b KeyUse) int { return strings.Compare(a.KeyID, b.KeyID) })
	return out, nil
}

func queryStrings(ctx context.Context, pool *pgxpool.Pool, sql string) ([]string, error) {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// countByKey runs a query answering (key_id, count) rows and hands each to add.
func countByKey(ctx context.Context, pool *pgxpool.Pool, sql string, args []any, add func(id string, n int64)) error {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		add(id, n)
	}
	return rows.Err()
}
