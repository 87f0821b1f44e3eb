package planning

import (
	"context"
	"errors"
	"fmt"
	"github.com/mif-erp/erp/internal/text"
	"slices"
	"strconv"
	"strings"
	"time"

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
	Equipe        patch.Field[string]
	CompetenceIDs *[]int64 // nil keeps; empty clears
}

// CreateInput is a new plan.
type CreateInput struct {
	EquipementID  int64
	Frequence     string // masculine or feminine label
	Intervalle    *int   // default 1
	Base          *string
	ProchaineDate *time.Time // default derniere_date + one period, else today + one period
	DerniereDate  *time.Time
	Commentaire   *string
	Modele        *Modele
}

// UpdateInput is a partial update of a plan.
type UpdateInput struct {
	Frequence     *string
	Intervalle    *int
	Base          *string
	ProchaineDate *time.Time
	Commentaire   patch.Field[string]
	Modele        *Modele
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
		ModeleTechnicienID: r.ModeleTechnicienID, ModeleEquipe: r.ModeleEquipe,
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
		return cur, append(fields, apperr.FieldError{Field: "base", Message: "fixed ou completion"})
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

// Create adds an active plan. Admins and responsables.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Plan, error) {
	if !access.For(actor).Manager() {
		return Plan{}, errManagersOnly
	}
	var fields []apperr.FieldError
	st := state{PlanningSaveParams: db.PlanningSaveParams{Intervalle: 1, Base: db.PlanningBaseFixed, Statut: db.PlanningStatutActif}}
	if f, ok := ParseFrequence(in.Frequence); ok {
		st.Frequence = f
	} else {
		fields = append(fields, frequenceError())
	}
	if in.EquipementID < 1 {
		fields = append(fields, apperr.FieldError{Field: "equipement_id", Message: "requis"})
	}
	st.Intervalle, fields = parseIntervalle(fields, in.Intervalle, st.Intervalle)
	st.Base, fields = parseBase(fields, in.Base, st.Base)
	fields = checkDate(fields, "prochaine_date", in.ProchaineDate)
	fields = checkDate(fields, "derniere_date", in.DerniereDate)
	st.Commentaire = text.Optional(in.Commentaire)
	fields = text.CheckOptional(fields, "commentaire", st.Commentaire, maxCommentaire)
	fields = applyModele(fields, &st, in.Modele)
	if len(fields) > 0 {
		return Plan{}, apperr.Validation(fields...)
	}
	today := s.today()
	if in.DerniereDate != nil {
		st.DerniereDate = datePtr(dateOf(*in.DerniereDate))
	}
	switch {
	case in.ProchaineDate != nil:
		st.DateReference = dateOf(*in.ProchaineDate)
		st.ProchaineDate = datePtr(st.DateReference)
	case st.DerniereDate != nil:
		// Anchored on the last date, so a plan last done on 31 January keeps the 31st.
		st.DateReference = *st.DerniereDate
		st.ProchaineDate = datePtr(st.recurrence().At(1))
	default:
		st.DateReference = today
		st.ProchaineDate = datePtr(st.recurrence().At(1))
	}
	var out Plan
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if _, err := access.For(actor).Queries(tx).PlanningEquipement(ctx, db.PlanningEquipementParams{ID: in.EquipementID}); errors.Is(err, pgx.ErrNoRows) {
			return errEquipementNotFound
		} else if err != nil {
			return fmt.Errorf("equipment %d: %w", in.EquipementID, err)
		}
		if err := checkReferences(ctx, q, st, Row{}); err != nil {
			return err
		}
		id, err := q.PlanningInsert(ctx, db.PlanningInsertParams{
			EquipementID: in.EquipementID, Frequence: st.Frequence, Intervalle: st.Intervalle, Base: st.Base,
			DateReference: st.DateReference, ProchaineDate: st.ProchaineDate, DerniereDate: st.DerniereDate,
			Commentaire: st.Commentaire, ModeleTitre: st.ModeleTitre, ModeleDescription: st.ModeleDescription,
			ModelePriorite: st.ModelePriorite, ModeleDureeMinutes: st.ModeleDureeMinutes,
			ModeleTechnicienID: st.ModeleTechnicienID, ModeleEquipe: st.ModeleEquipe,
		})
		if err != nil {
			return platform.WriteError("create plan", err, constraints)
		}
		if len(st.competences) > 0 {
			if err := q.PlanningCompetencesAdd(ctx, db.PlanningCompetencesAddParams{PlanningID: id, CompetenceIds: st.competences}); err != nil {
				return platform.WriteError("plan competences", err, constraints)
			}
		}
		r, err := get(ctx, tx, access.For(actor), id)
		if err != nil {
			return err
		}
		out = view(r, today)
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "planning.created", ResourceType: "planning", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"equipement_id": in.EquipementID, "frequence": st.Frequence,
				"intervalle": st.Intervalle, "base": st.Base, "prochaine_date": dateText(*st.ProchaineDate)}})
	})
	if err != nil {
		return Plan{}, fmt.Errorf("create plan: %w", err)
	}
	return out, nil
}

