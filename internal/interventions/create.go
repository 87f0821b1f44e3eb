package interventions

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/arrets"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// CreateInput is a new intervention. Type and TypeIntervention are aliases (one is required).
type CreateInput struct {
	Titre            string
	Description      *string
	Type             *string
	TypeIntervention *string
	Priorite         *string // nil: normale
	Urgence          *bool
	Statut           *string // nil, ouverte or (with a technicien) affectee; a technicien always makes it affectee
	DateLimite       *time.Time
	EquipementID     int64
	TechnicienID     *int64
	ContratID        *int64
	CoutEstime       *int64 // cents
	// EquipementEnPanne (corrective only): the machine is down; it goes to panne and a downtime
	// record linked to the intervention opens (internal/arrets).
	EquipementEnPanne bool
	ChecklistID       *int64 // a template the intervention gets its own copy of
}

// createPlan is a validated CreateInput.
type createPlan struct {
	titre       string
	description *string
	typ         db.InterventionType
	priorite    db.InterventionPriorite
	urgence     bool
}

func checkCreate(c caller, in CreateInput, now time.Time) (createPlan, error) {
	var fields []apperr.FieldError
	p := createPlan{titre: strings.TrimSpace(in.Titre), description: text.Optional(in.Description),
		priorite: db.InterventionPrioriteNormale}
	if p.titre == "" {
		fields = append(fields, apperr.FieldError{Field: "titre", Message: "ne doit pas être vide"})
	}
	fields = text.CheckOptional(fields, "titre", &p.titre, maxTitre)
	fields = text.CheckOptional(fields, "description", p.description, maxDescription)

	switch {
	case in.Type == nil && in.TypeIntervention == nil:
		fields = append(fields, apperr.FieldError{Field: "type", Message: "requis (ou son alias type_intervention)"})
	case in.Type != nil && in.TypeIntervention != nil && *in.Type != *in.TypeIntervention:
		fields = append(fields, apperr.FieldError{Field: "type", Message: "type et type_intervention diffèrent"})
	default:
		t := in.Type
		if t == nil {
			t = in.TypeIntervention
		}
		p.typ = db.InterventionType(*t)
		if !p.typ.Valid() {
			fields = append(fields, apperr.FieldError{Field: "type", Message: "type inconnu"})
		}
	}
	if in.Priorite != nil {
		p.priorite = db.InterventionPriorite(*in.Priorite)
		if !p.priorite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "priorite", Message: "priorité inconnue"})
		}
	}
	if in.Urgence != nil {
		p.urgence = *in.Urgence
	}
	if in.CoutEstime != nil && *in.CoutEstime < 0 {
		fields = append(fields, apperr.FieldError{Field: "cout_estime", Message: "doit être positif ou nul"})
	}
	if in.Statut != nil {
		switch Statut(*in.Statut) {
		case Ouverte:
		case Affectee:
			if in.TechnicienID == nil {
				fields = append(fields, apperr.FieldError{Field: "statut", Message: "affectee exige un technicien_id"})
			}
		default:
			fields = append(fields, apperr.FieldError{Field: "statut",
				Message: "une intervention est créée ouverte (ou affectee avec un technicien) ; le statut change ensuite par les actions"})
		}
	}
	if in.EquipementEnPanne && p.typ != db.InterventionTypeCorrective {
		fields = append(fields, apperr.FieldError{Field: "equipement_en_panne", Message: "seule une intervention corrective signale une panne"})
	}
	if in.EquipementID < 1 {
		fields = append(fields, apperr.FieldError{Field: "equipement_id", Message: "requis"})
	}
	if in.DateLimite != nil && !in.DateLimite.After(now) {
		fields = append(fields, apperr.FieldError{Field: "date_limite", Message: "l'échéance doit être dans le futur"})
	}
	if c.Role == string(db.UserRoleClient) {
		// A client submits a request: open, unassigned, at most haute, due by its contract's
		// response time (a deadline of its own would make it overdue at will).
		if in.DateLimite != nil {
			fields = append(fields, apperr.FieldError{Field: "date_limite",
				Message: "un client ne fixe pas l'échéance : elle découle du délai de réponse de son contrat"})
		}
		if in.TechnicienID != nil {
			fields = append(fields, apperr.FieldError{Field: "technicien_id", Message: "un client ne peut pas affecter de technicien"})
		}
		if p.priorite == db.InterventionPrioriteUrgente {
			fields = append(fields, apperr.FieldError{Field: "priorite", Message: "un client demande au plus la priorité haute"})
		}
	}
	if len(fields) > 0 {
		return p, apperr.Validation(fields...)
	}
	return p, nil
}

