package rapports

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/checklists"
	"github.com/mif-erp/erp/internal/couts"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/pieces"
	"github.com/mif-erp/erp/internal/temps"
)

// Sources are the services an intervention report reads, each with the caller's access.
type Sources struct {
	Interventions *interventions.Service
	Checklists    *checklists.Service
	Pieces        *pieces.Service
	Temps         *temps.Service
	Couts         *couts.Service
}

// maxHistory bounds the timeline of an intervention report.
const maxHistory = 500

// Bon is the PDF report of one intervention (bon d'intervention), made now for the caller:
// admins and responsables, a client for its company's interventions (404 otherwise). It
// returns the file name and the PDF.
func (s *Service) Bon(ctx context.Context, actor auth.Principal, id int64) (string, []byte, error) {
	sc := access.For(actor)
	if !sc.Manager() && !sc.IsClient() {
		return "", nil, errClientsOnly
	}
	src := s.Sources
	iv, err := src.Interventions.Get(ctx, actor, id)
	if err != nil {
		return "", nil, err
	}
	head, err := sc.Queries(s.Pool).RapportBonEntete(ctx, db.RapportBonEnteteParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, apperr.NotFound("Intervention introuvable")
	}
	if err != nil {
		return "", nil, fmt.Errorf("names of intervention %d: %w", id, err)
	}
	hist, _, err := src.Interventions.Historique(ctx, actor, id, maxHistory, 0)
	if err != nil {
		return "", nil, err
	}
	chk, err := src.Checklists.Of(ctx, actor, id)
	if err != nil {
		return "", nil, err
	}
	lignes, err := src.Pieces.InterventionLignes(ctx, actor, id)
	if err != nil {
		return "", nil, err
	}
	labour, err := src.Temps.List(ctx, actor, id)
	if err != nil {
		return "", nil, err
	}
	costs, err := src.Couts.List(ctx, actor, id)
	if err != nil {
		return "", nil, err
	}
	d := Document{Titre: fmt.Sprintf("N° %d : %s", iv.ID, iv.Titre), Type: "intervention", Libelle: "Bon d'intervention",
		GenereLe: s.now().UTC(), Devise: s.Devise, SansCouverture: true, Signatures: []string{"Le technicien", "Le client"}}
	d.Fiches = bonFiches(iv, head)
	if iv.Description != nil && *iv.Description != "" {
		d.Paragraphes = append(d.Paragraphes, Paragraphe{Titre: "Description", Texte: *iv.Description})
	}
	if iv.Rapport != nil && *iv.Rapport != "" {
		d.Paragraphes = append(d.Paragraphes, Paragraphe{Titre: "Travaux réalisés", Texte: *iv.Rapport})
	}
	if iv.MotifAnnulation != nil {
		d.Paragraphes = append(d.Paragraphes, Paragraphe{Titre: "Motif d'annulation", Texte: *iv.MotifAnnulation})
	}
	d.Sections = append(d.Sections, timeline(hist))
	if len(chk.Items) > 0 {
		d.Sections = append(d.Sections, checklist(chk.Items))
	}
	d.Sections = append(d.Sections, partLines(lignes), labourLines(labour), otherCosts(costs), totals(iv))
	pdf, err := renderPDF(d)
	if err != nil {
		return "", nil, err
	}
	return "bon-intervention-" + strconv.FormatInt(id, 10) + ".pdf", pdf, nil
}

func bonFiches(iv interventions.Intervention, h db.RapportBonEnteteRow) []Fiche {
	at := func(v any) string { return display(v, DateHeure, "") + utc(v) }
	satisfaction := ""
	if iv.SatisfactionClient != nil {
		satisfaction = strconv.Itoa(int(*iv.SatisfactionClient)) + " / 5"
	}
	duree := ""
	if iv.DureeMinutes != nil {
		duree = display(float64(*iv.DureeMinutes)/60, Heures, "")
	}
	contrat := ""
	if h.NumeroContrat != nil {
		contrat = *h.NumeroContrat + " : " + deref2(h.NomContrat)
	}
	return []Fiche{
		{Titre: "Intervention", Champs: [][2]string{
			{"Type", string(iv.TypeIntervention)}, {"Statut", string(iv.Statut)},
			{"Priorité", string(iv.Priorite)}, {"Urgence", yesNo(iv.Urgence)},
			{"Créée le", at(iv.DateCreation)}, {"Créée par", deref2(h.Auteur)},
			{"Échéance", at(iv.DateLimite)}, {"Technicien", deref2(h.Technicien)},
			{"Affectée le", at(iv.DateAffectation)}, {"Début des travaux", at(iv.DateDebutTravaux)},
			{"Fin des travaux", at(iv.DateFinTravaux)}, {"Clôturée le", at(iv.DateCloture)},
			{"Durée", duree}, {"Satisfaction", satisfaction},
		}},
		{Titre: "Équipement", Champs: [][2]string{
			{"Nom", h.Equipement}, {"Type", h.TypeEquipement}, {"Localisation", h.Localisation},
			{"Criticité", h.Criticite}, {"N° de série", deref2(h.NumeroSerie)}, {"Code interne", deref2(h.CodeInterne)},
		}},
		{Titre: "Client", Champs: [][2]string{
			{"Entreprise", deref2(h.Client)}, {"Contact", deref2(h.ClientContact)},
			{"Contrat", contrat}, {"Hors contrat", yesNo(iv.HorsContrat)},
		}},
	}
}

