// Package factures issues the invoices of maintenance contracts: for a period, the share of the
// annual fee plus the billable work (the contract's interventions requested beyond its quota,
// flagged hors_contrat, closed in the period: their parts, labour and other costs), HT, TVA and
// TTC, numbered FAC-YYYY-NNNN with no gap in a year even under concurrent requests.
package factures

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
)

// Defaults of a new invoice.
const (
	DefaultTauxTVA       = 2000 // basis points: 20 %
	DefaultDelaiPaiement = 30   // days
)

// Statuses shown: en_retard is an emise invoice past its due date.
const (
	Brouillon = "brouillon"
	Emise     = "emise"
	Payee     = "payee"
	EnRetard  = "en_retard"
)

var (
	errContratNotFound = apperr.NotFound("Contrat introuvable")
	errFactureNotFound = apperr.NotFound("Facture introuvable")
	errPeriodTaken     = apperr.Conflict("Facture déjà émise pour cette période")
	periodPattern      = regexp.MustCompile(`^(\d{4})(?:-(0[1-9]|1[0-2])|-T([1-4])|-S([12]))?$`)
)

// Service issues and reads invoices.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// Facture is an invoice with the status it shows today.
type Facture struct {
	db.Facture
	StatutAffiche string
}

// CreateInput is an invoice to issue.
type CreateInput struct {
	Periode            string // YYYY, YYYY-Sn, YYYY-Tn or YYYY-MM
	TauxTVA            *int   // basis points (2000 = 20 %)
	DelaiPaiementJours *int
}

// Period is a billing period: its first and last days and its number of months.
type Period struct {
	Debut, Fin time.Time
	Mois       int
}

// ParsePeriod reads YYYY (a year), YYYY-S1|S2 (a half), YYYY-T1..T4 (a quarter) or YYYY-MM.
func ParsePeriod(s string) (Period, bool) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, false
	}
	year, _ := strconv.Atoi(m[1])
	if year < 2000 || year > 2999 {
		return Period{}, false
	}
	first, months := 1, 12
	switch {
	case m[2] != "":
		first, _ = strconv.Atoi(m[2])
		months = 1
	case m[3] != "":
		q, _ := strconv.Atoi(m[3])
		first, months = 3*q-2, 3
	case m[4] != "":
		h, _ := strconv.Atoi(m[4])
		first, months = 6*h-5, 6
	}
	debut := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	return Period{Debut: debut, Fin: debut.AddDate(0, months, -1), Mois: months}, true
}

// Create issues the invoice of a contract for a period (as a draft), in one transaction.
func (s *Service) Create(ctx context.Context, actor auth.Principal, contratID int64, in CreateInput) (Facture, error) {
	if !access.For(actor).Manager() {
		return Facture{}, access.ErrManagersOnly
	}
	var fields apperr.Fields
	p, ok := ParsePeriod(in.Periode)
	if !ok {
		fields.Add("periode", "AAAA, AAAA-S1, AAAA-T1 à T4 ou AAAA-MM")
	}
	taux := DefaultTauxTVA
	if in.TauxTVA != nil {
		taux = *in.TauxTVA
		if taux < 0 || taux > 10000 {
			fields.Add("taux_tva", "entre 0 et 100 %")
		}
	}
	delai := DefaultDelaiPaiement
	if in.DelaiPaiementJours != nil {
		delai = *in.DelaiPaiementJours
		if delai < 0 || delai > 365 {
			fields.Add("delai_paiement_jours", "entre 0 et 365")
		}
	}
	if err := fields.Err(); err != nil {
		return Facture{}, err
	}
	today := s.today()
	var out Facture
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		k, err := q.FactureContrat(ctx, contratID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errContratNotFound
		}
		if err != nil {
			return fmt.Errorf("lock contract: %w", err)
		}
		if p.Debut.After(k.DateFin) || p.Fin.Before(k.DateDebut) {
			return apperr.InvalidField("periode", fmt.Sprintf("hors des dates du contrat (%s au %s)",
				k.DateDebut.Format(time.DateOnly), k.DateFin.Format(time.DateOnly)))
		}
		if taken, err := q.FacturePeriodTaken(ctx, db.FacturePeriodTakenParams{ContratID: contratID, Periode: in.Periode}); err != nil {
			return fmt.Errorf("check period: %w", err)
		} else if taken {
			return errPeriodTaken
		}
		work, err := q.BillableWork(ctx, db.BillableWorkParams{ContratID: &contratID, Debut: p.Debut, Fin: p.Fin.AddDate(0, 0, 1)})
		if err != nil {
			return fmt.Errorf("billable work: %w", err)
		}
		var forfait int64
		if k.MontantAnnuel != nil {
			forfait = roundDiv(*k.MontantAnnuel*int64(p.Mois), 12)
		}
		ht := forfait + work.Pieces + work.MainOeuvre + work.Autres
		tva := roundDiv(ht*int64(taux), 10000)
		seq, err := q.NextFactureNumber(ctx, int32(today.Year()))
		if err != nil {
			return fmt.Errorf("invoice number: %w", err)
		}
		id, err := q.InsertFacture(ctx, db.InsertFactureParams{ContratID: contratID,
			NumeroFacture: fmt.Sprintf("FAC-%d-%04d", today.Year(), seq), Annee: int32(today.Year()), Sequence: seq,
			Periode: in.Periode, PeriodeDebut: p.Debut, PeriodeFin: p.Fin, DateEmission: today,
			DateEcheance: today.AddDate(0, 0, delai), MontantForfait: forfait, MontantPieces: work.Pieces,
			MontantMainOeuvre: work.MainOeuvre, MontantAutres: work.Autres, NbInterventionsFacturees: work.Interventions,
			MontantHt: ht, TauxTva: int32(taux), MontantTva: tva, MontantTtc: ht + tva, Devise: k.Devise, CreatedBy: actor.UserID})
		if err != nil {
			return platform.WriteError("insert invoice", err, platform.Constraints{"factures_contrat_id_periode_key": errPeriodTaken})
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "facture.creee",
			ResourceType: "facture", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"contrat_id": contratID, "periode": in.Periode, "montant_ttc": ht + tva}}); err != nil {
			return err
		}
		out, err = s.get(ctx, tx, id)
		return err
	})
	if err != nil {
		return Facture{}, fmt.Errorf("invoice contract %d: %w", contratID, err)
	}
	return out, nil
}

