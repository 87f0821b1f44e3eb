// Package equipements manages machines, lines and components: their identity, their place in a
// hierarchy (line -> machine -> component), the client and contract they belong to, and their
// computed maintenance state.
package equipements

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
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

// Sort keys accepted by List; a leading '-' sorts descending.
var sortKeys = map[string]bool{
	"id": true, "-id": true, "nom": true, "-nom": true, "created_at": true, "-created_at": true,
	"criticite": true, "-criticite": true, "statut": true, "-statut": true,
	"localisation": true, "-localisation": true,
}

// nulMessage refuses text PostgreSQL cannot store.
const nulMessage = "ne doit pas contenir le caractère NUL"

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
	pool *pgxpool.Pool
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// CreateInput is a new machine. Optional fields are nil when absent.
type CreateInput struct {
	Nom, Type, Localisation string
	Statut, Criticite       *string
	NumeroSerie             *string
	CodeInterne             *string
	Marque, Modele          *string
	Batiment, Etage, Zone   *string
	Description             *string
	Frequence               *string // days or a label; see ParseFrequence
	DateAcquisition         *time.Time
	DateMiseEnService       *time.Time
	DateFinGarantie         *time.Time
	CoutAcquisition         *int64
	ClientID                *int64
	ContratID               *int64 // without ClientID, the machine takes the contract's client
	ParentID                *int64
}

// UpdateInput is a partial update: absent fields keep their value, cleared fields become null.
type UpdateInput struct {
	Nom, Type, Localisation patch.Field[string] // may not be cleared
	Statut, Criticite       patch.Field[string] // may not be cleared
	NumeroSerie             patch.Field[string]
	CodeInterne             patch.Field[string]
	Marque, Modele          patch.Field[string]
	Batiment, Etage, Zone   patch.Field[string]
	Description             patch.Field[string]
	Frequence               patch.Field[string] // "0" or "aucune" clears
	DateAcquisition         patch.Field[time.Time]
	DateMiseEnService       patch.Field[time.Time]
	DateFinGarantie         patch.Field[time.Time]
	CoutAcquisition         patch.Field[int64]
	ClientID                patch.Field[int64]
	ContratID               patch.Field[int64]
	ParentID                patch.Field[int64]

	// IfMatch, when set, is the caller's precondition on the current version (If-Match): the
	// update is refused with 412 unless it reports true.
	IfMatch func(version int32) bool
}

// ListFilter selects and orders a page of machines.
type ListFilter struct {
	Statut, Criticite, Type string
	ClientID                *int64
	ContratID               *int64
	ParentID                *int64
	Query                   string
	Sort                    string
	Limit, Offset           int
}

// Get reads one machine the caller may read.
func (s *Service) Get(ctx context.Context, viewer auth.Principal, id int64) (Equipement, error) {
	return get(ctx, s.pool, access.For(viewer), id)
}

// get reads one machine in sc.
func get(ctx context.Context, q db.DBTX, sc access.Scope, id int64) (Equipement, error) {
	row, err := sc.Queries(q).GetEquipement(ctx, db.GetEquipementParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Equipement{}, errNotFound
	}
	if err != nil {
		return Equipement{}, fmt.Errorf("get equipement %d: %w", id, err)
	}
	return withComputed(row.Equipement, row.NbInterventionsActives, row.ProchaineMaintenance, row.MaintenanceEnRetard)
}

func withComputed(e db.Equipement, actives int32, prochaine any, retard bool) (Equipement, error) {
	out := Equipement{Equipement: e, NbInterventionsActives: int(actives), MaintenanceEnRetard: retard}
	switch v := prochaine.(type) {
	case nil:
	case time.Time:
		out.ProchaineMaintenance = &v
	default:
		return Equipement{}, fmt.Errorf("equipement %d: prochaine_maintenance of type %T", e.ID, prochaine)
	}
	return out, nil
}

