package seed

// demoLabour gives the demo technicians an hourly rate and records the time of the two closed
// demo interventions, at rates that give the labour cost and duration they were closed with
// (the urgent repair at a call-out rate). Written once: a second run adds nothing.
var demoLabour = []string{
	`UPDATE techniciens t SET taux_horaire = v.taux
	 FROM (VALUES ('technicien@mif.ma', 18000::bigint), ('fatima.alami@mif.ma', 20000::bigint),
		('youssef.tazi@mif.ma', 16000::bigint)) AS v(email, taux)
	 JOIN users u ON u.email = v.email
	 WHERE t.user_id = u.id AND t.taux_horaire IS NULL`,
	`INSERT INTO interventions_temps (intervention_id, technicien_id, debut, fin, minutes, taux_horaire, montant, commentaire,
		user_id, created_at, updated_at)
	 SELECT i.id, i.technicien_id, i.date_debut_travaux, i.date_debut_travaux + make_interval(mins => v.minutes), v.minutes,
		coalesce(v.taux, t.taux_horaire), v.minutes * coalesce(v.taux, t.taux_horaire) / 60, v.commentaire, t.user_id,
		i.date_fin_travaux, i.date_fin_travaux
	 FROM (VALUES
		('Révision des 500 heures du générateur', 240, NULL::bigint, 'Révision constructeur'),
		('Panne électrique pompe', 120, 22500::bigint, 'Dépannage urgent (taux d''astreinte)')
	 ) AS v(titre, minutes, taux, commentaire)
	 JOIN interventions i ON i.titre = v.titre
	 JOIN techniciens t ON t.id = i.technicien_id
	 WHERE NOT EXISTS (SELECT 1 FROM interventions_temps x WHERE x.intervention_id = i.id)`,
}