// Create records a new intervention with its first history row. Admins and responsables create
// any; a client submits a request on its own company's equipment.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Intervention, error) {
	var out Intervention
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c := callerOf(actor)
		if !c.Manager() && !c.IsClient() {
			return apperr.Forbidden("Accès réservé aux rôles : admin, responsable, client")
		}
		plan, err := checkCreate(c, in, time.Now())
		if err != nil {
			return err
		}
		eq, err := c.Queries(tx).InterventionEquipementTarget(ctx, db.InterventionEquipementTargetParams{ID: in.EquipementID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errEquipementCibleNotFound
		}
		if err != nil {
			return fmt.Errorf("equipment %d: %w", in.EquipementID, err)
		}
		var tech *db.InterventionTechnicienTargetRow
		if in.TechnicienID != nil {
			t, err := q.InterventionTechnicienTarget(ctx, db.InterventionTechnicienTargetParams{ID: *in.TechnicienID})
			if errors.Is(err, pgx.ErrNoRows) {
				return errTechnicienCibleNotFound
			}
			if err != nil {
				return fmt.Errorf("technician %d: %w", *in.TechnicienID, err)
			}
			tech = &t
		}
		contrat, err := contractFor(ctx, q, eq.ClientID, in.ContratID, eq.ContratID)
		if err != nil {
			return err
		}
		params := db.InterventionInsertParams{
			Titre: plan.titre, Description: plan.description, TypeIntervention: plan.typ,
			Statut: db.InterventionStatutOuverte, Priorite: plan.priorite, Urgence: plan.urgence,
			EquipementID: eq.ID, ClientID: eq.ClientID, CreatedBy: &actor.UserID, DateLimite: in.DateLimite,
			CoutEstime: in.CoutEstime,
		}
		if tech != nil {
			params.TechnicienID = &tech.ID
			params.Statut = db.InterventionStatutAffectee
		}
		if contrat != nil {
			params.ContratID = &contrat.ID
			if params.HorsContrat, err = s.checkQuota(ctx, q, contrat); err != nil {
				return err
			}
		}
		if in.DateLimite == nil {
			params.SlaHeures = slaHours(plan.priorite, contrat)
		}
		ins, err := q.InterventionInsert(ctx, params)
		if err != nil {
			return platform.WriteError("create intervention", err, constraints)
		}
		row := Row(ins)
		remarque := "Création de l'intervention"
		if c.Role == string(db.UserRoleClient) {
			remarque = "Demande d'intervention du client"
		}
		if tech != nil {
			remarque += " et affectation à " + tech.FullName
		}
		if err := history(ctx, q, row.ID, "create", nil, Statut(row.Statut), &remarque, actor.UserID); err != nil {
			return err
		}
		if in.ChecklistID != nil {
			if err := copyChecklist(ctx, q, row.ID, *in.ChecklistID, "checklist_id"); err != nil {
				return err
			}
		}
		if in.EquipementEnPanne {
			if err := arrets.Breakdown(ctx, tx, eq.ID, row.ID, &actor.UserID, row.DateCreation); err != nil {
				return err
			}
		}
		sub := notifications.Subject{InterventionID: row.ID, Titre: row.Titre, DateLimite: row.DateLimite, Zone: s.zone}
		if tech != nil {
			if err := notifications.Assigned(ctx, tx, sub, tech.ID, &actor.UserID); err != nil {
				return err
			}
		}
		if c.Role == string(db.UserRoleClient) {
			if err := notifications.ClientRequest(ctx, tx, sub, &actor.UserID); err != nil {
				return err
			}
		}
		out = c.view(row)
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention.created", ResourceType: "intervention", ResourceID: strconv.FormatInt(row.ID, 10),
			Details: map[string]any{"equipement_id": row.EquipementID, "statut": row.Statut, "priorite": row.Priorite,
				"technicien_id": row.TechnicienID, "contrat_id": row.ContratID}})
	})
	if err != nil {
		return Intervention{}, fmt.Errorf("create intervention: %w", err)
	}
	return out, nil
}

