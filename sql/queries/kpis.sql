-- Figures of GET /kpis (issue 15). The window is [du, au) (au: the day after `to`, UTC); fin is
-- au or now, whichever is earlier. Interventions are scoped like interventions.sql (every row,
-- a technicien's assigned ones, a client's company's), machines like equipements.sql (every
-- machine for the staff, a client's own). equipement_id, client_id and type narrow the figures.

-- name: KpiMachines :many
-- The machines counted (not retired), by the start of their time: in service, else created.
SELECT coalesce(e.date_mise_en_service::timestamp AT TIME ZONE 'UTC', e.created_at)::timestamptz AS en_service,
       count(*)::integer AS n
FROM equipements e
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
  AND e.statut <> 'retire'
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR e.id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR e.client_id = sqlc.narg('client_id'))
GROUP BY 1;

-- name: KpiArrets :many
-- The downtime records of those machines that overlap [du, fin), with the start of their
-- machine's time.
SELECT a.equipement_id, a.debut, a.fin, a.motif,
       coalesce(e.date_mise_en_service::timestamp AT TIME ZONE 'UTC', e.created_at)::timestamptz AS en_service
FROM arrets a JOIN equipements e ON e.id = a.equipement_id
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
  AND e.statut <> 'retire'
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR e.id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR e.client_id = sqlc.narg('client_id'))
  AND tstzrange(a.debut, coalesce(a.fin, 'infinity'), '[)') && tstzrange(@du::timestamptz, @fin::timestamptz, '[)');

-- name: KpiNoms :many
-- The names of machines in scope (those of the downtime ranking).
SELECT e.id, e.nom FROM equipements e
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
  AND e.id = ANY(@ids::bigint[]);

-- name: KpiInterventions :one
-- Created in the window (types, first response) and closed in it (SLA, ratings).
WITH c AS (
    SELECT count(*) AS creees,
           count(*) FILTER (WHERE i.type_intervention = 'corrective') AS correctives,
           count(*) FILTER (WHERE i.type_intervention = 'preventive') AS preventives,
           count(*) FILTER (WHERE i.date_debut_travaux IS NOT NULL) AS mtta_n,
           coalesce(sum(date_part('epoch', greatest(i.date_debut_travaux - i.date_creation, interval '0')))
               FILTER (WHERE i.date_debut_travaux IS NOT NULL), 0) AS mtta_secondes
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND i.date_creation >= @du::timestamptz AND i.date_creation < @au::timestamptz
), f AS (
    SELECT count(*) AS cloturees,
           count(*) FILTER (WHERE i.date_limite IS NOT NULL) AS sla_n,
           count(*) FILTER (WHERE i.date_cloture <= i.date_limite) AS sla_respectees,
           count(i.satisfaction_client) AS satisfaction_n,
           coalesce(sum(i.satisfaction_client), 0) AS satisfaction_somme,
           count(*) FILTER (WHERE i.satisfaction_client >= 4) AS satisfaits
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND i.statut IN ('cloturee', 'archivee')
      AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz
)
SELECT c.creees::integer AS creees, c.correctives::integer AS correctives, c.preventives::integer AS preventives,
       c.mtta_n::integer AS mtta_n, c.mtta_secondes::float8 AS mtta_secondes, f.cloturees::integer AS cloturees,
       f.sla_n::integer AS sla_n, f.sla_respectees::integer AS sla_respectees,
       f.satisfaction_n::integer AS satisfaction_n, f.satisfaction_somme::bigint AS satisfaction_somme,
       f.satisfaits::integer AS satisfaits
FROM c, f;

