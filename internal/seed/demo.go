package seed

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// extraTechnicians are demo technicians beside the technicien@mif.ma account (same password).
var extraTechnicians = []Account{
	{Username: "fatima.alami", FullName: "Fatima Alami", Email: "fatima.alami@mif.ma", Password: "Tech12345!", Role: "technicien"},
	{Username: "youssef.tazi", FullName: "Youssef Tazi", Email: "youssef.tazi@mif.ma", Password: "Tech12345!", Role: "technicien"},
}

// DemoResult counts what Demo created.
type DemoResult struct {
	UsersCreated int
	RowsCreated  int
}

// Demo creates the demo maintenance data once the accounts exist: the client company of
// client@mif.ma with a contract, its four machines (ANALYSIS 6.2), the competence catalogue,
// three technicians with competences, and interventions in every status with their history.
// Every statement is idempotent (natural keys).
func Demo(ctx context.Context, pool *pgxpool.Pool, hasher *auth.Hasher) (DemoResult, error) {
	var res DemoResult
	for _, a := range extraTechnicians {
		n, err := ensureAccount(ctx, pool, hasher, a)
		if err != nil {
			return res, err
		}
		res.UsersCreated += n
	}
	err := platform.InTx(ctx, pool, func(tx pgx.Tx) error {
		for _, st := range slices.Concat(demoStatements, demoInterventions, demoPieces, demoLabour, demoAtelier) {
			tag, err := tx.Exec(ctx, st)
			if err != nil {
				return fmt.Errorf("seed demo data: %w\n%s", err, st)
			}
			res.RowsCreated += int(tag.RowsAffected())
		}
		return nil
	})
	return res, err
}

var demoStatements = []string{
	`INSERT INTO clients (user_id, nom_entreprise, type_client, secteur_activite, nom_contact, email, telephone,
		adresse, code_postal, ville, niveau_service)
	 SELECT id, 'Société ABC', 'entreprise', 'Agroalimentaire', 'Karim Alaoui', 'contact@abc.ma', '+212 522 00 00 00',
		'12 boulevard Zerktouni', '20000', 'Casablanca', 'premium'
	 FROM users WHERE email = 'client@mif.ma'
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, description, type_contrat, statut, date_signature,
		date_debut, date_fin, montant_annuel, nb_interventions_incluses, delai_urgente_heures, delai_haute_heures,
		delai_normale_heures, delai_basse_heures)
	 SELECT c.id, 'CTR-2026-001', 'Maintenance complète atelier', 'Maintenance préventive et corrective des machines de production.',
		'maintenance_complete', 'en_cours', date_trunc('year', now())::date,
		date_trunc('year', now())::date, (date_trunc('year', now()) + interval '1 year - 1 day')::date,
		12000000, 24, 4, 24, 72, 168
	 FROM clients c WHERE c.nom_entreprise = 'Société ABC'
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO equipements (nom, type_equipement, localisation, numero_serie, code_interne, marque, modele, batiment,
		zone, statut, criticite, frequence_entretien, date_mise_en_service, cout_acquisition, client_id, contrat_id)
	 SELECT v.nom, v.type, v.loc, v.serie, v.code, v.marque, v.modele, v.batiment, v.zone,
		v.statut::equipement_statut, v.criticite::equipement_criticite, v.freq, (now() - v.age)::date, v.cout, c.id, k.id
	 FROM (VALUES
		('Compresseur Atlas Copco GA15', 'compresseur', 'Atelier Principal - Zone A', 'AC-2023-001', 'EQ-0001', 'Atlas Copco', 'GA15', 'B1', 'A', 'operationnel', 'critique', 30, interval '400 days', 4500000::bigint),
		('Pompe Centrifuge Grundfos', 'pompe', 'Station de Pompage', 'GF-2023-005', 'EQ-0002', 'Grundfos', 'NB 65', 'B2', 'P', 'operationnel', 'important', 90, interval '300 days', 1800000::bigint),
		('Générateur Caterpillar 250kW', 'generateur', 'Salle Génératrice', 'CAT-2022-012', 'EQ-0003', 'Caterpillar', 'C9 250kW', 'B3', 'G', 'maintenance', 'critique', 182, interval '800 days', 32000000::bigint),
		('Convoyeur Bande B-Series', 'convoyeur', 'Ligne Production 1', 'CV-2023-003', 'EQ-0004', 'Interroll', 'B-Series', 'B1', 'L1', 'operationnel', 'standard', 7, interval '200 days', 2500000::bigint)
	 ) AS v(nom, type, loc, serie, code, marque, modele, batiment, zone, statut, criticite, freq, age, cout)
	 CROSS JOIN (SELECT id FROM clients WHERE nom_entreprise = 'Société ABC') c
	 CROSS JOIN (SELECT id FROM contrats WHERE numero_contrat = 'CTR-2026-001') k
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO competences (nom, domaine, description) VALUES
		('mécanique', 'Mécanique', 'Mécanique industrielle : transmissions, roulements, alignement.'),
		('électrique', 'Électricité', 'Électricité industrielle et automatismes.'),
		('hydraulique', 'Hydraulique', 'Hydraulique et pneumatique.')
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO techniciens (user_id, equipe, numero_badge, niveau, zone_intervention, disponibilite, astreinte, date_embauche)
	 SELECT u.id, v.equipe, v.badge, v.niveau::niveau_competence, v.zone, v.dispo::technicien_disponibilite, v.astreinte,
		(now() - v.anciennete)::date
	 FROM (VALUES
		('technicien@mif.ma', 'A', 'B-0001', 'avance', 'Casablanca', 'disponible', true, interval '5 years'),
		('fatima.alami@mif.ma', 'A', 'B-0002', 'expert', 'Casablanca', 'disponible', false, interval '8 years'),
		('youssef.tazi@mif.ma', 'B', 'B-0003', 'intermediaire', 'Mohammedia', 'occupe', false, interval '2 years')
	 ) AS v(email, equipe, badge, niveau, zone, dispo, astreinte, anciennete)
	 JOIN users u ON u.email = v.email
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO technicien_competences (technicien_id, competence_id, niveau)
	 SELECT t.id, c.id, v.niveau::niveau_competence
	 FROM (VALUES
		('technicien@mif.ma', 'mécanique', 'avance'),
		('technicien@mif.ma', 'hydraulique', 'intermediaire'),
		('fatima.alami@mif.ma', 'électrique', 'expert'),
		('youssef.tazi@mif.ma', 'hydraulique', 'avance'),
		('youssef.tazi@mif.ma', 'mécanique', 'intermediaire')
	 ) AS v(email, competence, niveau)
	 JOIN users u ON u.email = v.email
	 JOIN techniciens t ON t.user_id = u.id
	 JOIN competences c ON c.nom = v.competence
	 ON CONFLICT DO NOTHING`,
}

