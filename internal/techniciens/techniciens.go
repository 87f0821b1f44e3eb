// Package techniciens manages technician profiles, their competences and the competence catalogue.
package techniciens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

const (
	defaultLimit = 50
	maxLimit     = 500
)

// Sort keys accepted by List; a leading '-' sorts descending. "nom" is the account's full name,
// "charge" the workload.
var sortKeys = map[string]bool{
	"id": true, "-id": true, "nom": true, "-nom": true, "equipe": true, "-equipe": true,
	"created_at": true, "-created_at": true, "charge": true, "-charge": true,
}

var (
	errNotFound            = apperr.NotFound("Technicien introuvable")
	errUserNotFound        = apperr.NotFound("Utilisateur lié introuvable")
	errProfileExists       = apperr.Conflict("Ce technicien a déjà un profil")
	errBadgeTaken          = apperr.Conflict("Numéro de badge déjà utilisé")
	errCompetencesNotFound = apperr.NotFound("Une ou plusieurs compétences sont introuvables")
	errBusy                = apperr.Conflict("Technicien affecté à des interventions en cours")
	errReferenced          = apperr.Conflict("Technicien référencé par d'autres enregistrements")
	errAlreadyHeld         = apperr.Conflict("Le technicien possède déjà cette compétence")
	errNotHeld             = apperr.NotFound("Le technicien ne possède pas cette compétence")
)

func errNotTechnicien() error {
	return apperr.Invalid("L'utilisateur n'est pas un technicien",
		apperr.FieldError{Field: "user_id", Message: "l'utilisateur doit avoir le rôle technicien"})
}

// Service manages technician profiles, their competences and the competence catalogue.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// Profile is a technician profile as read: the profile, its account, its workload and competences.
type Profile struct {
	db.Technicien
	User db.User
	// Charge counts the interventions assigned to the technician that are affectee, en_cours or
	// en_attente.
	Charge      int
	Competences []Held
}

// Available reports whether the technician can take work: available and with an active account.
func (p Profile) Available() bool {
	return p.Disponibilite == db.TechnicienDisponibiliteDisponible && p.User.IsActive
}

// Held is a competence a technician holds, with its level.
type Held struct {
	CompetenceID    int64
	Nom, Domaine    string
	Niveau          db.NiveauCompetence
	DateAcquisition time.Time
}

// CompetenceLevel is a competence to give, at a level ("" means intermediaire).
type CompetenceLevel struct {
	CompetenceID int64
	Niveau       string
}

// CreateInput is a new profile. Nil fields take their defaults.
type CreateInput struct {
	UserID                                int64
	Equipe, NumeroBadge, ZoneIntervention *string
	TelephoneUrgence, HorairesTravail     *string
	Niveau, Disponibilite                 *string
	Astreinte                             *bool
	DateEmbauche                          *time.Time
	CompetenceIDs                         []int64 // at level intermediaire
	Competences                           []CompetenceLevel
}

// UpdateInput is a partial update: absent fields keep their value, cleared optional ones become
// null. Niveau, Disponibilite, HorairesTravail and Astreinte cannot be cleared.
type UpdateInput struct {
	Equipe, NumeroBadge, ZoneIntervention, TelephoneUrgence patch.Field[string]
	DateEmbauche                                            patch.Field[time.Time]
	Niveau, Disponibilite, HorairesTravail                  patch.Field[string]
	Astreinte                                               patch.Field[bool]
}

// ListFilter selects and orders a page of profiles. Zero values do not filter.
type ListFilter struct {
	Equipe, Disponibilite, Niveau string
	CompetenceID                  int64
	Query                         string
	Sort                          string // default "nom"
	Limit, Offset                 int
}