// List returns one page of the machines the caller may read, and how many match the filter.
func (s *Service) List(ctx context.Context, viewer auth.Principal, f ListFilter) ([]Equipement, int64, error) {
	if f.Sort == "" {
		f.Sort = "-created_at"
	}
	var fields []apperr.FieldError
	if !sortKeys[f.Sort] {
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	var statut db.NullEquipementStatut
	if f.Statut != "" {
		statut = db.NullEquipementStatut{EquipementStatut: db.EquipementStatut(f.Statut), Valid: true}
		if !statut.EquipementStatut.Valid() {
			fields = append(fields, apperr.FieldError{Field: "statut", Message: "statut inconnu"})
		}
	}
	var criticite db.NullEquipementCriticite
	if f.Criticite != "" {
		criticite = db.NullEquipementCriticite{EquipementCriticite: db.EquipementCriticite(f.Criticite), Valid: true}
		if !criticite.EquipementCriticite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "criticite", Message: "criticité inconnue"})
		}
	}
	if f.Limit < 1 || f.Limit > 500 {
		fields = append(fields, apperr.FieldError{Field: "limit", Message: "entre 1 et 500"})
	}
	if f.Offset < 0 || f.Offset > 1<<31-1 {
		fields = append(fields, apperr.FieldError{Field: "offset", Message: "doit être positif"})
	}
	if strings.ContainsRune(f.Type, 0) {
		fields = append(fields, apperr.FieldError{Field: "type", Message: nulMessage})
	}
	if strings.ContainsRune(f.Query, 0) {
		fields = append(fields, apperr.FieldError{Field: "q", Message: nulMessage})
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	typ := trimmedOrNil(&f.Type)
	var q *string
	if s := strings.TrimSpace(f.Query); s != "" {
		esc := text.EscapeLike(s)
		q = &esc
	}
	sc := access.For(viewer)
	queries := sc.Queries(s.pool)
	rows, err := queries.ListEquipements(ctx, db.ListEquipementsParams{
		Statut: statut, Criticite: criticite, Type: typ,
		ClientID: f.ClientID, ContratID: f.ContratID, ParentID: f.ParentID, Q: q,
		Sort: f.Sort, Lim: int32(f.Limit), Off: int32(f.Offset),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list equipements: %w", err)
	}
	var total int64
	if sc.ReadsAllEquipment() && !criticite.Valid && typ == nil && f.ClientID == nil && f.ContratID == nil && f.ParentID == nil && q == nil {
		// Every machine, or those of one statut: from the pre-aggregated figures.
		total, err = db.New(s.pool).CountEquipementsGlobal(ctx, statut)
	} else {
		total, err = queries.CountEquipements(ctx, db.CountEquipementsParams{
			Statut: statut, Criticite: criticite, Type: typ,
			ClientID: f.ClientID, ContratID: f.ContratID, ParentID: f.ParentID, Q: q,
		})
	}
	if err != nil {
		return nil, 0, fmt.Errorf("count equipements: %w", err)
	}
	out := make([]Equipement, len(rows))
	for i, r := range rows {
		if out[i], err = withComputed(r.Equipement, r.NbInterventionsActives, r.ProchaineMaintenance, r.MaintenanceEnRetard); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// Create adds a machine.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Equipement, error) {
	v := &validator{}
	row := db.Equipement{
		Nom:             v.required("nom", in.Nom),
		TypeEquipement:  v.required("type", in.Type),
		Localisation:    v.required("localisation", in.Localisation),
		Statut:          db.EquipementStatutOperationnel,
		Criticite:       db.EquipementCriticiteStandard,
		NumeroSerie:     trimmedOrNil(in.NumeroSerie),
		CodeInterne:     trimmedOrNil(in.CodeInterne),
		Marque:          trimmedOrNil(in.Marque),
		Modele:          trimmedOrNil(in.Modele),
		Batiment:        trimmedOrNil(in.Batiment),
		Etage:           trimmedOrNil(in.Etage),
		Zone:            trimmedOrNil(in.Zone),
		Description:     trimmedOrNil(in.Description),
		DateAcquisition: dateOnly(in.DateAcquisition), DateMiseEnService: dateOnly(in.DateMiseEnService),
		DateFinGarantie: dateOnly(in.DateFinGarantie),
		CoutAcquisition: in.CoutAcquisition,
		ClientID:        in.ClientID, ContratID: in.ContratID, ParentID: in.ParentID,
	}
	if in.Statut != nil {
		row.Statut = v.statut(*in.Statut)
	}
	if in.Criticite != nil {
		row.Criticite = v.criticite(*in.Criticite)
	}
	if in.Frequence != nil {
		row.FrequenceEntretien = v.frequence(*in.Frequence)
	}
	v.checkRow(row)
	if err := v.err(); err != nil {
		return Equipement{}, err
	}
	var out Equipement
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := checkLinks(ctx, q, &row, links{client: row.ClientID != nil, contrat: row.ContratID != nil}); err != nil {
			return err
		}
		if row.ParentID != nil {
			if err := checkParentExists(ctx, q, *row.ParentID); err != nil {
				return err
			}
		}
		id, err := q.InsertEquipement(ctx, db.InsertEquipementParams{
			Nom: row.Nom, TypeEquipement: row.TypeEquipement, Localisation: row.Localisation,
			NumeroSerie: row.NumeroSerie, CodeInterne: row.CodeInterne, Marque: row.Marque, Modele: row.Modele,
			Batiment: row.Batiment, Etage: row.Etage, Zone: row.Zone, Statut: row.Statut, Criticite: row.Criticite,
			Description: row.Description, FrequenceEntretien: row.FrequenceEntretien,
			DateAcquisition: row.DateAcquisition, DateMiseEnService: row.DateMiseEnService,
			DateFinGarantie: row.DateFinGarantie, CoutAcquisition: row.CoutAcquisition,
			ClientID: row.ClientID, ContratID: row.ContratID, ParentID: row.ParentID,
		})
		if err != nil {
			return platform.WriteError("write equipement", err, constraints)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "equipement.created", ResourceType: "equipement", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom": row.Nom, "client_id": row.ClientID, "contrat_id": row.ContratID,
				"parent_id": row.ParentID}}); err != nil {
			return err
		}
		out, err = get(ctx, tx, access.For(actor), id)
		return err
	})
	if err != nil {
		return Equipement{}, fmt.Errorf("create equipement: %w", err)
	}
	return out, nil
}

