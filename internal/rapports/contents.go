package rapports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/kpis"
)

// source is what a report's content is read with: the requester's access, the period and the
// filters.
type source struct {
	q           *access.Queries
	raw         *db.Queries // the unscoped reads of the managers-only types
	actor       auth.Principal
	from, to    time.Time // days, to included
	du, au, fin time.Time // [du, au) instants; fin = min(au, now)
	f           Filtres
	typ         db.NullInterventionType
	lim         int32 // rows asked for: one more than accepted
}

// tooMany fails a report whose section would exceed the limit.
func (s *Service) tooMany(n int) error {
	if n > s.maxRows {
		return apperr.Invalid(fmt.Sprintf("Plus de %d lignes : réduisez la période ou ajoutez un filtre", s.maxRows))
	}
	return nil
}

// content reads the document of a report for its requester.
func (s *Service) content(ctx context.Context, src source, typ db.RapportType) (Document, error) {
	switch typ {
	case db.RapportTypeInterventions:
		return s.interventions(ctx, src)
	case db.RapportTypeEquipements:
		return s.equipements(ctx, src)
	case db.RapportTypeTechniciens:
		return s.techniciens(ctx, src)
	case db.RapportTypeClients:
		return s.clients(ctx, src)
	case db.RapportTypeDashboard:
		return s.dashboard(ctx, src)
	case db.RapportTypePlanning:
		return s.planning(ctx, src)
	case db.RapportTypeStock:
		return s.stock(ctx, src)
	case db.RapportTypeFinancial:
		return s.financial(ctx, src)
	}
	return Document{}, fmt.Errorf("report type %q", typ)
}

