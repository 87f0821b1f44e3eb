package seed

// demoPieces are the demo spare parts (bearings, seals, filters, belts, lubricants): the
// catalogue, the machines each part fits, an initial receipt per part (its balance and average
// cost written with it), and the parts used by the two closed demo interventions as sorties
// linked to them. Keyed by reference; movements are written only for a part that has none, so a
// second run adds nothing and the balances always equal the ledger.
var demoPieces = []string{
	`INSERT INTO pieces (nom, reference, marque, modele, fournisseur, reference_fournisseur, emplacement, rangee, etagere,
		stock_minimum, stock_maximum, prix_unitaire)
	 SELECT v.nom, v.ref, v.marque, v.modele, v.fournisseur, v.ref_fournisseur, v.emplacement, v.rangee, v.etagere,
		v.mini, v.maxi, v.prix
	 FROM (VALUES
		('Roulement à billes 6205-2RS', 'SKF-6205-2RS', 'SKF', '6205-2RS', 'Maroc Roulements', 'MR-6205', 'Magasin A', 'R1', 'E1', 4, 20, 8500::bigint),
		('Roulement à rouleaux 22210', 'SKF-22210-E', 'SKF', '22210 E', 'Maroc Roulements', 'MR-22210', 'Magasin A', 'R1', 'E2', 2, 8, 42000::bigint),
		('Garniture mécanique 35 mm', 'GF-GM-35', 'Grundfos', 'BQQE 35', 'Hydro Services', 'HS-GM35', 'Magasin A', 'R2', 'E1', 2, 6, 65000::bigint),
		('Joint torique NBR 40x3', 'JT-NBR-40-3', 'Parker', 'NBR70', 'Hydro Services', 'HS-JT403', 'Magasin A', 'R2', 'E3', 20, 100, 450::bigint),
		('Filtre à huile compresseur', 'AC-FH-1613', 'Atlas Copco', '1613610500', 'Atlas Copco Maroc', '1613610500', 'Magasin B', 'R1', 'E1', 2, 10, 38000::bigint),
		('Filtre à air compresseur', 'AC-FA-1613', 'Atlas Copco', '1613740700', 'Atlas Copco Maroc', '1613740700', 'Magasin B', 'R1', 'E2', 2, 10, 52000::bigint),
		('Filtre à gazole générateur', 'CAT-FG-1R0750', 'Caterpillar', '1R-0750', 'Mascir Énergie', '1R-0750', 'Magasin B', 'R2', 'E1', 3, 12, 29000::bigint),
		('Courroie trapézoïdale SPA 1250', 'OPT-SPA-1250', 'Optibelt', 'SPA 1250', 'Transmissions du Sud', 'TS-SPA1250', 'Magasin C', 'R1', 'E1', 4, 16, 12000::bigint),
		('Huile compresseur Roto-Inject 20 L', 'AC-HUILE-20L', 'Atlas Copco', 'Roto-Inject', 'Atlas Copco Maroc', '2901052200', 'Magasin C', 'R3', 'E1', 2, 6, 185000::bigint),
		('Graisse EP2 cartouche 400 g', 'TOT-EP2-400', 'TotalEnergies', 'Multis EP2', 'Lubrifiants Casablanca', 'LC-EP2', 'Magasin C', 'R3', 'E2', 10, 40, 6500::bigint)
	 ) AS v(nom, ref, marque, modele, fournisseur, ref_fournisseur, emplacement, rangee, etagere, mini, maxi, prix)
	 ON CONFLICT DO NOTHING`,
	`INSERT INTO pieces_equipements (piece_id, equipement_id)
	 SELECT p.id, e.id
	 FROM (VALUES
		('SKF-6205-2RS', 'Convoyeur Bande B-Series'), ('SKF-6205-2RS', 'Pompe Centrifuge Grundfos'),
		('SKF-22210-E', 'Pompe Centrifuge Grundfos'), ('GF-GM-35', 'Pompe Centrifuge Grundfos'),
		('JT-NBR-40-3', 'Pompe Centrifuge Grundfos'), ('JT-NBR-40-3', 'Compresseur Atlas Copco GA15'),
		('AC-FH-1613', 'Compresseur Atlas Copco GA15'), ('AC-FA-1613', 'Compresseur Atlas Copco GA15'),
		('AC-HUILE-20L', 'Compresseur Atlas Copco GA15'), ('CAT-FG-1R0750', 'Générateur Caterpillar 250kW'),
		('OPT-SPA-1250', 'Générateur Caterpillar 250kW'), ('OPT-SPA-1250', 'Convoyeur Bande B-Series'),
		('TOT-EP2-400', 'Convoyeur Bande B-Series')
	 ) AS v(ref, equipement)
	 JOIN pieces p ON p.reference = v.ref
	 JOIN equipements e ON e.nom = v.equipement
	 ON CONFLICT DO NOTHING`,
	// Initial receipts, 60 days ago, at a purchase price a little under the catalogue price;
	// two parts start at their minimum and one out of stock, so the reorder list has lines.
	`WITH v(ref, quantite, cout) AS (VALUES
		('SKF-6205-2RS', 12, 8100::bigint), ('SKF-22210-E', 2, 40000::bigint), ('GF-GM-35', 4, 61000::bigint),
		('JT-NBR-40-3', 60, 400::bigint), ('AC-FH-1613', 6, 36000::bigint), ('AC-FA-1613', 2, 49500::bigint),
		('CAT-FG-1R0750', 8, 27500::bigint), ('OPT-SPA-1250', 10, 11000::bigint), ('AC-HUILE-20L', 4, 176000::bigint)),
	 entrees AS (
		INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres, cout_unitaire, devise,
			motif, user_id, date_mouvement)
		SELECT p.id, 'entree', v.quantite, 0, v.quantite, v.cout, p.devise, 'Stock initial', u.id, now() - interval '60 days'
		FROM v
		JOIN pieces p ON p.reference = v.ref
		JOIN users u ON u.email = 'responsable@mif.ma'
		WHERE NOT EXISTS (SELECT 1 FROM mouvements_stock m WHERE m.piece_id = p.id)
		RETURNING piece_id, quantite, cout_unitaire, date_mouvement)
	 UPDATE pieces p SET stock_actuel = e.quantite, cout_moyen = e.cout_unitaire, derniere_entree = e.date_mouvement,
		version = p.version + 1
	 FROM entrees e WHERE p.id = e.piece_id`,
	// Parts used by the closed demo interventions, issued when their work ended.
	`WITH v(titre, ref, quantite) AS (VALUES
		('Révision des 500 heures du générateur', 'CAT-FG-1R0750', 2),
		('Révision des 500 heures du générateur', 'OPT-SPA-1250', 2),
		('Panne électrique pompe', 'SKF-6205-2RS', 2)),
	 sorties AS (
		INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres, cout_unitaire, devise,
			motif, intervention_id, user_id, date_mouvement)
		SELECT p.id, 'sortie', v.quantite, p.stock_actuel, p.stock_actuel - v.quantite, p.cout_moyen, p.devise,
			'Intervention : ' || i.titre, i.id, i.created_by, i.date_fin_travaux
		FROM v
		JOIN pieces p ON p.reference = v.ref
		JOIN interventions i ON i.titre = v.titre
		WHERE p.stock_actuel >= v.quantite
		  AND NOT EXISTS (SELECT 1 FROM mouvements_stock m WHERE m.piece_id = p.id AND m.intervention_id = i.id)
		RETURNING piece_id, stock_apres, date_mouvement)
	 UPDATE pieces p SET stock_actuel = s.stock_apres, derniere_sortie = s.date_mouvement, version = p.version + 1
	 FROM sorties s WHERE p.id = s.piece_id`,
	// The part lines of those interventions (consumed by those sorties), and their parts cost
	// computed from them.
	`INSERT INTO interventions_pieces (intervention_id, piece_id, quantite, statut, cout_unitaire, sortie_id, user_id,
		created_at, updated_at)
	 SELECT m.intervention_id, m.piece_id, m.quantite, 'consommee', m.cout_unitaire, m.id, m.user_id,
		m.date_mouvement, m.date_mouvement
	 FROM mouvements_stock m
	 WHERE m.type_mouvement = 'sortie' AND m.intervention_id IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM interventions_pieces l WHERE l.sortie_id = m.id)`,
	`UPDATE interventions i SET cout_pieces = l.cout
	 FROM (SELECT intervention_id, sum(quantite::bigint * cout_unitaire)::bigint AS cout FROM interventions_pieces
		WHERE statut = 'consommee' GROUP BY intervention_id) l
	 WHERE i.id = l.intervention_id AND i.cout_pieces IS DISTINCT FROM l.cout`,
}
