package arrets

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// maxCommentaire bounds a record's comment.
const maxCommentaire = 2000

// skew is how far in the future a time may be (clocks of clients and server differ a little).
const skew = time.Minute

// Input is a new downtime record.
type Input struct {
	Debut          time.Time
	Fin            *time.Time
	Motif          string
	InterventionID *int64
	Commentaire    *string
}

// Update is a correction of a record: absent fields keep their value.
type Update struct {
	Debut          *time.Time
	Fin            patch.Field[time.Time] // null reopens
	Motif          *string
	InterventionID patch.Field[int64]
	Commentaire    patch.Field[string]
}

// Create records downtime on a machine: managers, or a technicien with open work on it.
func (s *Service) Create(ctx context.Context, actor auth.Principal, equipementID int64, in Input) (Arret, error) {
	sc := access.For(actor)
	if !sc.ReadsAllEquipment() {
		return Arret{}, access.ErrStaffOnly
	}
	rec := db.Arret{EquipementID: equipementID, Debut: in.Debut.UTC(), Fin: utc(in.Fin), Motif: db.MotifArret(in.Motif),
		InterventionID: in.InterventionID, Commentaire: text.Optional(in.Commentaire), Source: SourceManuel,
		CreatedBy: &actor.UserID}
	if err := s.check(rec); err != nil {
		return Arret{}, err
	}
	var out Arret
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := sc.Queries(tx).CheckEquipement(ctx, equipementID); err != nil {
			return err
		}
		q := db.New(tx)
		if _, err := lockMachine(ctx, q, equipementID); err != nil {
			return err
		}
		if !sc.Manager() {
			works, err := q.TechnicienWorksOn(ctx, db.TechnicienWorksOnParams{EquipementID: equipementID, TechnicienID: sc.TechnicienID()})
			if err != nil {
				return fmt.Errorf("check work: %w", err)
			}
			if !works {
				return errNoWorkHere
			}
		}
		if err := checkLinks(ctx, q, rec, 0); err != nil {
			return err
		}
		var err error
		out, err = q.InsertArret(ctx, db.InsertArretParams{EquipementID: equipementID, Debut: rec.Debut, Fin: rec.Fin,
			Motif: rec.Motif, InterventionID: rec.InterventionID, Commentaire: rec.Commentaire, Source: SourceManuel,
			CreatedBy: &actor.UserID})
		if err != nil {
			return platform.WriteError("insert downtime", err, constraints)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "arret.cree",
			ResourceType: "equipement", ResourceID: strconv.FormatInt(equipementID, 10),
			Details: map[string]any{"arret_id": out.ID, "debut": out.Debut, "fin": out.Fin, "motif": out.Motif,
				"intervention_id": out.InterventionID}})
	})
	if err != nil {
		return Arret{}, fmt.Errorf("record downtime of machine %d: %w", equipementID, err)
	}
	return out, nil
}

// Correct changes a downtime record (managers), with the same checks as a new one.
func (s *Service) Correct(ctx context.Context, actor auth.Principal, id int64, in Update) (Arret, error) {
	if !access.For(actor).Manager() {
		return Arret{}, access.ErrManagersOnly
	}
	var out Arret
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := lockArret(ctx, q, id)
		if err != nil {
			return err
		}
		next := cur
		if in.Debut != nil {
			next.Debut = in.Debut.UTC()
		}
		if in.Fin.Set {
			next.Fin = utc(in.Fin.Value)
		}
		if in.Motif != nil {
			next.Motif = db.MotifArret(*in.Motif)
		}
		next.InterventionID = in.InterventionID.Or(cur.InterventionID)
		if in.Commentaire.Set {
			next.Commentaire = text.Optional(in.Commentaire.Value)
		}
		if err := s.check(next); err != nil {
			return err
		}
		if err := checkLinks(ctx, q, next, id); err != nil {
			return err
		}
		out, err = q.UpdateArret(ctx, db.UpdateArretParams{ID: id, Debut: next.Debut, Fin: next.Fin, Motif: next.Motif,
			InterventionID: next.InterventionID, Commentaire: next.Commentaire})
		if err != nil {
			return platform.WriteError("update downtime", err, constraints)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "arret.corrige",
			ResourceType: "equipement", ResourceID: strconv.FormatInt(cur.EquipementID, 10),
			Details: map[string]any{"arret_id": id, "avant": map[string]any{"debut": cur.Debut, "fin": cur.Fin,
				"motif": cur.Motif, "intervention_id": cur.InterventionID, "commentaire": cur.Commentaire},
				"apres": map[string]any{"debut": out.Debut, "fin": out.Fin, "motif": out.Motif,
					"intervention_id": out.InterventionID, "commentaire": out.Commentaire}}})
	})
	if err != nil {
		return Arret{}, fmt.Errorf("correct downtime %d: %w", id, err)
	}
	return out, nil
}

