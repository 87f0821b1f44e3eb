package checklists

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Item is an item of an intervention's checklist with its answer.
type Item = db.InterventionsChecklist

// OfIntervention is the checklist of an intervention.
type OfIntervention struct {
	InterventionID        int64
	ChecklistID           *int64
	OrigineInterventionID *int64
	Items                 []Item
}

// Remaining counts the required items still unanswered.
func (c OfIntervention) Remaining() int {
	n := 0
	for _, it := range c.Items {
		if it.Obligatoire && it.RempliLe == nil {
			n++
		}
	}
	return n
}

// Reponse is an answer to an item: the field of the item's type (the others nil).
type Reponse struct {
	Coche       *bool
	Reponse     *string
	Mesure      *float64
	Texte       *string
	DocumentID  *int64
	Commentaire *string
}

var errItemNotFound = apperr.NotFound("Élément de checklist introuvable")

// Of reads the checklist of an intervention the caller may read.
func (s *Service) Of(ctx context.Context, actor auth.Principal, interventionID int64) (OfIntervention, error) {
	if err := interventions.CheckReadable(ctx, s.pool, actor, interventionID); err != nil {
		return OfIntervention{}, err
	}
	q := db.New(s.pool)
	head, err := q.InterventionChecklistHead(ctx, interventionID)
	if err != nil {
		return OfIntervention{}, fmt.Errorf("intervention %d: %w", interventionID, err)
	}
	items, err := q.InterventionChecklistItems(ctx, interventionID)
	if err != nil {
		return OfIntervention{}, fmt.Errorf("checklist of %d: %w", interventionID, err)
	}
	return OfIntervention{InterventionID: interventionID, ChecklistID: head.ChecklistID,
		OrigineInterventionID: head.OrigineInterventionID, Items: items}, nil
}

// Answer records the answer to an item of an open intervention's checklist: its technicien or a
// manager. An out-of-bounds answer on an item with suivi_si_ecart opens, once, a follow-up
// corrective intervention on the same machine.
func (s *Service) Answer(ctx context.Context, actor auth.Principal, interventionID, itemID int64, in Reponse) (Item, error) {
	if !access.For(actor).ReadsAllEquipment() {
		return Item{}, access.ErrStaffOnly
	}
	var out Item
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		iv, err := interventions.LockOpen(ctx, tx, actor, interventionID)
		if err != nil {
			return err
		}
		q := db.New(tx)
		it, err := q.InterventionChecklistItem(ctx, db.InterventionChecklistItemParams{ID: itemID, InterventionID: interventionID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errItemNotFound
		}
		if err != nil {
			return fmt.Errorf("item %d: %w", itemID, err)
		}
		p, err := checkAnswer(it, in)
		if err != nil {
			return err
		}
		if p.DocumentID != nil {
			ok, err := q.DocumentOfIntervention(ctx, db.DocumentOfInterventionParams{ID: *p.DocumentID, InterventionID: interventionID})
			if err != nil {
				return fmt.Errorf("document: %w", err)
			}
			if !ok {
				return apperr.InvalidField("document_id", "aucun document de cet identifiant sur cette intervention")
			}
		}
		p.ID, p.RempliPar = itemID, &actor.UserID
		out, err = q.AnswerChecklistItem(ctx, p)
		if err != nil {
			return platform.WriteError("answer checklist item", err, nil)
		}
		if out.Ecart && out.SuiviSiEcart && out.SuiviInterventionID == nil {
			suivi, err := interventions.CreateFollowUp(ctx, tx, actor, iv, "Suite contrôle : "+out.Libelle, followUpText(iv, out), s.zone)
			if err != nil {
				return err
			}
			if err := q.SetChecklistSuivi(ctx, db.SetChecklistSuiviParams{ID: itemID, SuiviID: &suivi}); err != nil {
				return fmt.Errorf("link follow-up: %w", err)
			}
			out.SuiviInterventionID = &suivi
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "checklist.reponse",
			ResourceType: "intervention", ResourceID: strconv.FormatInt(interventionID, 10),
			Details: map[string]any{"item_id": itemID, "ordre": out.Ordre, "ecart": out.Ecart, "suivi_intervention_id": out.SuiviInterventionID}})
	})
	if err != nil {
		return Item{}, fmt.Errorf("answer item %d of intervention %d: %w", itemID, interventionID, err)
	}
	return out, nil
}

