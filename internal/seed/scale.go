package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// ScalePassword is the password of every account Scale creates (technicians and clients).
const ScalePassword = "Scale12345!"

// ScaleResult counts what one Scale batch created.
type ScaleResult struct {
	Batch                                              int
	Users, Clients, Contrats, Equipements, Techniciens int
	Interventions, Historique, Plannings               int
	Notifications                                      int
	Pieces, Mouvements, Sorties                        int
	Statuts, Arrets, Compteurs, Releves, Checklists    int
	Elapsed                                            time.Duration
}

// ScaleSizes are the proportions of a batch of n interventions (issue 6): equipment n/20,
// technicians n/500 (at least 20), client companies n/2000 (at least 5, each with a user and a
// contract), one plan per 4 machines.
func ScaleSizes(n int) (equipements, techniciens, clients, plannings int) {
	equipements = max(1, n/20)
	techniciens = max(20, n/500)
	clients = max(5, n/2000)
	plannings = max(1, equipements/4)
	return
}

// Scale adds a batch of load-test data beside the demo data (Run and Demo must have run: the
// interventions are created by responsable@mif.ma and the technicians get demo competences):
// n interventions spread over the last two years in every status with coherent dates and a
// history row per lifecycle step, on n/20 machines of n/2000 client companies, worked by n/500
// technicians, with about n/2 notifications and one plan per 4 machines.
//
// It is not idempotent: every call adds another batch, numbered from 1 (names, e-mails, codes
// and badges carry the batch number, e.g. scale2.tech7@mif.test). Callers that want "at least
// n" check the intervention count first (as `make bench` does). Everything is written in one
// transaction with INSERT ... SELECT generate_series, then the tables are analysed.
func Scale(ctx context.Context, pool *pgxpool.Pool, hasher *auth.Hasher, n int) (ScaleResult, error) {
	start := time.Now()
	res := ScaleResult{}
	if n < 1 {
		return res, fmt.Errorf("seed scale: n must be >= 1, got %d", n)
	}
	hash, err := hasher.Hash(ScalePassword) // once: every scale account shares it
	if err != nil {
		return res, err
	}
	nEq, nTech, nCli, nPlan := ScaleSizes(n)
	nPieces := max(20, n/100)
	err = platform.InTx(ctx, pool, func(tx pgx.Tx) error {
		var respID int64
		if err := tx.QueryRow(ctx, `SELECT id FROM users WHERE email = 'responsable@mif.ma'`).Scan(&respID); err != nil {
			return fmt.Errorf("seed scale: the demo account responsable@mif.ma is missing (run the demo seed first): %w", err)
		}
		// Serialise concurrent batches, then number this one.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(6060601)`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) + 1 FROM users WHERE username ~ '^scale[0-9]+\.tech1$'`).Scan(&res.Batch); err != nil {
			return err
		}
		var maxIntervention int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM interventions`).Scan(&maxIntervention); err != nil {
			return err
		}
		p := fmt.Sprintf("scale%d", res.Batch)
		steps := []struct {
			what  string
			count *int
			sql   string
			args  []any
		}{
			// JIT compiling these few large statements costs seconds and saves nothing.
			{"settings", nil, `SET LOCAL work_mem = '64MB'`, nil},
			{"settings", nil, `SET LOCAL jit = off`, nil},
			// The pool forces a custom plan per execution (platform.Connect); here that would
			// re-plan the foreign-key check of every inserted row (3.6x slower in total).
			{"settings", nil, `SET LOCAL plan_cache_mode = auto`, nil},
			// Accounts: technicians then clients, sharing one password hash.
			{"users", &res.Users, `INSERT INTO users (username, full_name, email, password_hash, role, created_at)
				SELECT $1 || '.tech' || g, 'Technicien ' || initcap($1) || ' ' || g, $1 || '.tech' || g || '@mif.test', $2,
					'technicien'::user_role, now() - interval '2 years'
				FROM generate_series(1, $3::int) g
				UNION ALL
				SELECT $1 || '.client' || g, 'Client ' || initcap($1) || ' ' || g, $1 || '.client' || g || '@mif.test', $2,
					'client'::user_role, now() - interval '2 years'
				FROM generate_series(1, $4::int) g`, []any{p, hash, nTech, nCli}},
			{"techniciens", &res.Techniciens, `INSERT INTO techniciens (user_id, equipe, numero_badge, niveau, zone_intervention,
					disponibilite, astreinte, date_embauche)
				SELECT u.id, (ARRAY['A','B','C','D'])[1 + g % 4], upper($1) || '-T' || g,
					(ARRAY['debutant','intermediaire','avance','expert'])[1 + g % 4]::niveau_competence,
					(ARRAY['Casablanca','Mohammedia','Rabat','Kénitra','Tanger'])[1 + g % 5],
					(ARRAY['disponible','disponible','disponible','occupe','conge'])[1 + g % 5]::technicien_disponibilite,
					g % 7 = 0, (now() - (g % 3000) * interval '1 day')::date
				FROM generate_series(1, $2::int) g JOIN users u ON u.username = $1 || '.tech' || g`, []any{p, nTech}},
			{"competences", nil, `INSERT INTO technicien_competences (technicien_id, competence_id, niveau)
				SELECT t.id, c.id, t.niveau FROM techniciens t
				JOIN users u ON u.id = t.user_id AND u.username LIKE $1 || '.tech%'
				JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM competences) c
					ON c.k = t.id % c.n OR c.k = (t.id + 1) % c.n
				ON CONFLICT DO NOTHING`, []any{p}},
			{"clients", &res.Clients, `INSERT INTO clients (user_id, nom_entreprise, type_client, secteur_activite, nom_contact, email,
					telephone, adresse, code_postal, ville, niveau_service, created_at)
				SELECT u.id, 'Entreprise ' || initcap($1) || '-' || g, 'entreprise',
					(ARRAY['Agroalimentaire','Automobile','Textile','Chimie','Énergie','Logistique'])[1 + g % 6],
					'Contact ' || g, u.email, '+212 522 ' || lpad((g % 100)::text, 2, '0') || ' 00 00',
					g || ' rue de l''Industrie', '20000', (ARRAY['Casablanca','Mohammedia','Rabat','Kénitra','Tanger'])[1 + g % 5],
					(ARRAY['premium','standard','basique'])[1 + g % 3]::niveau_service, now() - interval '2 years'
				FROM generate_series(1, $2::int) g JOIN users u ON u.username = $1 || '.client' || g`, []any{p, nCli}},
			{"contrats", &res.Contrats, `INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, statut, date_signature,
					date_debut, date_fin, montant_annuel, nb_interventions_incluses, delai_urgente_heures, delai_haute_heures,
					delai_normale_heures, delai_basse_heures)
				SELECT c.id, upper($1) || '-CTR-' || g, 'Contrat de maintenance ' || c.nom_entreprise, 'maintenance_complete', 'en_cours',
					(now() - interval '2 years 1 day')::date, (now() - interval '2 years 1 day')::date, (now() + interval '1 year')::date,
					5000000 + g * 10000, 500, 4, 24, 72, 168
				FROM generate_series(1, $2::int) g JOIN clients c ON c.nom_entreprise = 'Entreprise ' || initcap($1) || '-' || g`, []any{p, nCli}},
			// Index tables of this batch: k = 0..count-1.
			{"temp clients", nil, `CREATE TEMP TABLE scale_clients ON COMMIT DROP AS
				SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.id, c.user_id, k.id AS contrat_id
				FROM clients c JOIN contrats k ON k.client_id = c.id
				WHERE c.nom_entreprise LIKE 'Entreprise ' || initcap($1) || '-%'`, []any{p}},
			{"temp techniciens", nil, `CREATE TEMP TABLE scale_techs ON COMMIT DROP AS
				SELECT row_number() OVER (ORDER BY t.id) - 1 AS k, t.id, t.user_id
				FROM techniciens t JOIN users u ON u.id = t.user_id WHERE u.username LIKE $1 || '.tech%'`, []any{p}},
			{"equipements", &res.Equipements, `INSERT INTO equipements (nom, type_equipement, localisation, numero_serie, code_interne,
					marque, modele, batiment, zone, statut, criticite, frequence_entretien, date_mise_en_service, cout_acquisition,
					client_id, contrat_id, created_at)
				SELECT (ARRAY['Compresseur','Pompe','Générateur','Convoyeur','Moteur','Chaudière','Presse','Tour CN'])[1 + g % 8]
						|| ' ' || upper($1) || '-' || g,
					(ARRAY['compresseur','pompe','generateur','convoyeur','moteur','chaudiere','presse','machine_outil'])[1 + g % 8],
					'Bâtiment ' || (1 + g % 5) || ' - Zone ' || chr(65 + g % 6), upper($1) || '-SN-' || g, upper($1) || '-EQ-' || g,
					(ARRAY['Atlas Copco','Grundfos','Caterpillar','Interroll','Siemens','Viessmann','Schuler','DMG Mori'])[1 + g % 8],
					'M' || (100 + g % 900), 'B' || (1 + g % 5), chr(65 + g % 6),
					(ARRAY['operationnel','operationnel','operationnel','operationnel','operationnel','operationnel','maintenance','panne','operationnel','retire'])[1 + g % 10]::equipement_statut,
					(ARRAY['critique','important','standard','standard','non_critique'])[1 + g % 5]::equipement_criticite,
					(ARRAY[7, 30, 90, 182, 365])[1 + g % 5], (now() - interval '3 years')::date + g % 365,
					100000 + (g % 1000) * 10000, c.id, c.contrat_id, now() - interval '2 years'
				FROM generate_series(0, $2::int - 1) g JOIN scale_clients c ON c.k = g % $3::int`, []any{p, nEq, nCli}},
			{"temp equipements", nil, `CREATE TEMP TABLE scale_equips ON COMMIT DROP AS
				SELECT row_number() OVER (ORDER BY e.id) - 1 AS k, e.id, e.client_id, e.contrat_id
				FROM equipements e WHERE e.code_interne LIKE upper($1) || '-EQ-%'`, []any{p}},
			// Interventions: a creation time spread over two years; older ones are mostly closed
			// or archived, recent ones in every status. Each date follows the previous one and
			// none is in the future.
			{"interventions", &res.Interventions, `INSERT INTO interventions (titre, description, type_intervention, statut, priorite,
					urgence, equipement_id, technicien_id, client_id, contrat_id, created_by, date_creation, date_limite,
					date_affectation, date_debut_travaux, date_fin_travaux, date_cloture, date_archivage, cout_main_oeuvre,
					cout_pieces, duree_minutes, rapport, satisfaction_client, motif_annulation, updated_at)
				SELECT (ARRAY['Fuite d''huile','Bruit anormal','Vibrations excessives','Surchauffe moteur','Panne électrique',
						'Révision périodique','Remplacement courroie','Contrôle des filtres','Calibrage capteur','Défaut de pression'])[1 + g % 10]
						|| ' - ' || e_nom || ' #' || g,
					'Constat : ' || (ARRAY['arrêt intempestif','fuite visible','bruit de roulement','alarme de température','perte de rendement'])[1 + g % 5]
						|| '. Intervention demandée par l''atelier.',
					typ::intervention_type, statut::intervention_statut, prio::intervention_priorite, prio = 'urgente',
					equipement_id, CASE WHEN affecte IS NOT NULL THEN tech_id END, client_id, contrat_id, $1::bigint,
					cree, cree + sla, affecte, debut, cloture, cloture,
					CASE WHEN statut = 'archivee' THEN cloture + (1 + g % 30) * interval '1 day' END,
					CASE WHEN cloture IS NOT NULL THEN 20000 + (g % 40) * 2500 END,
					CASE WHEN cloture IS NOT NULL THEN (g % 17) * 7500 END,
					CASE WHEN cloture IS NOT NULL THEN 30 + g % 450 END,
					CASE WHEN cloture IS NOT NULL THEN 'Intervention réalisée, équipement remis en service. Réf. ' || g END,
					CASE WHEN cloture IS NOT NULL AND g % 3 = 0 THEN 3 + g % 3 END,
					CASE WHEN statut = 'annulee' THEN 'Demande annulée : doublon ou problème résolu par l''exploitant' END,
					coalesce(CASE WHEN statut = 'archivee' THEN cloture + (1 + g % 30) * interval '1 day' END,
						CASE WHEN statut = 'annulee' THEN least(cree + interval '2 hours', now()) END,
						CASE WHEN statut = 'en_attente' THEN least(debut + interval '90 minutes', now()) END,
						cloture, debut, affecte, cree)
				FROM (
					SELECT s.*,
						CASE WHEN s.statut IN ('cloturee', 'archivee') THEN least(s.debut + (30 + s.g % 450) * interval '1 minute', now()) END AS cloture
					FROM (
						SELECT r.*,
							CASE WHEN r.statut NOT IN ('ouverte', 'affectee', 'annulee') THEN least(r.affecte + (1 + r.g % 47) * interval '1 hour', now()) END AS debut
						FROM (
							SELECT q.*,
								CASE WHEN q.statut NOT IN ('ouverte', 'annulee') THEN least(q.cree + (10 + q.g % 1430) * interval '1 minute', now()) END AS affecte,
								CASE q.prio WHEN 'urgente' THEN interval '4 hours' WHEN 'haute' THEN interval '24 hours'
									WHEN 'normale' THEN interval '72 hours' WHEN 'basse' THEN interval '168 hours' ELSE interval '720 hours' END AS sla
							FROM (
								SELECT b.*,
									CASE WHEN b.age > 90 THEN
										CASE WHEN b.rs < 0.06 THEN 'annulee' WHEN b.rs < 0.55 THEN 'archivee' WHEN b.rs < 0.985 THEN 'cloturee'
											WHEN b.rs < 0.99 THEN 'en_attente' WHEN b.rs < 0.995 THEN 'en_cours' ELSE 'affectee' END
									ELSE
										CASE WHEN b.rs < 0.15 THEN 'ouverte' WHEN b.rs < 0.30 THEN 'affectee' WHEN b.rs < 0.45 THEN 'en_cours'
											WHEN b.rs < 0.55 THEN 'en_attente' WHEN b.rs < 0.90 THEN 'cloturee' WHEN b.rs < 0.96 THEN 'annulee'
											-- archived a month after closing at the latest: only when that is past
											WHEN b.age > 45 THEN 'archivee' ELSE 'cloturee' END
									END AS statut
								FROM (
									SELECT g, e.id AS equipement_id, e.client_id, e.contrat_id, t.id AS tech_id,
										'machine ' || e.k AS e_nom,
										-- 1/4 of the interventions in the last 90 days, the rest over the two years.
										CASE WHEN g % 4 = 0 THEN (g::bigint * 7919 % 90) + (g % 1440) / 1440.0
											ELSE (g::bigint * 7919 % 730) + (g % 1440) / 1440.0 END AS age,
										(g::bigint * 104729 % 1000) / 1000.0 AS rs,
										(ARRAY['corrective','corrective','corrective','preventive','preventive','ameliorative','diagnostic'])[1 + g % 7] AS typ,
										(ARRAY['normale','normale','normale','haute','haute','basse','urgente','programmee'])[1 + (g / 7) % 8] AS prio,
										now() - (CASE WHEN g % 4 = 0 THEN (g::bigint * 7919 % 90) + (g % 1440) / 1440.0
											ELSE (g::bigint * 7919 % 730) + (g % 1440) / 1440.0 END) * interval '1 day' AS cree
									FROM generate_series(0, $2::int - 1) g
									JOIN scale_equips e ON e.k = (g::bigint * 31) % $3::int
									JOIN scale_techs t ON t.k = (g::bigint * 13) % $4::int
								) b
							) q
						) r
					) s
				) x
				ORDER BY cree`, []any{respID, n, nEq, nTech}},
			// History: the creation, then one row per lifecycle step, ending in the current status.
			{"historique", &res.Historique, `INSERT INTO intervention_historique (intervention_id, action, statut_avant, statut_apres,
					remarque, user_id, created_at)
				SELECT i.id, v.action, v.avant::intervention_statut, v.apres::intervention_statut, v.remarque, v.auteur, v.quand
				FROM interventions i
				LEFT JOIN techniciens t ON t.id = i.technicien_id
				CROSS JOIN LATERAL (VALUES
					(1, 'create', NULL, 'ouverte', 'Création de l''intervention', i.created_by, i.date_creation, true),
					(2, 'assign', 'ouverte', 'affectee', 'Affectation du technicien', $2::bigint, i.date_affectation, i.date_affectation IS NOT NULL),
					(3, 'start', 'affectee', 'en_cours', NULL, t.user_id, i.date_debut_travaux, i.date_debut_travaux IS NOT NULL),
					(4, 'pause', 'en_cours', 'en_attente', 'En attente de pièces', t.user_id, i.updated_at, i.statut = 'en_attente'),
					(5, 'close', 'en_cours', 'cloturee', 'Intervention terminée', t.user_id, i.date_cloture, i.date_cloture IS NOT NULL),
					(6, 'cancel', 'ouverte', 'annulee', i.motif_annulation, $2::bigint, i.updated_at, i.statut = 'annulee'),
					(7, 'archive', 'cloturee', 'archivee', NULL, $2::bigint, i.date_archivage, i.date_archivage IS NOT NULL)
				) AS v(n, action, avant, apres, remarque, auteur, quand, applies)
				WHERE i.id > $1 AND v.applies
				ORDER BY i.id, v.n`, []any{maxIntervention, respID}},
			// About n/2 notifications: the assignment to the technician for every other assigned
			// intervention, and the closing to the author for one closed intervention in ten;
			// those older than a week are read.
			{"notifications", &res.Notifications, `INSERT INTO notifications (user_id, type, canal, titre, contenu, intervention_id,
					created_by, created_at, read_at)
				SELECT v.user_id, v.typ::notification_type, 'log', v.titre, left(i.titre, 900), i.id, $2::bigint, v.quand,
					CASE WHEN v.quand < now() - interval '7 days' THEN v.quand + interval '1 hour' END
				FROM interventions i
				LEFT JOIN techniciens t ON t.id = i.technicien_id
				CROSS JOIN LATERAL (VALUES
					('affectation', t.user_id, 'Nouvelle intervention affectée', i.date_affectation, i.date_affectation IS NOT NULL AND i.id % 2 = 0),
					('cloture', i.created_by, 'Intervention clôturée', i.date_cloture, i.date_cloture IS NOT NULL AND i.id % 10 = 1)
				) AS v(typ, user_id, titre, quand, applies)
				WHERE i.id > $1 AND v.applies
				ORDER BY i.id`, []any{maxIntervention, respID}},
			// One plan per 4 machines, due over the next three months.
			{"plannings", &res.Plannings, `INSERT INTO plannings (equipement_id, frequence, intervalle, base, date_reference, prochaine_date,
					commentaire, modele_titre, modele_priorite, modele_duree_minutes, modele_technicien_id, modele_equipe)
				SELECT e.id, (ARRAY['hebdomadaire','mensuel','mensuel','trimestriel','semestriel','annuel'])[1 + e.k % 6]::planning_frequence,
					1, 'fixed', CURRENT_DATE + (e.k % 90)::int, CURRENT_DATE + (e.k % 90)::int, 'Entretien préventif',
					'Entretien préventif machine ' || e.k, 'programmee', 60 + (e.k % 4) * 30, t.id, (ARRAY['A','B','C','D'])[1 + e.k % 4]
				FROM scale_equips e JOIN scale_techs t ON t.k = e.k % $2::int
				WHERE e.k % 4 = 0 AND e.k / 4 < $1::int`, []any{nPlan, nTech}},
			// Spare parts (n/100, at least 20), one closed intervention in three consuming 1 to 3
			// units of one of them when its work ended, and an initial receipt per part two years
			// ago that covers what it will issue: each ledger chains (stock_avant of a line is the
			// stock_apres of the one before) and the balances equal the ledgers.
			{"pieces", &res.Pieces, `INSERT INTO pieces (nom, reference, marque, fournisseur, emplacement, rangee, etagere,
					stock_minimum, stock_maximum, prix_unitaire, created_at)
				SELECT (ARRAY['Roulement','Joint torique','Filtre à huile','Filtre à air','Courroie','Garniture mécanique',
						'Graisse EP2','Huile hydraulique','Fusible','Contacteur'])[1 + g % 10] || ' ' || upper($1) || '-' || g,
					upper($1) || '-P-' || g, (ARRAY['SKF','Parker','Atlas Copco','Optibelt','TotalEnergies','Schneider'])[1 + g % 6],
					(ARRAY['Maroc Roulements','Hydro Services','Atlas Copco Maroc','Transmissions du Sud','Lubrifiants Casablanca'])[1 + g % 5],
					'Magasin ' || chr(65 + g % 3), 'R' || (1 + g % 8), 'E' || (1 + g % 5), 2 + g % 6, 20 + g % 40,
					500 + (g * 7919) % 200000, now() - interval '2 years'
				FROM generate_series(1, $2::int) g`, []any{p, nPieces}},
			{"temp pieces", nil, `CREATE TEMP TABLE scale_pieces ON COMMIT DROP AS
				SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, prix_unitaire FROM pieces WHERE reference LIKE upper($1) || '-P-%'`, []any{p}},
			{"temp sorties", nil, `CREATE TEMP TABLE scale_sorties ON COMMIT DROP AS
				SELECT sp.id AS piece_id, i.id AS intervention_id, 1 + i.id % 3 AS quantite, i.date_fin_travaux AS quand
				FROM interventions i JOIN scale_pieces sp ON sp.k = i.id % $2::int
				WHERE i.id > $1 AND i.statut IN ('cloturee', 'archivee') AND i.date_fin_travaux IS NOT NULL AND i.id % 3 = 0`,
				[]any{maxIntervention, nPieces}},
			{"entrees", &res.Mouvements, `INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres,
					cout_unitaire, devise, motif, user_id, date_mouvement)
				SELECT sp.id, 'entree', coalesce(s.total, 0) + 5 + sp.k % 30, 0, coalesce(s.total, 0) + 5 + sp.k % 30,
					sp.prix_unitaire * 95 / 100, 'MAD', 'Stock initial', $1, now() - interval '2 years 1 day'
				FROM scale_pieces sp
				LEFT JOIN (SELECT piece_id, sum(quantite)::int AS total FROM scale_sorties GROUP BY piece_id) s ON s.piece_id = sp.id
				ORDER BY sp.id`, []any{respID}},
			{"sorties", &res.Sorties, `INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres,
					cout_unitaire, devise, motif, intervention_id, user_id, date_mouvement)
				SELECT s.piece_id, 'sortie', s.quantite, e.stock_apres - s.cumul + s.quantite, e.stock_apres - s.cumul,
					e.cout_unitaire, 'MAD', 'Intervention n° ' || s.intervention_id, s.intervention_id, $1, s.quand
				FROM (SELECT *, sum(quantite) OVER (PARTITION BY piece_id ORDER BY quand, intervention_id) AS cumul FROM scale_sorties) s
				JOIN mouvements_stock e ON e.piece_id = s.piece_id AND e.type_mouvement = 'entree'
				ORDER BY s.piece_id, s.quand, s.intervention_id`, []any{respID}},
			{"balances", nil, `UPDATE pieces p SET stock_actuel = l.solde, cout_moyen = l.cout, derniere_entree = l.entree,
					derniere_sortie = l.sortie
				FROM (SELECT m.piece_id, sum(m.stock_apres - m.stock_avant)::int AS solde,
						max(m.cout_unitaire) FILTER (WHERE m.type_mouvement = 'entree') AS cout,
						max(m.date_mouvement) FILTER (WHERE m.type_mouvement = 'entree') AS entree,
						max(m.date_mouvement) FILTER (WHERE m.type_mouvement = 'sortie') AS sortie
					FROM mouvements_stock m JOIN scale_pieces sp ON sp.id = m.piece_id GROUP BY m.piece_id) l
				WHERE p.id = l.piece_id`, nil},
			// The part lines those issues consumed, and the parts cost of their interventions.
			{"lignes", nil, `INSERT INTO interventions_pieces (intervention_id, piece_id, quantite, statut, cout_unitaire, sortie_id,
					user_id, created_at, updated_at)
				SELECT m.intervention_id, m.piece_id, m.quantite, 'consommee', m.cout_unitaire, m.id, m.user_id,
					m.date_mouvement, m.date_mouvement
				FROM mouvements_stock m JOIN scale_pieces sp ON sp.id = m.piece_id WHERE m.type_mouvement = 'sortie'`, nil},
			{"cout_pieces", nil, `UPDATE interventions i SET cout_pieces = s.quantite::bigint * p.cout_unitaire
				FROM scale_sorties s JOIN mouvements_stock p ON p.intervention_id = s.intervention_id AND p.type_mouvement = 'sortie'
				WHERE i.id = s.intervention_id`, nil},
			// Machine status history: each machine's creation, then its current statut when not
			// operationnel; downtime: the closed corrective work of the batch from its request to
			// the end of the work (a record only when it starts after every earlier one of its
			// machine ends, so none overlap), and an open record for each machine now down.
			{"statuts", &res.Statuts, `INSERT INTO equipements_statuts (equipement_id, statut_avant, statut_apres, change_le, user_id, source)
				SELECT e.id, NULL::equipement_statut, 'operationnel'::equipement_statut, e.created_at, $1::bigint, 'creation' FROM equipements e JOIN scale_equips se ON se.id = e.id
				UNION ALL
				SELECT e.id, 'operationnel'::equipement_statut, e.statut, now() - (1 + se.k % 20) * interval '1 day', $1::bigint, 'manuel'
				FROM equipements e JOIN scale_equips se ON se.id = e.id WHERE e.statut <> 'operationnel'`, []any{respID}},
			{"arrets", &res.Arrets, `INSERT INTO arrets (equipement_id, debut, fin, motif, intervention_id, source, created_by, created_at)
				SELECT equipement_id, date_creation, date_fin_travaux, 'panne', id, 'automatique', created_by, date_creation
				FROM (SELECT i.equipement_id, i.id, i.date_creation, i.date_fin_travaux, i.created_by,
						max(i.date_fin_travaux) OVER (PARTITION BY i.equipement_id ORDER BY i.date_creation, i.id
							ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS avant
					FROM interventions i JOIN scale_equips se ON se.id = i.equipement_id
					WHERE i.type_intervention = 'corrective' AND i.date_fin_travaux > i.date_creation) x
				WHERE avant IS NULL OR date_creation >= avant
				UNION ALL
				SELECT e.id, greatest(now() - (1 + se.k % 20) * interval '1 day',
						(SELECT max(i.date_fin_travaux) + interval '1 minute' FROM interventions i WHERE i.equipement_id = e.id)),
					NULL, CASE e.statut WHEN 'panne' THEN 'panne' ELSE 'preventif' END::motif_arret, NULL, 'automatique', $1::bigint, now()
				FROM equipements e JOIN scale_equips se ON se.id = e.id WHERE e.statut IN ('panne', 'maintenance')`, []any{respID}},
			// A running-hours meter on one machine in four, with a year of monthly readings.
			{"compteurs", &res.Compteurs, `INSERT INTO compteurs (equipement_id, nom, unite, type_compteur)
				SELECT se.id, 'Heures de marche', 'h', 'cumulatif' FROM scale_equips se WHERE se.k % 4 = 0`, nil},
			{"releves", &res.Releves, `INSERT INTO releves (compteur_id, valeur, lu_le, source, user_id)
				SELECT c.id, 1000 + (se.k % 50) * 100 + g * (200 + se.k % 300), date_trunc('day', now()) - (12 - g) * interval '1 month',
					'import', $1::bigint
				FROM compteurs c JOIN scale_equips se ON se.id = c.equipement_id CROSS JOIN generate_series(0, 12) g`, []any{respID}},
			// The demo checklist template copied onto one preventive intervention of the batch in
			// ten, answered on the closed ones (in bounds, when their work ended).
			{"checklists", &res.Checklists, `WITH t AS (SELECT id FROM checklists WHERE nom = 'Contrôle mensuel compresseur'),
				iv AS (UPDATE interventions i SET checklist_id = t.id FROM t
					WHERE i.id > $1::bigint AND i.type_intervention = 'preventive' AND i.id % 10 = 0 RETURNING i.id, i.statut, i.date_fin_travaux, i.technicien_id)
				INSERT INTO interventions_checklist (intervention_id, ordre, libelle, type_item, unite, mini, maxi, obligatoire, suivi_si_ecart,
					coche, reponse, mesure, rempli_par, rempli_le)
				SELECT iv.id, ci.ordre, ci.libelle, ci.type_item, ci.unite, ci.mini, ci.maxi, ci.obligatoire, ci.suivi_si_ecart,
					CASE WHEN done AND ci.type_item = 'case' THEN true END,
					CASE WHEN done AND ci.type_item = 'oui_non' THEN 'oui' END,
					CASE WHEN done AND ci.type_item = 'mesure' THEN (ci.mini + ci.maxi) / 2 END,
					CASE WHEN done AND ci.obligatoire THEN (SELECT user_id FROM techniciens WHERE id = iv.technicien_id) END,
					CASE WHEN done AND ci.obligatoire THEN iv.date_fin_travaux END
				FROM iv CROSS JOIN LATERAL (SELECT iv.statut IN ('cloturee', 'archivee') AND iv.date_fin_travaux IS NOT NULL AS done) d
				JOIN t ON true JOIN checklist_items ci ON ci.checklist_id = t.id`, []any{maxIntervention}},
			{"derniers releves", nil, `UPDATE compteurs c SET derniere_valeur = l.valeur, derniere_lecture = l.lu_le
				FROM (SELECT DISTINCT ON (r.compteur_id) r.compteur_id, r.valeur, r.lu_le FROM releves r
					JOIN compteurs c2 ON c2.id = r.compteur_id JOIN scale_equips se ON se.id = c2.equipement_id
					ORDER BY r.compteur_id, r.lu_le DESC) l
				WHERE c.id = l.compteur_id`, nil},
		}
		for _, s := range steps {
			tag, err := tx.Exec(ctx, s.sql, s.args...)
			if err != nil {
				return fmt.Errorf("seed scale (%s): %w", s.what, err)
			}
			if s.count != nil {
				*s.count = int(tag.RowsAffected())
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	// Fresh statistics, so that the planner sees the new sizes at once, and visibility maps, so
	// that counts and the dashboard are index-only scans from the start (VACUUM runs outside any
	// transaction).
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) users, clients, contrats, equipements, techniciens, technicien_competences,
		interventions, intervention_historique, notifications, plannings, pieces, mouvements_stock, interventions_pieces,
		equipements_statuts, arrets, compteurs, releves, interventions_checklist`); err != nil {
		return res, fmt.Errorf("seed scale: vacuum analyze: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}
