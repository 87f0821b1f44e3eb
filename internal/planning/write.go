package planning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mif-erp/erp/internal/text"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

// Modele shapes the generated interventions. In an update an absent field keeps its value, a
// null one clears it; in a creation both mean none.
type Modele struct {
	Titre         patch.Field[string]
	Description   patch.Field[string]
	Priorite      *string
	DureeMinutes  patch.Field[int]
	TechnicienID  patch.Field[int64]
	ChecklistID   patch.Field[int64]
	Equipe        patch.Field[string]
	CompetenceIDs *[]int64 // nil keeps; empty clears
}

// state is the mutable part of a plan, as PlanningSave writes it.
type state struct {
	db.PlanningSaveParams
	competences []int64
}

func stateOf(r Row) state {
	return state{PlanningSaveParams: db.PlanningSaveParams{
		ID: r.ID, Frequence: r.Frequence, Intervalle: r.Intervalle, Base: r.Base, Statut: r.Statut,
		DateReference: r.DateReference, ProchaineDate: r.ProchaineDate, DerniereDate: r.DerniereDate,
		Commentaire: r.Commentaire, ModeleTitre: r.ModeleTitre, ModeleDescription: r.ModeleDescription,
		ModelePriorite: r.ModelePriorite, ModeleDureeMinutes: r.ModeleDureeMinutes,
		ModeleTechnicienID: r.ModeleTechnicienID, ModeleEquipe: r.ModeleEquipe, ModeleChecklistID: r.ModeleChecklistID,
		OccurrencesManquees: r.OccurrencesManquees,
	}, competences: r.ModeleCompetenceIds}
}

func (st state) recurrence() Recurrence {
	return NewRecurrence(st.DateReference, st.Frequence, int(st.Intervalle))
}

// applyModele checks m and applies it to st, appending the invalid fields.
func applyModele(fields []apperr.FieldError, st *state, m *Modele) []apperr.FieldError {
	if m == nil {
		return fields
	}
	text := func(f patch.Field[string], name string, maxLen int, cur **string) {
		if !f.Set {
			return
		}
		v := text.Optional(f.Value)
		fields = text.CheckOptional(fields, "modele."+name, v, maxLen)
		*cur = v
	}
	text(m.Titre, "titre", maxTitre, &st.ModeleTitre)
	text(m.Description, "description", maxDescription, &st.ModeleDescription)
	text(m.Equipe, "equipe", maxEquipe, &st.ModeleEquipe)
	if m.Priorite != nil {
		p := db.InterventionPriorite(*m.Priorite)
		if !p.Valid() {
			fields = append(fields, apperr.FieldError{Field: "modele.priorite", Message: "priorité inconnue"})
		}
		st.ModelePriorite = db.NullInterventionPriorite{InterventionPriorite: p, Valid: true}
	}
	if m.DureeMinutes.Set {
		st.ModeleDureeMinutes = nil
		if v := m.DureeMinutes.Value; v != nil {
			if *v < 1 || *v > maxDureeMinutes {
				fields = append(fields, apperr.FieldError{Field: "modele.duree_estimee_minutes",
					Message: fmt.Sprintf("entre 1 et %d", maxDureeMinutes)})
			} else {
				st.ModeleDureeMinutes = ptr(int32(*v))
			}
		}
	}
	if m.TechnicienID.Set {
		st.ModeleTechnicienID = m.TechnicienID.Value
		if v := m.TechnicienID.Value; v != nil && *v < 1 {
			fields = append(fields, apperr.FieldError{Field: "modele.technicien_id", Message: "identifiant invalide"})
		}
	}
	if m.ChecklistID.Set {
		st.ModeleChecklistID = m.ChecklistID.Value
		if v := m.ChecklistID.Value; v != nil && *v < 1 {
			fields = append(fields, apperr.FieldError{Field: "modele.checklist_id", Message: "identifiant invalide"})
		}
	}
	if m.CompetenceIDs != nil {
		ids := slices.Clone(*m.CompetenceIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > maxCompetences {
			fields = append(fields, apperr.FieldError{Field: "modele.competence_ids", Message: fmt.Sprintf("%d au plus", maxCompetences)})
		}
		if len(ids) > 0 && ids[0] < 1 {
			fields = append(fields, apperr.FieldError{Field: "modele.competence_ids", Message: "identifiant invalide"})
		}
		st.competences = ids
	}
	return fields
}

// checkReferences answers 404 when the modele names a technician or competences that do not
// exist (the competences are locked against deletion until the transaction ends).
func checkReferences(ctx context.Context, q *db.Queries, st state, before Row) error {
	if t := st.ModeleTechnicienID; t != nil && (before.ModeleTechnicienID == nil || *before.ModeleTechnicienID != *t) {
		ok, err := q.InterventionTechnicienExists(ctx, *t)
		if err != nil {
			return fmt.Errorf("technician %d: %w", *t, err)
		}
		if !ok {
			return errTechnicienNotFound
		}
	}
	if c := st.ModeleChecklistID; c != nil && (before.ModeleChecklistID == nil || *before.ModeleChecklistID != *c) {
		if _, err := q.GetChecklist(ctx, *c); errors.Is(err, pgx.ErrNoRows) {
			return apperr.InvalidField("modele.checklist_id", "aucune checklist de cet identifiant")
		} else if err != nil {
			return fmt.Errorf("checklist %d: %w", *c, err)
		}
	}
	if len(st.competences) > 0 {
		found, err := q.PlanningCompetencesFound(ctx, st.competences)
		if err != nil {
			return fmt.Errorf("competences: %w", err)
		}
		for _, id := range st.competences {
			if !slices.Contains(found, id) {
				return apperr.NotFound("Compétence introuvable : %d", id)
			}
		}
	}
	return nil
}

func parseBase(fields []apperr.FieldError, s *string, cur db.PlanningBase) (db.PlanningBase, []apperr.FieldError) {
	if s == nil {
		return cur, fields
	}
	b := db.PlanningBase(*s)
	if !b.Valid() {
		return cur, append(fields, apperr.FieldError{Field: "base", Message: "fixed, completion ou compteur"})
	}
	return b, fields
}

func parseIntervalle(fields []apperr.FieldError, v *int, cur int32) (int32, []apperr.FieldError) {
	if v == nil {
		return cur, fields
	}
	if *v < 1 || *v > maxIntervalle {
		return cur, append(fields, apperr.FieldError{Field: "intervalle", Message: fmt.Sprintf("entre 1 et %d", maxIntervalle)})
	}
	return int32(*v), fields
}

func frequenceError() apperr.FieldError {
	return apperr.FieldError{Field: "frequence",
		Message: "Fréquence invalide : journalier, hebdomadaire, mensuel, trimestriel, semestriel ou annuel (forme féminine acceptée)"}
}

// change locks plan id, lets fn change its state (fn may refuse), saves it and audits action
// with the details fn returns. Admins and responsables.
func (s *Service) change(ctx context.Context, actor auth.Principal, id int64, action string,
	fn func(q *db.Queries, r Row, st *state, today time.Time) (map[string]any, error)) (Plan, error) {
	if !access.For(actor).Manager() {
		return Plan{}, access.ErrManagersOnly
	}
	today := s.today()
	var out Plan
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		r, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		st := stateOf(r)
		details, err := fn(q, r, &st, today)
		if err != nil {
			return err
		}
		if err := save(ctx, q, st, r); err != nil {
			return err
		}
		r, err = get(ctx, tx, access.For(actor), id)
		if err != nil {
			return err
		}
		plans := []Plan{view(r, today)}
		if err := withTriggers(ctx, tx, plans); err != nil {
			return err
		}
		out = plans[0]
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: action, ResourceType: "planning", ResourceID: strconv.FormatInt(id, 10), Details: details})
	})
	if err != nil {
		return Plan{}, fmt.Errorf("%s: %w", action, err)
	}
	return out, nil
}

