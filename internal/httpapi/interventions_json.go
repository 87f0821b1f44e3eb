package httpapi

import (
	"net/http"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/interventions"
)

// interventionJSON is the wire form of api.Intervention for the hot read paths (lists and GET by
// id). The generated type holds its nullable fields as nullable.Nullable, a map per field, each
// encoded through a MarshalJSON call whose output encoding/json then re-scans: for a page of
// interventions that was the largest share of the server's CPU in the load benchmark. This type
// has the same JSON names, order and null/omit behaviour with plain pointers, and is built from
// the domain value without the intermediate maps. TestInterventionJSONMatchesContractType
// checks that both encode to the same bytes for every field combination.
type interventionJSON struct {
	ActionsPossibles   []interventions.Action `json:"actions_possibles"`
	ClientID           *int64                 `json:"client_id"`
	ContratID          *int64                 `json:"contrat_id"`
	CoutMainOeuvre     *int64                 `json:"cout_main_oeuvre"`
	CoutPieces         *int64                 `json:"cout_pieces"`
	CoutTotal          int64                  `json:"cout_total"`
	CreatedBy          *int64                 `json:"created_by"`
	DateAffectation    *time.Time             `json:"date_affectation"`
	DateArchivage      *time.Time             `json:"date_archivage"`
	DateCloture        *time.Time             `json:"date_cloture"`
	DateCreation       time.Time              `json:"date_creation"`
	DateDebutTravaux   *time.Time             `json:"date_debut_travaux"`
	DateFinTravaux     *time.Time             `json:"date_fin_travaux"`
	DateLimite         *time.Time             `json:"date_limite"`
	DelaiRestantHeures *float64               `json:"delai_restant_heures"`
	Description        *string                `json:"description"`
	DureeMinutes       *int32                 `json:"duree_minutes"`
	EquipementID       int64                  `json:"equipement_id"`
	EstEnRetard        bool                   `json:"est_en_retard"`
	ID                 int64                  `json:"id"`
	MotifAnnulation    *string                `json:"motif_annulation"`
	Priorite           string                 `json:"priorite"`
	Rapport            *string                `json:"rapport"`
	SatisfactionClient *int16                 `json:"satisfaction_client"`
	SlaRespecte        *bool                  `json:"sla_respecte"`
	Statut             string                 `json:"statut"`
	TechnicienID       *int64                 `json:"technicien_id"`
	Titre              string                 `json:"titre"`
	Type               string                 `json:"type"`
	UpdatedAt          time.Time              `json:"updated_at"`
	Urgence            bool                   `json:"urgence"`
	Version            int32                  `json:"version"`
}

func interventionWire(v interventions.Intervention) interventionJSON {
	actions := v.ActionsPossibles
	if actions == nil {
		actions = []interventions.Action{}
	}
	return interventionJSON{
		ActionsPossibles: actions, ClientID: v.ClientID, ContratID: v.ContratID,
		CoutMainOeuvre: v.CoutMainOeuvre, CoutPieces: v.CoutPieces, CoutTotal: v.CoutTotal, CreatedBy: v.CreatedBy,
		DateAffectation: utcPtr(v.DateAffectation), DateArchivage: utcPtr(v.DateArchivage),
		DateCloture: utcPtr(v.DateCloture), DateCreation: v.DateCreation.UTC(),
		DateDebutTravaux: utcPtr(v.DateDebutTravaux), DateFinTravaux: utcPtr(v.DateFinTravaux),
		DateLimite: utcPtr(v.DateLimite), DelaiRestantHeures: v.DelaiRestantHeures, Description: v.Description,
		DureeMinutes: v.DureeMinutes, EquipementID: v.EquipementID, EstEnRetard: v.EstEnRetard, ID: v.ID,
		MotifAnnulation: v.MotifAnnulation, Priorite: string(v.Priorite), Rapport: v.Rapport,
		SatisfactionClient: v.SatisfactionClient, SlaRespecte: v.SlaRespecte, Statut: string(v.Statut),
		TechnicienID: v.TechnicienID, Titre: v.Titre, Type: string(v.TypeIntervention),
		UpdatedAt: v.UpdatedAt.UTC(), Urgence: v.Urgence, Version: v.Version,
	}
}

// interventionPageResponse is one page of interventions with X-Total-Count; it answers every
// operation that returns the InterventionPage response of the contract.
type interventionPageResponse struct{ wirePage[interventionJSON] }

func interventionPage(rows []interventions.Intervention, total int64, err error) (interventionPageResponse, error) {
	if err != nil {
		return interventionPageResponse{}, err
	}
	return interventionPageResponse{newWirePage(rows, total, interventionWire)}, nil
}

func (r interventionPageResponse) VisitListInterventionsResponse(w http.ResponseWriter) error {
	return r.write(w)
}

func (r interventionPageResponse) VisitFilterInterventionsResponse(w http.ResponseWriter) error {
	return r.write(w)
}

func (r interventionPageResponse) VisitListEquipementInterventionsResponse(w http.ResponseWriter) error {
	return r.write(w)
}

func (r interventionPageResponse) VisitListTechnicienInterventionsResponse(w http.ResponseWriter) error {
	return r.write(w)
}

// interventionResponse is one intervention with its ETag (GET /interventions/{id}).
type interventionResponse struct{ v interventions.Intervention }

func (r interventionResponse) VisitGetInterventionResponse(w http.ResponseWriter) error {
	return writeTagged(w, interventionWire(r.v), r.v.Version)
}

var (
	_ api.ListInterventionsResponseObject           = interventionPageResponse{}
	_ api.FilterInterventionsResponseObject         = interventionPageResponse{}
	_ api.ListEquipementInterventionsResponseObject = interventionPageResponse{}
	_ api.ListTechnicienInterventionsResponseObject = interventionPageResponse{}
	_ api.GetInterventionResponseObject             = interventionResponse{}
)
