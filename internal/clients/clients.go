// Package clients manages client companies and their maintenance contracts.
//
// Admins and responsables manage every row; a user of role client reads only its own company and
// its own contracts. The restriction is part of each read query (the caller's scope), never a
// filter applied after reading.
package clients

import (
	"context"
	"errors"
	"fmt"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/text"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

// DefaultPays is the country of a company created without one.
const DefaultPays = "Maroc"

var clientSortKeys = map[string]bool{
	"id": true, "-id": true, "nom_entreprise": true, "-nom_entreprise": true,
	"created_at": true, "-created_at": true,
}

var (
	errClientNotFound  = apperr.NotFound("Client introuvable")
	errUserNotFound    = apperr.NotFound("Utilisateur lié introuvable")
	errUserNotClient   = apperr.Invalid("L'utilisateur n'est pas un client", apperr.FieldError{Field: "user_id", Message: "doit désigner un utilisateur de rôle client"})
	errUserHasCompany  = apperr.Conflict("Ce client a déjà une entreprise")
	errClientNameTaken = apperr.Conflict("Entreprise déjà existante")
	errClientInUse     = apperr.Conflict("Client lié à des contrats, équipements ou interventions")
	errManagersOnly    = apperr.Forbidden("Accès réservé aux rôles : admin, responsable")
)

// Service manages client companies and their maintenance contracts.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// Client is a company with its computed counts.
type Client struct {
	db.Client
	NbContratsActifs int // contracts en_cours whose dates cover today
	NbEquipements    int
}

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

// ClientFilter selects and orders a page of companies.
type ClientFilter struct {
	IsActive      *bool
	Query         string
	Sort          string // default nom_entreprise
	Limit, Offset int
}

// CreateClient links a new company to an existing user of role client.
func (s *Service) CreateClient(ctx context.Context, actor auth.Principal, in ClientInput) (Client, error) {
	if !access.For(actor).Manager() {
		return Client{}, errManagersOnly
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

// GetClient reads one company the caller may see (404 otherwise).
func (s *Service) GetClient(ctx context.Context, actor auth.Principal, id int64) (Client, error) {
	c, err := getClient(ctx, s.pool, access.For(actor), id)
	if err != nil {
		return Client{}, fmt.Errorf("get client %d: %w", id, err)
	}
	return c, nil
}

// getClient reads one company in sc.
func getClient(ctx context.Context, q db.DBTX, sc access.Scope, id int64) (Client, error) {
	r, err := sc.Queries(q).GetClientScoped(ctx, db.GetClientScopedParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Client{}, errClientNotFound
	}
	if err != nil {
		return Client{}, fmt.Errorf("read client: %w", err)
	}
	return Client{Client: r.Client, NbContratsActifs: int(r.NbContratsActifs), NbEquipements: int(r.NbEquipements)}, nil
}

// ListClients returns one page of the companies the caller may see and their total number.
// It costs two queries whatever the page size.
func (s *Service) ListClients(ctx context.Context, actor auth.Principal, f ClientFilter) ([]Client, int64, error) {
	if f.Sort == "" {
		f.Sort = "nom_entreprise"
	}
	if !clientSortKeys[f.Sort] {
		return nil, 0, apperr.Validation(apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	q, err := likePattern(f.Query)
	if err != nil {
		return nil, 0, err
	}
	queries := access.For(actor).Queries(s.pool)
	rows, err := queries.ListClientsScoped(ctx, db.ListClientsScopedParams{
		IsActive: f.IsActive, Q: q, Sort: f.Sort, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	total, err := queries.CountClientsScoped(ctx, db.CountClientsScopedParams{IsActive: f.IsActive, Q: q})
	if err != nil {
		return nil, 0, fmt.Errorf("count clients: %w", err)
	}
	out := make([]Client, len(rows))
	for i, r := range rows {
		out[i] = Client{Client: r.Client, NbContratsActifs: int(r.NbContratsActifs), NbEquipements: int(r.NbEquipements)}
	}
	return out, total, nil
}

// UpdateClient changes the fields sent; the result must satisfy the creation rules.
func (s *Service) UpdateClient(ctx context.Context, actor auth.Principal, id int64, in ClientUpdate) (Client, error) {
	if !access.For(actor).Manager() {
		return Client{}, errManagersOnly
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

// DeleteClient removes a company that no contract, equipment or intervention references.
func (s *Service) DeleteClient(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return errManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c, err := q.GetClientForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errClientNotFound
		}
		if err != nil {
			return fmt.Errorf("load client: %w", err)
		}
		if used, err := q.ClientInUse(ctx, id); err != nil {
			return fmt.Errorf("check client use: %w", err)
		} else if used {
			return errClientInUse
		}
		if err := q.DeleteClient(ctx, id); err != nil {
			if platform.IsForeignKeyViolation(err) {
				return errClientInUse
			}
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "client.deleted", ResourceType: "client", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"user_id": c.UserID, "nom_entreprise": c.NomEntreprise}})
	})
	if err != nil {
		return fmt.Errorf("delete client %d: %w", id, err)
	}
	return nil
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
