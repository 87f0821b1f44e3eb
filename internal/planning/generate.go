package planning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
)

// SystemRole is the actor role of what the scheduler does (audit log; no user id).
const SystemRole = "system"

// Report sums up one run of GenerateDue.
type Report struct {
	Plans       int // plans looked at
	Generated   int // interventions created
	Missed      int // occurrences skipped because an earlier generated intervention was still open
	Rescheduled int // completion-based plans given their next date after a closing
	Failed      int // plans whose transaction failed (the others are done)
}

// GenerateDue is the scheduler's job for the day of now. For every active plan with work:
//   - completion basis, no next date, last generated intervention no longer open: the next date
//     becomes its closing day + one period (and the plan goes on below if that is already due);
//   - due (next date on or before today) while an intervention it generated is still open:
//     nothing is created; the occurrences up to today are counted as missed and the next date
//     moves to the first occurrence after today;
//   - due otherwise: one preventive intervention for the due occurrence, linked to the plan and
//     the occurrence (INSERT ... ON CONFLICT DO NOTHING on that unique pair, so two schedulers
//     never duplicate it); derniere_date becomes the occurrence; the next date moves to the first
//     occurrence after today (fixed basis, later occurrences already passed counted as missed),
//     or becomes null until the intervention is closed (completion basis).
//
// Each plan is handled in its own transaction, locked, and audited with the system as actor;
// a failing plan does not stop the others (the errors are joined).
func (s *Service) GenerateDue(ctx context.Context, now time.Time) (Report, error) {
	today := day(now)
	var rep Report
	ids, err := db.New(s.pool).PlanningDueIDs(ctx, today)
	if err != nil {
		return rep, fmt.Errorf("due plans: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		rep.Plans++
		var res Report
		err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			res, err = processDue(ctx, tx, id, today, s.zone)
			return err
		})
		if err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("plan %d: %w", id, err))
			continue
		}
		rep.Generated += res.Generated
		rep.Missed += res.Missed
		rep.Rescheduled += res.Rescheduled
	}
	return rep, errors.Join(errs...)
}

// systemAudit records what the scheduler did to a plan.
func systemAudit(ctx context.Context, tx pgx.Tx, action string, id int64, details map[string]any) error {
	return audit.Write(ctx, tx, audit.Entry{ActorRole: SystemRole, Action: action, ResourceType: "planning",
		ResourceID: strconv.FormatInt(id, 10), Details: details})
}

// processDue does the job's work for one plan, inside tx.
func processDue(ctx context.Context, tx pgx.Tx, id int64, today time.Time, zone *time.Location) (Report, error) {
	var res Report
	q := db.New(tx)
	r, err := lock(ctx, tx, id)
	if errors.Is(err, errNotFound) {
		return res, nil // deleted meanwhile
	}
	if err != nil {
		return res, err
	}
	if r.Statut != db.PlanningStatutActif {
		return res, nil
	}
	st := stateOf(r)
	if st.ProchaineDate == nil {
		if st.Base != db.PlanningBaseCompletion || r.InterventionOuverte {
			return res, nil
		}
		closing, err := nextFromCompletion(ctx, q, &st, today)
		if err != nil {
			return res, err
		}
		if err := save(ctx, q, st, r); err != nil {
			return res, err
		}
		res.Rescheduled++
		if err := systemAudit(ctx, tx, "planning.rescheduled", id, map[string]any{
			"fin_derniere_intervention": dateText(closing), "prochaine_date": dateText(*st.ProchaineDate)}); err != nil {
			return res, err
		}
		r.ProchaineDate, r.DateReference = st.ProchaineDate, st.DateReference
	}
	due := dateOf(*st.ProchaineDate)
	if due.After(today) {
		return res, nil
	}
	if r.InterventionOuverte {
		rec := st.recurrence()
		n := 1 + rec.CountIn(due, today)
		st.OccurrencesManquees += int32(n)
		st.ProchaineDate = datePtr(rec.After(today))
		if err := save(ctx, q, st, r); err != nil {
			return res, err
		}
		res.Missed += n
		return res, systemAudit(ctx, tx, "planning.occurrences_missed", id, map[string]any{
			"occurrences": n, "depuis": dateText(due), "prochaine_date": dateText(*st.ProchaineDate),
			"intervention_ouverte_id": r.DerniereInterventionID})
	}
	g, err := generate(ctx, tx, r, &st, due, today, zone)
	if err != nil {
		return res, err
	}
	if err := save(ctx, q, st, r); err != nil {
		return res, err
	}
	if !g.created {
		// The occurrence already has its intervention (generated earlier, then the plan was
		// moved back onto that day): nothing to create, the plan moves on.
		return res, systemAudit(ctx, tx, "planning.advanced", id, map[string]any{
			"occurrence": dateText(due), "prochaine_date": nextText(st)})
	}
	res.Generated++
	res.Missed += g.missed
	return res, systemAudit(ctx, tx, "planning.generated", id, generatedDetails(g, st))
}

