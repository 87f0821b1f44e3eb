package planning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/platform"
)

// Trigger is the meter trigger of a plan on base compteur.
type Trigger = db.PlanningsCompteur

// TriggerInput is the meter trigger of a new plan: every Intervalle units of a cumulative meter
// (due at Prochain, default its latest value + Intervalle), or a gauge going beyond Seuil
// (Operateur ">" or "<").
type TriggerInput struct {
	CompteurID int64
	Intervalle *float64
	Prochain   *float64
	Seuil      *float64
	Operateur  *string
}

// maxValeur bounds the values of a trigger (those of the readings).
const maxValeur = 1e12

// checkTriggerShape checks what can be checked without the meter.
func checkTriggerShape(fields []apperr.FieldError, base db.PlanningBase, in *TriggerInput) []apperr.FieldError {
	switch {
	case base == db.PlanningBaseCompteur && in == nil:
		return append(fields, apperr.FieldError{Field: "compteur", Message: "requis pour un planning sur base compteur"})
	case base != db.PlanningBaseCompteur && in != nil:
		return append(fields, apperr.FieldError{Field: "base", Message: "compteur, pour un planning déclenché par un compteur"})
	case in == nil:
		return fields
	}
	bounded := func(name string, v *float64) {
		if v != nil && (*v != *v || *v < -maxValeur || *v > maxValeur) {
			fields = append(fields, apperr.FieldError{Field: "compteur." + name, Message: fmt.Sprintf("un nombre entre -%g et %g", maxValeur, maxValeur)})
		}
	}
	bounded("prochain", in.Prochain)
	bounded("seuil", in.Seuil)
	if in.CompteurID < 1 {
		fields = append(fields, apperr.FieldError{Field: "compteur.compteur_id", Message: "requis"})
	}
	if in.Intervalle != nil && !(*in.Intervalle > 0 && *in.Intervalle <= maxValeur) {
		fields = append(fields, apperr.FieldError{Field: "compteur.intervalle", Message: fmt.Sprintf("un nombre positif, au plus %g", maxValeur)})
	}
	if in.Operateur != nil && *in.Operateur != ">" && *in.Operateur != "<" {
		fields = append(fields, apperr.FieldError{Field: "compteur.operateur", Message: "> ou <"})
	}
	return fields
}

// triggerOf checks a trigger against its meter, which must be one of the plan's machine: a
// cumulative meter takes an interval, a gauge a threshold and an operator.
func triggerOf(ctx context.Context, q *db.Queries, equipementID int64, in TriggerInput) (db.PlanningCompteurInsertParams, error) {
	c, err := q.GetCompteur(ctx, in.CompteurID)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && c.EquipementID != equipementID) {
		return db.PlanningCompteurInsertParams{}, apperr.InvalidField("compteur.compteur_id", "aucun compteur de cet identifiant sur la machine du planning")
	}
	if err != nil {
		return db.PlanningCompteurInsertParams{}, fmt.Errorf("meter %d: %w", in.CompteurID, err)
	}
	p := db.PlanningCompteurInsertParams{CompteurID: c.ID}
	var fields []apperr.FieldError
	if c.TypeCompteur == db.TypeCompteurCumulatif {
		if in.Intervalle == nil {
			fields = append(fields, apperr.FieldError{Field: "compteur.intervalle", Message: "requis pour un compteur cumulatif (tous les N " + c.Unite + ")"})
		}
		if in.Seuil != nil || in.Operateur != nil {
			fields = append(fields, apperr.FieldError{Field: "compteur.seuil", Message: "un compteur cumulatif se déclenche par intervalle, pas par seuil"})
		}
		p.Intervalle = in.Intervalle
		p.Prochain = in.Prochain
		if p.Prochain == nil && in.Intervalle != nil {
			last := 0.0
			if c.DerniereValeur != nil {
				last = *c.DerniereValeur
			}
			p.Prochain = ptr(last + *in.Intervalle)
		}
	} else {
		if in.Seuil == nil || in.Operateur == nil {
			fields = append(fields, apperr.FieldError{Field: "compteur.seuil", Message: "une jauge se déclenche par un seuil et un opérateur (> ou <)"})
		}
		if in.Intervalle != nil || in.Prochain != nil {
			fields = append(fields, apperr.FieldError{Field: "compteur.intervalle", Message: "une jauge se déclenche par seuil, pas par intervalle"})
		}
		p.Seuil, p.Operateur = in.Seuil, in.Operateur
	}
	if len(fields) > 0 {
		return p, apperr.Validation(fields...)
	}
	return p, nil
}

// MeterPlans are the active plans a meter triggers, read once for the readings of one
// transaction (the caller holds the meter's row lock).
type MeterPlans []int64

// PlansOf reads the active plans meter compteurID triggers.
func PlansOf(ctx context.Context, q db.DBTX, compteurID int64) (MeterPlans, error) {
	ids, err := db.New(q).PlanningsOnCompteur(ctx, compteurID)
	if err != nil {
		return nil, fmt.Errorf("plans of meter %d: %w", compteurID, err)
	}
	return ids, nil
}

// Reading is what a new reading of meter c triggers, in the reading's transaction (the caller
// holds the meter's row lock, so readings of one meter, whatever the replica, are looked at one
// at a time). latest tells whether the reading is the meter's latest by time. For every plan,
// locked in turn: when the reading makes it due, one preventive intervention is generated (keyed
// by the plan and the crossing's number, so never twice), the meter trigger moves on and the
// calendar restarts from today; while an intervention the plan generated is still open, the
// crossing only counts as missed. The texts read the reading's time in zone (APP_TIMEZONE).
func (m MeterPlans) Reading(ctx context.Context, tx pgx.Tx, c db.Compteur, r db.Relefe, latest bool, now time.Time,
	zone *time.Location) error {
	for _, id := range m {
		if err := readingFor(ctx, tx, id, c, r, latest, day(now), zone); err != nil {
			return fmt.Errorf("plan %d: %w", id, err)
		}
	}
	return nil
}

