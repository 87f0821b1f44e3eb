package planning

import (
	"context"
	"time"

	"github.com/mif-erp/erp/internal/text"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
)

// UpdateInput is a partial update of a plan.
type UpdateInput struct {
	Frequence     *string
	Intervalle    *int
	Base          *string
	ProchaineDate *time.Time
	Commentaire   patch.Field[string]
	Modele        *Modele
}

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
		if (st.Base == db.PlanningBaseCompteur) != (r.Base == db.PlanningBaseCompteur) {
			fields = append(fields, apperr.FieldError{Field: "base",
				Message: "un planning sur base compteur le reste, et un autre ne le devient pas : créez un nouveau planning"})
		}
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
