// Package techniciens manages technician profiles, their competences and the competence catalogue.
package techniciens

import (
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

var (
	errNotFound            = apperr.NotFound("Technicien introuvable")
	errUserNotFound        = apperr.NotFound("Utilisateur lié introuvable")
	errProfileExists       = apperr.Conflict("Ce technicien a déjà un profil")
	errBadgeTaken          = apperr.Conflict("Numéro de badge déjà utilisé")
	errCompetencesNotFound = apperr.NotFound("Une ou plusieurs compétences sont introuvables")
	errBusy                = apperr.Conflict("Technicien affecté à des interventions en cours")
	errReferenced          = apperr.Conflict("Technicien référencé par d'autres enregistrements")
	errAlreadyHeld         = apperr.Conflict("Le technicien possède déjà cette compétence")
	errNotHeld             = apperr.NotFound("Le technicien ne possède pas cette compétence")
)

func errNotTechnicien() error {
	return apperr.Invalid("L'utilisateur n'est pas un technicien",
		apperr.FieldError{Field: "user_id", Message: "l'utilisateur doit avoir le rôle technicien"})
}

// Service manages technician profiles, their competences and the competence catalogue.
type Service struct {
	pool     *pgxpool.Pool
	accounts *auth.AccountCache
	pages    coalesce.Group[string, page] // the pages of profiles, shared (List)
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// WithAccountCache makes the service drop the linked account from this instance's
// authentication cache as soon as a technician profile is created or deleted (it changes the
// account's row access; nil: no cache).
func (s *Service) WithAccountCache(c *auth.AccountCache) *Service {
	s.accounts = c
	return s
}

// Profile is a technician profile as read: the profile, its account, its workload and competences.
type Profile struct {
	db.Technicien
	User db.User
	// Charge counts the interventions assigned to the technician that are affectee, en_cours or
	// en_attente.
	Charge      int
	Competences []Held
}

// Available reports whether the technician can take work: available and with an active account.
func (p Profile) Available() bool {
	return p.Disponibilite == db.TechnicienDisponibiliteDisponible && p.User.IsActive
}

// optionalField applies a partial-update field to an optional text; blank clears it.
func optionalField(f patch.Field[string], cur *string) *string {
	if !f.Set {
		return cur
	}
	return text.Optional(f.Value)
}

// dateOnly keeps the calendar day of t (dates travel as midnight UTC).
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func sameString(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func sameDate(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// textFields lists the texts of fields that PostgreSQL cannot store: a NUL character or invalid
// UTF-8 (reachable through JSON escapes and query strings).
func textFields(texts map[string]*string) []apperr.FieldError {
	var out []apperr.FieldError
	for _, name := range sortedKeys(texts) {
		if v := texts[name]; v != nil && text.Unstorable(*v) != "" {
			out = append(out, apperr.FieldError{Field: name, Message: "caractères invalides"})
		}
	}
	return out
}

func sortedKeys(m map[string]*string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// likePattern escapes a search text for ILIKE; nil when blank.
func likePattern(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	s = text.EscapeLike(s)
	return &s
}

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"techniciens_badge_key":    errBadgeTaken,
	"techniciens_user_id_key":  errProfileExists,
	"techniciens_user_id_fkey": errUserNotFound,
}