-- name: KpiPreventif :one
-- Preventive work due in the window (its deadline, else the end of its occurrence's day) and
-- what was closed on time by the rule: the due date, the day after, or 10 % of the plan's
-- interval after it.
SELECT count(*)::integer AS dues,
       count(*) FILTER (WHERE x.statut IN ('cloturee', 'archivee') AND x.date_cloture <= x.echeance + CASE @regle::text
           WHEN 'jour' THEN interval '1 day'
           WHEN 'dix_pourcent' THEN coalesce(x.intervalle * CASE x.frequence
               WHEN 'journalier' THEN interval '2.4 hours'
               WHEN 'hebdomadaire' THEN interval '16.8 hours'
               WHEN 'mensuel' THEN interval '73 hours'
               WHEN 'trimestriel' THEN interval '219 hours'
               WHEN 'semestriel' THEN interval '438 hours'
               ELSE interval '876 hours' END, interval '0')
           ELSE interval '0' END)::integer AS a_temps
FROM (
    SELECT i.statut, i.date_cloture, p.frequence, p.intervalle,
           coalesce(i.date_limite, (i.occurrence + 1)::timestamp AT TIME ZONE 'UTC') AS echeance
    FROM interventions i LEFT JOIN plannings p ON p.id = i.planning_id
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND i.type_intervention = 'preventive' AND i.statut <> 'annulee'
      AND coalesce(i.date_limite, (i.occurrence + 1)::timestamp AT TIME ZONE 'UTC') >= @du::timestamptz
      AND coalesce(i.date_limite, (i.occurrence + 1)::timestamp AT TIME ZONE 'UTC') < @au::timestamptz
) x;

-- name: KpiTemps :one
-- Labour minutes (finished entries, cancelled ones left out) starting in the window, and those
-- on planned work (preventive, or generated by a plan).
SELECT coalesce(sum(t.minutes), 0)::bigint AS minutes,
       coalesce(sum(t.minutes) FILTER (WHERE i.type_intervention = 'preventive' OR i.planning_id IS NOT NULL), 0)::bigint
           AS planifiees
FROM interventions_temps t JOIN interventions i ON i.id = t.intervention_id
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
  AND t.annulee_at IS NULL AND t.minutes IS NOT NULL
  AND coalesce(t.debut, t.created_at) >= @du::timestamptz AND coalesce(t.debut, t.created_at) < @au::timestamptz;

-- name: KpiBacklog :one
-- Open work now: how much, its estimated minutes (the plan's duration, else 120) and its age.
WITH b AS (SELECT @maintenant::timestamptz AS t)
SELECT count(*)::integer AS ouvertes,
       coalesce(sum(coalesce(p.modele_duree_minutes, 120)), 0)::bigint AS minutes,
       count(*) FILTER (WHERE i.date_creation > b.t - interval '8 days')::integer AS j0_7,
       count(*) FILTER (WHERE i.date_creation <= b.t - interval '8 days'
                          AND i.date_creation > b.t - interval '31 days')::integer AS j8_30,
       count(*) FILTER (WHERE i.date_creation <= b.t - interval '31 days'
                          AND i.date_creation > b.t - interval '91 days')::integer AS j31_90,
       count(*) FILTER (WHERE i.date_creation <= b.t - interval '91 days')::integer AS plus_90
FROM b, interventions i LEFT JOIN plannings p ON p.id = i.planning_id
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
  AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente');

-- name: KpiCouts :many
-- Costs of the interventions whose closing (else creation) falls in the window: the total
-- (axe 'total'), each month (axe 'mois', cle NULL, mois set), and the 10 machines, 50 companies
-- and 50 contracts of highest total above 0 (axes 'equipement', 'client', 'contrat'), with their
-- names.
WITH x AS (
    SELECT date_trunc('month', coalesce(i.date_cloture, i.date_creation) AT TIME ZONE 'UTC') AS mois,
           i.equipement_id, i.client_id, i.contrat_id,
           coalesce(i.cout_pieces, 0) AS pieces, coalesce(i.cout_main_oeuvre, 0) AS main_oeuvre,
           coalesce(i.cout_autres, 0) AS autres
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND coalesce(i.date_cloture, i.date_creation) >= @du::timestamptz
      AND coalesce(i.date_cloture, i.date_creation) < @au::timestamptz
), g AS (
    SELECT CASE WHEN grouping(x.mois) = 0 THEN 'mois'
                WHEN grouping(x.equipement_id) = 0 THEN 'equipement'
                WHEN grouping(x.client_id) = 0 THEN 'client'
                WHEN grouping(x.contrat_id) = 0 THEN 'contrat'
                ELSE 'total' END AS axe,
           x.mois, coalesce(x.equipement_id, x.client_id, x.contrat_id) AS cle,
           count(*) AS n, coalesce(sum(x.pieces), 0) AS pieces, coalesce(sum(x.main_oeuvre), 0) AS main_oeuvre,
           coalesce(sum(x.autres), 0) AS autres
    FROM x
    GROUP BY GROUPING SETS ((), (x.mois), (x.equipement_id), (x.client_id), (x.contrat_id))
), r AS (
    SELECT g.*, row_number() OVER (PARTITION BY g.axe
               ORDER BY g.pieces + g.main_oeuvre + g.autres DESC, g.cle) AS rang
    FROM g
    WHERE g.axe IN ('total', 'mois') OR (g.cle IS NOT NULL AND g.pieces + g.main_oeuvre + g.autres > 0)
)
SELECT r.axe::text AS axe, coalesce(to_char(r.mois, 'YYYY-MM'), '')::text AS mois, coalesce(r.cle, 0)::bigint AS cle,
       coalesce(e.nom, c.nom_entreprise, k.numero_contrat, '')::text AS nom,
       r.n::integer AS interventions, r.pieces::bigint AS pieces, r.main_oeuvre::bigint AS main_oeuvre,
       r.autres::bigint AS autres
FROM r
LEFT JOIN equipements e ON r.axe = 'equipement' AND e.id = r.cle
LEFT JOIN clients c ON r.axe = 'client' AND c.id = r.cle
LEFT JOIN contrats k ON r.axe = 'contrat' AND k.id = r.cle
WHERE r.axe IN ('total', 'mois')
   OR (r.axe = 'equipement' AND r.rang <= 10)
   OR (r.axe IN ('client', 'contrat') AND r.rang <= 50)
ORDER BY r.axe, r.mois, r.rang;

-- name: KpiSerie :many
-- Interventions created ('c'), closed ('f') and costs ('k') in the window by bucket: the first
-- day of the day, ISO week or month (unite: 'day', 'week', 'month') in UTC.
SELECT x.axe::text AS axe, x.jour::date AS jour, count(*)::integer AS n, coalesce(sum(x.cout), 0)::bigint AS cout
FROM (
    SELECT 'c' AS axe, date_trunc(@unite::text, i.date_creation AT TIME ZONE 'UTC') AS jour, 0::bigint AS cout
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND i.date_creation >= @du::timestamptz AND i.date_creation < @au::timestamptz
    UNION ALL
    SELECT 'f', date_trunc(@unite::text, i.date_cloture AT TIME ZONE 'UTC'), 0::bigint
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND i.statut IN ('cloturee', 'archivee')
      AND i.date_cloture >= @du::timestamptz AND i.date_cloture < @au::timestamptz
    UNION ALL
    SELECT 'k', date_trunc(@unite::text, coalesce(i.date_cloture, i.date_creation) AT TIME ZONE 'UTC'),
           (coalesce(i.cout_pieces, 0) + coalesce(i.cout_main_oeuvre, 0) + coalesce(i.cout_autres, 0))::bigint
    FROM interventions i
    WHERE (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
      AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
      AND coalesce(i.date_cloture, i.date_creation) >= @du::timestamptz
      AND coalesce(i.date_cloture, i.date_creation) < @au::timestamptz
) x
GROUP BY 1, 2
ORDER BY 1, 2;