// Update changes the fields sent. The version goes up by one when something changed.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput) (Equipement, error) {
	v := &validator{}
	var (
		nom, typ, loc *string
		statut        *db.EquipementStatut
		criticite     *db.EquipementCriticite
		frequence     patch.Field[int32]
	)
	if in.Nom.Set {
		nom = ptr(v.required("nom", deref(in.Nom.Value)))
	}
	if in.Type.Set {
		typ = ptr(v.required("type", deref(in.Type.Value)))
	}
	if in.Localisation.Set {
		loc = ptr(v.required("localisation", deref(in.Localisation.Value)))
	}
	if in.Statut.Set {
		statut = ptr(v.statut(deref(in.Statut.Value)))
	}
	if in.Criticite.Set {
		criticite = ptr(v.criticite(deref(in.Criticite.Value)))
	}
	if in.Frequence.Set {
		if in.Frequence.Value == nil {
			frequence = patch.Clear[int32]()
		} else if d := v.frequence(*in.Frequence.Value); d != nil {
			frequence = patch.To(*d)
		} else {
			frequence = patch.Clear[int32]()
		}
	}
	if err := v.err(); err != nil {
		return Equipement{}, err
	}

	var out Equipement
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if in.ParentID.Value != nil {
			// Moves in the hierarchy run one at a time, and take this lock before any row lock:
			// two machines moved under each other at once then neither deadlock nor close a cycle.
			if err := q.LockEquipementHierarchy(ctx); err != nil {
				return fmt.Errorf("lock hierarchy: %w", err)
			}
		}
		cur, err := q.LockEquipement(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("lock equipement: %w", err)
		}
		if in.IfMatch != nil && !in.IfMatch(cur.Version) {
			return apperr.PreconditionFailed("La ressource a été modifiée entre-temps (version actuelle : \"%d\")", cur.Version)
		}
		next := cur
		if nom != nil {
			next.Nom = *nom
		}
		if typ != nil {
			next.TypeEquipement = *typ
		}
		if loc != nil {
			next.Localisation = *loc
		}
		if statut != nil {
			next.Statut = *statut
		}
		if criticite != nil {
			next.Criticite = *criticite
		}
		next.NumeroSerie = trimmedOrNil(in.NumeroSerie.Or(cur.NumeroSerie))
		next.CodeInterne = trimmedOrNil(in.CodeInterne.Or(cur.CodeInterne))
		next.Marque = trimmedOrNil(in.Marque.Or(cur.Marque))
		next.Modele = trimmedOrNil(in.Modele.Or(cur.Modele))
		next.Batiment = trimmedOrNil(in.Batiment.Or(cur.Batiment))
		next.Etage = trimmedOrNil(in.Etage.Or(cur.Etage))
		next.Zone = trimmedOrNil(in.Zone.Or(cur.Zone))
		next.Description = trimmedOrNil(in.Description.Or(cur.Description))
		next.FrequenceEntretien = frequence.Or(cur.FrequenceEntretien)
		next.DateAcquisition = dateOnly(in.DateAcquisition.Or(cur.DateAcquisition))
		next.DateMiseEnService = dateOnly(in.DateMiseEnService.Or(cur.DateMiseEnService))
		next.DateFinGarantie = dateOnly(in.DateFinGarantie.Or(cur.DateFinGarantie))
		next.CoutAcquisition = in.CoutAcquisition.Or(cur.CoutAcquisition)
		next.ClientID = in.ClientID.Or(cur.ClientID)
		next.ContratID = in.ContratID.Or(cur.ContratID)
		next.ParentID = in.ParentID.Or(cur.ParentID)

		rv := &validator{}
		rv.checkRow(next)
		if err := rv.err(); err != nil {
			return err
		}
		clientChanged := !equalPtr(next.ClientID, cur.ClientID)
		contratChanged := !equalPtr(next.ContratID, cur.ContratID)
		if next.ContratID != nil && next.ClientID == nil && in.ClientID.Set {
			return apperr.Validation(apperr.FieldError{Field: "client_id",
				Message: "un équipement sous contrat appartient au client du contrat : retirez aussi contrat_id"})
		}
		if err := checkLinks(ctx, q, &next, links{client: clientChanged && next.ClientID != nil,
			contrat: next.ContratID != nil && (clientChanged || contratChanged)}); err != nil {
			return err
		}
		if next.ParentID != nil && !equalPtr(next.ParentID, cur.ParentID) {
			if err := checkParent(ctx, q, id, *next.ParentID); err != nil {
				return err
			}
		}
		changed := changedFields(cur, next)
		if len(changed) == 0 {
			out, err = get(ctx, tx, access.For(actor), id)
			return err
		}
		if _, err := q.UpdateEquipement(ctx, db.UpdateEquipementParams{
			ID: id, Nom: next.Nom, TypeEquipement: next.TypeEquipement, Localisation: next.Localisation,
			NumeroSerie: next.NumeroSerie, CodeInterne: next.CodeInterne, Marque: next.Marque, Modele: next.Modele,
			Batiment: next.Batiment, Etage: next.Etage, Zone: next.Zone, Statut: next.Statut, Criticite: next.Criticite,
			Description: next.Description, FrequenceEntretien: next.FrequenceEntretien,
			DateAcquisition: next.DateAcquisition, DateMiseEnService: next.DateMiseEnService,
			DateFinGarantie: next.DateFinGarantie, CoutAcquisition: next.CoutAcquisition,
			ClientID: next.ClientID, ContratID: next.ContratID, ParentID: next.ParentID,
		}); err != nil {
			return platform.WriteError("write equipement", err, constraints)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "equipement.updated", ResourceType: "equipement", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"fields": changed, "version_before": cur.Version}}); err != nil {
			return err
		}
		out, err = get(ctx, tx, access.For(actor), id)
		return err
	})
	if err != nil {
		return Equipement{}, fmt.Errorf("update equipement %d: %w", id, err)
	}
	return out, nil
}