func readingFor(ctx context.Context, tx pgx.Tx, id int64, c db.Compteur, r db.Relefe, latest bool, today time.Time,
	zone *time.Location) error {
	q := db.New(tx)
	p, err := lock(ctx, tx, id)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.Statut != db.PlanningStatutActif || p.Base != db.PlanningBaseCompteur {
		return nil
	}
	t, err := q.PlanningCompteurGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("trigger: %w", err)
	}
	due, err := isDue(ctx, q, t, r, latest)
	if err != nil || !due {
		return err
	}
	st := stateOf(p)
	details := map[string]any{"source": "compteur", "compteur_id": c.ID, "releve_id": r.ID, "valeur": r.Valeur,
		"releve_par": r.UserID}
	if p.InterventionOuverte {
		st.OccurrencesManquees++
		moveOn(&t, c)
		if err := save(ctx, q, st, p); err != nil {
			return err
		}
		if err := saveTrigger(ctx, q, t); err != nil {
			return err
		}
		details["intervention_ouverte_id"] = p.DerniereInterventionID
		return systemAudit(ctx, tx, "planning.occurrences_missed", id, details)
	}
	k := t.Declenchements + 1
	g, err := createFor(ctx, tx, p, st, day(r.LuLe), &k, meterNote(c, r, zone), zone)
	if err != nil || !g.created {
		return err
	}
	t.Declenchements = k
	moveOn(&t, c)
	// Whichever comes first: the calendar restarts from today.
	st.DerniereDate = datePtr(today)
	st.DateReference = today
	st.ProchaineDate = datePtr(st.recurrence().At(1))
	if err := save(ctx, q, st, p); err != nil {
		return err
	}
	if err := saveTrigger(ctx, q, t); err != nil {
		return err
	}
	details["intervention_id"], details["declenchement"] = g.row.ID, k
	details["prochaine_date"] = dateText(*st.ProchaineDate)
	return systemAudit(ctx, tx, "planning.generated", id, details)
}

// isDue tells whether reading r makes trigger t due: a cumulative meter reaching the next
// value; the latest reading of a gauge beyond its threshold after one that was not.
func isDue(ctx context.Context, q *db.Queries, t Trigger, r db.Relefe, latest bool) (bool, error) {
	if t.Intervalle != nil {
		return t.Prochain != nil && r.Valeur >= *t.Prochain, nil
	}
	if !latest || !beyond(t, r.Valeur) {
		return false, nil
	}
	prev, err := q.PlanningReleveAvant(ctx, db.PlanningReleveAvantParams{CompteurID: r.CompteurID, LuLe: r.LuLe, ID: r.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading before: %w", err)
	}
	return !beyond(t, prev), nil
}

func beyond(t Trigger, v float64) bool {
	if t.Seuil == nil || t.Operateur == nil {
		return false
	}
	if *t.Operateur == ">" {
		return v > *t.Seuil
	}
	return v < *t.Seuil
}

// moveOn sets the next value of an interval trigger: the meter's latest value + the interval.
func moveOn(t *Trigger, c db.Compteur) {
	if t.Intervalle == nil {
		return
	}
	last := 0.0
	if c.DerniereValeur != nil {
		last = *c.DerniereValeur
	}
	t.Prochain = ptr(last + *t.Intervalle)
}

func saveTrigger(ctx context.Context, q *db.Queries, t Trigger) error {
	if err := q.PlanningCompteurSave(ctx, db.PlanningCompteurSaveParams{PlanningID: t.PlanningID, Prochain: t.Prochain,
		Declenchements: t.Declenchements}); err != nil {
		return fmt.Errorf("save trigger of plan %d: %w", t.PlanningID, err)
	}
	return nil
}

// restartMeter moves the meter trigger of plan id on after a calendar generation (whichever
// comes first: the meter counts again from its latest value).
func restartMeter(ctx context.Context, q *db.Queries, id int64) error {
	t, err := q.PlanningCompteurGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("trigger of plan %d: %w", id, err)
	}
	c, err := q.GetCompteur(ctx, t.CompteurID)
	if err != nil {
		return fmt.Errorf("meter %d: %w", t.CompteurID, err)
	}
	moveOn(&t, c)
	return saveTrigger(ctx, q, t)
}

// meterNote says which reading generated the work (in the intervention's description), its time
// in zone.
func meterNote(c db.Compteur, r db.Relefe, zone *time.Location) string {
	return fmt.Sprintf("Déclenchée par le relevé du compteur « %s » : %s %s le %s.", c.Nom,
		strconv.FormatFloat(r.Valeur, 'f', -1, 64), c.Unite, platform.DateTimeText(r.LuLe, zone))
}

// withTriggers attaches their meter trigger to the plans on base compteur.
func withTriggers(ctx context.Context, q db.DBTX, plans []Plan) error {
	var ids []int64
	for _, p := range plans {
		if p.Base == db.PlanningBaseCompteur {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ts, err := db.New(q).PlanningCompteursOf(ctx, ids)
	if err != nil {
		return fmt.Errorf("meter triggers: %w", err)
	}
	for i := range plans {
		for j := range ts {
			if ts[j].PlanningID == plans[i].ID {
				plans[i].Compteur = &ts[j]
			}
		}
	}
	return nil
}
