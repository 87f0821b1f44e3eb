package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gocloud.dev/blob"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/storage"
)

// SweepResult counts what Sweep did.
type SweepResult struct {
	Queued  int // queued blobs deleted (deleted rows, rotated keys)
	Orphans int // unreferenced blobs deleted
	Failed  int // deletions that failed (retried next time)
}

// Sweep deletes the blobs queued by deletions and key rotations, then the blobs no row
// references that are older than orphanAge (OrphanAge in production: uploads in progress are
// younger). It is safe to run concurrently and on several replicas.
func (s *Service) Sweep(ctx context.Context, orphanAge time.Duration) (SweepResult, error) {
	var res SweepResult
	q := db.New(s.pool)
	now := time.Now()
	for {
		keys, err := q.DocumentSweepPending(ctx, db.DocumentSweepPendingParams{QueuedBefore: now, Lim: 200})
		if err != nil {
			return res, err
		}
		progress := false
		for _, k := range keys {
			if s.removeQueued(ctx, k) {
				res.Queued++
				progress = true
			} else {
				res.Failed++
			}
		}
		if len(keys) < 200 || !progress {
			break
		}
	}

	cutoff := now.Add(-orphanAge)
	it := s.bucket.List(&blob.ListOptions{Prefix: KeyPrefix})
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		referenced, err := q.DocumentKeysReferenced(ctx, batch)
		if err != nil {
			return err
		}
		keep := make(map[string]bool, len(referenced))
		for _, k := range referenced {
			keep[k] = true
		}
		for _, k := range batch {
			if keep[k] {
				continue
			}
			if err := s.bucket.Delete(ctx, k); err != nil && !storage.IsNotFound(err) {
				s.log.WarnContext(ctx, "orphan document blob not deleted", "key", k, "error", err)
				res.Failed++
				continue
			}
			res.Orphans++
		}
		batch = batch[:0]
		return nil
	}
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("list document blobs: %w", err)
		}
		if obj.IsDir || !obj.ModTime.Before(cutoff) {
			continue
		}
		batch = append(batch, obj.Key)
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}