// utc is " UTC" after an instant that is there.
func utc(v any) string {
	if display(v, DateHeure, "") == "" {
		return ""
	}
	return " UTC"
}

func deref2(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func timeline(rows []interventions.HistoriqueEntry) Section {
	sec := Section{Titre: "Historique", Colonnes: []Colonne{{Cle: "date", Titre: "Date", Kind: DateHeure},
		{Cle: "action", Titre: "Action"}, {Cle: "statut", Titre: "Statut"}, {Cle: "par", Titre: "Par"},
		{Cle: "remarque", Titre: "Remarque"}}}
	for _, h := range rows {
		statut := string(h.StatutApres)
		if h.StatutAvant.Valid && h.StatutAvant.InterventionStatut != h.StatutApres {
			statut = string(h.StatutAvant.InterventionStatut) + " -> " + statut
		}
		sec.Lignes = append(sec.Lignes, []any{h.CreatedAt, h.Action, statut, deref2(h.UserNom), deref2(h.Remarque)})
	}
	return sec
}

func checklist(items []checklists.Item) Section {
	sec := Section{Titre: "Checklist", Colonnes: []Colonne{{Cle: "ordre", Titre: "N°", Kind: Entier},
		{Cle: "point", Titre: "Point de contrôle"}, {Cle: "reponse", Titre: "Réponse"}, {Cle: "ecart", Titre: "Écart"},
		{Cle: "commentaire", Titre: "Commentaire"}}}
	for _, it := range items {
		sec.Lignes = append(sec.Lignes, []any{int64(it.Ordre), it.Libelle, answer(it), yesNo(it.Ecart), deref2(it.Commentaire)})
	}
	return sec
}

// answer is an item's answer as text ("" while unanswered).
func answer(it checklists.Item) string {
	if it.RempliLe == nil {
		return ""
	}
	switch it.TypeItem {
	case db.TypeItemChecklistCase:
		if it.Coche != nil && *it.Coche {
			return "fait"
		}
		return "non fait"
	case db.TypeItemChecklistOuiNon:
		return deref2(it.Reponse)
	case db.TypeItemChecklistMesure:
		if it.Mesure == nil {
			return ""
		}
		return display(*it.Mesure, Nombre, "") + " " + deref2(it.Unite)
	case db.TypeItemChecklistPhoto:
		if it.DocumentID != nil {
			return "photo (document n° " + strconv.FormatInt(*it.DocumentID, 10) + ")"
		}
	}
	return deref2(it.Texte)
}

func partLines(lines []pieces.Ligne) Section {
	sec := Section{Titre: "Pièces", Colonnes: []Colonne{{Cle: "reference", Titre: "Référence"}, {Cle: "piece", Titre: "Pièce"},
		{Cle: "quantite", Titre: "Quantité", Kind: Entier}, {Cle: "statut", Titre: "Statut"},
		{Cle: "cout_unitaire", Titre: "Coût unitaire", Kind: Monnaie}, {Cle: "montant", Titre: "Montant", Kind: Monnaie}}}
	for _, l := range lines {
		sec.Lignes = append(sec.Lignes, []any{l.PieceReference, l.PieceNom, int64(l.Quantite), string(l.Statut), l.CoutUnitaire, l.Montant()})
	}
	return sec
}

func labourLines(entries []temps.Entry) Section {
	sec := Section{Titre: "Main-d'œuvre", Colonnes: []Colonne{{Cle: "technicien", Titre: "Technicien"},
		{Cle: "debut", Titre: "Début", Kind: DateHeure}, {Cle: "minutes", Titre: "Durée", Unite: "min", Kind: Entier},
		{Cle: "taux", Titre: "Taux horaire", Kind: Monnaie}, {Cle: "montant", Titre: "Montant", Kind: Monnaie},
		{Cle: "etat", Titre: "État"}}}
	for _, e := range entries {
		etat := ""
		switch {
		case e.AnnuleeAt != nil:
			etat = "annulé"
		case e.Running():
			etat = "en cours"
		}
		var minutes *int64
		if e.Minutes != nil {
			m := int64(*e.Minutes)
			minutes = &m
		}
		sec.Lignes = append(sec.Lignes, []any{e.TechnicienNom, e.Debut, minutes, e.TauxHoraire, e.Montant, etat})
	}
	return sec
}

func otherCosts(lines []couts.Line) Section {
	sec := Section{Titre: "Autres coûts", Colonnes: []Colonne{{Cle: "date", Titre: "Date", Kind: Date},
		{Cle: "type", Titre: "Type"}, {Cle: "libelle", Titre: "Libellé"}, {Cle: "fournisseur", Titre: "Fournisseur"},
		{Cle: "montant", Titre: "Montant", Kind: Monnaie}, {Cle: "etat", Titre: "État"}}}
	for _, l := range lines {
		etat := ""
		if l.AnnuleeAt != nil {
			etat = "annulé"
		}
		sec.Lignes = append(sec.Lignes, []any{l.DateCout, string(l.TypeCout), l.Libelle, deref2(l.Fournisseur), l.Montant, etat})
	}
	return sec
}

func totals(iv interventions.Intervention) Section {
	v := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	return Section{Titre: "Coûts", Colonnes: []Colonne{{Cle: "poste", Titre: "Poste"}, {Cle: "montant", Titre: "Montant", Kind: Monnaie}},
		Lignes: [][]any{{"Pièces", v(iv.CoutPieces)}, {"Main-d'œuvre", v(iv.CoutMainOeuvre)}, {"Autres coûts", v(iv.CoutAutres)},
			{"Total", iv.CoutReel}}}
}