// Create adds a profile to an account of role technicien, with its competences.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Profile, error) {
	params := db.CreateTechnicienParams{
		UserID:           in.UserID,
		Equipe:           text.Optional(in.Equipe),
		NumeroBadge:      text.Optional(in.NumeroBadge),
		ZoneIntervention: text.Optional(in.ZoneIntervention),
		TelephoneUrgence: text.Optional(in.TelephoneUrgence),
		Niveau:           db.NiveauCompetenceIntermediaire,
		Disponibilite:    db.TechnicienDisponibiliteDisponible,
		HorairesTravail:  "08:00-17:00",
		DateEmbauche:     dateOnly(in.DateEmbauche),
	}
	fields := textFields(map[string]*string{"equipe": in.Equipe, "numero_badge": in.NumeroBadge,
		"zone_intervention": in.ZoneIntervention, "telephone_urgence": in.TelephoneUrgence,
		"horaires_travail": in.HorairesTravail})
	if len(fields) > 0 {
		return Profile{}, apperr.Validation(fields...)
	}
	if in.Niveau != nil {
		params.Niveau = db.NiveauCompetence(*in.Niveau)
		if !params.Niveau.Valid() {
			fields = append(fields, apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
		}
	}
	if in.Disponibilite != nil {
		params.Disponibilite = db.TechnicienDisponibilite(*in.Disponibilite)
		if !params.Disponibilite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "disponibilite", Message: "disponibilité inconnue"})
		}
	}
	if in.HorairesTravail != nil {
		params.HorairesTravail = strings.TrimSpace(*in.HorairesTravail)
		if params.HorairesTravail == "" {
			fields = append(fields, apperr.FieldError{Field: "horaires_travail", Message: "ne doit pas être vide"})
		}
	}
	if in.Astreinte != nil {
		params.Astreinte = *in.Astreinte
	}
	levels, levelFields := competenceLevels(in.CompetenceIDs, in.Competences)
	fields = append(fields, levelFields...)
	if len(fields) > 0 {
		return Profile{}, apperr.Validation(fields...)
	}

	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		user, err := q.GetUser(ctx, in.UserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		}
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		if user.Role != db.UserRoleTechnicien {
			return errNotTechnicien()
		}
		if exists, err := q.TechnicienProfileExists(ctx, in.UserID); err != nil {
			return fmt.Errorf("check profile: %w", err)
		} else if exists {
			return errProfileExists
		}
		if err := checkBadge(ctx, q, params.NumeroBadge, 0); err != nil {
			return err
		}
		if err := lockCompetences(ctx, q, levels); err != nil {
			return err
		}
		t, err := q.CreateTechnicien(ctx, params)
		if err != nil {
			return platform.WriteError("write technicien", err, constraints)
		}
		if err := addCompetences(ctx, q, t.ID, levels); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.created", ResourceType: "technicien", ResourceID: strconv.FormatInt(t.ID, 10),
			Details: map[string]any{"user_id": in.UserID, "competences": len(levels)}}); err != nil {
			return err
		}
		p, err = view(ctx, q, t.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("create technicien: %w", err)
	}
	return p, nil
}

// Get reads one profile.
func (s *Service) Get(ctx context.Context, id int64) (Profile, error) {
	p, err := view(ctx, db.New(s.pool), id)
	if err != nil {
		return Profile{}, fmt.Errorf("get technicien %d: %w", id, err)
	}
	return p, nil
}

