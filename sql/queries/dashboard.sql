-- Dashboard figures (GET /dashboard/stats), scoped with the predicate of interventions.sql.
-- Months are calendar months in UTC.

-- name: DashboardInterventions :one
SELECT
    count(*) FILTER (WHERE i.statut = 'ouverte')::integer    AS ouverte,
    count(*) FILTER (WHERE i.statut = 'affectee')::integer   AS affectee,
    count(*) FILTER (WHERE i.statut = 'en_cours')::integer   AS en_cours,
    count(*) FILTER (WHERE i.statut = 'en_attente')::integer AS en_attente,
    count(*) FILTER (WHERE i.statut = 'cloturee')::integer   AS cloturee,
    count(*) FILTER (WHERE i.statut = 'annulee')::integer    AS annulee,
    count(*) FILTER (WHERE i.statut = 'archivee')::integer   AS archivee,
    count(*)::integer AS total,
    count(*) FILTER (WHERE i.date_creation >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::integer
        AS total_mensuel,
    count(*) FILTER (WHERE i.statut IN ('cloturee', 'archivee')
        AND i.date_cloture >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::integer
        AS terminees_mensuel,
    count(*) FILTER (WHERE i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')
        AND i.date_limite < now())::integer AS en_retard,
    count(*) FILTER (WHERE i.priorite = 'urgente')::integer    AS urgente,
    count(*) FILTER (WHERE i.priorite = 'haute')::integer      AS haute,
    count(*) FILTER (WHERE i.priorite = 'normale')::integer    AS normale,
    count(*) FILTER (WHERE i.priorite = 'basse')::integer      AS basse,
    count(*) FILTER (WHERE i.priorite = 'programmee')::integer AS programmee,
    -- Mean time to repair: from the start of work to the closing, over finished interventions.
    count(*) FILTER (WHERE i.statut IN ('cloturee', 'archivee')
        AND i.date_debut_travaux IS NOT NULL AND i.date_cloture IS NOT NULL)::integer AS mttr_n,
    coalesce(sum(extract(epoch FROM i.date_cloture - i.date_debut_travaux)) FILTER (
        WHERE i.statut IN ('cloturee', 'archivee')
        AND i.date_debut_travaux IS NOT NULL AND i.date_cloture IS NOT NULL), 0)::float8 AS mttr_secondes,
    -- SLA: finished interventions with a deadline, and those closed by it.
    count(*) FILTER (WHERE i.statut IN ('cloturee', 'archivee')
        AND i.date_limite IS NOT NULL AND i.date_cloture IS NOT NULL)::integer AS sla_n,
    count(*) FILTER (WHERE i.statut IN ('cloturee', 'archivee')
        AND i.date_limite IS NOT NULL AND i.date_cloture <= i.date_limite)::integer AS sla_respectes
FROM interventions i
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: DashboardEvolution :many
-- Interventions created in each of the last 6 calendar months, oldest first, empty months included.
SELECT to_char(m.mois, 'YYYY-MM')::text AS mois, count(i.id)::integer AS total
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '5 months',
                     date_trunc('month', now() AT TIME ZONE 'UTC'),
                     interval '1 month') AS m(mois)
LEFT JOIN interventions i
       ON i.date_creation >= m.mois AT TIME ZONE 'UTC'
      AND i.date_creation < (m.mois + interval '1 month') AT TIME ZONE 'UTC'
      AND (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
GROUP BY m.mois
ORDER BY m.mois;

-- name: DashboardEquipements :one
-- Machines by status: every machine for admins and responsables, a client's own, a technicien's
-- those of the interventions it may read.
SELECT
    count(*)::integer AS total,
    count(*) FILTER (WHERE e.statut = 'operationnel')::integer AS operationnel,
    count(*) FILTER (WHERE e.statut = 'maintenance')::integer  AS maintenance,
    count(*) FILTER (WHERE e.statut = 'panne')::integer        AS panne,
    count(*) FILTER (WHERE e.statut = 'retire')::integer       AS retire
FROM equipements e
WHERE @scope_all::boolean
   OR e.client_id = sqlc.narg('scope_client_id')::bigint
   OR EXISTS (
        SELECT 1 FROM interventions i
        WHERE i.equipement_id = e.id
          AND (@scope_all::boolean
           OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
           OR i.client_id = sqlc.narg('scope_client_id')::bigint));

-- name: DashboardUtilisateurs :one
SELECT count(*)::integer AS total, count(*) FILTER (WHERE is_active)::integer AS actifs FROM users;
