package planning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mif-erp/erp/internal/text"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

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
	Compteur      *TriggerInput // with Base compteur
}

// Create adds an active plan. Admins and responsables.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Plan, error) {
	if !access.For(actor).Manager() {
		return Plan{}, access.ErrManagersOnly
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
	fields = checkTriggerShape(fields, st.Base, in.Compteur)
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
		var trigger *db.PlanningCompteurInsertParams
		if in.Compteur != nil {
			t, err := triggerOf(ctx, q, in.EquipementID, *in.Compteur)
			if err != nil {
				return err
			}
			trigger = &t
		}
		id, err := q.PlanningInsert(ctx, db.PlanningInsertParams{
			EquipementID: in.EquipementID, Frequence: st.Frequence, Intervalle: st.Intervalle, Base: st.Base,
			DateReference: st.DateReference, ProchaineDate: st.ProchaineDate, DerniereDate: st.DerniereDate,
			Commentaire: st.Commentaire, ModeleTitre: st.ModeleTitre, ModeleDescription: st.ModeleDescription,
			ModelePriorite: st.ModelePriorite, ModeleDureeMinutes: st.ModeleDureeMinutes,
			ModeleTechnicienID: st.ModeleTechnicienID, ModeleEquipe: st.ModeleEquipe, ModeleChecklistID: st.ModeleChecklistID,
		})
		if err != nil {
			return platform.WriteError("create plan", err, constraints)
		}
		if len(st.competences) > 0 {
			if err := q.PlanningCompetencesAdd(ctx, db.PlanningCompetencesAddParams{PlanningID: id, CompetenceIds: st.competences}); err != nil {
				return platform.WriteError("plan competences", err, constraints)
			}
		}
		if trigger != nil {
			trigger.PlanningID = id
			if err := q.PlanningCompteurInsert(ctx, *trigger); err != nil {
				return platform.WriteError("plan meter trigger", err, constraints)
			}
		}
		r, err := get(ctx, tx, access.For(actor), id)
		if err != nil {
			return err
		}
		plans := []Plan{view(r, today)}
		if err := withTriggers(ctx, tx, plans); err != nil {
			return err
		}
		out = plans[0]
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "planning.created", ResourceType: "planning", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"equipement_id": in.EquipementID, "frequence": st.Frequence,
				"intervalle": st.Intervalle, "base": st.Base, "prochaine_date": dateText(*st.ProchaineDate),
				"compteur": trigger}})
	})
	if err != nil {
		return Plan{}, fmt.Errorf("create plan: %w", err)
	}
	return out, nil
}
