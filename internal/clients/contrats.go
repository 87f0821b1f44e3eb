package clients

import (
	"regexp"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
)

// DefaultDevise is the currency of a contract created without one.
const DefaultDevise = "MAD"

var devisePattern = regexp.MustCompile(`^[A-Z]{3}$`)

var (
	errContratNotFound = apperr.NotFound("Contrat introuvable")
	errNumeroTaken     = apperr.Conflict("Numéro de contrat déjà utilisé")
	errContratInUse    = apperr.Conflict("Contrat utilisé par des équipements ou des interventions")
)

// delai is the response time of one priority: its field name and largest value in hours.
type delai struct {
	field string
	max   int32
}

// delais are the response times from the most to the least urgent priority: each may be unset,
// and those set never decrease along this order.
var delais = [4]delai{
	{"delai_urgente_heures", 168}, {"delai_haute_heures", 720},
	{"delai_normale_heures", 720}, {"delai_basse_heures", 2160},
}

// Contrat is a contract with its computed consumption.
type Contrat struct {
	db.Contrat
	NbInterventionsUtilisees int  // interventions of the contract, cancelled ones excepted
	QuotaRestant             *int // included minus used, never below 0; nil when unlimited
	EstActif                 bool // en_cours and today within the dates
}
