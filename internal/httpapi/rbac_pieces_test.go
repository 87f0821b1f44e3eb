package httpapi_test

import (
	"fmt"
	"strconv"
)

// Rows of the RBAC matrix for spare parts and stock (issue 13): admins and responsables manage
// the catalogue and the ledger; techniciens read the catalogue, a part's ledger and the machines
// it fits; clients read none of it.
func init() {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	onPiece := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"piece_id": id(f.freshPiece())}, "", ""
	}
	rows := map[string]rbacRow{
		"listPieces":           {allowed: staff, request: noBody},
		"getPiece":             {allowed: staff, request: onPiece},
		"exportPieces":         {allowed: staff, request: noBody},
		"listPieceMouvements":  {allowed: staff, request: onPiece},
		"listPieceEquipements": {allowed: staff, request: onPiece},
		"listMouvementsStock":  {allowed: managers, request: noBody},
		"listPiecesACommander": {allowed: managers, request: noBody},
		"createPiece": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"nom":"Pièce RBAC","reference":"RBAC-%d"}`, f.seq.Add(1))
		}},
		"updatePiece": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"piece_id": id(f.freshPiece())}, "application/json", `{"emplacement":"Magasin B"}`
		}},
		"deletePiece": {allowed: managers, request: onPiece},
		"importPieces": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "text/csv", fmt.Sprintf("reference,nom\nIMP-RBAC-%d,Pièce importée\n", f.seq.Add(1))
		}},
		"setPieceEquipements": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"piece_id": id(f.freshPiece())}, "application/json",
				fmt.Sprintf(`{"equipement_ids":[%d]}`, f.freshEquipement(nil))
		}},
		// Parts on interventions: on one assigned to the demo technicien, of the demo client.
		"listInterventionPieces": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("en_cours"))}, "", ""
		}},
		"addInterventionPiece": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("en_cours"))}, "application/json",
				fmt.Sprintf(`{"piece_id":%d,"quantite":1}`, f.stockedPiece())
		}},
		"removeInterventionPiece": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			iv := f.sharedIntervention("en_cours")
			p := f.stockedPiece()
			line := f.insert(`WITH l AS (INSERT INTO interventions_pieces (intervention_id, piece_id, quantite, user_id)
					SELECT $1, $2, 1, id FROM users WHERE username = 'responsable' RETURNING id, piece_id),
				r AS (UPDATE pieces SET stock_reserve = stock_reserve + 1 WHERE id = $2)
				SELECT id FROM l`, iv, p)
			return map[string]string{"intervention_id": id(iv), "ligne_id": id(line)}, "", ""
		}},
		// Labour: on an intervention assigned to the demo technicien, of the demo client.
		"listInterventionTemps": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("en_cours"))}, "", ""
		}},
		"addInterventionTemps": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("en_cours"))}, "application/json", `{"minutes":30}`
		}},
		"cancelInterventionTemps": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			iv := f.sharedIntervention("en_cours")
			e := f.insert(`INSERT INTO interventions_temps (intervention_id, technicien_id, minutes, taux_horaire, montant, user_id)
				SELECT $1, $2, 30, 0, 0, id FROM users WHERE username = 'responsable' RETURNING id`, iv, f.demoTechnicien())
			return map[string]string{"intervention_id": id(iv), "temps_id": id(e)}, "", ""
		}},
		"startInterventionTimer": {allowed: []string{"technicien"}, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			f.finishDemoTimer()
			return map[string]string{"intervention_id": id(f.sharedIntervention("en_cours"))}, "", ""
		}},
		"stopInterventionTimer": {allowed: []string{"technicien"}, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.demoTimerIntervention())}, "", ""
		}},
		// Other costs and roll-ups: on the demo client's rows, so that the client reads its own.
		"listInterventionCouts": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("cloturee"))}, "", ""
		}},
		"addInterventionCout": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("cloturee"))}, "application/json",
				`{"type_cout":"deplacement","libelle":"Déplacement RBAC","montant":5000}`
		}},
		"cancelInterventionCout": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			iv := f.sharedIntervention("cloturee")
			c := f.insert(`INSERT INTO interventions_couts (intervention_id, type_cout, libelle, montant, date_cout, user_id)
				SELECT $1, 'autre', 'Coût RBAC', 100, CURRENT_DATE, id FROM users WHERE username = 'responsable' RETURNING id`, iv)
			return map[string]string{"intervention_id": id(iv), "cout_id": id(c)}, "", ""
		}},
		"getEquipementCouts": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			c := f.demoClientCompany()
			return map[string]string{"equipement_id": id(f.freshEquipement(&c))}, "", ""
		}},
		"getClientCouts": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"client_id": id(f.demoClientCompany())}, "", ""
		}},
		"getContratCouts": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"contrat_id": id(f.freshContrat(f.demoClientCompany()))}, "", ""
		}},
		// Invoices: of the demo client's contracts.
		"listContratFactures": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"contrat_id": id(f.freshContrat(f.demoClientCompany()))}, "", ""
		}},
		"createFacture": {allowed: managers, query: "periode=2026-11", request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"contrat_id": id(f.freshContrat(f.demoClientCompany()))}, "", ""
		}},
		"getFacture": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"facture_id": id(f.freshFacture())}, "", ""
		}},
		"applyFactureAction": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"facture_id": id(f.freshFacture()), "action": "emettre"}, "", ""
		}},
		// Meters: on a machine of the demo client where the demo technicien has open work.
		"listCompteurs": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"equipement_id": id(f.workedMachine())}, "", ""
		}},
		"createCompteur": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"equipement_id": id(f.workedMachine())}, "application/json",
				`{"nom":"Heures","unite":"h","type_compteur":"cumulatif"}`
		}},
		"listReleves": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"compteur_id": id(f.freshCompteur())}, "", ""
		}},
		"createReleve": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"compteur_id": id(f.freshCompteur())}, "application/json", `{"valeur":12.5}`
		}},
		"importReleves": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"compteur_id": id(f.freshCompteur())}, "text/csv", "lu_le,valeur\n2026-11-01T08:00:00Z,10\n"
		}},
		"createMouvementStock": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"piece_id": id(f.freshPiece())}, "application/json", `{"type_mouvement":"entree","quantite":3}`
		}},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

func (f *rbacFixture) freshPiece() int64 {
	n := f.seq.Add(1)
	return f.insert(`INSERT INTO pieces (nom, reference) VALUES ($1, $2) RETURNING id`,
		fmt.Sprintf("Pièce fixture %d", n), fmt.Sprintf("FIX-%d", n))
}

// stockedPiece is a part with 5 units in stock, received through its ledger.
func (f *rbacFixture) stockedPiece() int64 {
	p := f.freshPiece()
	f.insert(`WITH m AS (INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres,
			cout_unitaire, devise, user_id)
			SELECT $1, 'entree', 5, 0, 5, 100, 'MAD', id FROM users WHERE username = 'responsable' RETURNING piece_id)
		UPDATE pieces SET stock_actuel = 5, cout_moyen = 100 FROM m WHERE pieces.id = m.piece_id RETURNING pieces.id`, p)
	return p
}

// finishDemoTimer stops the demo technicien's running timer, if any (as the API would).
func (f *rbacFixture) finishDemoTimer() {
	f.t.Helper()
	if _, err := f.env.Pool.Exec(f.t.Context(), `UPDATE interventions_temps SET fin = now(), minutes = 1, montant = 0
		WHERE technicien_id = $1 AND minutes IS NULL AND annulee_at IS NULL`, f.demoTechnicien()); err != nil {
		f.t.Fatal(err)
	}
}

// demoTimerIntervention is the intervention of the demo technicien's running timer, started on a
// fresh one when none runs.
func (f *rbacFixture) demoTimerIntervention() int64 {
	f.t.Helper()
	tech := f.demoTechnicien()
	var iv int64
	err := f.env.Pool.QueryRow(f.t.Context(), `SELECT intervention_id FROM interventions_temps
		WHERE technicien_id = $1 AND minutes IS NULL AND annulee_at IS NULL`, tech).Scan(&iv)
	if err == nil {
		return iv
	}
	iv = f.sharedIntervention("en_cours")
	f.insert(`INSERT INTO interventions_temps (intervention_id, technicien_id, debut, taux_horaire, user_id)
		SELECT $1, $2, now() - interval '5 minutes', 0, id FROM users WHERE username = 'technicien' RETURNING id`, iv, tech)
	return iv
}

// freshFacture is a draft invoice of a fresh contract of the demo client.
func (f *rbacFixture) freshFacture() int64 {
	n := f.seq.Add(1)
	return f.insert(`INSERT INTO factures (contrat_id, numero_facture, annee, sequence, periode, periode_debut, periode_fin,
			date_emission, date_echeance, montant_forfait, montant_pieces, montant_main_oeuvre, montant_autres,
			nb_interventions_facturees, montant_ht, taux_tva, montant_tva, montant_ttc, devise, created_by)
		SELECT $1, 'FAC-RBAC-' || $2::bigint, 1999, $2::integer, '2026-11', '2026-11-01', '2026-11-30', CURRENT_DATE, CURRENT_DATE + 30,
			1000, 0, 0, 0, 0, 1000, 2000, 200, 1200, 'MAD', id
		FROM users WHERE username = 'responsable' RETURNING id`, f.freshContrat(f.demoClientCompany()), n)
}

// workedMachine is a machine of the demo client with an intervention en_cours assigned to the
// demo technicien.
func (f *rbacFixture) workedMachine() int64 {
	c := f.demoClientCompany()
	e := f.freshEquipement(&c)
	f.insert(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, technicien_id,
			date_affectation, date_debut_travaux)
		VALUES ('Relevés RBAC', 'preventive', 'en_cours', $1, $2, $3, now(), now()) RETURNING id`, e, c, f.demoTechnicien())
	return e
}

// freshCompteur is a cumulative meter on a worked machine.
func (f *rbacFixture) freshCompteur() int64 {
	return f.insert(`INSERT INTO compteurs (equipement_id, nom, unite, type_compteur) VALUES ($1, 'Heures', 'h', 'cumulatif')
		RETURNING id`, f.workedMachine())
}
