// Package equipements manages machines, lines and components: their identity, their place in a
// hierarchy (line -> machine -> component), the client and contract they belong to, and their
// computed maintenance state.
package equipements

import (
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/namecache"
	"github.com/mif-erp/erp/internal/platform"
)

// Errors with the original's messages where it had one.
var (
	errNotFound        = apperr.NotFound("Équipement introuvable")
	errNomTaken        = apperr.Conflict("Équipement déjà existant")
	errSerieTaken      = apperr.Conflict("Numéro de série déjà utilisé")
	errCodeTaken       = apperr.Conflict("Code interne déjà utilisé")
	errClientNotFound  = apperr.NotFound("Client introuvable")
	errContratNotFound = apperr.NotFound("Contrat introuvable")
	errParentNotFound  = apperr.NotFound("Équipement parent introuvable")
	errUsed            = apperr.Conflict("Équipement utilisé par des interventions")
	errHasComponents   = apperr.Conflict("Équipement parent d'autres équipements : détachez ou supprimez d'abord ses composants")
	errStillReferenced = apperr.Conflict("Équipement encore référencé")
)

// MaxFrequenceJours is the longest maintenance interval, in days.
const MaxFrequenceJours = 3650

// frequenceLabels are the French interval labels accepted on input, in days (0: none).
var frequenceLabels = map[string]int{
	"aucune": 0, "journalier": 1, "hebdomadaire": 7, "bimensuel": 15, "bimensuelle": 15,
	"mensuel": 30, "mensuelle": 30, "trimestriel": 90, "trimestrielle": 90,
	"semestriel": 182, "semestrielle": 182, "annuel": 365, "annuelle": 365,
}

// ParseFrequence reads a maintenance interval: a number of days or a French label. It returns
// nil for "no scheduled maintenance" (0 or "aucune") and ok=false for anything else it does not
// know.
func ParseFrequence(s string) (days *int32, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	n, known := frequenceLabels[s]
	if !known {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" || len(s) > 5 {
			return nil, false
		}
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			return nil, false
		}
	}
	if n < 0 || n > MaxFrequenceJours {
		return nil, false
	}
	if n == 0 {
		return nil, true
	}
	d := int32(n)
	return &d, true
}

// Equipement is a machine with its computed maintenance state.
type Equipement struct {
	db.Equipement
	NbInterventionsActives int
	ProchaineMaintenance   *time.Time // nil without a maintenance interval
	MaintenanceEnRetard    bool
}

// Service manages machines, lines and components.
type Service struct {
	pool  *pgxpool.Pool
	names *namecache.Cache
	pages coalesce.Group[string, page] // the pages of every machine, shared (List)
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// WithNameCache makes the service forget this instance's cached names of machines as soon as a
// rename is committed (nil: no cache; the other instances hear of it through the
// 'intervention_noms' announcement).
func (s *Service) WithNameCache(c *namecache.Cache) *Service {
	s.names = c
	return s
}

// trimmedOrNil trims an optional text; blank becomes nil (no value).
func trimmedOrNil(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}

// dateOnly keeps the calendar date of t, at midnight UTC.
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &u
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func equalDate(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"equipements_nom_key":          errNomTaken,
	"equipements_numero_serie_key": errSerieTaken,
	"equipements_code_interne_key": errCodeTaken,
	"equipements_contrat_id_fkey":  errContratNotFound,
	"equipements_client_id_fkey":   errClientNotFound,
	"equipements_parent_id_fkey":   errParentNotFound,
}