// Delete removes a machine that no intervention references and that has no components.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := q.LockEquipement(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("lock equipement: %w", err)
		}
		usage, err := q.EquipementUsage(ctx, id)
		if err != nil {
			return fmt.Errorf("equipement usage: %w", err)
		}
		if usage.HasInterventions {
			return errUsed
		}
		if usage.HasComponents {
			return errHasComponents
		}
		if _, err := q.DeleteEquipement(ctx, id); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23503" {
				if pgErr.TableName == "interventions" {
					return errUsed
				}
				return errStillReferenced
			}
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "equipement.deleted", ResourceType: "equipement", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom": cur.Nom, "client_id": cur.ClientID}})
	})
	if err != nil {
		return fmt.Errorf("delete equipement %d: %w", id, err)
	}
	return nil
}

// links says which references of a row to check.
type links struct{ client, contrat bool }

// checkLinks checks that the client and contract exist (locking them until the transaction
// ends) and that the contract belongs to the machine's client; a machine under contract without
// a client takes the contract's.
func checkLinks(ctx context.Context, q *db.Queries, row *db.Equipement, l links) error {
	if l.client {
		if _, err := q.ClientForEquipement(ctx, *row.ClientID); errors.Is(err, pgx.ErrNoRows) {
			return errClientNotFound
		} else if err != nil {
			return fmt.Errorf("check client: %w", err)
		}
	}
	if l.contrat {
		owner, err := q.ContratForEquipement(ctx, *row.ContratID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errContratNotFound
		}
		if err != nil {
			return fmt.Errorf("check contrat: %w", err)
		}
		switch {
		case row.ClientID == nil:
			row.ClientID = &owner
		case *row.ClientID != owner:
			return apperr.Validation(apperr.FieldError{Field: "contrat_id",
				Message: "le contrat n'appartient pas au client de l'équipement"})
		}
	}
	return nil
}