// List returns one page of profiles and the total number matching the filter. It costs three
// queries whatever the page size: the page (with accounts and workloads), the total, and the
// competences of every technician of the page.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Profile, int64, error) {
	if f.Sort == "" {
		f.Sort = "nom"
	}
	fields := textFields(map[string]*string{"equipe": &f.Equipe, "q": &f.Query})
	if !sortKeys[f.Sort] {
		fields = append(fields, apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	if f.Limit == 0 {
		f.Limit = defaultLimit
	}
	if f.Limit < 1 || f.Limit > maxLimit {
		fields = append(fields, apperr.FieldError{Field: "limit", Message: "entre 1 et 500"})
	}
	if f.Offset < 0 {
		fields = append(fields, apperr.FieldError{Field: "offset", Message: "doit être positif ou nul"})
	}
	var dispo db.NullTechnicienDisponibilite
	if f.Disponibilite != "" {
		dispo = db.NullTechnicienDisponibilite{TechnicienDisponibilite: db.TechnicienDisponibilite(f.Disponibilite), Valid: true}
		if !dispo.TechnicienDisponibilite.Valid() {
			fields = append(fields, apperr.FieldError{Field: "disponibilite", Message: "disponibilité inconnue"})
		}
	}
	var niveau db.NullNiveauCompetence
	if f.Niveau != "" {
		niveau = db.NullNiveauCompetence{NiveauCompetence: db.NiveauCompetence(f.Niveau), Valid: true}
		if !niveau.NiveauCompetence.Valid() {
			fields = append(fields, apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
		}
	}
	if len(fields) > 0 {
		return nil, 0, apperr.Validation(fields...)
	}
	var equipe *string
	if e := strings.TrimSpace(f.Equipe); e != "" {
		equipe = &e
	}
	var competence *int64
	if f.CompetenceID != 0 {
		competence = &f.CompetenceID
	}
	query := likePattern(f.Query)

	q := db.New(s.pool)
	rows, err := q.ListTechniciens(ctx, db.ListTechniciensParams{
		Equipe: equipe, Disponibilite: dispo, Niveau: niveau, CompetenceID: competence, Q: query,
		Sort: f.Sort, Lim: int32(f.Limit), Off: int32(min(f.Offset, 1<<31-1)),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list techniciens: %w", err)
	}
	total, err := q.CountTechniciens(ctx, db.CountTechniciensParams{
		Equipe: equipe, Disponibilite: dispo, Niveau: niveau, CompetenceID: competence, Q: query,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count techniciens: %w", err)
	}
	out := make([]Profile, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = Profile{Technicien: r.Technicien, User: r.User, Charge: int(r.ChargeTravail), Competences: []Held{}}
		ids[i] = r.Technicien.ID
	}
	if err := attachCompetences(ctx, q, out, ids); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Update changes the fields sent.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput) (Profile, error) {
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := q.GetTechnicienForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("load technicien: %w", err)
		}
		params, changed, err := applyUpdate(cur, in)
		if err != nil {
			return err
		}
		if in.NumeroBadge.Set {
			if err := checkBadge(ctx, q, params.NumeroBadge, id); err != nil {
				return err
			}
		}
		if _, err := q.UpdateTechnicien(ctx, params); err != nil {
			return platform.WriteError("write technicien", err, constraints)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.updated", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"fields": changed}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("update technicien %d: %w", id, err)
	}
	return p, nil
}

// applyUpdate computes the new row from the current one and the fields sent, and lists the
// fields that change.
func applyUpdate(cur db.Technicien, in UpdateInput) (db.UpdateTechnicienParams, []string, error) {
	p := db.UpdateTechnicienParams{
		ID:               cur.ID,
		Equipe:           optionalField(in.Equipe, cur.Equipe),
		NumeroBadge:      optionalField(in.NumeroBadge, cur.NumeroBadge),
		ZoneIntervention: optionalField(in.ZoneIntervention, cur.ZoneIntervention),
		TelephoneUrgence: optionalField(in.TelephoneUrgence, cur.TelephoneUrgence),
		DateEmbauche:     dateOnly(in.DateEmbauche.Or(cur.DateEmbauche)),
		Niveau:           cur.Niveau,
		Disponibilite:    cur.Disponibilite,
		HorairesTravail:  cur.HorairesTravail,
		Astreinte:        cur.Astreinte,
	}
	fields := textFields(map[string]*string{"equipe": in.Equipe.Value, "numero_badge": in.NumeroBadge.Value,
		"zone_intervention": in.ZoneIntervention.Value, "telephone_urgence": in.TelephoneUrgence.Value,
		"horaires_travail": in.HorairesTravail.Value})
	if len(fields) > 0 {
		return p, nil, apperr.Validation(fields...)
	}
	if v := in.Niveau.Value; in.Niveau.Set {
		if v == nil || !db.NiveauCompetence(*v).Valid() {
			fields = append(fields, apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
		} else {
			p.Niveau = db.NiveauCompetence(*v)
		}
	}
	if v := in.Disponibilite.Value; in.Disponibilite.Set {
		if v == nil || !db.TechnicienDisponibilite(*v).Valid() {
			fields = append(fields, apperr.FieldError{Field: "disponibilite", Message: "disponibilité inconnue"})
		} else {
			p.Disponibilite = db.TechnicienDisponibilite(*v)
		}
	}
	if v := in.HorairesTravail.Value; in.HorairesTravail.Set {
		if v == nil || strings.TrimSpace(*v) == "" {
			fields = append(fields, apperr.FieldError{Field: "horaires_travail", Message: "ne doit pas être vide"})
		} else {
			p.HorairesTravail = strings.TrimSpace(*v)
		}
	}
	if v := in.Astreinte.Value; in.Astreinte.Set {
		if v == nil {
			fields = append(fields, apperr.FieldError{Field: "astreinte", Message: "ne peut pas être null"})
		} else {
			p.Astreinte = *v
		}
	}
	if len(fields) > 0 {
		return p, nil, apperr.Validation(fields...)
	}
	var changed []string
	add := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	add("equipe", !sameString(cur.Equipe, p.Equipe))
	add("numero_badge", !sameString(cur.NumeroBadge, p.NumeroBadge))
	add("niveau", cur.Niveau != p.Niveau)
	add("zone_intervention", !sameString(cur.ZoneIntervention, p.ZoneIntervention))
	add("disponibilite", cur.Disponibilite != p.Disponibilite)
	add("astreinte", cur.Astreinte != p.Astreinte)
	add("horaires_travail", cur.HorairesTravail != p.HorairesTravail)
	add("telephone_urgence", !sameString(cur.TelephoneUrgence, p.TelephoneUrgence))
	add("date_embauche", !sameDate(cur.DateEmbauche, p.DateEmbauche))
	if changed == nil {
		changed = []string{}
	}
	return p, changed, nil
}

// Delete removes a profile (its competences go with it; the account is not touched). Refused
// while interventions in progress are assigned to it; closed ones keep their history with no
// technician.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		// The row lock makes a concurrent assignment (whose foreign key check key-share locks
		// the row) wait for this transaction, so the count below cannot miss one.
		t, err := q.GetTechnicienForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("load technicien: %w", err)
		}
		n, err := q.CountActiveInterventionsOfTechnicien(ctx, id)
		if err != nil {
			return fmt.Errorf("count interventions: %w", err)
		}
		if n > 0 {
			return errBusy
		}
		if _, err := q.DeleteTechnicien(ctx, id); err != nil {
			if platform.IsForeignKeyViolation(err) {
				return errReferenced
			}
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.deleted", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"user_id": t.UserID}})
	})
	if err != nil {
		return fmt.Errorf("delete technicien %d: %w", id, err)
	}
	return nil
}

// AddCompetence gives a technician a competence ("" level means intermediaire).
func (s *Service) AddCompetence(ctx context.Context, actor auth.Principal, id int64, in CompetenceLevel) (Profile, error) {
	levels, fields := competenceLevels(nil, []CompetenceLevel{in})
	if len(fields) > 0 {
		return Profile{}, apperr.Validation(fields...)
	}
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := touch(ctx, q, id); err != nil {
			return err
		}
		if err := lockCompetences(ctx, q, levels); err != nil {
			if errors.Is(err, errCompetencesNotFound) {
				return errCompetenceNotFound
			}
			return err
		}
		n, err := q.AddTechnicienCompetences(ctx, db.AddTechnicienCompetencesParams{
			TechnicienID: id, CompetenceIds: []int64{in.CompetenceID}, Niveaux: []string{levels[0].Niveau},
		})
		if err != nil {
			return fmt.Errorf("add competence: %w", err)
		}
		if n == 0 {
			return errAlreadyHeld
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.competence_added", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"competence_id": in.CompetenceID, "niveau": levels[0].Niveau}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("add competence to technicien %d: %w", id, err)
	}
	return p, nil
}

// SetCompetenceLevel changes the level of a competence the technician holds.
func (s *Service) SetCompetenceLevel(ctx context.Context, actor auth.Principal, id, competenceID int64, niveau string) (Profile, error) {
	level := db.NiveauCompetence(niveau)
	if !level.Valid() {
		return Profile{}, apperr.Validation(apperr.FieldError{Field: "niveau", Message: "niveau inconnu"})
	}
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := touch(ctx, q, id); err != nil {
			return err
		}
		n, err := q.SetTechnicienCompetenceLevel(ctx, db.SetTechnicienCompetenceLevelParams{
			Niveau: level, TechnicienID: id, CompetenceID: competenceID,
		})
		if err != nil {
			return fmt.Errorf("set level: %w", err)
		}
		if n == 0 {
			return errNotHeld
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.competence_updated", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"competence_id": competenceID, "niveau": level}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("set competence level of technicien %d: %w", id, err)
	}
	return p, nil
}

// RemoveCompetence takes a competence away from a technician.
func (s *Service) RemoveCompetence(ctx context.Context, actor auth.Principal, id, competenceID int64) (Profile, error) {
	var p Profile
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := touch(ctx, q, id); err != nil {
			return err
		}
		n, err := q.RemoveTechnicienCompetence(ctx, db.RemoveTechnicienCompetenceParams{
			TechnicienID: id, CompetenceID: competenceID,
		})
		if err != nil {
			return fmt.Errorf("remove competence: %w", err)
		}
		if n == 0 {
			return errNotHeld
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.competence_removed", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"competence_id": competenceID}}); err != nil {
			return err
		}
		p, err = view(ctx, q, id)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("remove competence from technicien %d: %w", id, err)
	}
	return p, nil
}

