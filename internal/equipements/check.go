package equipements

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
)

// nulMessage refuses text PostgreSQL cannot store.
const nulMessage = "ne doit pas contenir le caractère NUL"

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