// contractFor returns the contract of a new or edited intervention: the one given, which must
// belong to the intervention's client, else the equipment's (nil when neither).
func contractFor(ctx context.Context, q *db.Queries, clientID, given, fromEquipment *int64) (*db.InterventionContratTargetRow, error) {
	id := given
	if id == nil {
		id = fromEquipment
	}
	if id == nil {
		return nil, nil
	}
	k, err := q.InterventionContratTarget(ctx, *id)
	if errors.Is(err, pgx.ErrNoRows) {
		if given == nil {
			return nil, nil // the equipment's contract vanished: no contract
		}
		return nil, apperr.InvalidField("contrat_id", "contrat introuvable")
	}
	if err != nil {
		return nil, fmt.Errorf("contract %d: %w", *id, err)
	}
	if given != nil && (clientID == nil || *clientID != k.ClientID) {
		return nil, apperr.InvalidField("contrat_id", "le contrat doit appartenir au client de l'équipement")
	}
	return &k, nil
}

// Quota modes (CONTRAT_QUOTA_MODE): what a request beyond its contract's quota gets.
const (
	QuotaSignaler = "signaler" // accepted, flagged hors_contrat
	QuotaRefuser  = "refuser"  // refused with 409
)

// checkQuota tells whether one more intervention goes beyond its contract's quota: flagged
// hors_contrat, or refused in refuser mode. While slots are left it locks the contract, so that
// concurrent requests take the last ones one at a time. A contract already at its quota is not
// locked: only a cancellation frees a slot, and deciding before that cancellation commits is a
// valid order of the two.
func (s *Service) checkQuota(ctx context.Context, q *db.Queries, k *db.InterventionContratTargetRow) (bool, error) {
	if k.NbInterventionsIncluses == nil {
		return false, nil
	}
	quota := *k.NbInterventionsIncluses
	used, err := quotaUsed(ctx, q, k.ID, quota)
	if err != nil {
		return false, err
	}
	if used < quota {
		locked, err := q.ContratQuotaLock(ctx, k.ID)
		if err != nil {
			return false, fmt.Errorf("contract quota %d: %w", k.ID, err)
		}
		if locked == nil {
			return false, nil
		}
		// Counted again once the lock is held: what the requests before us committed.
		quota = *locked
		if used, err = quotaUsed(ctx, q, k.ID, quota); err != nil {
			return false, err
		}
		if used < quota {
			return false, nil
		}
	}
	if s.quotaMode == QuotaRefuser {
		if used, err = quotaUsed(ctx, q, k.ID, math.MaxInt32); err != nil {
			return false, err
		}
		return false, &apperr.Error{Kind: apperr.KindConflict,
			Message: fmt.Sprintf("Quota du contrat atteint : %d intervention(s) incluse(s), %d utilisée(s)", quota, used),
			Fields:  []apperr.FieldError{{Field: "contrat_id", Message: "quota d'interventions atteint"}}}
	}
	return true, nil
}

// quotaUsed is the number of interventions a contract's quota counts, up to lim.
func quotaUsed(ctx context.Context, q *db.Queries, contratID int64, lim int32) (int32, error) {
	used, err := q.ContratInterventionsCounted(ctx, db.ContratInterventionsCountedParams{ContratID: &contratID, Lim: max(lim, 0)})
	if err != nil {
		return 0, fmt.Errorf("contract %d interventions: %w", contratID, err)
	}
	return used, nil
}