// view reads one profile with its account, workload and competences (two queries).
func view(ctx context.Context, q *db.Queries, id int64) (Profile, error) {
	r, err := q.GetTechnicienView(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Profile{}, errNotFound
	}
	if err != nil {
		return Profile{}, fmt.Errorf("read technicien: %w", err)
	}
	out := []Profile{{Technicien: r.Technicien, User: r.User, Charge: int(r.ChargeTravail), Competences: []Held{}}}
	if err := attachCompetences(ctx, q, out, []int64{id}); err != nil {
		return Profile{}, err
	}
	return out[0], nil
}

// attachCompetences reads the competences of every profile of ps (whose ids are ids) in one query.
func attachCompetences(ctx context.Context, q *db.Queries, ps []Profile, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.ListCompetencesOfTechniciens(ctx, ids)
	if err != nil {
		return fmt.Errorf("read competences: %w", err)
	}
	at := make(map[int64]int, len(ps))
	for i, p := range ps {
		at[p.ID] = i
	}
	for _, r := range rows {
		if i, ok := at[r.TechnicienID]; ok {
			ps[i].Competences = append(ps[i].Competences, Held{
				CompetenceID: r.ID, Nom: r.Nom, Domaine: r.Domaine, Niveau: r.Niveau, DateAcquisition: r.DateAcquisition,
			})
		}
	}
	return nil
}