func checkParentExists(ctx context.Context, q *db.Queries, parentID int64) error {
	if _, err := q.ParentForEquipement(ctx, parentID); errors.Is(err, pgx.ErrNoRows) {
		return errParentNotFound
	} else if err != nil {
		return fmt.Errorf("check parent: %w", err)
	}
	return nil
}

// checkParent refuses a parent that is missing, or that is the machine itself or one of its
// components (directly or not), which would close a cycle. The caller holds the hierarchy lock.
func checkParent(ctx context.Context, q *db.Queries, id, parentID int64) error {
	invalid := apperr.Validation(apperr.FieldError{Field: "parent_id",
		Message: "un équipement ne peut pas être rattaché à lui-même ni à l'un de ses composants"})
	if parentID == id {
		return invalid
	}
	if err := checkParentExists(ctx, q, parentID); err != nil {
		return err
	}
	cycle, err := q.WouldCreateCycle(ctx, db.WouldCreateCycleParams{Candidate: id, Parent: parentID})
	if err != nil {
		return fmt.Errorf("check hierarchy: %w", err)
	}
	if cycle {
		return invalid
	}
	return nil
}

// changedFields lists the API names of the fields that differ.
func changedFields(a, b db.Equipement) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("nom", a.Nom == b.Nom)
	add("type", a.TypeEquipement == b.TypeEquipement)
	add("localisation", a.Localisation == b.Localisation)
	add("numero_serie", equalPtr(a.NumeroSerie, b.NumeroSerie))
	add("code_interne", equalPtr(a.CodeInterne, b.CodeInterne))
	add("marque", equalPtr(a.Marque, b.Marque))
	add("modele", equalPtr(a.Modele, b.Modele))
	add("batiment", equalPtr(a.Batiment, b.Batiment))
	add("etage", equalPtr(a.Etage, b.Etage))
	add("zone", equalPtr(a.Zone, b.Zone))
	add("statut", a.Statut == b.Statut)
	add("criticite", a.Criticite == b.Criticite)
	add("description", equalPtr(a.Description, b.Description))
	add("frequence_entretien", equalPtr(a.FrequenceEntretien, b.FrequenceEntretien))
	add("date_acquisition", equalDate(a.DateAcquisition, b.DateAcquisition))
	add("date_mise_en_service", equalDate(a.DateMiseEnService, b.DateMiseEnService))
	add("date_fin_garantie", equalDate(a.DateFinGarantie, b.DateFinGarantie))
	add("cout_acquisition", equalPtr(a.CoutAcquisition, b.CoutAcquisition))
	add("client_id", equalPtr(a.ClientID, b.ClientID))
	add("contrat_id", equalPtr(a.ContratID, b.ContratID))
	add("parent_id", equalPtr(a.ParentID, b.ParentID))
	return out
}

