package httpapi

import (
	"net/http"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/equipements"
)

// equipementJSON is the wire form of api.Equipement for the list and GET by id, for the reason
// given on interventionJSON; TestEquipementJSONMatchesContractType keeps both identical.
type equipementJSON struct {
	Batiment               *string   `json:"batiment"`
	ClientID               *int64    `json:"client_id"`
	CodeInterne            *string   `json:"code_interne"`
	ContratID              *int64    `json:"contrat_id"`
	CoutAcquisition        *int64    `json:"cout_acquisition"`
	CreatedAt              time.Time `json:"created_at"`
	Criticite              string    `json:"criticite"`
	DateAcquisition        *wireDate `json:"date_acquisition"`
	DateFinGarantie        *wireDate `json:"date_fin_garantie"`
	DateMiseEnService      *wireDate `json:"date_mise_en_service"`
	Description            *string   `json:"description"`
	Etage                  *string   `json:"etage"`
	FrequenceEntretien     *int32    `json:"frequence_entretien"`
	ID                     int64     `json:"id"`
	Localisation           string    `json:"localisation"`
	MaintenanceEnRetard    bool      `json:"maintenance_en_retard"`
	Marque                 *string   `json:"marque"`
	Modele                 *string   `json:"modele"`
	NbInterventionsActives int       `json:"nb_interventions_actives"`
	Nom                    string    `json:"nom"`
	NumeroSerie            *string   `json:"numero_serie"`
	ParentID               *int64    `json:"parent_id"`
	ProchaineMaintenance   *wireDate `json:"prochaine_maintenance"`
	Statut                 string    `json:"statut"`
	Type                   string    `json:"type"`
	UpdatedAt              time.Time `json:"updated_at"`
	Version                int32     `json:"version"`
	Zone                   *string   `json:"zone"`
}

// wireDate encodes a date as "YYYY-MM-DD" like openapi_types.Date, as text rather than through
// a MarshalJSON call.
type wireDate struct{ t time.Time }

func (d wireDate) MarshalText() ([]byte, error) { return d.t.AppendFormat(nil, time.DateOnly), nil }

func wireDateOf(t *time.Time) *wireDate {
	if t == nil {
		return nil
	}
	return &wireDate{*t}
}

func equipementWire(e equipements.Equipement) equipementJSON {
	return equipementJSON{
		Batiment: e.Batiment, ClientID: e.ClientID, CodeInterne: e.CodeInterne, ContratID: e.ContratID,
		CoutAcquisition: e.CoutAcquisition, CreatedAt: e.CreatedAt.UTC(), Criticite: string(e.Criticite),
		DateAcquisition: wireDateOf(e.DateAcquisition), DateFinGarantie: wireDateOf(e.DateFinGarantie),
		DateMiseEnService: wireDateOf(e.DateMiseEnService), Description: e.Description, Etage: e.Etage,
		FrequenceEntretien: e.FrequenceEntretien, ID: e.ID, Localisation: e.Localisation,
		MaintenanceEnRetard: e.MaintenanceEnRetard, Marque: e.Marque, Modele: e.Modele,
		NbInterventionsActives: e.NbInterventionsActives, Nom: e.Nom, NumeroSerie: e.NumeroSerie,
		ParentID: e.ParentID, ProchaineMaintenance: wireDateOf(e.ProchaineMaintenance), Statut: string(e.Statut),
		Type: e.TypeEquipement, UpdatedAt: e.UpdatedAt.UTC(), Version: e.Version, Zone: e.Zone,
	}
}

// equipementPageResponse is GET /equipements: one page with X-Total-Count.
type equipementPageResponse struct{ wirePage[equipementJSON] }

func equipementPage(rows []equipements.Equipement, total int64) equipementPageResponse {
	return equipementPageResponse{newWirePage(rows, total, equipementWire)}
}

func (r equipementPageResponse) VisitListEquipementsResponse(w http.ResponseWriter) error {
	return r.write(w)
}

// equipementResponse is GET /equipements/{id}: one machine with its ETag.
type equipementResponse struct{ e equipements.Equipement }

func (r equipementResponse) VisitGetEquipementResponse(w http.ResponseWriter) error {
	return writeTagged(w, equipementWire(r.e), r.e.Version)
}

var (
	_ api.ListEquipementsResponseObject = equipementPageResponse{}
	_ api.GetEquipementResponseObject   = equipementResponse{}
)