// demoInterventions are the demo work orders, one in every status, on the demo machines, with
// coherent dates, reports and costs for the closed ones, and the history rows of the lifecycle
// that led there (DESIGN section 9). They are keyed by titre: a title already present is left
// alone, and history is only written for a demo intervention that has none.
//
// Offsets are intervals before the seeding time; the deadline is creation + the contract's
// response time for the priority (CTR-2026-001: urgente 4 h, haute 24 h, normale 72 h, basse 168 h).
var demoInterventions = []string{
	`INSERT INTO interventions (titre, description, type_intervention, statut, priorite, urgence, equipement_id,
		technicien_id, client_id, contrat_id, created_by, date_creation, date_limite, date_affectation,
		date_debut_travaux, date_fin_travaux, date_cloture, date_archivage, cout_main_oeuvre, cout_pieces,
		duree_minutes, rapport, satisfaction_client, motif_annulation)
	 SELECT v.titre, v.description, v.typ::intervention_type, v.statut::intervention_statut,
		v.priorite::intervention_priorite, v.priorite = 'urgente', e.id, t.id, e.client_id, e.contrat_id, a.id,
		now() - v.cree::interval, now() - v.cree::interval + v.sla::interval, now() - v.affecte::interval,
		now() - v.debut::interval, now() - v.cloture::interval, now() - v.cloture::interval,
		now() - v.archive::interval, v.mo, v.pieces, v.duree, v.rapport, v.satisfaction, v.motif
	 FROM (VALUES
		('Bruit anormal sur le convoyeur', 'Claquement régulier au niveau du rouleau de tête.', 'corrective', 'ouverte', 'normale',
			'Convoyeur Bande B-Series', NULL, 'client@mif.ma', '3 hours', '72 hours', NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL),
		('Vidange et remplacement des filtres du compresseur', 'Entretien périodique : huile, filtre à huile, filtre à air.', 'preventive', 'affectee', 'normale',
			'Compresseur Atlas Copco GA15', 'technicien@mif.ma', 'responsable@mif.ma', '1 day', '72 hours', '20 hours', NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL),
		('Fuite d''huile compresseur', 'Fuite constatée au niveau du carter, flaque sous la machine.', 'corrective', 'en_cours', 'haute',
			'Compresseur Atlas Copco GA15', 'technicien@mif.ma', 'responsable@mif.ma', '30 hours', '24 hours', '29 hours', '26 hours', NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL),
		('Remplacement roulement pompe', 'Vibrations et échauffement du palier côté accouplement.', 'corrective', 'en_attente', 'normale',
			'Pompe Centrifuge Grundfos', 'youssef.tazi@mif.ma', 'responsable@mif.ma', '2 days', '72 hours', '47 hours', '40 hours', NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL),
		('Révision des 500 heures du générateur', 'Révision constructeur : vidange, filtres, courroies, batterie.', 'preventive', 'cloturee', 'normale',
			'Générateur Caterpillar 250kW', 'fatima.alami@mif.ma', 'responsable@mif.ma', '144 hours', '72 hours', '143 hours', '120 hours', '116 hours', NULL,
			80000, 125000, 240, 'Vidange, remplacement des filtres à huile et à air, contrôle des courroies et de la batterie. RAS.', NULL, NULL),
		('Diagnostic capteur de présence convoyeur', 'Détections intermittentes en sortie de ligne.', 'diagnostic', 'annulee', 'basse',
			'Convoyeur Bande B-Series', NULL, 'responsable@mif.ma', '96 hours', '168 hours', NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, 'Capteur remplacé lors de l''entretien hebdomadaire du convoyeur'),
		('Panne électrique pompe', 'Disjonction du moteur au démarrage.', 'corrective', 'archivee', 'urgente',
			'Pompe Centrifuge Grundfos', 'fatima.alami@mif.ma', 'responsable@mif.ma', '40 days', '4 hours', '40 days -30 minutes', '40 days -1 hour', '40 days -3 hours', '30 days',
			45000, 32000, 120, 'Contacteur du moteur remplacé, isolement des enroulements contrôlé.', 5, NULL)
	 ) AS v(titre, description, typ, statut, priorite, machine, technicien, auteur, cree, sla, affecte, debut, cloture, archive,
		mo, pieces, duree, rapport, satisfaction, motif)
	 JOIN equipements e ON e.nom = v.machine
	 JOIN users a ON a.email = v.auteur
	 LEFT JOIN users tu ON tu.email = v.technicien
	 LEFT JOIN techniciens t ON t.user_id = tu.id
	 WHERE NOT EXISTS (SELECT 1 FROM interventions i WHERE i.titre = v.titre)
	 ORDER BY v.cree::interval DESC`,
	`INSERT INTO intervention_historique (intervention_id, action, statut_avant, statut_apres, remarque, user_id, created_at)
	 SELECT i.id, v.action, v.avant::intervention_statut, v.apres::intervention_statut, v.remarque, u.id, now() - v.quand::interval
	 FROM (VALUES
		(1, 'Bruit anormal sur le convoyeur', 'create', NULL, 'ouverte', 'Demande d''intervention du client', 'client@mif.ma', '3 hours'),
		(1, 'Vidange et remplacement des filtres du compresseur', 'create', NULL, 'ouverte', 'Création de l''intervention', 'responsable@mif.ma', '1 day'),
		(2, 'Vidange et remplacement des filtres du compresseur', 'assign', 'ouverte', 'affectee', 'Affectation à Mohammed Bennani', 'responsable@mif.ma', '20 hours'),
		(1, 'Fuite d''huile compresseur', 'create', NULL, 'ouverte', 'Création de l''intervention', 'responsable@mif.ma', '30 hours'),
		(2, 'Fuite d''huile compresseur', 'assign', 'ouverte', 'affectee', 'Affectation à Mohammed Bennani', 'responsable@mif.ma', '29 hours'),
		(3, 'Fuite d''huile compresseur', 'start', 'affectee', 'en_cours', 'Démontage du carter', 'technicien@mif.ma', '26 hours'),
		(1, 'Remplacement roulement pompe', 'create', NULL, 'ouverte', 'Création de l''intervention', 'responsable@mif.ma', '2 days'),
		(2, 'Remplacement roulement pompe', 'assign', 'ouverte', 'affectee', 'Affectation à Youssef Tazi', 'responsable@mif.ma', '47 hours'),
		(3, 'Remplacement roulement pompe', 'start', 'affectee', 'en_cours', NULL, 'youssef.tazi@mif.ma', '40 hours'),
		(4, 'Remplacement roulement pompe', 'pause', 'en_cours', 'en_attente', 'En attente du roulement SKF 6205 commandé', 'youssef.tazi@mif.ma', '30 hours'),
		(1, 'Révision des 500 heures du générateur', 'create', NULL, 'ouverte', 'Création de l''intervention', 'responsable@mif.ma', '144 hours'),
		(2, 'Révision des 500 heures du générateur', 'assign', 'ouverte', 'affectee', 'Affectation à Fatima Alami', 'responsable@mif.ma', '143 hours'),
		(3, 'Révision des 500 heures du générateur', 'start', 'affectee', 'en_cours', NULL, 'fatima.alami@mif.ma', '120 hours'),
		(4, 'Révision des 500 heures du générateur', 'close', 'en_cours', 'cloturee', 'Révision effectuée, machine remise en service', 'fatima.alami@mif.ma', '116 hours'),
		(1, 'Diagnostic capteur de présence convoyeur', 'create', NULL, 'ouverte', 'Création de l''intervention', 'responsable@mif.ma', '96 hours'),
		(2, 'Diagnostic capteur de présence convoyeur', 'cancel', 'ouverte', 'annulee', 'Capteur remplacé lors de l''entretien hebdomadaire du convoyeur', 'responsable@mif.ma', '72 hours'),
		(1, 'Panne électrique pompe', 'create', NULL, 'ouverte', 'Création de l''intervention', 'responsable@mif.ma', '40 days'),
		(2, 'Panne électrique pompe', 'assign', 'ouverte', 'affectee', 'Affectation à Fatima Alami', 'responsable@mif.ma', '40 days -30 minutes'),
		(3, 'Panne électrique pompe', 'start', 'affectee', 'en_cours', NULL, 'fatima.alami@mif.ma', '40 days -1 hour'),
		(4, 'Panne électrique pompe', 'close', 'en_cours', 'cloturee', 'Contacteur remplacé', 'fatima.alami@mif.ma', '40 days -3 hours'),
		(5, 'Panne électrique pompe', 'rate', 'cloturee', 'cloturee', 'Satisfaction du client : 5/5', 'client@mif.ma', '38 days'),
		(6, 'Panne électrique pompe', 'archive', 'cloturee', 'archivee', NULL, 'responsable@mif.ma', '30 days')
	 ) AS v(n, titre, action, avant, apres, remarque, auteur, quand)
	 JOIN interventions i ON i.titre = v.titre
	 JOIN users u ON u.email = v.auteur
	 WHERE NOT EXISTS (SELECT 1 FROM intervention_historique h WHERE h.intervention_id = i.id)
	 ORDER BY i.id, v.n`,
	// Two plans due soon on the client's machines (idempotent on equipment + frequency).
	`INSERT INTO plannings (equipement_id, frequence, intervalle, base, date_reference, prochaine_date, commentaire,
		modele_titre, modele_priorite, modele_duree_minutes, modele_technicien_id, modele_equipe)
	 SELECT e.id, v.freq::planning_frequence, 1, 'fixed', CURRENT_DATE + v.dans, CURRENT_DATE + v.dans, v.commentaire,
		v.titre, v.priorite::intervention_priorite, v.duree, t.id, 'A'
	 FROM (VALUES
		('Compresseur Atlas Copco GA15', 'mensuel', 3, 'Vidange et contrôle des filtres.', 'Révision mensuelle compresseur', 'normale', 120),
		('Pompe Centrifuge Grundfos', 'trimestriel', 10, 'Contrôle des garnitures et de l''alignement.', 'Révision trimestrielle pompe', 'basse', 90)
	 ) AS v(equipement, freq, dans, commentaire, titre, priorite, duree)
	 JOIN equipements e ON e.nom = v.equipement
	 LEFT JOIN users u ON u.email = 'technicien@mif.ma'
	 LEFT JOIN techniciens t ON t.user_id = u.id
	 WHERE NOT EXISTS (SELECT 1 FROM plannings p WHERE p.equipement_id = e.id AND p.frequence = v.freq::planning_frequence)`,
}
