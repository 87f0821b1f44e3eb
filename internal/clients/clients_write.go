package clients

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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

// ClientInput is a new company.
type ClientInput struct {
	UserID          int64
	NomEntreprise   string
	TypeClient      string // "" means entreprise
	SecteurActivite *string
	NomContact      string
	Email           string
	Telephone       *string
	Adresse         *string
	CodePostal      *string
	Ville           *string
	Pays            *string // nil means DefaultPays
	NiveauService   string  // "" means standard
	Notes           *string
}

// ClientUpdate is a partial update: nil pointers and unset fields keep the current value.
type ClientUpdate struct {
	NomEntreprise   *string
	TypeClient      *string
	SecteurActivite patch.Field[string]
	NomContact      *string
	Email           *string
	Telephone       patch.Field[string]
	Adresse         patch.Field[string]
	CodePostal      patch.Field[string]
	Ville           patch.Field[string]
	Pays            *string
	NiveauService   *string
	Notes           patch.Field[string]
	IsActive        *bool
}

// CreateClient links a new company to an existing user of role client.
func (s *Service) CreateClient(ctx context.Context, actor auth.Principal, in ClientInput) (Client, error) {
	if !access.For(actor).Manager() {
		return Client{}, access.ErrManagersOnly
	}
	row := db.Client{
		UserID:          in.UserID,
		NomEntreprise:   in.NomEntreprise,
		TypeClient:      db.ClientTypeEntreprise,
		SecteurActivite: text.Optional(in.SecteurActivite),
		NomContact:      in.NomContact,
		Email:           in.Email,
		Telephone:       text.Optional(in.Telephone),
		Adresse:         text.Optional(in.Adresse),
		CodePostal:      text.Optional(in.CodePostal),
		Ville:           text.Optional(in.Ville),
		Pays:            DefaultPays,
		NiveauService:   db.NiveauServiceStandard,
		Notes:           text.Optional(in.Notes),
		IsActive:        true,
	}
	if in.TypeClient != "" {
		row.TypeClient = db.ClientType(in.TypeClient)
	}
	if in.NiveauService != "" {
		row.NiveauService = db.NiveauService(in.NiveauService)
	}
	if in.Pays != nil {
		row.Pays = *in.Pays
	}
	if err := checkClient(&row); err != nil {
		return Client{}, err
	}
	var out Client
	defer s.accounts.Forget(in.UserID) // once committed: the account now has a company
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		role, err := q.GetUserRoleForClient(ctx, in.UserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		}
		if err != nil {
			return fmt.Errorf("load linked user: %w", err)
		}
		if role != db.UserRoleClient {
			return errUserNotClient
		}
		if has, err := q.ClientOfUserExists(ctx, in.UserID); err != nil {
			return fmt.Errorf("check user's company: %w", err)
		} else if has {
			return errUserHasCompany
		}
		if taken, err := q.ClientNameTaken(ctx, db.ClientNameTakenParams{NomEntreprise: row.NomEntreprise}); err != nil {
			return fmt.Errorf("check company name: %w", err)
		} else if taken {
			return errClientNameTaken
		}
		id, err := q.CreateClient(ctx, db.CreateClientParams{
			UserID: row.UserID, NomEntreprise: row.NomEntreprise, TypeClient: row.TypeClient,
			SecteurActivite: row.SecteurActivite, NomContact: row.NomContact, Email: row.Email,
			Telephone: row.Telephone, Adresse: row.Adresse, CodePostal: row.CodePostal, Ville: row.Ville,
			Pays: row.Pays, NiveauService: row.NiveauService, Notes: row.Notes,
		})
		if err != nil {
			return platform.WriteError("create client", err, constraints)
		}
		if out, err = getClient(ctx, tx, access.For(actor), id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "client.created", ResourceType: "client", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"user_id": row.UserID, "nom_entreprise": row.NomEntreprise}})
	})
	if err != nil {
		return Client{}, fmt.Errorf("create client: %w", err)
	}
	return out, nil
}