func nextText(st state) *string {
	if st.ProchaineDate == nil {
		return nil
	}
	return ptr(dateText(*st.ProchaineDate))
}

func generatedDetails(g generated, st state) map[string]any {
	return map[string]any{"intervention_id": g.row.ID, "occurrence": dateText(g.occurrence),
		"occurrences_manquees": g.missed, "prochaine_date": nextText(st), "technicien_id": g.row.TechnicienID}
}

// nextFromCompletion gives a completion-based plan waiting for a next date its next date: the
// day its last generated intervention ended (closed, or cancelled) + one period, the calendar
// restarting from that day; today when it generated nothing yet. It returns the day used.
func nextFromCompletion(ctx context.Context, q *db.Queries, st *state, today time.Time) (time.Time, error) {
	last, err := q.PlanningLastIntervention(ctx, &st.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		st.DateReference = today
		st.ProchaineDate = datePtr(today)
		return today, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last intervention of plan %d: %w", st.ID, err)
	}
	end := day(last.DateFin)
	st.DateReference = end
	next := st.recurrence().At(1)
	if st.DerniereDate != nil && !next.After(*st.DerniereDate) {
		// The last one was generated ahead of its date and ended early: the next occurrence
		// comes after the last one generated.
		next = st.recurrence().After(*st.DerniereDate)
	}
	st.ProchaineDate = datePtr(next)
	return end, nil
}

// generated is the outcome of generate.
type generated struct {
	row        interventions.Row
	created    bool
	occurrence time.Time
	missed     int
}

// generate creates the intervention of occurrence for the plan (r as read, st its state to
// save) and moves st on: derniere_date, the next date (fixed: the first occurrence after today
// and the occurrence, the ones passed in between counted as missed; completion: none until the
// closing). When the occurrence already has its intervention nothing is created and the fixed
// rule moves the next date on.
func generate(ctx context.Context, tx pgx.Tx, r Row, st *state, occurrence, today time.Time, zone *time.Location) (generated, error) {
	g, err := createFor(ctx, tx, r, *st, occurrence, nil, "", zone)
	if err != nil {
		return g, err
	}
	if g.created && r.Base == db.PlanningBaseCompteur {
		if err := restartMeter(ctx, db.New(tx), r.ID); err != nil {
			return g, err
		}
	}
	after := today
	if occurrence.After(after) {
		after = occurrence
	}
	rec := st.recurrence()
	if !g.created {
		st.ProchaineDate = datePtr(rec.After(after))
		return g, nil
	}
	st.DerniereDate = datePtr(occurrence)
	if st.Base == db.PlanningBaseCompletion {
		st.ProchaineDate = nil
		return g, nil
	}
	g.missed = rec.CountIn(occurrence, today)
	st.OccurrencesManquees += int32(g.missed)
	st.ProchaineDate = datePtr(rec.After(after))
	return g, nil
}

// createFor creates, and notifies, the intervention of the plan (r as read, st its state) for
// occurrence: of its calendar (declenchement nil), or of a meter crossing (its number; note says
// which reading).
func createFor(ctx context.Context, tx pgx.Tx, r Row, st state, occurrence time.Time, declenchement *int32, note string,
	zone *time.Location) (generated, error) {
	g := generated{occurrence: occurrence}
	q := db.New(tx)
	eq, err := access.System().Queries(tx).PlanningEquipement(ctx, db.PlanningEquipementParams{ID: r.EquipementID})
	if errors.Is(err, pgx.ErrNoRows) {
		return g, errEquipementNotFound
	}
	if err != nil {
		return g, fmt.Errorf("equipment %d: %w", r.EquipementID, err)
	}
	titre := "Maintenance préventive - " + eq.Nom
	if st.ModeleTitre != nil {
		titre = *st.ModeleTitre
	}
	desc, err := description(ctx, q, r, st, occurrence, note)
	if err != nil {
		return g, err
	}
	in := interventions.GeneratedInput{
		PlanningID: r.ID, Occurrence: occurrence, EquipementID: r.EquipementID,
		Titre: truncate(titre, maxTitre), Description: &desc, TechnicienID: st.ModeleTechnicienID,
		Remarque:              "Intervention générée depuis le planning #" + strconv.FormatInt(r.ID, 10),
		CompteurDeclenchement: declenchement,
		ChecklistID:           st.ModeleChecklistID,
	}
	if st.ModelePriorite.Valid {
		in.Priorite = st.ModelePriorite.InterventionPriorite
	}
	g.row, g.created, err = interventions.CreateGenerated(ctx, tx, in)
	if err != nil {
		return g, err
	}
	if g.created {
		if err := notifyGenerated(ctx, tx, r.ID, g.row, occurrence, zone); err != nil {
			return g, err
		}
	}
	return g, nil
}

