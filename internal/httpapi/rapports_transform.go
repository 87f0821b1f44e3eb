package httpapi

import (
	"strconv"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/rapports"
)

// toAPIRapport converts a report, with a freshly signed download URL once it is completed.
func (s *Server) toAPIRapport(r rapports.Rapport) api.Rapport {
	f := rapports.FiltresOf(r)
	out := api.Rapport{Id: r.ID, Titre: r.Titre, Type: api.RapportType(r.TypeRapport), Format: api.RapportFormat(r.Format),
		Statut: api.RapportStatut(r.Statut), From: openapi_types.Date{Time: r.DateDebut}, To: openapi_types.Date{Time: r.DateFin},
		Filtres:    api.RapportFiltres{EquipementId: f.EquipementID, ClientId: f.ClientID, TechnicienId: f.TechnicienID},
		Separateur: api.RapportSeparateur(r.Separateur), Tentatives: int(r.Tentatives), Erreur: r.Erreur, NomFichier: r.NomFichier,
		Taille: r.Taille, DemandeurId: r.DemandeurID, CreatedAt: r.CreatedAt.UTC(), DebutGeneration: utcPtr(r.DebutGeneration),
		FinGeneration: utcPtr(r.FinGeneration), ExpireLe: utcPtr(r.ExpireLe)}
	if f.TypeIntervention != nil {
		t := api.InterventionType(*f.TypeIntervention)
		out.Filtres.TypeIntervention = &t
	}
	if sig := s.deps.Rapports.Sign(r); sig != nil {
		u := rapportPath(r.ID) + "/fichier?expires=" + strconv.FormatInt(sig.Expires.Unix(), 10) + "&signature=" + sig.Signature
		exp := sig.Expires
		out.Url, out.UrlExpireLe = &u, &exp
	}
	return out
}