// UpdateClient changes the fields sent; the result must satisfy the creation rules.
func (s *Service) UpdateClient(ctx context.Context, actor auth.Principal, id int64, in ClientUpdate) (Client, error) {
	if !access.For(actor).Manager() {
		return Client{}, access.ErrManagersOnly
	}
	var out Client
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		before, err := q.GetClientForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errClientNotFound
		}
		if err != nil {
			return fmt.Errorf("load client: %w", err)
		}
		after := before
		setIf(&after.NomEntreprise, in.NomEntreprise)
		if in.TypeClient != nil {
			after.TypeClient = db.ClientType(*in.TypeClient)
		}
		after.SecteurActivite = text.Optional(in.SecteurActivite.Or(before.SecteurActivite))
		setIf(&after.NomContact, in.NomContact)
		setIf(&after.Email, in.Email)
		after.Telephone = text.Optional(in.Telephone.Or(before.Telephone))
		after.Adresse = text.Optional(in.Adresse.Or(before.Adresse))
		after.CodePostal = text.Optional(in.CodePostal.Or(before.CodePostal))
		after.Ville = text.Optional(in.Ville.Or(before.Ville))
		setIf(&after.Pays, in.Pays)
		if in.NiveauService != nil {
			after.NiveauService = db.NiveauService(*in.NiveauService)
		}
		after.Notes = text.Optional(in.Notes.Or(before.Notes))
		setIf(&after.IsActive, in.IsActive)
		if err := checkClient(&after); err != nil {
			return err
		}
		if in.NomEntreprise != nil {
			taken, err := q.ClientNameTaken(ctx, db.ClientNameTakenParams{NomEntreprise: after.NomEntreprise, ExcludeID: id})
			if err != nil {
				return fmt.Errorf("check company name: %w", err)
			}
			if taken {
				return errClientNameTaken
			}
		}
		err = q.UpdateClient(ctx, db.UpdateClientParams{
			ID: id, NomEntreprise: after.NomEntreprise, TypeClient: after.TypeClient,
			SecteurActivite: after.SecteurActivite, NomContact: after.NomContact, Email: after.Email,
			Telephone: after.Telephone, Adresse: after.Adresse, CodePostal: after.CodePostal, Ville: after.Ville,
			Pays: after.Pays, NiveauService: after.NiveauService, Notes: after.Notes, IsActive: after.IsActive,
		})
		if err != nil {
			return platform.WriteError("update client", err, constraints)
		}
		if out, err = getClient(ctx, tx, access.For(actor), id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "client.updated", ResourceType: "client", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"changed": changedClientFields(before, out.Client)}})
	})
	if err != nil {
		return Client{}, fmt.Errorf("update client %d: %w", id, err)
	}
	return out, nil
}

// checkClient normalises a company row in place (trimmed strings) and lists its invalid fields.
func checkClient(c *db.Client) error {
	var fields []apperr.FieldError
	c.NomEntreprise = trim(c.NomEntreprise)
	c.NomContact = trim(c.NomContact)
	c.Email = trim(c.Email)
	c.Pays = trim(c.Pays)
	fields = text.CheckRequired(fields, "nom_entreprise", c.NomEntreprise, 255)
	fields = text.CheckRequired(fields, "nom_contact", c.NomContact, 255)
	fields = text.CheckRequired(fields, "pays", c.Pays, 100)
	fields = appendOptionalText(fields, "secteur_activite", c.SecteurActivite)
	fields = appendOptionalText(fields, "telephone", c.Telephone)
	fields = appendOptionalText(fields, "adresse", c.Adresse)
	fields = appendOptionalText(fields, "code_postal", c.CodePostal)
	fields = appendOptionalText(fields, "ville", c.Ville)
	fields = appendOptionalText(fields, "notes", c.Notes)
	if msg := checkEmail(c.Email); msg != "" {
		fields = append(fields, apperr.FieldError{Field: "email", Message: msg})
	}
	if !c.TypeClient.Valid() {
		fields = append(fields, apperr.FieldError{Field: "type_client", Message: "type de client inconnu"})
	}
	if !c.NiveauService.Valid() {
		fields = append(fields, apperr.FieldError{Field: "niveau_service", Message: "niveau de service inconnu"})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

func changedClientFields(a, b db.Client) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("nom_entreprise", a.NomEntreprise != b.NomEntreprise)
	add("type_client", a.TypeClient != b.TypeClient)
	add("secteur_activite", !equalPtr(a.SecteurActivite, b.SecteurActivite))
	add("nom_contact", a.NomContact != b.NomContact)
	add("email", a.Email != b.Email)
	add("telephone", !equalPtr(a.Telephone, b.Telephone))
	add("adresse", !equalPtr(a.Adresse, b.Adresse))
	add("code_postal", !equalPtr(a.CodePostal, b.CodePostal))
	add("ville", !equalPtr(a.Ville, b.Ville))
	add("pays", a.Pays != b.Pays)
	add("niveau_service", a.NiveauService != b.NiveauService)
	add("notes", !equalPtr(a.Notes, b.Notes))
	add("is_active", a.IsActive != b.IsActive)
	if out == nil {
		out = []string{}
	}
	return out
}
