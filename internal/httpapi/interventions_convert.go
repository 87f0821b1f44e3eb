package httpapi

import (
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/interventions"
)

// interventionFilterParams are the list parameters the intervention operations share (each
// operation has its own generated types for them).
type interventionFilterParams struct {
	Limit, Offset                          *int
	Sort                                   *string
	Statut                                 *[]api.InterventionStatut
	Priorite                               *[]api.InterventionPriorite
	Type                                   *api.InterventionType
	Urgence, EnRetard                      *bool
	TechnicienID, EquipementID             *int64
	ClientID, ContratID                    *int64
	CreatedFrom, CreatedTo, DeadlineBefore *time.Time
	Q                                      *string
}

func interventionFilter(p interventionFilterParams) interventions.Filter {
	f := interventions.Filter{
		Limit: interventions.DefaultLimit, Type: (*string)(p.Type), Urgence: p.Urgence, EnRetard: p.EnRetard,
		TechnicienID: p.TechnicienID, EquipementID: p.EquipementID, ClientID: p.ClientID, ContratID: p.ContratID,
		CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo, DeadlineBefore: p.DeadlineBefore,
	}
	if p.Limit != nil {
		f.Limit = *p.Limit
	}
	if p.Offset != nil {
		f.Offset = *p.Offset
	}
	if p.Sort != nil {
		f.Sort = *p.Sort
	}
	if p.Q != nil {
		f.Query = *p.Q
	}
	if p.Statut != nil {
		for _, s := range *p.Statut {
			f.Statuts = append(f.Statuts, string(s))
		}
	}
	if p.Priorite != nil {
		for _, s := range *p.Priorite {
			f.Priorites = append(f.Priorites, string(s))
		}
	}
	return f
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
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
	return api.Intervention{
		Id:                 v.ID,
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
		CoutTotal:          ptr(v.CoutTotal),
		DureeMinutes:       duree,
		Rapport:            v.Rapport,
		SatisfactionClient: satisfaction,
		MotifAnnulation:    v.MotifAnnulation,
		EstEnRetard:        ptr(v.EstEnRetard),
		DelaiRestantHeures: v.DelaiRestantHeures,
		SlaRespecte:        v.SlaRespecte,
		ActionsPossibles:   &actions,
		Version:            ptr(int(v.Version)),
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