// lock locks plan id and then reads it, in a statement of its own so that it sees what the
// previous holder of the lock committed (in READ COMMITTED a locking read would keep its own
// snapshot for the computed columns).
func lock(ctx context.Context, tx db.DBTX, id int64) (Row, error) {
	_, err := db.New(tx).PlanningLock(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Row{}, errNotFound
	}
	if err != nil {
		return Row{}, fmt.Errorf("lock plan %d: %w", id, err)
	}
	return get(ctx, tx, access.System(), id)
}

// save writes st (and the competences when they changed).
func save(ctx context.Context, q *db.Queries, st state, before Row) error {
	if err := q.PlanningSave(ctx, st.PlanningSaveParams); err != nil {
		return platform.WriteError(fmt.Sprintf("save plan %d", st.ID), err, constraints)
	}
	if slices.Equal(st.competences, before.ModeleCompetenceIds) {
		return nil
	}
	if err := q.PlanningCompetencesClear(ctx, st.ID); err != nil {
		return fmt.Errorf("plan competences: %w", err)
	}
	if len(st.competences) > 0 {
		if err := q.PlanningCompetencesAdd(ctx, db.PlanningCompetencesAddParams{PlanningID: st.ID, CompetenceIds: st.competences}); err != nil {
			return platform.WriteError("plan competences", err, constraints)
		}
	}
	return nil
}

var errTerminated = apperr.Conflict("Le planning est terminé : il ne peut plus être modifié")

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"plannings_equipement_id_fkey":            errEquipementNotFound,
	"plannings_modele_technicien_id_fkey":     errTechnicienNotFound,
	"plannings_modele_checklist_id_fkey":      apperr.InvalidField("modele.checklist_id", "aucune checklist de cet identifiant"),
	"planning_competences_competence_id_fkey": apperr.NotFound("Compétence introuvable"),
	"planning_competences_planning_id_fkey":   errNotFound,
}
