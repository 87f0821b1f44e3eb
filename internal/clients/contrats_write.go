package clients

import (
	"context"
	"errors"
	"fmt"
	"math"
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

// ContratInput is a new contract.
type ContratInput struct {
	ClientID                int64
	NumeroContrat           string
	NomContrat              string
	Description             *string
	TypeContrat             string
	Statut                  string // "" means brouillon
	DateSignature           *time.Time
	DateDebut               time.Time
	DateFin                 time.Time
	MontantAnnuel           *int64 // cents
	Devise                  string // "" means DefaultDevise
	NbInterventionsIncluses *int   // nil means unlimited
	DelaiUrgenteHeures      *int
	DelaiHauteHeures        *int
	DelaiNormaleHeures      *int
	DelaiBasseHeures        *int
}

// ContratUpdate is a partial update: nil pointers and unset fields keep the current value. The
// client of a contract never changes.
type ContratUpdate struct {
	NumeroContrat           *string
	NomContrat              *string
	Description             patch.Field[string]
	TypeContrat             *string
	Statut                  *string
	DateSignature           patch.Field[time.Time]
	DateDebut               *time.Time
	DateFin                 *time.Time
	MontantAnnuel           patch.Field[int64]
	Devise                  *string
	NbInterventionsIncluses patch.Field[int]
	DelaiUrgenteHeures      patch.Field[int]
	DelaiHauteHeures        patch.Field[int]
	DelaiNormaleHeures      patch.Field[int]
	DelaiBasseHeures        patch.Field[int]
}

// CreateContrat adds a contract to an existing client.
func (s *Service) CreateContrat(ctx context.Context, actor auth.Principal, in ContratInput) (Contrat, error) {
	if !access.For(actor).Manager() {
		return Contrat{}, access.ErrManagersOnly
	}
	row := db.Contrat{
		ClientID:      in.ClientID,
		NumeroContrat: in.NumeroContrat,
		NomContrat:    in.NomContrat,
		Description:   text.Optional(in.Description),
		TypeContrat:   db.ContratType(in.TypeContrat),
		Statut:        db.ContratStatutBrouillon,
		DateSignature: in.DateSignature,
		DateDebut:     in.DateDebut,
		DateFin:       in.DateFin,
		MontantAnnuel: in.MontantAnnuel,
		Devise:        DefaultDevise,
	}
	if in.Statut != "" {
		row.Statut = db.ContratStatut(in.Statut)
	}
	if in.Devise != "" {
		row.Devise = in.Devise
	}
	var fields []apperr.FieldError
	var ok bool
	if row.NbInterventionsIncluses, ok = toInt32(in.NbInterventionsIncluses); !ok {
		fields = append(fields, apperr.FieldError{Field: "nb_interventions_incluses", Message: "valeur trop grande"})
	}
	delaiValues := [4]*int{in.DelaiUrgenteHeures, in.DelaiHauteHeures, in.DelaiNormaleHeures, in.DelaiBasseHeures}
	delaiFields := [4]**int32{&row.DelaiUrgenteHeures, &row.DelaiHauteHeures, &row.DelaiNormaleHeures, &row.DelaiBasseHeures}
	for i, v := range delaiValues {
		if *delaiFields[i], ok = toInt32(v); !ok {
			fields = append(fields, apperr.FieldError{Field: delais[i].field, Message: fmt.Sprintf("entre 1 et %d heures", delais[i].max)})
		}
	}
	if len(fields) > 0 {
		return Contrat{}, apperr.Validation(fields...)
	}
	if err := checkContrat(&row, "date_fin"); err != nil {
		return Contrat{}, err
	}
	var out Contrat
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if _, err := q.LockClientShare(ctx, row.ClientID); errors.Is(err, pgx.ErrNoRows) {
			return errClientNotFound
		} else if err != nil {
			return fmt.Errorf("lock client: %w", err)
		}
		if taken, err := q.ContratNumeroTaken(ctx, db.ContratNumeroTakenParams{NumeroContrat: row.NumeroContrat}); err != nil {
			return fmt.Errorf("check contract number: %w", err)
		} else if taken {
			return errNumeroTaken
		}
		id, err := q.CreateContrat(ctx, db.CreateContratParams{
			ClientID: row.ClientID, NumeroContrat: row.NumeroContrat, NomContrat: row.NomContrat,
			Description: row.Description, TypeContrat: row.TypeContrat, Statut: row.Statut,
			DateSignature: row.DateSignature, DateDebut: row.DateDebut, DateFin: row.DateFin,
			MontantAnnuel: row.MontantAnnuel, Devise: row.Devise, NbInterventionsIncluses: row.NbInterventionsIncluses,
			DelaiUrgenteHeures: row.DelaiUrgenteHeures, DelaiHauteHeures: row.DelaiHauteHeures,
			DelaiNormaleHeures: row.DelaiNormaleHeures, DelaiBasseHeures: row.DelaiBasseHeures,
		})
		if err != nil {
			return platform.WriteError("create contract", err, constraints)
		}
		if out, err = getContrat(ctx, tx, access.For(actor), id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "contrat.created", ResourceType: "contrat", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"client_id": row.ClientID, "numero_contrat": row.NumeroContrat, "statut": row.Statut}})
	})
	if err != nil {
		return Contrat{}, fmt.Errorf("create contract: %w", err)
	}
	return out, nil
}