// touch locks a profile and bumps its updated_at; errNotFound when it does not exist.
func touch(ctx context.Context, q *db.Queries, id int64) error {
	n, err := q.TouchTechnicien(ctx, id)
	if err != nil {
		return fmt.Errorf("lock technicien: %w", err)
	}
	if n == 0 {
		return errNotFound
	}
	return nil
}

// competenceLevels merges the original's competences_ids (level intermediaire) with the
// competences given with a level, refusing duplicates and unknown levels.
func competenceLevels(ids []int64, withLevel []CompetenceLevel) ([]CompetenceLevel, []apperr.FieldError) {
	out := make([]CompetenceLevel, 0, len(ids)+len(withLevel))
	var fields []apperr.FieldError
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			fields = append(fields, apperr.FieldError{Field: "competences_ids." + strconv.Itoa(i), Message: "compétence en double"})
			continue
		}
		seen[id] = true
		out = append(out, CompetenceLevel{CompetenceID: id, Niveau: string(db.NiveauCompetenceIntermediaire)})
	}
	for i, c := range withLevel {
		if seen[c.CompetenceID] {
			fields = append(fields, apperr.FieldError{Field: "competences." + strconv.Itoa(i) + ".competence_id", Message: "compétence en double"})
			continue
		}
		seen[c.CompetenceID] = true
		if c.Niveau == "" {
			c.Niveau = string(db.NiveauCompetenceIntermediaire)
		} else if !db.NiveauCompetence(c.Niveau).Valid() {
			fields = append(fields, apperr.FieldError{Field: "competences." + strconv.Itoa(i) + ".niveau", Message: "niveau inconnu"})
		}
		out = append(out, c)
	}
	return out, fields
}

