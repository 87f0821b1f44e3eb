package planning

import (
	"context"
	"strings"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

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
