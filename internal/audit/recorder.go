package audit

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Recorder writes entries on their own, outside any transaction: for events that change nothing
// else, such as a refused request. A change and its entry commit together through Write instead.
type Recorder struct {
	pool *pgxpool.Pool
}

// NewRecorder writes entries through pool.
func NewRecorder(pool *pgxpool.Pool) *Recorder { return &Recorder{pool: pool} }

// Record writes one entry.
func (r *Recorder) Record(ctx context.Context, e Entry) error { return Write(ctx, r.pool, e) }
