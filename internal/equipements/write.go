package equipements

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
	"github.com/mif-erp/erp/internal/arrets"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

// CreateInput is a new machine. Optional fields are nil when absent.
type CreateInput struct {
	Nom, Type, Localisation string
	Statut, Criticite       *string
	NumeroSerie             *string
	CodeInterne             *string
	Marque, Modele          *string
	Batiment, Etage, Zone   *string
	Description             *string
	Frequence               *string // days or a label; see ParseFrequence
	DateAcquisition         *time.Time
	DateMiseEnService       *time.Time
	DateFinGarantie         *time.Time
	CoutAcquisition         *int64
	ClientID                *int64
	ContratID               *int64 // without ClientID, the machine takes the contract's client
	ParentID                *int64
}

// UpdateInput is a partial update: absent fields keep their value, cleared fields become null.
type UpdateInput struct {
	Nom, Type, Localisation patch.Field[string] // may not be cleared
	Statut, Criticite       patch.Field[string] // may not be cleared
	NumeroSerie             patch.Field[string]
	CodeInterne             patch.Field[string]
	Marque, Modele          patch.Field[string]
	Batiment, Etage, Zone   patch.Field[string]
	Description             patch.Field[string]
	Frequence               patch.Field[string] // "0" or "aucune" clears
	DateAcquisition         patch.Field[time.Time]
	DateMiseEnService       patch.Field[time.Time]
	DateFinGarantie         patch.Field[time.Time]
	CoutAcquisition         patch.Field[int64]
	ClientID                patch.Field[int64]
	ContratID               patch.Field[int64]
	ParentID                patch.Field[int64]

	// IfMatch, when set, is the caller's precondition on the current version (If-Match): the
	// update is refused with 412 unless it reports true.
	IfMatch func(version int32) bool
}

// Create adds a machine.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Equipement, error) {
	v := &validator{}
	row := db.Equipement{
		Nom:             v.required("nom", in.Nom),
		TypeEquipement:  v.required("type", in.Type),
		Localisation:    v.required("localisation", in.Localisation),
		Statut:          db.EquipementStatutOperationnel,
		Criticite:       db.EquipementCriticiteStandard,
		NumeroSerie:     trimmedOrNil(in.NumeroSerie),
		CodeInterne:     trimmedOrNil(in.CodeInterne),
		Marque:          trimmedOrNil(in.Marque),
		Modele:          trimmedOrNil(in.Modele),
		Batiment:        trimmedOrNil(in.Batiment),
		Etage:           trimmedOrNil(in.Etage),
		Zone:            trimmedOrNil(in.Zone),
		Description:     trimmedOrNil(in.Description),
		DateAcquisition: dateOnly(in.DateAcquisition), DateMiseEnService: dateOnly(in.DateMiseEnService),
		DateFinGarantie: dateOnly(in.DateFinGarantie),
		CoutAcquisition: in.CoutAcquisition,
		ClientID:        in.ClientID, ContratID: in.ContratID, ParentID: in.ParentID,
	}
	if in.Statut != nil {
		row.Statut = v.statut(*in.Statut)
	}
	if in.Criticite != nil {
		row.Criticite = v.criticite(*in.Criticite)
	}
	if in.Frequence != nil {
		row.FrequenceEntretien = v.frequence(*in.Frequence)
	}
	v.checkRow(row)
	if err := v.err(); err != nil {
		return Equipement{}, err
	}
	var out Equipement
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := checkLinks(ctx, q, &row, links{client: row.ClientID != nil, contrat: row.ContratID != nil}); err != nil {
			return err
		}
		if row.ClientID != nil && row.ContratID == nil {
			// The company's contract when it has exactly one in force today.
			ids, err := q.ContratsActifsDuClient(ctx, *row.ClientID)
			if err != nil {
				return fmt.Errorf("contracts of client %d: %w", *row.ClientID, err)
			}
			if len(ids) == 1 {
				row.ContratID = &ids[0]
			}
		}
		if row.ParentID != nil {
			if err := checkParentExists(ctx, q, *row.ParentID); err != nil {
				return err
			}
		}
		id, err := q.InsertEquipement(ctx, db.InsertEquipementParams{
			Nom: row.Nom, TypeEquipement: row.TypeEquipement, Localisation: row.Localisation,
			NumeroSerie: row.NumeroSerie, CodeInterne: row.CodeInterne, Marque: row.Marque, Modele: row.Modele,
			Batiment: row.Batiment, Etage: row.Etage, Zone: row.Zone, Statut: row.Statut, Criticite: row.Criticite,
			Description: row.Description, FrequenceEntretien: row.FrequenceEntretien,
			DateAcquisition: row.DateAcquisition, DateMiseEnService: row.DateMiseEnService,
			DateFinGarantie: row.DateFinGarantie, CoutAcquisition: row.CoutAcquisition,
			ClientID: row.ClientID, ContratID: row.ContratID, ParentID: row.ParentID,
		})
		if err != nil {
			return platform.WriteError("write equipement", err, constraints)
		}
		if err := arrets.Recorded(ctx, tx, "", arrets.Change{EquipementID: id, Statut: row.Statut, At: time.Now().UTC(),
			UserID: &actor.UserID, Source: arrets.ChangeCreation}); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "equipement.created", ResourceType: "equipement", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom": row.Nom, "client_id": row.ClientID, "contrat_id": row.ContratID,
				"parent_id": row.ParentID}}); err != nil {
			return err
		}
		out, err = get(ctx, tx, access.For(actor), id)
		return err
	})
	if err != nil {
		return Equipement{}, fmt.Errorf("create equipement: %w", err)
	}
	return out, nil
}

