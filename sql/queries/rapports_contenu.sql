-- What the generated reports hold (issue 15), one query per type, scoped like every read (a
-- client: its company's rows). The window is [du, au); fin is au or now, whichever is earlier.
-- At most @lim rows: the worker asks for one more than it accepts and fails a report that
-- would exceed it.

-- name: RapportContenuInterventions :many
SELECT i.id, i.titre, i.type_intervention::text AS type_intervention, i.statut::text AS statut,
       i.priorite::text AS priorite, e.nom AS equipement, coalesce(c.nom_entreprise, '')::text AS client,
       coalesce(u.full_name, '')::text AS technicien, i.date_creation, i.date_limite, i.date_cloture,
       coalesce(i.cout_pieces, 0)::bigint AS cout_pieces, coalesce(i.cout_main_oeuvre, 0)::bigint AS cout_main_oeuvre,
       coalesce(i.cout_autres, 0)::bigint AS cout_autres
FROM interventions i
JOIN equipements e ON e.id = i.equipement_id
LEFT JOIN clients c ON c.id = i.client_id
LEFT JOIN techniciens t ON t.id = i.technicien_id
LEFT JOIN users u ON u.id = t.user_id
WHERE (@scope_all::boolean OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('technicien_id')::bigint IS NULL OR i.technicien_id = sqlc.narg('technicien_id'))
  AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
  AND i.date_creation >= @du::timestamptz AND i.date_creation < @au::timestamptz
ORDER BY i.date_creation, i.id
LIMIT @lim;

-- name: RapportContenuEquipements :many
-- The machines with, in the window: interventions created, downtime (clipped) and costs.
SELECT e.id, e.nom, e.type_equipement, e.localisation, e.statut::text AS statut, e.criticite::text AS criticite,
       coalesce(c.nom_entreprise, '')::text AS client,
       (SELECT count(*) FROM interventions i
        WHERE i.equipement_id = e.id AND i.date_creation >= @du::timestamptz AND i.date_creation < @au::timestamptz)::bigint AS interventions,
       round((SELECT coalesce(sum(date_part('epoch', least(coalesce(a.fin, @fin::timestamptz), @fin::timestamptz) - greatest(a.debut, @du::timestamptz))), 0)
        FROM arrets a
        WHERE a.equipement_id = e.id AND a.debut < @fin::timestamptz AND coalesce(a.fin, 'infinity') > @du::timestamptz) / 60)::bigint
           AS arret_minutes,
       (SELECT coalesce(sum(coalesce(i.cout_pieces, 0) + coalesce(i.cout_main_oeuvre, 0) + coalesce(i.cout_autres, 0)), 0)
        FROM interventions i
        WHERE i.equipement_id = e.id AND coalesce(i.date_cloture, i.date_creation) >= @du::timestamptz
          AND coalesce(i.date_cloture, i.date_creation) < @au::timestamptz)::bigint AS couts
FROM equipements e LEFT JOIN clients c ON c.id = e.client_id
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR e.id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR e.client_id = sqlc.narg('client_id'))
ORDER BY e.nom, e.id
LIMIT @lim;