// change locks plan id, lets fn change its state (fn may refuse), saves it and audits action
// with the details fn returns. Admins and responsables.
func (s *Service) change(ctx context.Context, actor auth.Principal, id int64, action string,
	fn func(q *db.Queries, r Row, st *state, today time.Time) (map[string]any, error)) (Plan, error) {
	if !access.For(actor).Manager() {
		return Plan{}, errManagersOnly
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
		out = view(r, today)
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

// Update changes a plan (absent fields keep their value). A new frequency or interval restarts
// the calendar from the next date; a new next date restarts it from that day.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput) (Plan, error) {
	return s.change(ctx, actor, id, "planning.updated", func(q *db.Queries, r Row, st *state, today time.Time) (map[string]any, error) {
		var fields []apperr.FieldError
		if in.Frequence != nil {
			if f, ok := ParseFrequence(*in.Frequence); ok {
				st.Frequence = f
			} else {
				fields = append(fields, frequenceError())
			}
		}
		st.Intervalle, fields = parseIntervalle(fields, in.Intervalle, st.Intervalle)
		st.Base, fields = parseBase(fields, in.Base, st.Base)
		fields = checkDate(fields, "prochaine_date", in.ProchaineDate)
		if in.Commentaire.Set {
			st.Commentaire = text.Optional(in.Commentaire.Value)
			fields = text.CheckOptional(fields, "commentaire", st.Commentaire, maxCommentaire)
		}
		fields = applyModele(fields, st, in.Modele)
		if len(fields) > 0 {
			return nil, apperr.Validation(fields...)
		}
		if r.Statut == db.PlanningStatutTermine {
			return nil, errTerminated
		}
		if err := checkReferences(ctx, q, *st, r); err != nil {
			return nil, err
		}
		switch {
		case in.ProchaineDate != nil:
			st.DateReference = dateOf(*in.ProchaineDate)
			st.ProchaineDate = datePtr(st.DateReference)
		case st.ProchaineDate == nil && st.Base == db.PlanningBaseFixed:
			// A completion-based plan waiting for its closing becomes fixed: its next date is
			// the first occurrence of its calendar after the last one generated and today.
			after := today
			if st.DerniereDate != nil && st.DerniereDate.After(after) {
				after = dateOf(*st.DerniereDate)
			}
			st.ProchaineDate = datePtr(st.recurrence().After(after))
			st.DateReference = *st.ProchaineDate
		case st.Frequence != r.Frequence || st.Intervalle != r.Intervalle:
			if st.ProchaineDate != nil {
				st.DateReference = dateOf(*st.ProchaineDate)
			}
		}
		var next *string
		if st.ProchaineDate != nil {
			next = ptr(dateText(*st.ProchaineDate))
		}
		return map[string]any{"frequence": st.Frequence, "intervalle": st.Intervalle, "base": st.Base,
			"prochaine_date": next, "commentaire": in.Commentaire.Set, "modele": in.Modele != nil}, nil
	})
}

// Delete removes a plan; the interventions it generated stay, unlinked.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return errManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		r, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := q.PlanningDelete(ctx, id); err != nil {
			return fmt.Errorf("delete plan %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "planning.deleted", ResourceType: "planning", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"equipement_id": r.EquipementID, "frequence": r.Frequence, "statut": r.Statut}})
	})
	if err != nil {
		return fmt.Errorf("delete plan: %w", err)
	}
	return nil
}

