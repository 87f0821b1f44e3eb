package calendar

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
)

// Limits keeping a feed bounded.
const (
	maxPlans         = 5000
	maxInterventions = 10000
	maxPerPlan       = 400 // a daily plan over a year
)

// Service builds the callers' feeds and manages their secret links.
type Service struct {
	pool          *pgxpool.Pool
	plans         *planning.Service
	interventions *interventions.Service
	now           func() time.Time
	zone          *time.Location // where today is (APP_TIMEZONE); nil: UTC
}

// NewService returns the service; the feed reuses the row scoping of plans and interventions.
func NewService(pool *pgxpool.Pool, plans *planning.Service, iv *interventions.Service) *Service {
	return &Service{pool: pool, plans: plans, interventions: iv, now: time.Now}
}

// WithZone returns a copy whose days (today, where the plans' occurrences start) are those of
// loc (APP_TIMEZONE).
func (s *Service) WithZone(loc *time.Location) *Service {
	c := *s
	c.zone = loc
	return &c
}

// WithClock returns a copy reading the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Feed is the caller's calendar: the occurrences of the active plans it may read over the next
// twelve months (all-day events) from today in APP_TIMEZONE, and the open interventions it may
// read that have a deadline within that time, overdue ones included (timed events at the
// deadline, UTC).
func (s *Service) Feed(ctx context.Context, p auth.Principal) ([]byte, error) {
	now := s.now().UTC()
	local := now.In(platform.ZoneOr(s.zone))
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	end := today.AddDate(1, 0, 0)
	cal := Calendar{Name: "MIF ERP — maintenance", Stamp: now}

	var plans []planning.Plan
	actif := "actif"
	for off := 0; off < maxPlans; off += planning.MaxLimit {
		page, _, err := s.plans.List(ctx, p, planning.ListFilter{Statut: &actif, Sort: "id", Limit: planning.MaxLimit, Offset: off})
		if err != nil {
			return nil, err
		}
		plans = append(plans, page...)
		if len(page) < planning.MaxLimit {
			break
		}
	}
	var ivs []interventions.Intervention
	open := []string{"ouverte", "affectee", "en_cours", "en_attente"}
	err := s.interventions.Export(ctx, p, interventions.Filter{Statuts: open, DeadlineBefore: &end, Sort: "date_limite", Limit: maxInterventions},
		func(iv interventions.Intervention) error {
			if iv.DateLimite != nil {
				ivs = append(ivs, iv)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}

	ids := make([]int64, 0, len(plans)+len(ivs))
	for _, pl := range plans {
		ids = append(ids, pl.EquipementID)
	}
	for _, iv := range ivs {
		ids = append(ids, iv.EquipementID)
	}
	noms := map[int64]string{}
	if len(ids) > 0 {
		rows, err := db.New(s.pool).CalendarEquipementNoms(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("calendar: equipment names: %w", err)
		}
		for _, r := range rows {
			noms[r.ID] = r.Nom
		}
	}

	for _, pl := range plans {
		if pl.ProchaineDate == nil {
			continue // completion basis, waiting for the closing of its intervention
		}
		start := today
		next := time.Date(pl.ProchaineDate.Year(), pl.ProchaineDate.Month(), pl.ProchaineDate.Day(), 0, 0, 0, 0, time.UTC)
		if start.Before(next) {
			start = next
		}
		titre := "Plan #" + strconv.FormatInt(pl.ID, 10)
		if pl.ModeleTitre != nil && *pl.ModeleTitre != "" {
			titre = *pl.ModeleTitre
		}
		desc := fmt.Sprintf("Maintenance préventive (%s), plan #%d", pl.Frequence, pl.ID)
		if pl.Commentaire != nil && *pl.Commentaire != "" {
			desc += "\n" + *pl.Commentaire
		}
		for _, d := range pl.Recurrence().Between(start, end, maxPerPlan) {
			cal.Events = append(cal.Events, Event{
				UID:         fmt.Sprintf("planning-%d-%s", pl.ID, d.Format(dateLayout)),
				Summary:     "Préventif : " + titre + suffix(noms[pl.EquipementID]),
				Description: desc,
				Location:    noms[pl.EquipementID],
				Categories:  []string{"Maintenance préventive"},
				Start:       d, AllDay: true, Status: "CONFIRMED",
			})
		}
	}
	for _, iv := range ivs {
		desc := fmt.Sprintf("Intervention #%d, %s, priorité %s, statut %s", iv.ID, iv.TypeIntervention, iv.Priorite, iv.Statut)
		if iv.Description != nil && *iv.Description != "" {
			desc += "\n" + *iv.Description
		}
		cal.Events = append(cal.Events, Event{
			UID:         fmt.Sprintf("intervention-%d-echeance", iv.ID),
			Summary:     "Échéance : " + iv.Titre + suffix(noms[iv.EquipementID]),
			Description: desc,
			Location:    noms[iv.EquipementID],
			Categories:  []string{"Intervention", string(iv.Priorite)},
			Start:       *iv.DateLimite, End: iv.DateLimite.Add(30 * time.Minute), Status: "CONFIRMED",
		})
	}
	return cal.Bytes(), nil
}

func suffix(nom string) string {
	if nom == "" {
		return ""
	}
	return " (" + nom + ")"
}

// NewToken creates the user's secret link token, replacing the previous one; only its SHA-256
// is stored.
func (s *Service) NewToken(ctx context.Context, actor auth.Principal) (string, error) {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	tok := base64.RawURLEncoding.EncodeToString(buf)
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := db.New(tx).CalendarTokenUpsert(ctx, db.CalendarTokenUpsertParams{UserID: actor.UserID, TokenHash: hash(tok)}); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "calendar_token.created", ResourceType: "user", ResourceID: strconv.FormatInt(actor.UserID, 10)})
	})
	if err != nil {
		return "", fmt.Errorf("calendar token: %w", err)
	}
	return tok, nil
}

// Caller returns the owner of a link token: 401 when unknown (or replaced), 403 when the
// account is deactivated.
func (s *Service) Caller(ctx context.Context, token string) (auth.Principal, error) {
	if token == "" {
		return auth.Principal{}, apperr.Unauthorized("Not authenticated")
	}
	u, err := db.New(s.pool).CalendarTokenUser(ctx, hash(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Principal{}, apperr.Unauthorized("Lien de calendrier invalide ou remplacé")
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("calendar token: %w", err)
	}
	if !u.IsActive {
		return auth.Principal{}, apperr.Forbidden("Utilisateur désactivé")
	}
	return auth.Principal{UserID: u.ID, Role: string(u.Role), Email: u.Email, Username: u.Username,
		TechnicienID: u.TechnicienID, ClientID: u.ClientID}, nil
}

func hash(tok string) []byte {
	sum := sha256.Sum256([]byte(tok))
	return sum[:]
}