// lockCompetences checks that every competence exists and key-share locks them until the
// transaction ends, so none is deleted before the links commit.
func lockCompetences(ctx context.Context, q *db.Queries, levels []CompetenceLevel) error {
	if len(levels) == 0 {
		return nil
	}
	ids := make([]int64, len(levels))
	for i, l := range levels {
		ids[i] = l.CompetenceID
	}
	found, err := q.LockCompetences(ctx, ids)
	if err != nil {
		return fmt.Errorf("lock competences: %w", err)
	}
	if len(found) != len(ids) {
		return errCompetencesNotFound
	}
	return nil
}

func addCompetences(ctx context.Context, q *db.Queries, id int64, levels []CompetenceLevel) error {
	if len(levels) == 0 {
		return nil
	}
	ids := make([]int64, len(levels))
	niveaux := make([]string, len(levels))
	for i, l := range levels {
		ids[i], niveaux[i] = l.CompetenceID, l.Niveau
	}
	if _, err := q.AddTechnicienCompetences(ctx, db.AddTechnicienCompetencesParams{
		TechnicienID: id, CompetenceIds: ids, Niveaux: niveaux,
	}); err != nil {
		return fmt.Errorf("add competences: %w", err)
	}
	return nil
}

func checkBadge(ctx context.Context, q *db.Queries, badge *string, exclude int64) error {
	if badge == nil {
		return nil
	}
	taken, err := q.BadgeTaken(ctx, db.BadgeTakenParams{NumeroBadge: *badge, ExcludeID: exclude})
	if err != nil {
		return fmt.Errorf("check badge: %w", err)
	}
	if taken {
		return errBadgeTaken
	}
	return nil
}

// optionalField applies a partial-update field to an optional text; blank clears it.
func optionalField(f patch.Field[string], cur *string) *string {
	if !f.Set {
		return cur
	}
	return text.Optional(f.Value)
}

// dateOnly keeps the calendar day of t (dates travel as midnight UTC).
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func sameString(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func sameDate(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// textFields lists the texts of fields that PostgreSQL cannot store: a NUL character or invalid
// UTF-8 (reachable through JSON escapes and query strings).
func textFields(texts map[string]*string) []apperr.FieldError {
	var out []apperr.FieldError
	for _, name := range sortedKeys(texts) {
		if v := texts[name]; v != nil && text.Unstorable(*v) != "" {
			out = append(out, apperr.FieldError{Field: name, Message: "caractères invalides"})
		}
	}
	return out
}

func sortedKeys(m map[string]*string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// likePattern escapes a search text for ILIKE; nil when blank.
func likePattern(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	s = text.EscapeLike(s)
	return &s
}

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"techniciens_badge_key":    errBadgeTaken,
	"techniciens_user_id_key":  errProfileExists,
	"techniciens_user_id_fkey": errUserNotFound,
}
