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
	if sig := s.deps.Rapports.Sign(r); sig != nil {
		u := rapportPath(r.ID) + "/fichier?expires=" + strconv.FormatInt(sig.Expires.Unix(), 10) + "&signature=" + sig.Signature
		exp := sig.Expires
		out.Url, out.UrlExpireLe = &u, &exp
	}
	return out
}

// toAPIFiltres is a report's stored filters for the API.
func toAPIFiltres(f rapports.Filtres) api.RapportFiltres {
	out := api.RapportFiltres{EquipementId: f.EquipementID, ClientId: f.ClientID, TechnicienId: f.TechnicienID}
	if f.TypeIntervention != nil {
		t := api.InterventionType(*f.TypeIntervention)
		out.TypeIntervention = &t
	}
	return out
}

func toAPIModele(m rapports.Modele) api.RapportModele {
	return api.RapportModele{Id: m.ID, Nom: m.Nom, Description: m.Description, Type: api.RapportType(m.TypeRapport),
		Format: api.RapportFormat(m.Format), TitreModele: m.TitreModele, Periode: api.RapportPeriode(m.Periode),
		Filtres: toAPIFiltres(rapports.FiltresOfJSON(m.Filtres)), Separateur: api.RapportModeleSeparateur(m.Separateur),
		CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
}

func toAPIPlanifie(p rapports.Planifie) api.RapportPlanifie {
	users, emails := p.DestinatairesUsers, make([]openapi_types.Email, len(p.DestinatairesEmails))
	for i, e := range p.DestinatairesEmails {
		emails[i] = openapi_types.Email(e)
	}
	return api.RapportPlanifie{Id: p.ID, Nom: p.Nom, ModeleId: p.ModeleID, Cron: p.Cron, Fuseau: p.Fuseau,
		Destinataires: api.RapportDestinataires{Utilisateurs: &users, Emails: &emails}, Envoi: api.RapportPlanifieEnvoi(p.Envoi),
		Actif: p.Actif, ProchaineExecution: p.ProchaineExecution.UTC(), DerniereExecution: utcPtr(p.DerniereExecution),
		ProprietaireId: p.ProprietaireID, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}