// ParseDay reads a day written YYYY-MM-DD, or the day of an RFC 3339 time (as written, in its
// own offset); a time without offset is accepted too.
func ParseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04",
		"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return dateOf(t), true
		}
	}
	return time.Time{}, false
}

// Replan moves the next date to nouvelle_date (the original's PATCH /planning/{id}/dates). The
// calendar restarts from that day; derniere_date is left alone (it records generated occurrences).
func (s *Service) Replan(ctx context.Context, actor auth.Principal, id int64, nouvelleDate string) (Plan, error) {
	d, ok := ParseDay(nouvelleDate)
	if !ok {
		return Plan{}, apperr.Validation(apperr.FieldError{Field: "nouvelle_date", Message: "date attendue : AAAA-MM-JJ ou date-heure RFC 3339"})
	}
	if fields := checkDate(nil, "nouvelle_date", &d); len(fields) > 0 {
		return Plan{}, apperr.Validation(fields...)
	}
	return s.change(ctx, actor, id, "planning.replanned", func(_ *db.Queries, r Row, st *state, _ time.Time) (map[string]any, error) {
		if r.Statut == db.PlanningStatutTermine {
			return nil, errTerminated
		}
		st.DateReference = d
		st.ProchaineDate = datePtr(d)
		var before *string
		if r.ProchaineDate != nil {
			before = ptr(dateText(dateOf(*r.ProchaineDate)))
		}
		return map[string]any{"avant": before, "apres": dateText(d)}, nil
	})
}

// Actions on a plan's state.
const (
	ActionSuspend   = "suspend"
	ActionResume    = "resume"
	ActionTerminate = "terminate"
)

// possible lists the actions allowed from a state.
func possible(s db.PlanningStatut) []string {
	switch s {
	case db.PlanningStatutActif:
		return []string{ActionSuspend, ActionTerminate}
	case db.PlanningStatutSuspendu:
		return []string{ActionResume, ActionTerminate}
	}
	return nil
}

// Apply suspends (actif -> suspendu), resumes (suspendu -> actif, the next date moving to the
// first occurrence on or after today) or terminates (-> termine, final, no next date) a plan.
// Any other move is a conflict. A commentaire replaces the plan's comment.
func (s *Service) Apply(ctx context.Context, actor auth.Principal, id int64, action string, commentaire *string) (Plan, error) {
	var fields []apperr.FieldError
	if !slices.Contains([]string{ActionSuspend, ActionResume, ActionTerminate}, action) {
		fields = append(fields, apperr.FieldError{Field: "action", Message: "suspend, resume ou terminate"})
	}
	comment := text.Optional(commentaire)
	fields = text.CheckOptional(fields, "commentaire", comment, maxCommentaire)
	if len(fields) > 0 {
		return Plan{}, apperr.Validation(fields...)
	}
	return s.change(ctx, actor, id, "planning."+action, func(_ *db.Queries, r Row, st *state, today time.Time) (map[string]any, error) {
		if !slices.Contains(possible(r.Statut), action) {
			allowed := possible(r.Statut)
			msg := "aucune (état final)"
			if len(allowed) > 0 {
				msg = strings.Join(allowed, ", ")
			}
			return nil, apperr.Conflict("Action %s impossible : le planning est %s (actions possibles : %s)", action, r.Statut, msg)
		}
		switch action {
		case ActionSuspend:
			st.Statut = db.PlanningStatutSuspendu
		case ActionResume:
			st.Statut = db.PlanningStatutActif
			if st.ProchaineDate != nil && dateOf(*st.ProchaineDate).Before(today) {
				st.ProchaineDate = datePtr(st.recurrence().OnOrAfter(today))
			}
		case ActionTerminate:
			st.Statut = db.PlanningStatutTermine
			st.ProchaineDate = nil
		}
		if comment != nil {
			st.Commentaire = comment
		}
		return map[string]any{"avant": r.Statut, "apres": st.Statut, "commentaire": comment}, nil
	})
}

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"plannings_equipement_id_fkey":            errEquipementNotFound,
	"plannings_modele_technicien_id_fkey":     errTechnicienNotFound,
	"planning_competences_competence_id_fkey": apperr.NotFound("Compétence introuvable"),
	"planning_competences_planning_id_fkey":   errNotFound,
}
