// Package rapports makes the generated reports of issue 15: a report is asked for through the
// API (Create: checked, queued as pending), made in the background by one worker at a time
// (Generate: claimed, its content read with the requester's access, rendered as PDF, XLSX, CSV
// or JSON, stored encrypted in the documents' bucket, the requester notified), downloaded by
// bearer or signed link, and expired after its retention (Expire: file deleted).
//
// A claimed report whose worker died is claimed again once its attempt is older than
// StaleAfter, at most MaxAttempts times; only the attempt that claimed it may complete or fail
// it, so a late worker never overwrites a newer one. A report never stays in generating.
package rapports

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/kpis"
)

// Rapport is a report's row.
type Rapport = db.Rapport

// KeyPrefix is the folder of the report files in the bucket.
const KeyPrefix = "rapports/"

// Defaults of the worker.
const (
	StaleAfter  = 10 * time.Minute // an attempt older than this is considered dead
	MaxAttempts = 3
	MaxRows     = 100_000 // rows of one section
	genTimeout  = 5 * time.Minute
)

// Config are the service's dependencies.
type Config struct {
	Pool      *pgxpool.Pool
	Files     *documents.Service // bucket and encryption of the files
	Kpis      *kpis.Service      // the dashboard report's figures
	Signer    *documents.Signer  // signed download links (a key of their own)
	Retention time.Duration      // RAPPORT_RETENTION_DAYS
	Devise    string             // DEFAULT_CURRENCY
	PublicURL string             // the links of scheduled reports sent by e-mail (PUBLIC_URL)
	Logger    *slog.Logger
	Sources   Sources // what the intervention report reads
	// Zone (APP_TIMEZONE; nil: UTC) is where the days of a template's period fall, the default
	// fuseau of the schedules, and where the texts read the times they name.
	Zone *time.Location
}

// Service makes and serves the reports.
type Service struct {
	Config
	maxRows int
	now     func() time.Time
}

// NewService returns the service.
func NewService(c Config) *Service {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{Config: c, maxRows: MaxRows, now: time.Now}
}

// WithMaxRows returns a copy of the service that accepts at most n rows per section (tests).
func (s *Service) WithMaxRows(n int) *Service {
	c := *s
	c.maxRows = n
	return &c
}

// Signed is a report's signed download link.
type Signed struct {
	Expires   time.Time
	Signature string
}

// Sign signs a download link of a completed report (nil otherwise).
func (s *Service) Sign(r Rapport) *Signed {
	if r.Statut != db.RapportStatutCompleted {
		return nil
	}
	exp, sig := s.Signer.Sign(r.ID)
	return &Signed{Expires: exp, Signature: sig}
}

var (
	errNotFound    = apperr.NotFound("Rapport introuvable")
	errStaffOnly   = apperr.Forbidden("Ce type de rapport est réservé aux administrateurs et aux responsables")
	errClientsOnly = apperr.Forbidden("Les rapports sont réservés aux administrateurs, aux responsables et aux clients")
)

// labels are the types as the titles say them.
var labels = map[db.RapportType]string{
	db.RapportTypeInterventions: "Interventions",
	db.RapportTypeEquipements:   "Équipements",
	db.RapportTypeTechniciens:   "Techniciens",
	db.RapportTypeClients:       "Clients",
	db.RapportTypeDashboard:     "Tableau de bord",
	db.RapportTypePlanning:      "Planning préventif",
	db.RapportTypeStock:         "Stock",
	db.RapportTypeFinancial:     "Rapport financier",
}

// filters are the filters each type takes.
var filters = map[db.RapportType][]string{
	db.RapportTypeInterventions: {"equipement_id", "client_id", "technicien_id", "type_intervention"},
	db.RapportTypeEquipements:   {"equipement_id", "client_id"},
	db.RapportTypeTechniciens:   {"technicien_id"},
	db.RapportTypeClients:       {"client_id"},
	db.RapportTypeDashboard:     {"equipement_id", "client_id", "type_intervention"},
	db.RapportTypePlanning:      {"equipement_id", "client_id"},
	db.RapportTypeStock:         {},
	db.RapportTypeFinancial:     {"client_id", "equipement_id"},
}

// staffTypes are the types a client may not ask for.
var staffTypes = map[db.RapportType]bool{db.RapportTypeTechniciens: true, db.RapportTypeStock: true}

// formats are the files of each format.
var formats = map[db.RapportFormat]struct{ ext, mime string }{
	db.RapportFormatPdf:   {"pdf", "application/pdf"},
	db.RapportFormatExcel: {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	db.RapportFormatCsv:   {"csv", "text/csv; charset=utf-8"},
	db.RapportFormatJson:  {"json", "application/json"},
}

// writeAudit records a change to a report, template or schedule in the transaction that makes it.
func writeAudit(ctx context.Context, tx db.DBTX, actor auth.Principal, action, resourceType string, id int64, details map[string]any) error {
	return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: action,
		ResourceType: resourceType, ResourceID: strconv.FormatInt(id, 10), Details: details})
}