func (s *Service) interventions(ctx context.Context, src source) (Document, error) {
	rows, err := src.q.RapportContenuInterventions(ctx, db.RapportContenuInterventionsParams{EquipementID: src.f.EquipementID,
		ClientID: src.f.ClientID, TechnicienID: src.f.TechnicienID, Type: src.typ, Du: src.du, Au: src.au, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("interventions: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	sec := Section{Titre: "Interventions", Colonnes: []Colonne{
		{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "titre", Titre: "Titre"}, {Cle: "type", Titre: "Type"},
		{Cle: "statut", Titre: "Statut"}, {Cle: "priorite", Titre: "Priorité"}, {Cle: "equipement", Titre: "Équipement"},
		{Cle: "client", Titre: "Client"}, {Cle: "technicien", Titre: "Technicien"},
		{Cle: "date_creation", Titre: "Créée le", Kind: DateHeure}, {Cle: "date_limite", Titre: "Échéance", Kind: DateHeure},
		{Cle: "date_cloture", Titre: "Clôturée le", Kind: DateHeure}, {Cle: "cout_pieces", Titre: "Pièces", Kind: Monnaie},
		{Cle: "cout_main_oeuvre", Titre: "Main-d'œuvre", Kind: Monnaie}, {Cle: "cout_autres", Titre: "Autres coûts", Kind: Monnaie},
		{Cle: "cout_total", Titre: "Coût total", Kind: Monnaie}}}
	byType := map[string]float64{}
	var closed, total int64
	for _, r := range rows {
		t := r.CoutPieces + r.CoutMainOeuvre + r.CoutAutres
		sec.Lignes = append(sec.Lignes, []any{r.ID, r.Titre, r.TypeIntervention, r.Statut, r.Priorite, r.Equipement, r.Client,
			r.Technicien, r.DateCreation, r.DateLimite, r.DateCloture, r.CoutPieces, r.CoutMainOeuvre, r.CoutAutres, t})
		byType[r.TypeIntervention]++
		total += t
		if r.DateCloture != nil {
			closed++
		}
	}
	return Document{
		Resume: []Indicateur{{Libelle: "Interventions créées", Kind: Entier, Valeur: int64(len(rows))},
			{Libelle: "Dont clôturées", Kind: Entier, Valeur: closed}, {Libelle: "Coût total", Kind: Monnaie, Valeur: total}},
		Graphiques: []Graphique{chart("Interventions par type", "", byType, 0)},
		Sections:   []Section{sec},
	}, nil
}

func (s *Service) equipements(ctx context.Context, src source) (Document, error) {
	rows, err := src.q.RapportContenuEquipements(ctx, db.RapportContenuEquipementsParams{EquipementID: src.f.EquipementID,
		ClientID: src.f.ClientID, Du: src.du, Au: src.au, Fin: src.fin, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("machines: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	sec := Section{Titre: "Équipements", Colonnes: []Colonne{
		{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "nom", Titre: "Nom"}, {Cle: "type", Titre: "Type"},
		{Cle: "localisation", Titre: "Localisation"}, {Cle: "statut", Titre: "Statut"}, {Cle: "criticite", Titre: "Criticité"},
		{Cle: "client", Titre: "Client"}, {Cle: "interventions", Titre: "Interventions", Kind: Entier},
		{Cle: "arret_minutes", Titre: "Arrêts", Unite: "min", Kind: Entier}, {Cle: "couts", Titre: "Coûts", Kind: Monnaie}}}
	down := map[string]float64{}
	var arret, couts int64
	for _, r := range rows {
		sec.Lignes = append(sec.Lignes, []any{r.ID, r.Nom, r.TypeEquipement, r.Localisation, r.Statut, r.Criticite, r.Client,
			r.Interventions, r.ArretMinutes, r.Couts})
		if r.ArretMinutes > 0 {
			down[r.Nom] = float64(r.ArretMinutes)
		}
		arret += r.ArretMinutes
		couts += r.Couts
	}
	return Document{
		Resume: []Indicateur{{Libelle: "Équipements", Kind: Entier, Valeur: int64(len(rows))},
			{Libelle: "Arrêts sur la période", Unite: "min", Kind: Entier, Valeur: arret}, {Libelle: "Coûts sur la période", Kind: Monnaie, Valeur: couts}},
		Graphiques: []Graphique{chart("Équipements les plus arrêtés", "min", down, 10)},
		Sections:   []Section{sec},
	}, nil
}

func (s *Service) techniciens(ctx context.Context, src source) (Document, error) {
	if !access.For(src.actor).Manager() {
		return Document{}, errStaffOnly
	}
	rows, err := src.raw.RapportContenuTechniciens(ctx, db.RapportContenuTechniciensParams{TechnicienID: src.f.TechnicienID,
		Du: src.du, Au: src.au, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("technicians: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	sec := Section{Titre: "Techniciens", Colonnes: []Colonne{
		{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "nom", Titre: "Nom"}, {Cle: "equipe", Titre: "Équipe"},
		{Cle: "disponibilite", Titre: "Disponibilité"}, {Cle: "actif", Titre: "Actif"},
		{Cle: "ouvertes", Titre: "En cours", Kind: Entier}, {Cle: "cloturees", Titre: "Clôturées", Kind: Entier},
		{Cle: "heures", Titre: "Heures", Unite: "h", Kind: Heures}, {Cle: "satisfaction", Titre: "Satisfaction", Unite: "/5", Kind: Nombre}}}
	done := map[string]float64{}
	var closed int64
	var minutes int64
	for _, r := range rows {
		sec.Lignes = append(sec.Lignes, []any{r.ID, r.FullName, r.Equipe, r.Disponibilite, yesNo(r.IsActive), r.Ouvertes,
			r.Cloturees, float64(r.Minutes) / 60, mean(r.SatisfactionSomme, r.SatisfactionN)})
		if r.Cloturees > 0 {
			done[r.FullName] = float64(r.Cloturees)
		}
		closed += r.Cloturees
		minutes += r.Minutes
	}
	return Document{
		Resume: []Indicateur{{Libelle: "Techniciens", Kind: Entier, Valeur: int64(len(rows))},
			{Libelle: "Interventions clôturées", Kind: Entier, Valeur: closed}, {Libelle: "Heures saisies", Kind: Heures, Valeur: float64(minutes) / 60}},
		Graphiques: []Graphique{chart("Interventions clôturées par technicien", "", done, 10)},
		Sections:   []Section{sec},
	}, nil
}

func (s *Service) clients(ctx context.Context, src source) (Document, error) {
	rows, err := src.q.RapportContenuClients(ctx, db.RapportContenuClientsParams{ClientID: src.f.ClientID, Du: src.du, Au: src.au, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("clients: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	sec := Section{Titre: "Clients", Colonnes: []Colonne{
		{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "nom", Titre: "Entreprise"}, {Cle: "ville", Titre: "Ville"},
		{Cle: "contrats_actifs", Titre: "Contrats en cours", Kind: Entier}, {Cle: "interventions", Titre: "Interventions", Kind: Entier},
		{Cle: "cloturees", Titre: "Clôturées", Kind: Entier}, {Cle: "couts", Titre: "Coûts", Kind: Monnaie},
		{Cle: "satisfaction", Titre: "Satisfaction", Unite: "/5", Kind: Nombre}}}
	cost := map[string]float64{}
	var total int64
	for _, r := range rows {
		sec.Lignes = append(sec.Lignes, []any{r.ID, r.NomEntreprise, r.Ville, r.ContratsActifs, r.Interventions, r.Cloturees,
			r.Couts, mean(r.SatisfactionSomme, r.SatisfactionN)})
		if r.Couts > 0 {
			cost[r.NomEntreprise] = float64(r.Couts) / 100
		}
		total += r.Couts
	}
	return Document{
		Resume:     []Indicateur{{Libelle: "Clients", Kind: Entier, Valeur: int64(len(rows))}, {Libelle: "Coûts sur la période", Kind: Monnaie, Valeur: total}},
		Graphiques: []Graphique{chart("Coûts par client", s.Devise, cost, 10)},
		Sections:   []Section{sec},
	}, nil
}

func (s *Service) planning(ctx context.Context, src source) (Document, error) {
	rows, err := src.q.RapportContenuPlanning(ctx, db.RapportContenuPlanningParams{EquipementID: src.f.EquipementID,
		ClientID: src.f.ClientID, Du: src.du, Au: src.au, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("plans: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	sec := Section{Titre: "Plans préventifs", Colonnes: []Colonne{
		{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "equipement", Titre: "Équipement"}, {Cle: "titre", Titre: "Intervention type"},
		{Cle: "frequence", Titre: "Fréquence"}, {Cle: "intervalle", Titre: "Intervalle", Kind: Entier}, {Cle: "base", Titre: "Base"},
		{Cle: "statut", Titre: "Statut"}, {Cle: "prochaine_date", Titre: "Prochaine date", Kind: Date},
		{Cle: "derniere_date", Titre: "Dernière date", Kind: Date}, {Cle: "occurrences_manquees", Titre: "Occurrences manquées", Kind: Entier},
		{Cle: "generees", Titre: "Générées", Kind: Entier}, {Cle: "cloturees", Titre: "Clôturées", Kind: Entier}}}
	byFreq := map[string]float64{}
	var generated, closed int64
	for _, r := range rows {
		sec.Lignes = append(sec.Lignes, []any{r.ID, r.Equipement, r.Titre, r.Frequence, int64(r.Intervalle), r.Base, r.Statut,
			r.ProchaineDate, r.DerniereDate, int64(r.OccurrencesManquees), r.Generees, r.Cloturees})
		byFreq[r.Frequence] += float64(r.Generees)
		generated += r.Generees
		closed += r.Cloturees
	}
	return Document{
		Resume: []Indicateur{{Libelle: "Plans", Kind: Entier, Valeur: int64(len(rows))},
			{Libelle: "Interventions générées", Kind: Entier, Valeur: generated}, {Libelle: "Interventions générées clôturées", Kind: Entier, Valeur: closed}},
		Graphiques: []Graphique{chart("Interventions générées par fréquence", "", byFreq, 0)},
		Sections:   []Section{sec},
	}, nil
}

func (s *Service) stock(ctx context.Context, src source) (Document, error) {
	if !access.For(src.actor).Manager() {
		return Document{}, errStaffOnly
	}
	rows, err := src.raw.RapportContenuStock(ctx, db.RapportContenuStockParams{Du: src.du, Au: src.au, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("parts: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	sec := Section{Titre: "Stock", Colonnes: []Colonne{
		{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "reference", Titre: "Référence"}, {Cle: "nom", Titre: "Pièce"},
		{Cle: "fournisseur", Titre: "Fournisseur"}, {Cle: "stock_actuel", Titre: "Stock", Kind: Entier},
		{Cle: "stock_minimum", Titre: "Minimum", Kind: Entier}, {Cle: "cout_moyen", Titre: "Coût moyen", Kind: Monnaie},
		{Cle: "valeur", Titre: "Valeur", Kind: Monnaie}, {Cle: "entrees", Titre: "Entrées", Kind: Entier},
		{Cle: "sorties", Titre: "Sorties", Kind: Entier}, {Cle: "actif", Titre: "Active"}}}
	value := map[string]float64{}
	var total, low int64
	for _, r := range rows {
		sec.Lignes = append(sec.Lignes, []any{r.ID, r.Reference, r.Nom, r.Fournisseur, int64(r.StockActuel), int64(r.StockMinimum),
			r.CoutMoyen, r.Valeur, r.Entrees, r.Sorties, yesNo(r.IsActive)})
		if r.Valeur > 0 {
			value[r.Reference] = float64(r.Valeur) / 100
		}
		total += r.Valeur
		if r.IsActive && r.StockActuel <= r.StockMinimum {
			low++
		}
	}
	return Document{
		Resume: []Indicateur{{Libelle: "Pièces", Kind: Entier, Valeur: int64(len(rows))}, {Libelle: "Valeur du stock", Kind: Monnaie, Valeur: total},
			{Libelle: "Pièces actives au minimum ou en dessous", Kind: Entier, Valeur: low}},
		Graphiques: []Graphique{chart("Pièces de plus grande valeur", s.Devise, value, 10)},
		Sections:   []Section{sec},
	}, nil
}

// figures are the indicators of GET /kpis for the report's period and filters.
func (s *Service) figures(ctx context.Context, src source) (kpis.Result, error) {
	return s.Kpis.Get(ctx, src.actor, kpis.Params{From: &src.from, To: &src.to, EquipementID: src.f.EquipementID,
		ClientID: src.f.ClientID, Type: src.f.TypeIntervention})
}

func (s *Service) dashboard(ctx context.Context, src source) (Document, error) {
	k, err := s.figures(ctx, src)
	if err != nil {
		return Document{}, err
	}
	a, iv, pm, b := k.Equipements, k.Interventions, k.Preventif, k.Backlog
	resume := []Indicateur{
		{Libelle: "Disponibilité", Kind: Pourcent, Valeur: a.Disponibilite},
		{Libelle: "MTBF", Kind: Heures, Valeur: a.MTBFHeures}, {Libelle: "MTTR", Kind: Heures, Valeur: a.MTTRHeures},
		{Libelle: "Pannes", Kind: Entier, Valeur: int64(a.Pannes)}, {Libelle: "Arrêts", Unite: "min", Kind: Entier, Valeur: a.ArretMinutes},
		{Libelle: "Interventions créées", Kind: Entier, Valeur: int64(iv.Creees)},
		{Libelle: "Interventions clôturées", Kind: Entier, Valeur: int64(iv.Cloturees)},
		{Libelle: "Part du correctif (réactif)", Kind: Pourcent, Valeur: iv.Reactif},
		{Libelle: "Délai moyen de première intervention (MTTA)", Kind: Heures, Valeur: iv.MTTAHeures},
		{Libelle: "Respect des délais (SLA)", Kind: Pourcent, Valeur: iv.SLA},
		{Libelle: "Satisfaction moyenne", Unite: "/5", Kind: Nombre, Valeur: iv.SatisfactionMoyenne},
		{Libelle: "Conformité du préventif", Kind: Pourcent, Valeur: pm.Conformite},
		{Libelle: "Maintenance planifiée (PMP)", Kind: Pourcent, Valeur: pm.PMP},
		{Libelle: "Travail en attente", Kind: Entier, Valeur: int64(b.Ouvertes)},
		{Libelle: "Backlog", Unite: "semaines", Kind: Nombre, Valeur: b.Semaines},
	}
	if k.Couts != nil {
		resume = append(resume, Indicateur{Libelle: "Coût total", Kind: Monnaie, Valeur: k.Couts.Total.Total()})
	}
	serie := Section{Titre: "Série", Colonnes: []Colonne{{Cle: "debut", Titre: "Du", Kind: Date}, {Cle: "fin", Titre: "Au", Kind: Date},
		{Cle: "creees", Titre: "Créées", Kind: Entier}, {Cle: "cloturees", Titre: "Clôturées", Kind: Entier},
		{Cle: "arret_minutes", Titre: "Arrêts", Unite: "min", Kind: Entier}, {Cle: "disponibilite", Titre: "Disponibilité", Kind: Pourcent},
		{Cle: "cout_total", Titre: "Coûts", Kind: Monnaie}}}
	created := Graphique{Titre: "Interventions créées"}
	for _, p := range k.Serie {
		serie.Lignes = append(serie.Lignes, []any{p.Debut, p.Fin, int64(p.Creees), int64(p.Cloturees), p.ArretMinutes, p.Disponibilite, p.CoutTotal})
		created.Libelles = append(created.Libelles, p.Debut.Format("02/01"))
		created.Valeurs = append(created.Valeurs, float64(p.Creees))
	}
	top := Section{Titre: "Équipements les plus arrêtés", Colonnes: []Colonne{{Cle: "equipement_id", Titre: "N°", Kind: Entier},
		{Cle: "nom", Titre: "Équipement"}, {Cle: "arret_minutes", Titre: "Arrêts", Unite: "min", Kind: Entier}, {Cle: "pannes", Titre: "Pannes", Kind: Entier}}}
	for _, t := range k.TopArrets {
		top.Lignes = append(top.Lignes, []any{t.EquipementID, t.Nom, t.ArretMinutes, int64(t.Pannes)})
	}
	doc := Document{Resume: resume, Graphiques: []Graphique{created}, Sections: []Section{serie, top}}
	if k.Couts != nil {
		doc.Sections = append(doc.Sections, costsByMonth(k.Couts), costLines("Coûts par équipement (10 premiers)", "Équipement", k.Couts.ParEquipement))
	}
	return doc, nil
}

func (s *Service) financial(ctx context.Context, src source) (Document, error) {
	k, err := s.figures(ctx, src)
	if err != nil {
		return Document{}, err
	}
	if k.Couts == nil {
		return Document{}, errClientsOnly
	}
	rows, err := src.q.RapportContenuFactures(ctx, db.RapportContenuFacturesParams{ClientID: src.f.ClientID, Du: src.du, Au: src.au, Lim: src.lim})
	if err != nil {
		return Document{}, fmt.Errorf("invoices: %w", err)
	}
	if err := s.tooMany(len(rows)); err != nil {
		return Document{}, err
	}
	inv := Section{Titre: "Factures", Colonnes: []Colonne{{Cle: "numero", Titre: "Facture"}, {Cle: "client", Titre: "Client"},
		{Cle: "contrat", Titre: "Contrat"}, {Cle: "periode", Titre: "Période"}, {Cle: "date_emission", Titre: "Émise le", Kind: Date},
		{Cle: "date_echeance", Titre: "Échéance", Kind: Date}, {Cle: "montant_ht", Titre: "HT", Kind: Monnaie},
		{Cle: "montant_tva", Titre: "TVA", Kind: Monnaie}, {Cle: "montant_ttc", Titre: "TTC", Kind: Monnaie},
		{Cle: "statut", Titre: "Statut"}, {Cle: "date_paiement", Titre: "Payée le", Kind: Date}}}
	var ht, ttc, paid int64
	for _, r := range rows {
		inv.Lignes = append(inv.Lignes, []any{r.NumeroFacture, r.Client, r.NumeroContrat, r.Periode, r.DateEmission, r.DateEcheance,
			r.MontantHt, r.MontantTva, r.MontantTtc, r.Statut, r.DatePaiement})
		ht += r.MontantHt
		ttc += r.MontantTtc
		if r.DatePaiement != nil {
			paid += r.MontantTtc
		}
	}
	c := k.Couts
	month := Graphique{Titre: "Coûts par mois", Unite: s.Devise}
	for _, m := range c.ParMois {
		month.Libelles = append(month.Libelles, m.Mois)
		month.Valeurs = append(month.Valeurs, float64(m.Total())/100)
	}
	return Document{
		Resume: []Indicateur{{Libelle: "Coûts des pièces", Kind: Monnaie, Valeur: c.Total.Pieces},
			{Libelle: "Coûts de main-d'œuvre", Kind: Monnaie, Valeur: c.Total.MainOeuvre}, {Libelle: "Autres coûts", Kind: Monnaie, Valeur: c.Total.Autres},
			{Libelle: "Coût total", Kind: Monnaie, Valeur: c.Total.Total()}, {Libelle: "Factures émises", Kind: Entier, Valeur: int64(len(rows))},
			{Libelle: "Facturé HT", Kind: Monnaie, Valeur: ht}, {Libelle: "Facturé TTC", Kind: Monnaie, Valeur: ttc},
			{Libelle: "Encaissé TTC", Kind: Monnaie, Valeur: paid}},
		Graphiques: []Graphique{month},
		Sections: []Section{costsByMonth(c), costLines("Coûts par client", "Client", c.ParClient),
			costLines("Coûts par contrat", "Contrat", c.ParContrat), inv},
	}, nil
}

func costsByMonth(c *kpis.Couts) Section {
	sec := Section{Titre: "Coûts par mois", Colonnes: []Colonne{{Cle: "mois", Titre: "Mois"},
		{Cle: "interventions", Titre: "Interventions", Kind: Entier}, {Cle: "pieces", Titre: "Pièces", Kind: Monnaie},
		{Cle: "main_oeuvre", Titre: "Main-d'œuvre", Kind: Monnaie}, {Cle: "autres", Titre: "Autres", Kind: Monnaie},
		{Cle: "total", Titre: "Total", Kind: Monnaie}}}
	for _, m := range c.ParMois {
		sec.Lignes = append(sec.Lignes, []any{m.Mois, int64(m.Interventions), m.Pieces, m.MainOeuvre, m.Autres, m.Total()})
	}
	return sec
}

func costLines(title, what string, lines []kpis.CoutLigne) Section {
	sec := Section{Titre: title, Colonnes: []Colonne{{Cle: "id", Titre: "N°", Kind: Entier}, {Cle: "nom", Titre: what},
		{Cle: "interventions", Titre: "Interventions", Kind: Entier}, {Cle: "pieces", Titre: "Pièces", Kind: Monnaie},
		{Cle: "main_oeuvre", Titre: "Main-d'œuvre", Kind: Monnaie}, {Cle: "autres", Titre: "Autres", Kind: Monnaie},
		{Cle: "total", Titre: "Total", Kind: Monnaie}}}
	for _, l := range lines {
		sec.Lignes = append(sec.Lignes, []any{l.ID, l.Nom, int64(l.Interventions), l.Pieces, l.MainOeuvre, l.Autres, l.Total()})
	}
	return sec
}

// chart is a bar chart of values by label, largest first (at most n bars; 0: all, by label).
func chart(title, unit string, values map[string]float64, n int) Graphique {
	type bar struct {
		label string
		v     float64
	}
	bars := make([]bar, 0, len(values))
	for l, v := range values {
		bars = append(bars, bar{l, v})
	}
	slices.SortFunc(bars, func(a, b bar) int {
		if n > 0 && a.v != b.v {
			return cmp.Compare(b.v, a.v)
		}
		return cmp.Compare(a.label, b.label)
	})
	if n > 0 && len(bars) > n {
		bars = bars[:n]
	}
	g := Graphique{Titre: title, Unite: unit}
	for _, b := range bars {
		g.Libelles = append(g.Libelles, b.label)
		g.Valeurs = append(g.Valeurs, b.v)
	}
	return g
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// mean is sum / n, nil when n is 0.
func mean(sum, n int64) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(sum) / float64(n)
	return &v
}
