package planning

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mif-erp/erp/internal/text"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

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
