package seed

// demoAtelier is the shop-floor demo data (issue 14): the status history of the demo machines,
// a year of downtime (the pump's breakdown linked to its intervention, a power cut, the
// generator's planned overhaul and its current maintenance), and meters with a year of weekly
// readings (running hours, oil temperature, discharge pressure). Keyed by machine and meter
// name: history, downtime and readings are written only for a machine or meter that has none.
var demoAtelier = []string{
	`WITH v(machine, n, avant, apres, quand, titre, auteur, source) AS (VALUES
		('Compresseur Atlas Copco GA15', 1, NULL, 'operationnel', NULL, NULL, 'responsable@mif.ma', 'creation'),
		('Pompe Centrifuge Grundfos', 1, NULL, 'operationnel', NULL, NULL, 'responsable@mif.ma', 'creation'),
		('Pompe Centrifuge Grundfos', 2, 'operationnel', 'panne', interval '40 days', 'Panne électrique pompe', 'responsable@mif.ma', 'intervention'),
		('Pompe Centrifuge Grundfos', 3, 'panne', 'operationnel', interval '40 days -3 hours', 'Panne électrique pompe', 'fatima.alami@mif.ma', 'intervention'),
		('Générateur Caterpillar 250kW', 1, NULL, 'operationnel', NULL, NULL, 'responsable@mif.ma', 'creation'),
		('Générateur Caterpillar 250kW', 2, 'operationnel', 'maintenance', interval '1 day', NULL, 'responsable@mif.ma', 'manuel'),
		('Convoyeur Bande B-Series', 1, NULL, 'operationnel', NULL, NULL, 'responsable@mif.ma', 'creation'))
	 INSERT INTO equipements_statuts (equipement_id, statut_avant, statut_apres, change_le, user_id, intervention_id, source)
	 SELECT e.id, v.avant::equipement_statut, v.apres::equipement_statut,
		coalesce(now() - v.quand, e.date_mise_en_service::timestamptz), u.id, i.id, v.source
	 FROM v
	 JOIN equipements e ON e.nom = v.machine
	 JOIN users u ON u.email = v.auteur
	 LEFT JOIN interventions i ON i.titre = v.titre
	 WHERE NOT EXISTS (SELECT 1 FROM equipements_statuts s WHERE s.equipement_id = e.id)
	 ORDER BY e.id, v.n`,
	`WITH v(machine, debut, fin, motif, titre, commentaire, source) AS (VALUES
		('Compresseur Atlas Copco GA15', interval '300 days', interval '300 days -4 hours', 'externe', NULL,
			'Coupure du réseau électrique du site', 'manuel'),
		('Compresseur Atlas Copco GA15', interval '150 days', interval '149 days', 'panne', NULL,
			'Déclenchement sur température huile élevée : radiateur encrassé', 'manuel'),
		('Pompe Centrifuge Grundfos', interval '40 days', interval '40 days -3 hours', 'panne', 'Panne électrique pompe', NULL, 'automatique'),
		('Générateur Caterpillar 250kW', interval '121 hours', interval '116 hours', 'preventif', 'Révision des 500 heures du générateur',
			'Révision constructeur', 'manuel'),
		('Générateur Caterpillar 250kW', interval '1 day', NULL, 'preventif', NULL, NULL, 'automatique'),
		('Convoyeur Bande B-Series', interval '90 days', interval '90 days -2 hours', 'autre', NULL,
			'Arrêt de la ligne pour changement de format', 'manuel'))
	 INSERT INTO arrets (equipement_id, debut, fin, motif, intervention_id, commentaire, source, created_by, created_at)
	 SELECT e.id, now() - v.debut, now() - v.fin, v.motif::motif_arret, i.id, v.commentaire, v.source, u.id, now() - v.debut
	 FROM v
	 JOIN equipements e ON e.nom = v.machine
	 JOIN users u ON u.email = 'responsable@mif.ma'
	 LEFT JOIN interventions i ON i.titre = v.titre
	 WHERE NOT EXISTS (SELECT 1 FROM arrets a WHERE a.equipement_id = e.id)`,
	`INSERT INTO compteurs (equipement_id, nom, unite, type_compteur)
	 SELECT e.id, v.nom, v.unite, v.typ::type_compteur
	 FROM (VALUES
		('Compresseur Atlas Copco GA15', 'Heures de marche', 'h', 'cumulatif'),
		('Compresseur Atlas Copco GA15', 'Température huile', '°C', 'jauge'),
		('Générateur Caterpillar 250kW', 'Heures moteur', 'h', 'cumulatif'),
		('Pompe Centrifuge Grundfos', 'Pression de refoulement', 'bar', 'jauge')
	 ) AS v(machine, nom, unite, typ)
	 JOIN equipements e ON e.nom = v.machine
	 ON CONFLICT DO NOTHING`,
	// 53 weekly readings: the compressor runs about 80 h a week, the generator 6 h; the gauges
	// wander around their usual value.
	`WITH v(machine, nom, base, pas, ampl) AS (VALUES
		('Compresseur Atlas Copco GA15', 'Heures de marche', 12400.0, 80.0, 0.0),
		('Compresseur Atlas Copco GA15', 'Température huile', 78.0, 0.0, 6.0),
		('Générateur Caterpillar 250kW', 'Heures moteur', 2210.0, 6.0, 0.0),
		('Pompe Centrifuge Grundfos', 'Pression de refoulement', 4.2, 0.0, 0.4)),
	 r AS (
		INSERT INTO releves (compteur_id, valeur, lu_le, source, user_id)
		SELECT c.id, round((v.base + v.pas * g + v.ampl * sin(g * 1.3))::numeric, 1)::double precision,
			date_trunc('hour', now()) - (52 - g) * interval '7 days', 'manuel', u.id
		FROM v
		JOIN equipements e ON e.nom = v.machine
		JOIN compteurs c ON c.equipement_id = e.id AND c.nom = v.nom
		JOIN users u ON u.email = 'technicien@mif.ma'
		CROSS JOIN generate_series(0, 52) g
		WHERE NOT EXISTS (SELECT 1 FROM releves x WHERE x.compteur_id = c.id)
		RETURNING compteur_id, valeur, lu_le)
	 UPDATE compteurs c SET derniere_valeur = l.valeur, derniere_lecture = l.lu_le, updated_at = now()
	 FROM (SELECT DISTINCT ON (compteur_id) compteur_id, valeur, lu_le FROM r ORDER BY compteur_id, lu_le DESC) l
	 WHERE c.id = l.compteur_id`,
	// One meter-based plan: the compressor's oil and filters every 2 000 running hours or every
	// six months, whichever comes first (the next multiple of 2 000 after its latest reading).
	`WITH c AS (
		SELECT c.id, c.equipement_id, c.derniere_valeur FROM compteurs c JOIN equipements e ON e.id = c.equipement_id
		WHERE e.nom = 'Compresseur Atlas Copco GA15' AND c.nom = 'Heures de marche'),
	 p AS (
		INSERT INTO plannings (equipement_id, frequence, intervalle, base, statut, date_reference, prochaine_date, commentaire,
			modele_titre, modele_description, modele_priorite, modele_duree_minutes, modele_equipe)
		SELECT c.equipement_id, 'semestriel', 1, 'compteur', 'actif', current_date, (current_date + interval '6 months')::date,
			'Toutes les 2 000 heures de marche ou tous les six mois, au premier terme.',
			'Vidange et filtres compresseur (2 000 h)', 'Vidange huile Roto-Inject, filtres à huile et à air, contrôle des courroies.',
			'normale', 120, 'A'
		FROM c WHERE NOT EXISTS (SELECT 1 FROM plannings x WHERE x.modele_titre = 'Vidange et filtres compresseur (2 000 h)')
		RETURNING id, equipement_id)
	 INSERT INTO plannings_compteurs (planning_id, compteur_id, intervalle, prochain)
	 SELECT p.id, c.id, 2000, (floor(coalesce(c.derniere_valeur, 0) / 2000) + 1) * 2000
	 FROM p JOIN c ON c.equipement_id = p.equipement_id`,
	// A checklist template: the compressor's monthly check, with the pressure and oil
	// temperature measured against their bounds (a deviation opens a follow-up), named by the
	// compressor's plan.
	`INSERT INTO checklists (nom, description)
	 VALUES ('Contrôle mensuel compresseur', 'Contrôle de routine du compresseur à vis, machine en charge.')
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO checklist_items (checklist_id, ordre, libelle, type_item, unite, mini, maxi, obligatoire, suivi_si_ecart)
	 SELECT c.id, v.ordre, v.libelle, v.typ::type_item_checklist, v.unite, v.mini, v.maxi, v.obligatoire, v.suivi
	 FROM (VALUES
		(1, 'Pression de service', 'mesure', 'bar', 6.5, 8.0, true, true),
		(2, 'Température huile en charge', 'mesure', '°C', 60.0, 95.0, true, true),
		(3, 'Niveau d''huile au voyant correct', 'oui_non', NULL, NULL, NULL, true, true),
		(4, 'Purge des condensats faite', 'case', NULL, NULL, NULL, true, false),
		(5, 'Photo du voyant d''huile', 'photo', NULL, NULL, NULL, false, false),
		(6, 'Observations', 'texte', NULL, NULL, NULL, false, false)
	 ) AS v(ordre, libelle, typ, unite, mini, maxi, obligatoire, suivi)
	 JOIN checklists c ON c.nom = 'Contrôle mensuel compresseur'
	 ON CONFLICT DO NOTHING`,
	`UPDATE plannings p SET modele_checklist_id = c.id
	 FROM checklists c
	 WHERE c.nom = 'Contrôle mensuel compresseur' AND p.modele_titre = 'Vidange et filtres compresseur (2 000 h)'
	   AND p.modele_checklist_id IS NULL`,
}