// Update changes the fields sent. The version goes up by one when something changed.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput) (Equipement, error) {
	v := &validator{}
	var (
		nom, typ, loc *string
		statut        *db.EquipementStatut
		criticite     *db.EquipementCriticite
		frequence     patch.Field[int32]
	)
	if in.Nom.Set {
		nom = ptr(v.required("nom", deref(in.Nom.Value)))
	}
	if in.Type.Set {
		typ = ptr(v.required("type", deref(in.Type.Value)))
	}
	if in.Localisation.Set {
		loc = ptr(v.required("localisation", deref(in.Localisation.Value)))
	}
	if in.Statut.Set {
		statut = ptr(v.statut(deref(in.Statut.Value)))
	}
	if in.Criticite.Set {
		criticite = ptr(v.criticite(deref(in.Criticite.Value)))
	}
	if in.Frequence.Set {
		if in.Frequence.Value == nil {
			frequence = patch.Clear[int32]()
		} else if d := v.frequence(*in.Frequence.Value); d != nil {
			frequence = patch.To(*d)
		} else {
			frequence = patch.Clear[int32]()
		}
	}
	if err := v.err(); err != nil {
		return Equipement{}, err
	}

	var out Equipement
	renamed := false
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if in.ParentID.Value != nil {
			// Moves in the hierarchy run one at a time, and take this lock before any row lock:
			// two machines moved under each other at once then neither deadlock nor close a cycle.
			if err := q.LockEquipementHierarchy(ctx); err != nil {
				return fmt.Errorf("lock hierarchy: %w", err)
			}
		}
		cur, err := q.LockEquipement(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("lock equipement: %w", err)
		}
		if in.IfMatch != nil && !in.IfMatch(cur.Version) {
			return apperr.PreconditionFailed("La ressource a été modifiée entre-temps (version actuelle : \"%d\")", cur.Version)
		}
		next := cur
		if nom != nil {
			next.Nom = *nom
		}
		if typ != nil {
			next.TypeEquipement = *typ
		}
		if loc != nil {
			next.Localisation = *loc
		}
		if statut != nil {
			next.Statut = *statut
		}
		if criticite != nil {
			next.Criticite = *criticite
		}
		next.NumeroSerie = trimmedOrNil(in.NumeroSerie.Or(cur.NumeroSerie))
		next.CodeInterne = trimmedOrNil(in.CodeInterne.Or(cur.CodeInterne))
		next.Marque = trimmedOrNil(in.Marque.Or(cur.Marque))
		next.Modele = trimmedOrNil(in.Modele.Or(cur.Modele))
		next.Batiment = trimmedOrNil(in.Batiment.Or(cur.Batiment))
		next.Etage = trimmedOrNil(in.Etage.Or(cur.Etage))
		next.Zone = trimmedOrNil(in.Zone.Or(cur.Zone))
		next.Description = trimmedOrNil(in.Description.Or(cur.Description))
		next.FrequenceEntretien = frequence.Or(cur.FrequenceEntretien)
		next.DateAcquisition = dateOnly(in.DateAcquisition.Or(cur.DateAcquisition))
		next.DateMiseEnService = dateOnly(in.DateMiseEnService.Or(cur.DateMiseEnService))
		next.DateFinGarantie = dateOnly(in.DateFinGarantie.Or(cur.DateFinGarantie))
		next.CoutAcquisition = in.CoutAcquisition.Or(cur.CoutAcquisition)
		next.ClientID = in.ClientID.Or(cur.ClientID)
		next.ContratID = in.ContratID.Or(cur.ContratID)
		next.ParentID = in.ParentID.Or(cur.ParentID)

		rv := &validator{}
		rv.checkRow(next)
		if err := rv.err(); err != nil {
			return err
		}
		clientChanged := !equalPtr(next.ClientID, cur.ClientID)
		contratChanged := !equalPtr(next.ContratID, cur.ContratID)
		if next.ContratID != nil && next.ClientID == nil && in.ClientID.Set {
			return apperr.Validation(apperr.FieldError{Field: "client_id",
				Message: "un équipement sous contrat appartient au client du contrat : retirez aussi contrat_id"})
		}
		if err := checkLinks(ctx, q, &next, links{client: clientChanged && next.ClientID != nil,
			contrat: next.ContratID != nil && (clientChanged || contratChanged)}); err != nil {
			return err
		}
		if next.ParentID != nil && !equalPtr(next.ParentID, cur.ParentID) {
			if err := checkParent(ctx, q, id, *next.ParentID); err != nil {
				return err
			}
		}
		changed := changedFields(cur, next)
		renamed = next.Nom != cur.Nom
		if len(changed) == 0 {
			out, err = get(ctx, tx, access.For(actor), id)
			return err
		}
		if _, err := q.UpdateEquipement(ctx, db.UpdateEquipementParams{
			ID: id, Nom: next.Nom, TypeEquipement: next.TypeEquipement, Localisation: next.Localisation,
			NumeroSerie: next.NumeroSerie, CodeInterne: next.CodeInterne, Marque: next.Marque, Modele: next.Modele,
			Batiment: next.Batiment, Etage: next.Etage, Zone: next.Zone, Statut: next.Statut, Criticite: next.Criticite,
			Description: next.Description, FrequenceEntretien: next.FrequenceEntretien,
			DateAcquisition: next.DateAcquisition, DateMiseEnService: next.DateMiseEnService,
			DateFinGarantie: next.DateFinGarantie, CoutAcquisition: next.CoutAcquisition,
			ClientID: next.ClientID, ContratID: next.ContratID, ParentID: next.ParentID,
		}); err != nil {
			return platform.WriteError("write equipement", err, constraints)
		}
		if err := arrets.Recorded(ctx, tx, cur.Statut, arrets.Change{EquipementID: id, Statut: next.Statut,
			At: time.Now().UTC(), UserID: &actor.UserID, Source: arrets.ChangeManuel}); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "equipement.updated", ResourceType: "equipement", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"fields": changed, "version_before": cur.Version}}); err != nil {
			return err
		}
		out, err = get(ctx, tx, access.For(actor), id)
		return err
	})
	if err != nil {
		return Equipement{}, fmt.Errorf("update equipement %d: %w", id, err)
	}
	if renamed {
		s.names.Forget() // committed: this instance's next page of interventions shows the new name
	}
	return out, nil
}