// List returns one page of a contract's invoices (the caller must read the contract).
func (s *Service) List(ctx context.Context, actor auth.Principal, contratID int64, limit, offset int) ([]Facture, int64, error) {
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	if err := readable(ctx, access.For(actor).Queries(s.pool), contratID); err != nil {
		return nil, 0, err
	}
	q := db.New(s.pool)
	rows, err := q.ListFactures(ctx, db.ListFacturesParams{ContratID: contratID, Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("list invoices: %w", err)
	}
	total, err := q.CountFactures(ctx, contratID)
	if err != nil {
		return nil, 0, fmt.Errorf("count invoices: %w", err)
	}
	today := s.today()
	out := make([]Facture, len(rows))
	for i, r := range rows {
		out[i] = shown(r, today)
	}
	return out, total, nil
}

// Get reads an invoice of a contract the caller may read (404 otherwise).
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Facture, error) {
	r, err := db.New(s.pool).GetFacture(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Facture{}, errFactureNotFound
	}
	if err != nil {
		return Facture{}, fmt.Errorf("read invoice %d: %w", id, err)
	}
	if err := readable(ctx, access.For(actor).Queries(s.pool), r.Facture.ContratID); err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return Facture{}, errFactureNotFound
		}
		return Facture{}, err
	}
	return shown(r.Facture, s.today()), nil
}

// Apply moves an invoice on: emettre (brouillon -> emise), payer (emise -> payee, paid today).
func (s *Service) Apply(ctx context.Context, actor auth.Principal, id int64, action string) (Facture, error) {
	if !access.For(actor).Manager() {
		return Facture{}, access.ErrManagersOnly
	}
	var out Facture
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		f, err := q.LockFacture(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errFactureNotFound
		}
		if err != nil {
			return fmt.Errorf("lock invoice: %w", err)
		}
		params := db.SetFactureStatutParams{ID: id}
		switch {
		case action == "emettre" && f.Statut == db.StatutFactureBrouillon:
			params.Statut = db.StatutFactureEmise
		case action == "payer" && f.Statut == db.StatutFactureEmise:
			params.Statut, params.DatePaiement = db.StatutFacturePayee, ptr(s.today())
		case action != "emettre" && action != "payer":
			return apperr.InvalidField("action", "emettre ou payer")
		default:
			return apperr.Conflict("Action %s impossible sur une facture %s", action, f.Statut)
		}
		if err := q.SetFactureStatut(ctx, params); err != nil {
			return fmt.Errorf("set status: %w", err)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "facture." + action,
			ResourceType: "facture", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"statut_avant": f.Statut, "statut_apres": params.Statut}}); err != nil {
			return err
		}
		out, err = s.get(ctx, tx, id)
		return err
	})
	if err != nil {
		return Facture{}, fmt.Errorf("invoice %d: %w", id, err)
	}
	return out, nil
}

func (s *Service) get(ctx context.Context, q db.DBTX, id int64) (Facture, error) {
	r, err := db.New(q).GetFacture(ctx, id)
	if err != nil {
		return Facture{}, fmt.Errorf("read invoice %d: %w", id, err)
	}
	return shown(r.Facture, s.today()), nil
}

func (s *Service) today() time.Time {
	n := s.now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// shown is the invoice with its displayed status: an emise invoice past its due date is late.
func shown(f db.Facture, today time.Time) Facture {
	st := string(f.Statut)
	if f.Statut == db.StatutFactureEmise && today.After(f.DateEcheance) {
		st = EnRetard
	}
	return Facture{Facture: f, StatutAffiche: st}
}

func readable(ctx context.Context, q *access.Queries, contratID int64) error {
	_, err := q.GetContratScoped(ctx, db.GetContratScopedParams{ID: contratID})
	if errors.Is(err, pgx.ErrNoRows) {
		return errContratNotFound
	}
	if err != nil {
		return fmt.Errorf("read contract %d: %w", contratID, err)
	}
	return nil
}

// roundDiv is a/b rounded half up (a >= 0, b > 0).
func roundDiv(a, b int64) int64 {
	if a > math.MaxInt64/2 {
		return a / b
	}
	return (2*a + b) / (2 * b)
}

func ptr[T any](v T) *T { return &v }