var frequenceLabels = map[db.PlanningFrequence][2]string{
	db.PlanningFrequenceJournalier:   {"journalière", "jours"},
	db.PlanningFrequenceHebdomadaire: {"hebdomadaire", "semaines"},
	db.PlanningFrequenceMensuel:      {"mensuelle", "mois"},
	db.PlanningFrequenceTrimestriel:  {"trimestrielle", "trimestres"},
	db.PlanningFrequenceSemestriel:   {"semestrielle", "semestres"},
	db.PlanningFrequenceAnnuel:       {"annuelle", "ans"},
}

// description is the text of a generated intervention: the modele's description, then where it
// comes from and what the work needs.
func description(ctx context.Context, q *db.Queries, r Row, st state, occurrence time.Time, note string) (string, error) {
	l := frequenceLabels[st.Frequence]
	period := "périodicité " + l[0]
	if st.Intervalle > 1 {
		period = fmt.Sprintf("tous les %d %s", st.Intervalle, l[1])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Intervention générée automatiquement depuis le planning #%d (occurrence du %s, %s).",
		r.ID, occurrence.Format("02/01/2006"), period)
	if note != "" {
		fmt.Fprintf(&b, "\n%s", note)
	}
	if st.ModeleEquipe != nil {
		fmt.Fprintf(&b, "\nÉquipe : %s", *st.ModeleEquipe)
	}
	if st.ModeleDureeMinutes != nil {
		fmt.Fprintf(&b, "\nDurée estimée : %d min", *st.ModeleDureeMinutes)
	}
	if len(st.competences) > 0 {
		names, err := q.PlanningCompetenceNames(ctx, r.ID)
		if err != nil {
			return "", fmt.Errorf("competences of plan %d: %w", r.ID, err)
		}
		if len(names) > 0 {
			fmt.Fprintf(&b, "\nCompétences requises : %s", strings.Join(names, ", "))
		}
	}
	footer := b.String()
	if st.ModeleDescription == nil {
		return footer, nil
	}
	head := truncate(*st.ModeleDescription, maxDescription-len([]rune(footer))-2)
	return head + "\n\n" + footer, nil
}

// Generate creates the intervention of the plan's next occurrence now, whether it is due or not
// (what the job does when it is), and moves the plan on. 409 when the plan is not active, while
// an intervention it generated is still open, or when that occurrence already has its
// intervention. It returns the id of the new intervention. Admins and responsables.
func (s *Service) Generate(ctx context.Context, actor auth.Principal, id int64) (int64, error) {
	if !access.For(actor).Manager() {
		return 0, access.ErrManagersOnly
	}
	today := s.today()
	var out int64
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		r, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Statut != db.PlanningStatutActif {
			return apperr.Conflict("Le planning est %s : seul un planning actif génère des interventions", r.Statut)
		}
		if r.InterventionOuverte {
			return apperr.Conflict("L'intervention #%d générée par ce planning est encore ouverte", r.DerniereInterventionID)
		}
		st := stateOf(r)
		if st.ProchaineDate == nil {
			if _, err := nextFromCompletion(ctx, q, &st, today); err != nil {
				return err
			}
		}
		occurrence := dateOf(*st.ProchaineDate)
		g, err := generate(ctx, tx, r, &st, occurrence, today, s.zone)
		if err != nil {
			return err
		}
		if !g.created {
			return apperr.Conflict("L'occurrence du %s a déjà son intervention", dateText(occurrence))
		}
		if err := save(ctx, q, st, r); err != nil {
			return err
		}
		out = g.row.ID
		details := generatedDetails(g, st)
		details["manuel"] = true
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "planning.generated", ResourceType: "planning", ResourceID: strconv.FormatInt(id, 10), Details: details})
	})
	if err != nil {
		return 0, fmt.Errorf("generate plan %d: %w", id, err)
	}
	return out, nil
}

// notifyGenerated tells the responsables about a generated intervention, and its technician
// when the plan assigns one, in the transaction of the generation; the texts read the deadline
// in zone (APP_TIMEZONE).
func notifyGenerated(ctx context.Context, tx pgx.Tx, planID int64, row interventions.Row, occurrence time.Time,
	zone *time.Location) error {
	sub := notifications.Subject{InterventionID: row.ID, Titre: row.Titre, DateLimite: row.DateLimite, Zone: zone}
	if err := notifications.Generated(ctx, tx, sub, planID, occurrence); err != nil {
		return err
	}
	if row.TechnicienID != nil {
		return notifications.Assigned(ctx, tx, sub, *row.TechnicienID, nil)
	}
	return nil
}
