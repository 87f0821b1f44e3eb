package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/checklists"
)

// Transformers of checklist templates and the checklists of interventions: domain -> contract
// types.

func toAPIChecklist(c checklists.Template) api.Checklist {
	out := api.Checklist{Id: c.ID, Nom: c.Nom, Description: c.Description, CreatedAt: c.CreatedAt.UTC(),
		UpdatedAt: c.UpdatedAt.UTC(), Items: make([]api.ChecklistItem, len(c.Items))}
	for i, it := range c.Items {
		out.Items[i] = api.ChecklistItem{Id: it.ID, Ordre: int(it.Ordre), Libelle: it.Libelle,
			TypeItem: api.TypeItemChecklist(it.TypeItem), Unite: it.Unite, Min: it.Mini, Max: it.Maxi,
			Obligatoire: it.Obligatoire, SuiviSiEcart: it.SuiviSiEcart}
	}
	return out
}

func toAPIChecklistAnswer(it checklists.Item) api.InterventionChecklistItem {
	return api.InterventionChecklistItem{Id: it.ID, Ordre: int(it.Ordre), Libelle: it.Libelle,
		TypeItem: api.TypeItemChecklist(it.TypeItem), Unite: it.Unite, Min: it.Mini, Max: it.Maxi,
		Obligatoire: it.Obligatoire, SuiviSiEcart: it.SuiviSiEcart, Coche: it.Coche,
		Reponse: (*api.InterventionChecklistItemReponse)(it.Reponse), Mesure: it.Mesure, Texte: it.Texte,
		DocumentId: it.DocumentID, Commentaire: it.Commentaire, Ecart: it.Ecart, RempliPar: it.RempliPar,
		RempliLe: utcPtr(it.RempliLe), SuiviInterventionId: it.SuiviInterventionID}
}

func toAPIInterventionChecklist(c checklists.OfIntervention) api.InterventionChecklist {
	rest := c.Remaining()
	return api.InterventionChecklist{InterventionId: c.InterventionID, ChecklistId: c.ChecklistID,
		OrigineInterventionId: c.OrigineInterventionID, Complete: rest == 0, ObligatoiresRestants: rest,
		Items: mapAll(c.Items, toAPIChecklistAnswer)}
}