// UpdateContrat changes the fields sent; the resulting contract must satisfy the creation rules.
func (s *Service) UpdateContrat(ctx context.Context, actor auth.Principal, id int64, in ContratUpdate) (Contrat, error) {
	if !access.For(actor).Manager() {
		return Contrat{}, access.ErrManagersOnly
	}
	var out Contrat
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		before, err := q.GetContratForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errContratNotFound
		}
		if err != nil {
			return fmt.Errorf("load contract: %w", err)
		}
		after, err := mergeContrat(before, in)
		if err != nil {
			return err
		}
		// A wrong order of the dates is reported on the date that was sent.
		datesField := "date_fin"
		if in.DateFin == nil && in.DateDebut != nil {
			datesField = "date_debut"
		}
		if err := checkContrat(&after, datesField); err != nil {
			return err
		}
		if in.NumeroContrat != nil {
			taken, err := q.ContratNumeroTaken(ctx, db.ContratNumeroTakenParams{NumeroContrat: after.NumeroContrat, ExcludeID: id})
			if err != nil {
				return fmt.Errorf("check contract number: %w", err)
			}
			if taken {
				return errNumeroTaken
			}
		}
		err = q.UpdateContrat(ctx, db.UpdateContratParams{
			ID: id, NumeroContrat: after.NumeroContrat, NomContrat: after.NomContrat,
			Description: after.Description, TypeContrat: after.TypeContrat, Statut: after.Statut,
			DateSignature: after.DateSignature, DateDebut: after.DateDebut, DateFin: after.DateFin,
			MontantAnnuel: after.MontantAnnuel, Devise: after.Devise, NbInterventionsIncluses: after.NbInterventionsIncluses,
			DelaiUrgenteHeures: after.DelaiUrgenteHeures, DelaiHauteHeures: after.DelaiHauteHeures,
			DelaiNormaleHeures: after.DelaiNormaleHeures, DelaiBasseHeures: after.DelaiBasseHeures,
		})
		if err != nil {
			return platform.WriteError("update contract", err, constraints)
		}
		if out, err = getContrat(ctx, tx, access.For(actor), id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "contrat.updated", ResourceType: "contrat", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"changed": changedContratFields(before, out.Contrat),
				"statut_before": before.Statut, "statut_after": out.Statut}})
	})
	if err != nil {
		return Contrat{}, fmt.Errorf("update contract %d: %w", id, err)
	}
	return out, nil
}

// mergeContrat applies a partial update to the current row.
func mergeContrat(c db.Contrat, in ContratUpdate) (db.Contrat, error) {
	setIf(&c.NumeroContrat, in.NumeroContrat)
	setIf(&c.NomContrat, in.NomContrat)
	c.Description = text.Optional(in.Description.Or(c.Description))
	if in.TypeContrat != nil {
		c.TypeContrat = db.ContratType(*in.TypeContrat)
	}
	if in.Statut != nil {
		c.Statut = db.ContratStatut(*in.Statut)
	}
	c.DateSignature = in.DateSignature.Or(c.DateSignature)
	setIf(&c.DateDebut, in.DateDebut)
	setIf(&c.DateFin, in.DateFin)
	c.MontantAnnuel = in.MontantAnnuel.Or(c.MontantAnnuel)
	setIf(&c.Devise, in.Devise)

	var fields []apperr.FieldError
	int32Field := func(name string, f patch.Field[int], dst **int32, msg string) {
		if !f.Set {
			return
		}
		v, ok := toInt32(f.Value)
		if !ok {
			fields = append(fields, apperr.FieldError{Field: name, Message: msg})
			return
		}
		*dst = v
	}
	int32Field("nb_interventions_incluses", in.NbInterventionsIncluses, &c.NbInterventionsIncluses, "valeur trop grande")
	updates := [4]patch.Field[int]{in.DelaiUrgenteHeures, in.DelaiHauteHeures, in.DelaiNormaleHeures, in.DelaiBasseHeures}
	dsts := [4]**int32{&c.DelaiUrgenteHeures, &c.DelaiHauteHeures, &c.DelaiNormaleHeures, &c.DelaiBasseHeures}
	for i, f := range updates {
		int32Field(delais[i].field, f, dsts[i], fmt.Sprintf("entre 1 et %d heures", delais[i].max))
	}
	if len(fields) > 0 {
		return db.Contrat{}, apperr.Validation(fields...)
	}
	return c, nil
}