// Delete removes a downtime record made by mistake (managers).
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := lockArret(ctx, q, id)
		if err != nil {
			return err
		}
		if err := q.DeleteArret(ctx, id); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "arret.supprime",
			ResourceType: "equipement", ResourceID: strconv.FormatInt(cur.EquipementID, 10),
			Details: map[string]any{"arret_id": id, "debut": cur.Debut, "fin": cur.Fin, "motif": cur.Motif,
				"intervention_id": cur.InterventionID}})
	})
	if err != nil {
		return fmt.Errorf("delete downtime %d: %w", id, err)
	}
	return nil
}

// lockArret reads a record, locks its machine, and reads it again under that lock (404 when
// it is gone).
func lockArret(ctx context.Context, q *db.Queries, id int64) (Arret, error) {
	a, err := q.GetArret(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Arret{}, errArretNotFound
	}
	if err != nil {
		return Arret{}, fmt.Errorf("read downtime %d: %w", id, err)
	}
	if _, err := lockMachine(ctx, q, a.EquipementID); err != nil {
		return Arret{}, err
	}
	a, err = q.GetArret(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Arret{}, errArretNotFound
	}
	if err != nil {
		return Arret{}, fmt.Errorf("read downtime %d: %w", id, err)
	}
	return a, nil
}

// check validates a record on its own: reason, times (not in the future, fin after debut),
// comment.
func (s *Service) check(a db.Arret) error {
	now := s.now().UTC()
	var fields apperr.Fields
	if !a.Motif.Valid() {
		fields.Add("motif", "panne, preventif, externe ou autre")
	}
	if a.Debut.IsZero() {
		fields.Add("debut", "requis")
	} else if a.Debut.After(now.Add(skew)) {
		fields.Add("debut", "ne doit pas être dans le futur")
	}
	if a.Fin != nil {
		switch {
		case a.Fin.After(now.Add(skew)):
			fields.Add("fin", "ne doit pas être dans le futur")
		case !a.Fin.After(a.Debut):
			fields.Add("fin", "doit être après debut")
		}
	}
	fields = text.CheckOptional(fields, "commentaire", a.Commentaire, maxCommentaire)
	if a.InterventionID != nil && *a.InterventionID < 1 {
		fields.Add("intervention_id", "un identifiant positif")
	}
	return fields.Err()
}

// checkLinks checks, on the locked machine, that a record names an intervention of the machine
// and overlaps none of its other records (sauf: the record being corrected).
func checkLinks(ctx context.Context, q *db.Queries, a db.Arret, sauf int64) error {
	if a.InterventionID != nil {
		ok, err := q.InterventionOnMachine(ctx, db.InterventionOnMachineParams{ID: *a.InterventionID, EquipementID: a.EquipementID})
		if err != nil {
			return fmt.Errorf("check intervention: %w", err)
		}
		if !ok {
			return apperr.InvalidField("intervention_id", "aucune intervention de cet identifiant sur cette machine")
		}
	}
	other, err := q.ArretChevauche(ctx, db.ArretChevaucheParams{EquipementID: a.EquipementID, SaufID: sauf,
		Debut: a.Debut, Fin: a.Fin})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check overlaps: %w", err)
	}
	return overlap(other)
}

// overlap is the 409 of a record that overlaps another one.
func overlap(other db.Arret) error {
	fin := "en cours"
	if other.Fin != nil {
		fin = "jusqu'au " + other.Fin.UTC().Format(time.RFC3339)
	}
	return &apperr.Error{Kind: apperr.KindConflict,
		Message: fmt.Sprintf("Cet arrêt chevauche l'arrêt %d de la machine (du %s, %s)", other.ID,
			other.Debut.UTC().Format(time.RFC3339), fin),
		Fields: []apperr.FieldError{{Field: "debut", Message: "chevauche l'arrêt " + strconv.FormatInt(other.ID, 10)}}}
}

var constraints = platform.Constraints{
	"arrets_no_overlap": &apperr.Error{Kind: apperr.KindConflict, Message: "Cet arrêt chevauche un autre arrêt de la machine",
		Fields: []apperr.FieldError{{Field: "debut", Message: "chevauche un autre arrêt"}}},
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
