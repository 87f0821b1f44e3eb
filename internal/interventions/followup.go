package interventions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
)

// CreateFollowUp opens, in tx, a corrective intervention on the machine of origin (a checklist
// answer out of bounds): priority haute, client and contract from the machine, deadline from the
// contract's response time, linked to origin, with its history row, the responsables told and
// an audit entry; the texts read the deadline in zone (APP_TIMEZONE). It returns its id.
func CreateFollowUp(ctx context.Context, tx pgx.Tx, actor auth.Principal, origin Row, titre, description string, zone *time.Location) (int64, error) {
	q := db.New(tx)
	eq, err := access.System().Queries(tx).InterventionEquipementTarget(ctx, db.InterventionEquipementTargetParams{ID: origin.EquipementID})
	if err != nil {
		return 0, fmt.Errorf("machine %d: %w", origin.EquipementID, err)
	}
	contrat, err := contractFor(ctx, q, eq.ClientID, nil, eq.ContratID)
	if err != nil {
		return 0, err
	}
	if r := []rune(titre); len(r) > maxTitre {
		titre = string(r[:maxTitre])
	}
	params := db.InterventionInsertParams{Titre: titre, Description: &description,
		TypeIntervention: db.InterventionTypeCorrective, Statut: db.InterventionStatutOuverte,
		Priorite: db.InterventionPrioriteHaute, EquipementID: eq.ID, ClientID: eq.ClientID, CreatedBy: &actor.UserID}
	if contrat != nil {
		params.ContratID = &contrat.ID
	}
	params.SlaHeures = slaHours(params.Priorite, contrat)
	ins, err := q.InterventionInsert(ctx, params)
	if err != nil {
		return 0, platform.WriteError("create follow-up intervention", err, constraints)
	}
	row := Row(ins)
	if err := q.SetInterventionOrigine(ctx, db.SetInterventionOrigineParams{ID: row.ID, OrigineID: &origin.ID}); err != nil {
		return 0, fmt.Errorf("link follow-up: %w", err)
	}
	remarque := "Suivi de l'intervention #" + strconv.FormatInt(origin.ID, 10) + " (écart de checklist)"
	if err := history(ctx, q, row.ID, "create", nil, Statut(row.Statut), &remarque, actor.UserID); err != nil {
		return 0, err
	}
	sub := notifications.Subject{InterventionID: row.ID, Titre: row.Titre, DateLimite: row.DateLimite, Zone: zone}
	if err := notifications.FollowUp(ctx, tx, sub, origin.ID, &actor.UserID); err != nil {
		return 0, err
	}
	return row.ID, audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
		Action: "intervention.created", ResourceType: "intervention", ResourceID: strconv.FormatInt(row.ID, 10),
		Details: map[string]any{"equipement_id": row.EquipementID, "origine_intervention_id": origin.ID, "suivi_checklist": true}})
}

// copyChecklist gives intervention id its own copy of template checklistID (422 naming field
// when there is no such template).
func copyChecklist(ctx context.Context, q *db.Queries, id, checklistID int64, field string) error {
	if _, err := q.GetChecklist(ctx, checklistID); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.InvalidField(field, "aucune checklist de cet identifiant")
		}
		return fmt.Errorf("checklist %d: %w", checklistID, err)
	}
	if _, err := q.CopyChecklistToIntervention(ctx, db.CopyChecklistToInterventionParams{InterventionID: id, ChecklistID: checklistID}); err != nil {
		return fmt.Errorf("copy checklist %d: %w", checklistID, err)
	}
	return nil
}

// checkChecklistDone refuses (409) to close an intervention whose required checklist items are
// not all answered, listing them.
func checkChecklistDone(ctx context.Context, q *db.Queries, id int64) error {
	open, err := q.ChecklistRequiredOpen(ctx, id)
	if err != nil {
		return fmt.Errorf("checklist of %d: %w", id, err)
	}
	if len(open) == 0 {
		return nil
	}
	e := &apperr.Error{Kind: apperr.KindConflict,
		Message: fmt.Sprintf("Checklist incomplète : %d élément(s) obligatoire(s) sans réponse", len(open))}
	for _, it := range open {
		e.Fields = append(e.Fields, apperr.FieldError{Field: "checklist.items." + strconv.Itoa(int(it.Ordre)),
			Message: it.Libelle + " : obligatoire"})
	}
	return e
}
