package httpapi

import (
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/pieces"
)

// Transformers of spare parts and their ledger: domain -> contract types.

func toAPIPiece(p pieces.Piece) api.Piece {
	return api.Piece{
		Id: p.ID, Nom: p.Nom, Reference: p.Reference, Description: p.Description, Marque: p.Marque,
		Modele: p.Modele, Fournisseur: p.Fournisseur, ReferenceFournisseur: p.ReferenceFournisseur,
		Emplacement: p.Emplacement, Rangee: p.Rangee, Etagere: p.Etagere,
		StockActuel: int(p.StockActuel), StockReserve: int(p.StockReserve),
		StockDisponible: int(p.StockActuel - p.StockReserve), StockMinimum: int(p.StockMinimum), StockMaximum: intPtr(p.StockMaximum),
		PrixUnitaire: p.PrixUnitaire, CoutMoyen: p.CoutMoyen, ValeurStock: p.ValeurStock(), Devise: p.Devise,
		EtatStock: api.EtatStock(p.EtatStock()), IsActive: p.IsActive,
		DerniereEntree: utcPtr(p.DerniereEntree), DerniereSortie: utcPtr(p.DerniereSortie),
		Version: int(p.Version), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
}

func toAPIPieceACommander(a pieces.ACommander) api.PieceACommander {
	return api.PieceACommander{Piece: toAPIPiece(a.Piece), QuantiteSuggeree: a.QuantiteSuggeree, ValeurEstimee: a.ValeurEstimee}
}

func toAPIMouvement(m pieces.Mouvement) api.MouvementStock {
	return api.MouvementStock{
		Id: m.ID, PieceId: m.PieceID, PieceReference: m.PieceReference, PieceNom: m.PieceNom,
		TypeMouvement: api.TypeMouvement(m.TypeMouvement), Quantite: int(m.Quantite),
		StockAvant: int(m.StockAvant), StockApres: int(m.StockApres), CoutUnitaire: m.CoutUnitaire,
		Valeur: m.Valeur(), Devise: m.Devise, Motif: m.Motif, Commentaire: m.Commentaire,
		InterventionId: m.InterventionID, UserId: m.UserID, DateMouvement: m.DateMouvement.UTC(),
	}
}

func toAPIPieceEquipement(e pieces.Equipement) api.PieceEquipement {
	return api.PieceEquipement{Id: e.ID, Nom: e.Nom, Type: e.Type, Localisation: e.Localisation}
}

func toAPIImportReport(r pieces.ImportReport) api.PieceImportReport {
	out := api.PieceImportReport{DryRun: r.DryRun, Lignes: r.Lignes, Creees: r.Creees, MisesAJour: r.MisesAJour, Inchangees: r.Inchangees,
		Erreurs: make([]api.PieceImportError, len(r.Erreurs))}
	for i, e := range r.Erreurs {
		out.Erreurs[i] = api.PieceImportError{Ligne: e.Ligne, Champ: e.Champ, Message: e.Message}
	}
	return out
}

func intPtr(p *int32) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
}

func toAPIInterventionPiece(l pieces.Ligne) api.InterventionPiece {
	return api.InterventionPiece{
		Id: l.ID, InterventionId: l.InterventionID, PieceId: l.PieceID, PieceReference: l.PieceReference,
		PieceNom: l.PieceNom, Quantite: int(l.Quantite), Statut: api.StatutPieceIntervention(l.Statut),
		CoutUnitaire: l.CoutUnitaire, Montant: l.Montant(), Devise: l.Devise, SortieId: l.SortieID,
		RetourId: l.RetourID, Commentaire: l.Commentaire, UserId: l.UserID,
		CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC(),
	}
}
