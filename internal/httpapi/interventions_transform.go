package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/interventions"
)

// Transformers of interventions, their history and the dashboard: domain -> contract types, and the generated page response the four list operations answer with.

// interventionPage is one page of interventions with the total for X-Total-Count (capped: a
// text search's count that stopped at its cap): the answer of the four operations that list
// interventions.
func interventionPage(rows []interventions.Intervention, total int64, capped bool) api.InterventionPageJSONResponse {
	h := api.InterventionPageResponseHeaders{XTotalCount: int(total)}
	if capped { // a text search counted up to its cap: more matches than total says
		h.XTotalCountCapped = ptr("true")
	}
	return api.InterventionPageJSONResponse{Body: mapAll(rows, toAPIIntervention), Headers: h}
}

func toAPIIntervention(v interventions.Intervention) api.Intervention {
	actions := make([]api.InterventionAction, len(v.ActionsPossibles))
	for i, a := range v.ActionsPossibles {
		actions[i] = api.InterventionAction(a)
	}
	var satisfaction *int
	if v.SatisfactionClient != nil {
		satisfaction = ptr(int(*v.SatisfactionClient))
	}
	var duree *int
	if v.DureeMinutes != nil {
		duree = ptr(int(*v.DureeMinutes))
	}
	var technicien *api.TechnicienRef
	if v.TechnicienID != nil {
		technicien = &api.TechnicienRef{Id: *v.TechnicienID, FullName: v.TechnicienNom}
	}
	return api.Intervention{
		Id:                 v.ID,
		Equipement:         api.EquipementRef{Id: v.EquipementID, Nom: v.EquipementNom},
		Technicien:         technicien,
		Titre:              v.Titre,
		Description:        v.Description,
		Type:               api.InterventionType(v.TypeIntervention),
		Statut:             api.InterventionStatut(v.Statut),
		Priorite:           api.InterventionPriorite(v.Priorite),
		Urgence:            v.Urgence,
		EquipementId:       v.EquipementID,
		TechnicienId:       v.TechnicienID,
		ClientId:           v.ClientID,
		ContratId:          v.ContratID,
		CreatedBy:          v.CreatedBy,
		DateCreation:       v.DateCreation.UTC(),
		DateLimite:         utcPtr(v.DateLimite),
		DateAffectation:    utcPtr(v.DateAffectation),
		DateDebutTravaux:   utcPtr(v.DateDebutTravaux),
		DateFinTravaux:     utcPtr(v.DateFinTravaux),
		DateCloture:        utcPtr(v.DateCloture),
		DateArchivage:      utcPtr(v.DateArchivage),
		CoutMainOeuvre:     v.CoutMainOeuvre,
		CoutPieces:         v.CoutPieces,
		CoutTotal:          v.CoutTotal,
		CoutAutres:         v.CoutAutres,
		CoutEstime:         v.CoutEstime,
		CoutReel:           v.CoutReel,
		HorsContrat:        v.HorsContrat,
		DureeMinutes:       duree,
		Rapport:            v.Rapport,
		SatisfactionClient: satisfaction,
		MotifAnnulation:    v.MotifAnnulation,
		EstEnRetard:        v.EstEnRetard,
		DelaiRestantHeures: v.DelaiRestantHeures,
		SlaRespecte:        v.SlaRespecte,
		ActionsPossibles:   actions,
		Version:            int(v.Version),
		UpdatedAt:          v.UpdatedAt.UTC(),
	}
}

func toAPIHistorique(rows []interventions.HistoriqueEntry) []api.HistoriqueEntry {
	out := make([]api.HistoriqueEntry, len(rows))
	for i, h := range rows {
		var avant *api.HistoriqueEntryStatutAvant
		if h.StatutAvant.Valid {
			avant = ptr(api.HistoriqueEntryStatutAvant(h.StatutAvant.InterventionStatut))
		}
		out[i] = api.HistoriqueEntry{
			Id:             h.ID,
			InterventionId: h.InterventionID,
			Action:         h.Action,
			StatutAvant:    avant,
			StatutApres:    api.InterventionStatut(h.StatutApres),
			Remarque:       h.Remarque,
			UserId:         h.UserID,
			UserNom:        h.UserNom,
			CreatedAt:      h.CreatedAt.UTC(),
		}
	}
	return out
}

func toAPIDashboard(st interventions.Stats) api.DashboardStats {
	in := st.Interventions
	var out api.DashboardStats
	out.Interventions = api.CountsByStatut{
		Ouverte: int(in.Ouverte), Affectee: int(in.Affectee), EnCours: int(in.EnCours), EnAttente: int(in.EnAttente),
		Cloturee: int(in.Cloturee), Annulee: int(in.Annulee), Archivee: int(in.Archivee), Terminees: st.Terminees,
		Total: int(in.Total), TotalMensuel: int(in.TotalMensuel), TermineesMensuel: int(in.TermineesMensuel),
		EnRetard: int(in.EnRetard),
	}
	out.TauxResolution = st.TauxResolution
	out.EvolutionMensuelle = make([]struct {
		Month string `json:"month"`
		Total int    `json:"total"`
	}, len(st.Evolution))
	for i, m := range st.Evolution {
		out.EvolutionMensuelle[i].Month, out.EvolutionMensuelle[i].Total = m.Mois, int(m.Total)
	}
	out.Priorites.Urgente, out.Priorites.Haute, out.Priorites.Normale = int(in.Urgente), int(in.Haute), int(in.Normale)
	out.Priorites.Basse, out.Priorites.Programmee = int(in.Basse), int(in.Programmee)
	e := st.Equipements
	out.Equipements.Total, out.Equipements.Operationnel, out.Equipements.Maintenance = int(e.Total), int(e.Operationnel), int(e.Maintenance)
	out.Equipements.Panne, out.Equipements.Retire = int(e.Panne), int(e.Retire)
	out.Utilisateurs.Total, out.Utilisateurs.Actifs = st.UtilisateursTotal, st.UtilisateursActifs
	out.MttrHeures = st.MTTRHeures
	out.SlaRespectPct = st.SLARespectPct
	return out
}
