package rapports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/kpis"
	"github.com/mif-erp/erp/internal/platform"
)

// Filtres are a report's filters (those its type takes).
type Filtres struct {
	EquipementID     *int64  `json:"equipement_id,omitempty"`
	ClientID         *int64  `json:"client_id,omitempty"`
	TechnicienID     *int64  `json:"technicien_id,omitempty"`
	TypeIntervention *string `json:"type_intervention,omitempty"`
}

// set are the names of the filters given.
func (f Filtres) set() []string {
	var out []string
	if f.EquipementID != nil {
		out = append(out, "equipement_id")
	}
	if f.ClientID != nil {
		out = append(out, "client_id")
	}
	if f.TechnicienID != nil {
		out = append(out, "technicien_id")
	}
	if f.TypeIntervention != nil {
		out = append(out, "type_intervention")
	}
	return out
}

// FiltresOf decodes a report's stored filters.
func FiltresOf(r Rapport) Filtres { return FiltresOfJSON(r.Filtres) }

// FiltresOfJSON decodes stored filters (a report's or a template's).
func FiltresOfJSON(raw []byte) Filtres {
	var f Filtres
	_ = json.Unmarshal(raw, &f) // written by this package
	return f
}

// Input is what POST /rapports asks for.
type Input struct {
	Type, Format string
	Titre        *string
	From, To     *time.Time
	Filtres      Filtres
	Separateur   *string
}

// Create checks a request and queues the report (pending). Admins and responsables ask for
// any type; a client for the types about its own data; the filters must be the type's and name
// rows the caller may read.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in Input) (Rapport, error) {
	sc := access.For(actor)
	if !sc.Manager() && !sc.IsClient() {
		return Rapport{}, errClientsOnly
	}
	typ, format := db.RapportType(in.Type), db.RapportFormat(in.Format)
	sep, fields, err := spec(sc, typ, format, in.Filtres, in.Separateur)
	if err != nil {
		return Rapport{}, err
	}
	from, to, err := kpis.Days(in.From, in.To, s.now())
	if err != nil {
		return Rapport{}, err
	}
	titre := fmt.Sprintf("%s du %s au %s", labels[typ], frDate(from), frDate(to))
	if in.Titre != nil {
		titre = *in.Titre
	}
	if err := fields.Err(); err != nil {
		return Rapport{}, err
	}
	if err := s.checkFilters(ctx, sc, in.Filtres); err != nil {
		return Rapport{}, err
	}
	raw, err := json.Marshal(in.Filtres)
	if err != nil {
		return Rapport{}, fmt.Errorf("filters: %w", err)
	}
	var r Rapport
	err = platform.InTx(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		r, err = db.New(tx).RapportInsert(ctx, db.RapportInsertParams{Titre: titre, TypeRapport: typ, Format: format,
			DateDebut: from, DateFin: to, Filtres: raw, Separateur: sep, DemandeurID: actor.UserID})
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "rapport.demande", "rapport", r.ID, map[string]any{"type": string(typ), "format": string(format)})
	})
	if err != nil {
		return Rapport{}, fmt.Errorf("queue report: %w", err)
	}
	return r, nil
}

// spec checks what a report (or a template) asks for: its type and format, the filters its
// type takes, the CSV separator. It returns the separator and the invalid fields (to which the
// caller adds its own), or a 403 when the caller may not ask for this type.
func spec(sc access.Scope, typ db.RapportType, format db.RapportFormat, f Filtres, separateur *string) (string, *apperr.Fields, error) {
	fields := &apperr.Fields{}
	if !typ.Valid() {
		fields.Add("type", "type de rapport inconnu")
	}
	if !format.Valid() {
		fields.Add("format", "format inconnu (pdf, excel, csv ou json)")
	}
	if len(*fields) > 0 {
		return "", fields, nil
	}
	if sc.IsClient() && staffTypes[typ] {
		return "", nil, errStaffOnly
	}
	for _, name := range f.set() {
		if !slices.Contains(filters[typ], name) {
			fields.Add("filtres."+name, fmt.Sprintf("le rapport %s ne prend pas ce filtre", typ))
		}
	}
	if f.TypeIntervention != nil && !db.InterventionType(*f.TypeIntervention).Valid() {
		fields.Add("filtres.type_intervention", "type d'intervention inconnu")
	}
	sep := ","
	if separateur != nil {
		if format != db.RapportFormatCsv {
			fields.Add("separateur", "seulement pour le format csv")
		} else if *separateur != "," && *separateur != ";" {
			fields.Add("separateur", "« , » ou « ; »")
		} else {
			sep = *separateur
		}
	}
	return sep, fields, nil
}

// checkFilters answers 404 for a machine, company or technician the caller may not read.
func (s *Service) checkFilters(ctx context.Context, sc access.Scope, f Filtres) error {
	q := sc.Queries(s.Pool)
	if f.EquipementID != nil {
		if err := q.CheckEquipement(ctx, *f.EquipementID); err != nil {
			return err
		}
	}
	if f.ClientID != nil {
		if err := q.CheckClient(ctx, *f.ClientID); err != nil {
			return err
		}
	}
	if f.TechnicienID != nil {
		if _, err := db.New(s.Pool).GetTechnicienView(ctx, *f.TechnicienID); errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("Technicien introuvable")
		} else if err != nil {
			return fmt.Errorf("check technicien: %w", err)
		}
	}
	return nil
}
