-- Dispatch: who could take an intervention, and the technicians' workload (managers only).

-- name: DispatchIntervention :one
SELECT i.id, i.equipement_id, i.statut, i.date_limite, now()::timestamptz AS db_now
FROM interventions i WHERE i.id = @id;

-- name: DispatchCompetencesRequises :many
-- The competences the work needs: those of the plan that generated it.
SELECT c.id, c.nom FROM interventions i
JOIN planning_competences pc ON pc.planning_id = i.planning_id
JOIN competences c ON c.id = pc.competence_id
WHERE i.id = @id
ORDER BY c.nom;

-- name: DispatchCandidats :many
-- Every active technician with its open workload (estimated minutes of its active
-- interventions: the plan's duration, else 120), its closed work on the machine and its
-- competences with their levels.
SELECT t.id, u.full_name, t.disponibilite, t.horaires_travail, t.astreinte,
       coalesce(o.minutes, 0)::bigint AS charge_minutes, coalesce(o.n, 0)::bigint AS ouvertes,
       (SELECT count(*) FROM interventions x WHERE x.technicien_id = t.id AND x.equipement_id = @equipement_id
          AND x.statut IN ('cloturee', 'archivee'))::bigint AS sur_machine,
       coalesce((SELECT array_agg(tc.competence_id ORDER BY tc.competence_id) FROM technicien_competences tc
          WHERE tc.technicien_id = t.id), '{}')::bigint[] AS competence_ids,
       coalesce((SELECT array_agg(tc.niveau::text ORDER BY tc.competence_id) FROM technicien_competences tc
          WHERE tc.technicien_id = t.id), '{}')::text[] AS competence_niveaux
FROM techniciens t
JOIN users u ON u.id = t.user_id AND u.is_active
LEFT JOIN LATERAL (
    SELECT sum(coalesce(p.modele_duree_minutes, 120)) AS minutes, count(*) AS n
    FROM interventions x LEFT JOIN plannings p ON p.id = x.planning_id
    WHERE x.technicien_id = t.id AND x.statut IN ('affectee', 'en_cours', 'en_attente')
) o ON true
ORDER BY t.id;

-- name: ChargeTechniciens :many
SELECT t.id, u.full_name, t.disponibilite, t.horaires_travail
FROM techniciens t JOIN users u ON u.id = t.user_id AND u.is_active
ORDER BY u.full_name, t.id;

-- name: ChargeOuvertes :many
-- Estimated minutes of active assigned work per technician and day: the deadline's day (UTC),
-- the first day when overdue, today without deadline.
SELECT x.technicien_id::bigint AS technicien_id, x.jour::date AS jour, sum(x.minutes)::bigint AS minutes
FROM (
    SELECT i.technicien_id,
           greatest(coalesce((i.date_limite AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date), @du::date) AS jour,
           coalesce(p.modele_duree_minutes, 120) AS minutes
    FROM interventions i LEFT JOIN plannings p ON p.id = i.planning_id
    WHERE i.technicien_id IS NOT NULL AND i.statut IN ('affectee', 'en_cours', 'en_attente')
) x
WHERE x.jour <= @au::date
GROUP BY x.technicien_id, x.jour;

-- name: ChargePlans :many
-- The active plans that assign a technician, with what their calendar needs.
SELECT p.id, p.modele_technicien_id::bigint AS technicien_id, p.frequence, p.intervalle, p.date_reference,
       p.prochaine_date, coalesce(p.modele_duree_minutes, 120)::int AS minutes
FROM plannings p
WHERE p.statut = 'actif' AND p.modele_technicien_id IS NOT NULL AND p.prochaine_date IS NOT NULL
  AND p.prochaine_date <= @au::date;