// checkContrat normalises a contract row in place (trimmed texts) and checks every rule:
// required texts, enums, currency, amounts, date order (reported on datesField) and response
// times within bounds and never decreasing from urgente to basse.
func checkContrat(c *db.Contrat, datesField string) error {
	var fields []apperr.FieldError
	c.NumeroContrat = trim(c.NumeroContrat)
	c.NomContrat = trim(c.NomContrat)
	fields = text.CheckRequired(fields, "numero_contrat", c.NumeroContrat, 50)
	fields = text.CheckRequired(fields, "nom_contrat", c.NomContrat, 255)
	fields = appendOptionalText(fields, "description", c.Description)
	if !c.TypeContrat.Valid() {
		fields = append(fields, apperr.FieldError{Field: "type_contrat", Message: "type de contrat inconnu"})
	}
	if !c.Statut.Valid() {
		fields = append(fields, apperr.FieldError{Field: "statut", Message: "statut inconnu"})
	}
	if !devisePattern.MatchString(c.Devise) {
		fields = append(fields, apperr.FieldError{Field: "devise", Message: "code ISO 4217 de 3 lettres majuscules"})
	}
	if c.MontantAnnuel != nil && *c.MontantAnnuel < 0 {
		fields = append(fields, apperr.FieldError{Field: "montant_annuel", Message: "ne doit pas être négatif"})
	}
	if c.NbInterventionsIncluses != nil && *c.NbInterventionsIncluses < 0 {
		fields = append(fields, apperr.FieldError{Field: "nb_interventions_incluses", Message: "ne doit pas être négatif"})
	}
	if !c.DateFin.After(c.DateDebut) {
		if datesField == "date_debut" {
			fields = append(fields, apperr.FieldError{Field: "date_debut",
				Message: "doit précéder date_fin (" + c.DateFin.Format(time.DateOnly) + ")"})
		} else {
			fields = append(fields, apperr.FieldError{Field: "date_fin",
				Message: "doit être postérieure à date_debut (" + c.DateDebut.Format(time.DateOnly) + ")"})
		}
	}
	values := [4]*int32{c.DelaiUrgenteHeures, c.DelaiHauteHeures, c.DelaiNormaleHeures, c.DelaiBasseHeures}
	prev := -1
	for i, v := range values {
		if v == nil {
			continue
		}
		if *v < 1 || *v > delais[i].max {
			fields = append(fields, apperr.FieldError{Field: delais[i].field,
				Message: fmt.Sprintf("entre 1 et %d heures", delais[i].max)})
			continue
		}
		if prev >= 0 && *v < *values[prev] {
			fields = append(fields, apperr.FieldError{Field: delais[i].field,
				Message: fmt.Sprintf("doit être supérieur ou égal à %s (%d h)", delais[prev].field, *values[prev])})
			continue
		}
		prev = i
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// toInt32 converts an optional int; ok is false when it does not fit.
func toInt32(p *int) (*int32, bool) {
	if p == nil {
		return nil, true
	}
	if *p < math.MinInt32 || *p > math.MaxInt32 {
		return nil, false
	}
	v := int32(*p)
	return &v, true
}

func changedContratFields(a, b db.Contrat) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("numero_contrat", a.NumeroContrat != b.NumeroContrat)
	add("nom_contrat", a.NomContrat != b.NomContrat)
	add("description", !equalPtr(a.Description, b.Description))
	add("type_contrat", a.TypeContrat != b.TypeContrat)
	add("statut", a.Statut != b.Statut)
	add("date_signature", !equalDate(a.DateSignature, b.DateSignature))
	add("date_debut", !a.DateDebut.Equal(b.DateDebut))
	add("date_fin", !a.DateFin.Equal(b.DateFin))
	add("montant_annuel", !equalPtr(a.MontantAnnuel, b.MontantAnnuel))
	add("devise", a.Devise != b.Devise)
	add("nb_interventions_incluses", !equalPtr(a.NbInterventionsIncluses, b.NbInterventionsIncluses))
	add("delai_urgente_heures", !equalPtr(a.DelaiUrgenteHeures, b.DelaiUrgenteHeures))
	add("delai_haute_heures", !equalPtr(a.DelaiHauteHeures, b.DelaiHauteHeures))
	add("delai_normale_heures", !equalPtr(a.DelaiNormaleHeures, b.DelaiNormaleHeures))
	add("delai_basse_heures", !equalPtr(a.DelaiBasseHeures, b.DelaiBasseHeures))
	if out == nil {
		out = []string{}
	}
	return out
}

func equalDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