-- name: RapportContenuTechniciens :many
-- Every technician (managers only): open work now, and in the window closed work, hours
-- logged and the ratings of its closed work.
SELECT t.id, u.full_name, coalesce(t.equipe, '')::text AS equipe, t.disponibilite::text AS disponibilite, u.is_active,
       (SELECT count(*) FROM interventions i
        WHERE i.technicien_id = t.id AND i.statut IN ('affectee', 'en_cours', 'en_attente'))::bigint AS ouvertes,
       (SELECT count(*) FROM interventions i
        WHERE i.technicien_id = t.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS cloturees,
       (SELECT coalesce(sum(m.minutes), 0) FROM interventions_temps m
        WHERE m.technicien_id = t.id AND m.annulee_at IS NULL AND m.minutes IS NOT NULL
          AND coalesce(m.debut, m.created_at) >= @du::timestamptz AND coalesce(m.debut, m.created_at) < @au::timestamptz)::bigint AS minutes,
       (SELECT coalesce(sum(i.satisfaction_client), 0) FROM interventions i
        WHERE i.technicien_id = t.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS satisfaction_somme,
       (SELECT count(i.satisfaction_client) FROM interventions i
        WHERE i.technicien_id = t.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS satisfaction_n
FROM techniciens t JOIN users u ON u.id = t.user_id
WHERE (sqlc.narg('technicien_id')::bigint IS NULL OR t.id = sqlc.narg('technicien_id'))
ORDER BY u.full_name, t.id
LIMIT @lim;

-- name: RapportContenuClients :many
-- The client companies with their active contracts now and, in the window, their interventions,
-- closed work, costs and ratings.
SELECT c.id, c.nom_entreprise, coalesce(c.ville, '')::text AS ville,
       (SELECT count(*) FROM contrats k WHERE k.client_id = c.id AND k.statut = 'en_cours')::bigint AS contrats_actifs,
       (SELECT count(*) FROM interventions i
        WHERE i.client_id = c.id AND i.date_creation >= @du::timestamptz AND i.date_creation < @au::timestamptz)::bigint AS interventions,
       (SELECT count(*) FROM interventions i
        WHERE i.client_id = c.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS cloturees,
       (SELECT coalesce(sum(coalesce(i.cout_pieces, 0) + coalesce(i.cout_main_oeuvre, 0) + coalesce(i.cout_autres, 0)), 0)
        FROM interventions i
        WHERE i.client_id = c.id AND coalesce(i.date_cloture, i.date_creation) >= @du::timestamptz
          AND coalesce(i.date_cloture, i.date_creation) < @au::timestamptz)::bigint AS couts,
       (SELECT coalesce(sum(i.satisfaction_client), 0) FROM interventions i
        WHERE i.client_id = c.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS satisfaction_somme,
       (SELECT count(i.satisfaction_client) FROM interventions i
        WHERE i.client_id = c.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS satisfaction_n
FROM clients c
WHERE (@scope_all::boolean OR c.id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('client_id')::bigint IS NULL OR c.id = sqlc.narg('client_id'))
ORDER BY c.nom_entreprise, c.id
LIMIT @lim;

-- name: RapportContenuPlanning :many
-- The preventive plans of the machines in scope, with the interventions they generated and
-- those closed in the window.
SELECT p.id, e.nom AS equipement, coalesce(p.modele_titre, '')::text AS titre, p.frequence::text AS frequence, p.intervalle,
       p.base::text AS base, p.statut::text AS statut, p.prochaine_date, p.derniere_date, p.occurrences_manquees,
       (SELECT count(*) FROM interventions i
        WHERE i.planning_id = p.id AND i.date_creation >= @du::timestamptz AND i.date_creation < @au::timestamptz)::bigint AS generees,
       (SELECT count(*) FROM interventions i
        WHERE i.planning_id = p.id AND i.statut IN ('cloturee', 'archivee')
          AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz)::bigint AS cloturees
FROM plannings p JOIN equipements e ON e.id = p.equipement_id
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR e.id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR e.client_id = sqlc.narg('client_id'))
ORDER BY e.nom, p.id
LIMIT @lim;

-- name: RapportContenuStock :many
-- Every part (managers only) with its stock, value and the units in and out in the window.
SELECT p.id, p.reference, p.nom, coalesce(p.fournisseur, '')::text AS fournisseur, p.stock_actuel, p.stock_minimum,
       p.cout_moyen, (p.stock_actuel::bigint * p.cout_moyen)::bigint AS valeur, p.is_active,
       (SELECT coalesce(sum(m.quantite), 0) FROM mouvements_stock m
        WHERE m.piece_id = p.id AND m.type_mouvement IN ('entree', 'retour')
          AND m.date_mouvement >= @du::timestamptz AND m.date_mouvement < @au::timestamptz)::bigint AS entrees,
       (SELECT coalesce(sum(m.quantite), 0) FROM mouvements_stock m
        WHERE m.piece_id = p.id AND m.type_mouvement = 'sortie'
          AND m.date_mouvement >= @du::timestamptz AND m.date_mouvement < @au::timestamptz)::bigint AS sorties
FROM pieces p
ORDER BY p.reference, p.id
LIMIT @lim;

-- name: RapportContenuFactures :many
-- The invoices issued in the window of the contracts in scope.
SELECT f.numero_facture, c.nom_entreprise AS client, k.numero_contrat, f.periode, f.date_emission, f.date_echeance,
       f.montant_ht, f.montant_tva, f.montant_ttc, f.statut::text AS statut, f.date_paiement
FROM factures f JOIN contrats k ON k.id = f.contrat_id JOIN clients c ON c.id = k.client_id
WHERE (@scope_all::boolean OR k.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('client_id')::bigint IS NULL OR k.client_id = sqlc.narg('client_id'))
  AND f.statut <> 'brouillon'
  AND f.date_emission >= @du::date AND f.date_emission < @au::date
ORDER BY f.date_emission, f.numero_facture
LIMIT @lim;

-- name: RapportBonEntete :one
-- The names around an intervention for its PDF report (bon d'intervention).
SELECT i.id, e.nom AS equipement, e.type_equipement, e.localisation, e.numero_serie, e.code_interne,
       e.criticite::text AS criticite, c.nom_entreprise AS client, c.nom_contact AS client_contact,
       k.numero_contrat, k.nom_contrat, u.full_name AS technicien, a.full_name AS auteur
FROM interventions i
JOIN equipements e ON e.id = i.equipement_id
LEFT JOIN clients c ON c.id = i.client_id
LEFT JOIN contrats k ON k.id = i.contrat_id
LEFT JOIN techniciens t ON t.id = i.technicien_id
LEFT JOIN users u ON u.id = t.user_id
LEFT JOIN users a ON a.id = i.created_by
WHERE (@scope_all::boolean OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  AND i.id = @id;

-- name: ExportNoms :many
-- The names of the clients, contracts, machines and users that rows of an export (read through a
-- scoped list) refer to by id.
SELECT 'client'::text AS kind, c.id, c.nom_entreprise::text AS nom FROM clients c WHERE c.id = ANY(@clients::bigint[])
UNION ALL
SELECT 'contrat', k.id, k.numero_contrat FROM contrats k WHERE k.id = ANY(@contrats::bigint[])
UNION ALL
SELECT 'equipement', e.id, e.nom FROM equipements e WHERE e.id = ANY(@equipements::bigint[])
UNION ALL
SELECT 'user', u.id, u.full_name FROM users u WHERE u.id = ANY(@users::bigint[]);
