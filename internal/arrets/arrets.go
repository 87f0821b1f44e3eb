// Package arrets keeps the downtime of machines (`arrets`) and the history of their statut
// (issue 14). A machine's statut drives its downtime: `panne` or `maintenance` opens a record
// unless one is open, `operationnel` or `retire` ends it; a corrective intervention that reports
// a breakdown sets the machine in `panne`, and closing it ends that record and restarts the
// machine. Records of a machine never overlap: every write locks the machine first, and the
// database's exclusion constraint is the last word.
package arrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
)

// Arret is a downtime record.
type Arret = db.Arret

// StatutChange is a row of a machine's status history.
type StatutChange = db.EquipementsStatut

// Sources of a downtime record.
const (
	SourceManuel      = "manuel"
	SourceAutomatique = "automatique"
)

// Sources of a statut change.
const (
	ChangeCreation     = "creation"
	ChangeManuel       = "manuel"
	ChangeIntervention = "intervention"
)

var (
	errArretNotFound = apperr.NotFound("Arrêt introuvable")
	errNoWorkHere    = apperr.Forbidden("Un technicien n'enregistre que les arrêts des machines où il a une intervention en cours")
)

// Service keeps downtime records and reads the status history.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// lockMachine locks a machine for a statut change or a downtime write and returns its statut.
func lockMachine(ctx context.Context, q *db.Queries, equipementID int64) (db.EquipementStatut, error) {
	m, err := q.LockEquipementStatut(ctx, equipementID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", access.ErrEquipementNotFound
	}
	if err != nil {
		return "", fmt.Errorf("lock machine %d: %w", equipementID, err)
	}
	return m.Statut, nil
}