// checkAnswer checks an answer against the item's type and says whether it is out of bounds.
func checkAnswer(it Item, in Reponse) (db.AnswerChecklistItemParams, error) {
	p := db.AnswerChecklistItemParams{Commentaire: text.Optional(in.Commentaire)}
	var fields apperr.Fields
	fields = text.CheckOptional(fields, "commentaire", p.Commentaire, maxDescription)
	given := map[string]bool{"coche": in.Coche != nil, "reponse": in.Reponse != nil, "mesure": in.Mesure != nil,
		"texte": in.Texte != nil, "document_id": in.DocumentID != nil}
	want := map[db.TypeItemChecklist]string{db.TypeItemChecklistCase: "coche", db.TypeItemChecklistOuiNon: "reponse",
		db.TypeItemChecklistMesure: "mesure", db.TypeItemChecklistTexte: "texte", db.TypeItemChecklistPhoto: "document_id"}[it.TypeItem]
	for _, f := range []string{"coche", "reponse", "mesure", "texte", "document_id"} {
		if given[f] && f != want {
			fields.Add(f, "l'élément « "+it.Libelle+" » ("+string(it.TypeItem)+") se renseigne par "+want)
		}
	}
	if !given[want] {
		fields.Add(want, "requis pour un élément "+string(it.TypeItem))
	}
	switch it.TypeItem {
	case db.TypeItemChecklistCase:
		p.Coche = in.Coche
	case db.TypeItemChecklistOuiNon:
		if in.Reponse != nil && *in.Reponse != "oui" && *in.Reponse != "non" {
			fields.Add("reponse", "oui ou non")
		}
		p.Reponse = in.Reponse
		p.Ecart = in.Reponse != nil && *in.Reponse == "non"
	case db.TypeItemChecklistMesure:
		if v := in.Mesure; v != nil {
			if *v != *v || *v < -maxValeur || *v > maxValeur {
				fields.Addf("mesure", "un nombre entre -%g et %g", maxValeur, maxValeur)
			}
			p.Ecart = (it.Mini != nil && *v < *it.Mini) || (it.Maxi != nil && *v > *it.Maxi)
		}
		p.Mesure = in.Mesure
	case db.TypeItemChecklistTexte:
		p.Texte = text.Optional(in.Texte)
		if in.Texte != nil && p.Texte == nil {
			fields.Add("texte", "ne doit pas être vide")
		}
		fields = text.CheckOptional(fields, "texte", p.Texte, maxDescription)
	case db.TypeItemChecklistPhoto:
		p.DocumentID = in.DocumentID
	}
	return p, fields.Err()
}

// followUpText is the description of a follow-up intervention: where the deviation was found.
func followUpText(iv interventions.Row, it Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Écart relevé par la checklist de l'intervention #%d (%s), élément %d « %s » : ", iv.ID, iv.Titre, it.Ordre, it.Libelle)
	switch {
	case it.Reponse != nil:
		b.WriteString(*it.Reponse)
	case it.Mesure != nil:
		b.WriteString(strconv.FormatFloat(*it.Mesure, 'f', -1, 64))
		if it.Unite != nil {
			b.WriteString(" " + *it.Unite)
		}
		lo, hi := "-", "-"
		if it.Mini != nil {
			lo = strconv.FormatFloat(*it.Mini, 'f', -1, 64)
		}
		if it.Maxi != nil {
			hi = strconv.FormatFloat(*it.Maxi, 'f', -1, 64)
		}
		fmt.Fprintf(&b, " (attendu entre %s et %s)", lo, hi)
	}
	b.WriteString(".")
	if it.Commentaire != nil {
		b.WriteString("\nCommentaire : " + *it.Commentaire)
	}
	return b.String()
}