// validator collects field errors.
type validator struct{ fields []apperr.FieldError }

func (v *validator) add(field, msg string) {
	v.fields = append(v.fields, apperr.FieldError{Field: field, Message: msg})
}

func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return apperr.Validation(v.fields...)
}

func (v *validator) required(field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		v.add(field, "ne doit pas être vide")
	}
	return s
}

func (v *validator) statut(s string) db.EquipementStatut {
	st := db.EquipementStatut(s)
	if !st.Valid() {
		v.add("statut", "statut inconnu")
	}
	return st
}

func (v *validator) criticite(s string) db.EquipementCriticite {
	c := db.EquipementCriticite(s)
	if !c.Valid() {
		v.add("criticite", "criticité inconnue")
	}
	return c
}

func (v *validator) frequence(s string) *int32 {
	d, ok := ParseFrequence(s)
	if !ok {
		v.add("frequence_entretien", fmt.Sprintf("nombre de jours (0 à %d) ou libellé : journalier, hebdomadaire, "+
			"bimensuel(le), mensuel(le), trimestriel(le), semestriel(le), annuel(le), aucune", MaxFrequenceJours))
	}
	return d
}

// checkRow checks the rules that involve the whole row.
func (v *validator) checkRow(r db.Equipement) {
	texts := []struct {
		field string
		value *string
	}{
		{"nom", &r.Nom}, {"type", &r.TypeEquipement}, {"localisation", &r.Localisation},
		{"numero_serie", r.NumeroSerie}, {"code_interne", r.CodeInterne}, {"marque", r.Marque},
		{"modele", r.Modele}, {"batiment", r.Batiment}, {"etage", r.Etage}, {"zone", r.Zone},
		{"description", r.Description},
	}
	for _, t := range texts {
		if t.value != nil && strings.ContainsRune(*t.value, 0) {
			v.add(t.field, nulMessage)
		}
	}
	if r.CoutAcquisition != nil && *r.CoutAcquisition < 0 {
		v.add("cout_acquisition", "doit être positif ou nul")
	}
	if r.DateAcquisition != nil && r.DateFinGarantie != nil && r.DateFinGarantie.Before(*r.DateAcquisition) {
		v.add("date_fin_garantie", "ne peut pas précéder la date d'acquisition")
	}
	if r.DateAcquisition != nil && r.DateMiseEnService != nil && r.DateMiseEnService.Before(*r.DateAcquisition) {
		v.add("date_mise_en_service", "ne peut pas précéder la date d'acquisition")
	}
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