// changedFields lists the API names of the fields that differ.
func changedFields(a, b db.Equipement) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("nom", a.Nom == b.Nom)
	add("type", a.TypeEquipement == b.TypeEquipement)
	add("localisation", a.Localisation == b.Localisation)
	add("numero_serie", equalPtr(a.NumeroSerie, b.NumeroSerie))
	add("code_interne", equalPtr(a.CodeInterne, b.CodeInterne))
	add("marque", equalPtr(a.Marque, b.Marque))
	add("modele", equalPtr(a.Modele, b.Modele))
	add("batiment", equalPtr(a.Batiment, b.Batiment))
	add("etage", equalPtr(a.Etage, b.Etage))
	add("zone", equalPtr(a.Zone, b.Zone))
	add("statut", a.Statut == b.Statut)
	add("criticite", a.Criticite == b.Criticite)
	add("description", equalPtr(a.Description, b.Description))
	add("frequence_entretien", equalPtr(a.FrequenceEntretien, b.FrequenceEntretien))
	add("date_acquisition", equalDate(a.DateAcquisition, b.DateAcquisition))
	add("date_mise_en_service", equalDate(a.DateMiseEnService, b.DateMiseEnService))
	add("date_fin_garantie", equalDate(a.DateFinGarantie, b.DateFinGarantie))
	add("cout_acquisition", equalPtr(a.CoutAcquisition, b.CoutAcquisition))
	add("client_id", equalPtr(a.ClientID, b.ClientID))
	add("contrat_id", equalPtr(a.ContratID, b.ContratID))
	add("parent_id", equalPtr(a.ParentID, b.ParentID))
	return out
}
