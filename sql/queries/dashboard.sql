-- Dashboard figures (GET /dashboard/stats), scoped with the predicate of interventions.sql.
-- Months are calendar months in UTC.

-- name: DashboardInterventions :one
-- One pass: the readable rows are first grouped by (statut, priorite) along an index-only scan of
-- interventions_dashboard_idx (few aggregates per row), then the figures are summed over the groups.
WITH g AS (
    SELECT i.statut, i.priorite,
        count(*) AS n,
        count(*) FILTER (WHERE i.date_creation >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
            AS mensuel,
        count(*) FILTER (WHERE i.date_cloture >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
            AS clos_mensuel,
        count(*) FILTER (WHERE i.date_limite < now()) AS depasse,
        count(*) FILTER (WHERE i.date_debut_travaux IS NOT NULL AND i.date_cloture IS NOT NULL) AS mttr_n,
        sum(date_part('epoch', i.date_cloture - i.date_debut_travaux)) AS mttr_secondes,
        count(*) FILTER (WHERE i.date_limite IS NOT NULL AND i.date_cloture IS NOT NULL) AS sla_n,
        count(*) FILTER (WHERE i.date_limite IS NOT NULL AND i.date_cloture <= i.date_limite) AS sla_respectes
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
    GROUP BY i.statut, i.priorite
)
SELECT
    coalesce(sum(n) FILTER (WHERE statut = 'ouverte'), 0)::integer    AS ouverte,
    coalesce(sum(n) FILTER (WHERE statut = 'affectee'), 0)::integer   AS affectee,
    coalesce(sum(n) FILTER (WHERE statut = 'en_cours'), 0)::integer   AS en_cours,
    coalesce(sum(n) FILTER (WHERE statut = 'en_attente'), 0)::integer AS en_attente,
    coalesce(sum(n) FILTER (WHERE statut = 'cloturee'), 0)::integer   AS cloturee,
    coalesce(sum(n) FILTER (WHERE statut = 'annulee'), 0)::integer    AS annulee,
    coalesce(sum(n) FILTER (WHERE statut = 'archivee'), 0)::integer   AS archivee,
    coalesce(sum(n), 0)::integer AS total,
    coalesce(sum(mensuel), 0)::integer AS total_mensuel,
    coalesce(sum(clos_mensuel) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS terminees_mensuel,
    coalesce(sum(depasse) FILTER (WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')), 0)::integer
        AS en_retard,
    coalesce(sum(n) FILTER (WHERE priorite = 'urgente'), 0)::integer    AS urgente,
    coalesce(sum(n) FILTER (WHERE priorite = 'haute'), 0)::integer      AS haute,
    coalesce(sum(n) FILTER (WHERE priorite = 'normale'), 0)::integer    AS normale,
    coalesce(sum(n) FILTER (WHERE priorite = 'basse'), 0)::integer      AS basse,
    coalesce(sum(n) FILTER (WHERE priorite = 'programmee'), 0)::integer AS programmee,
    -- Mean time to repair: from the start of work to the closing, over finished interventions.
    coalesce(sum(mttr_n) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS mttr_n,
    coalesce(sum(mttr_secondes) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::float8 AS mttr_secondes,
    -- SLA: finished interventions with a deadline, and those closed by it.
    coalesce(sum(sla_n) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS sla_n,
    coalesce(sum(sla_respectes) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS sla_respectes
FROM g;

-- name: DashboardEvolution :many
-- Interventions created in each of the last 6 calendar months, oldest first, empty months included
-- (one index-only range count per month).
SELECT to_char(m.mois, 'YYYY-MM')::text AS mois,
       (SELECT count(*) FROM interventions i
        WHERE i.date_creation >= m.mois AT TIME ZONE 'UTC'
          AND i.date_creation < (m.mois + interval '1 month') AT TIME ZONE 'UTC'
          AND (@scope_all::boolean
           OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
           OR i.client_id = sqlc.narg('scope_client_id')::bigint))::integer AS total
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '5 months',
                     date_trunc('month', now() AT TIME ZONE 'UTC'),
                     interval '1 month') AS m(mois)
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
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
   OR EXISTS (
        SELECT 1 FROM interventions i
        WHERE i.equipement_id = e.id
          AND (@scope_all::boolean
           OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
           OR i.client_id = sqlc.narg('scope_client_id')::bigint));

-- name: DashboardUtilisateurs :one
SELECT count(*)::integer AS total, count(*) FILTER (WHERE is_active)::integer AS actifs FROM users;

-- name: DashboardGlobal :one
-- Every figure of GET /dashboard/stats for the global scope (admins and responsables) in one
-- statement, from the pre-aggregated intervention_stats and equipement_stats (a few hundred rows
-- whatever the table sizes): the columns of DashboardInterventions, DashboardEvolution,
-- DashboardEquipements and DashboardUtilisateurs. Only the open interventions whose deadline
-- passed earlier today are counted in the interventions table (one day's index range).
WITH b AS (
    SELECT date_trunc('month', now() AT TIME ZONE 'UTC')::date AS mois, (now() AT TIME ZONE 'UTC')::date AS jour
), g AS (
    SELECT s.statut, s.priorite, sum(s.n) AS n, sum(s.mttr_n) AS mttr_n, sum(s.mttr_secondes) AS mttr_secondes,
           sum(s.sla_n) AS sla_n, sum(s.sla_respectes) AS sla_respectes
    FROM intervention_stats s
    WHERE s.kind = 'g'
    GROUP BY s.statut, s.priorite
), eq AS (
    SELECT coalesce(sum(e.n), 0) AS total,
           coalesce(sum(e.n) FILTER (WHERE e.statut = 'operationnel'), 0) AS operationnel,
           coalesce(sum(e.n) FILTER (WHERE e.statut = 'maintenance'), 0) AS maintenance,
           coalesce(sum(e.n) FILTER (WHERE e.statut = 'panne'), 0) AS panne,
           coalesce(sum(e.n) FILTER (WHERE e.statut = 'retire'), 0) AS retire
    FROM equipement_stats e
), us AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE u.is_active) AS actifs FROM users u
)
SELECT
    coalesce(sum(n) FILTER (WHERE statut = 'ouverte'), 0)::integer    AS ouverte,
    coalesce(sum(n) FILTER (WHERE statut = 'affectee'), 0)::integer   AS affectee,
    coalesce(sum(n) FILTER (WHERE statut = 'en_cours'), 0)::integer   AS en_cours,
    coalesce(sum(n) FILTER (WHERE statut = 'en_attente'), 0)::integer AS en_attente,
    coalesce(sum(n) FILTER (WHERE statut = 'cloturee'), 0)::integer   AS cloturee,
    coalesce(sum(n) FILTER (WHERE statut = 'annulee'), 0)::integer    AS annulee,
    coalesce(sum(n) FILTER (WHERE statut = 'archivee'), 0)::integer   AS archivee,
    coalesce(sum(n), 0)::integer AS total,
    (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s, b WHERE s.kind = 'c' AND s.jour >= b.mois)::integer
        AS total_mensuel,
    (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s, b WHERE s.kind = 'f' AND s.jour >= b.mois)::integer
        AS terminees_mensuel,
    ((SELECT coalesce(sum(s.n), 0) FROM intervention_stats s, b WHERE s.kind = 'e' AND s.jour < b.jour)
     + (SELECT count(*) FROM interventions i, b
        WHERE i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')
          AND i.date_limite >= b.jour::timestamp AT TIME ZONE 'UTC' AND i.date_limite < now()))::integer AS en_retard,
    coalesce(sum(n) FILTER (WHERE priorite = 'urgente'), 0)::integer    AS urgente,
    coalesce(sum(n) FILTER (WHERE priorite = 'haute'), 0)::integer      AS haute,
    coalesce(sum(n) FILTER (WHERE priorite = 'normale'), 0)::integer    AS normale,
    coalesce(sum(n) FILTER (WHERE priorite = 'basse'), 0)::integer      AS basse,
    coalesce(sum(n) FILTER (WHERE priorite = 'programmee'), 0)::integer AS programmee,
    coalesce(sum(mttr_n) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS mttr_n,
    coalesce(sum(mttr_secondes) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::float8 AS mttr_secondes,
    coalesce(sum(sla_n) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS sla_n,
    coalesce(sum(sla_respectes) FILTER (WHERE statut IN ('cloturee', 'archivee')), 0)::integer AS sla_respectes,
    -- Interventions created in each of the last 6 calendar months, oldest first.
    ARRAY(SELECT to_char(m.mois, 'YYYY-MM')
          FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '5 months',
                               date_trunc('month', now() AT TIME ZONE 'UTC'), interval '1 month') AS m(mois)
          ORDER BY m.mois)::text[] AS evolution_mois,
    ARRAY(SELECT (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s WHERE s.kind = 'c' AND s.jour = m.mois::date)
          FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '5 months',
                               date_trunc('month', now() AT TIME ZONE 'UTC'), interval '1 month') AS m(mois)
          ORDER BY m.mois)::bigint[] AS evolution_totaux,
    -- Machines by statut, accounts (one scan each).
    (SELECT total FROM eq)::integer AS equipements_total,
    (SELECT operationnel FROM eq)::integer AS equipements_operationnel,
    (SELECT maintenance FROM eq)::integer AS equipements_maintenance,
    (SELECT panne FROM eq)::integer AS equipements_panne,
    (SELECT retire FROM eq)::integer AS equipements_retire,
    (SELECT total FROM us)::integer AS utilisateurs_total,
    (SELECT actifs FROM us)::integer AS utilisateurs_actifs
FROM g;

-- name: StatsCompact :one
-- Folds the deltas of intervention_stats and equipement_stats into one row per group (a
-- scheduler job).
SELECT stats_compact()::bigint AS folded;
