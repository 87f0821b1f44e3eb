-- Interventions (work orders) and their history.
--
-- Row-level access: every query that reads interventions carries the same scoping predicate,
-- word for word (internal/interventions checks it with a test):
--
--   (scope_all OR i.technicien_id = scope_technicien_id OR i.client_id = scope_client_id)
--
-- scope_all is true for admins and responsables; a technicien passes its profile id, a client
-- its company id; a caller with neither (a technicien without profile) sees nothing.
--
-- Every query returning an intervention returns the same columns in the same order (the
-- generated row types convert into one another), ending with the machine's name and the
-- technician's ('' when unassigned), for the answer to embed them, and the transaction time
-- db_now, the clock of the computed fields (overdue, remaining delay), so they agree with the SQL
-- filters. A single row reads the names by primary key in the statement; a page leaves them ''
-- and the service reads them for the whole page with InterventionNoms (one statement for up to
-- 50 distinct ids: two correlated lookups per row cost PostgreSQL four times the page itself).

-- name: InterventionGet :one
-- The names are left empty, filled from the name cache (internal/namecache) or InterventionNoms
-- as a page's are: the two lookups made the statement a third dearer than the row alone.
SELECT i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       ''::text AS equipement_nom, ''::text AS technicien_nom, -- filled from InterventionNoms
       now()::timestamptz AS db_now
FROM interventions i
WHERE i.id = @id
  AND (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: InterventionLock :one
-- The row to change, locked. may_take also finds an unassigned ouverte intervention, which a
-- technicien may take although it cannot read it yet.
SELECT i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       (SELECT e.nom FROM equipements e WHERE e.id = i.equipement_id)::text AS equipement_nom,
       coalesce((SELECT u.full_name FROM techniciens t JOIN users u ON u.id = t.user_id WHERE t.id = i.technicien_id), '')::text AS technicien_nom,
       now()::timestamptz AS db_now
FROM interventions i
WHERE i.id = @id
  AND ((@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
   OR (@may_take::boolean AND i.technicien_id IS NULL AND i.statut = 'ouverte'))
FOR UPDATE;

-- name: InterventionReadable :one
SELECT EXISTS (
    SELECT 1 FROM interventions i
    WHERE i.id = @id
      AND (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
)::boolean AS readable;

-- name: InterventionList :many
-- One page of the interventions the caller may read, filtered and sorted. statuts and priorites
-- are empty for "any"; sort 'pertinence' ranks full-text matches.
SELECT i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       ''::text AS equipement_nom, ''::text AS technicien_nom, -- filled from InterventionNoms
       now()::timestamptz AS db_now
FROM interventions i
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  -- With q, the text query holds the statut and priorite filters as lexemes (migration 000011):
  -- the same predicates again would make PostgreSQL count their selectivity twice and misjudge
  -- how many rows match (1 420 estimated for 26 780 at 1 M), hence choose the wrong plan.
  AND (cardinality(@statuts::text[]) = 0 OR sqlc.narg('q')::text IS NOT NULL
       OR i.statut = ANY ((@statuts::text[])::intervention_statut[]))
  AND (cardinality(@priorites::text[]) = 0 OR sqlc.narg('q')::text IS NOT NULL
       OR i.priorite = ANY ((@priorites::text[])::intervention_priorite[]))
  AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
  AND (sqlc.narg('urgence')::boolean IS NULL OR i.urgence = sqlc.narg('urgence'))
  AND (sqlc.narg('technicien_id')::bigint IS NULL OR i.technicien_id = sqlc.narg('technicien_id'))
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('contrat_id')::bigint IS NULL OR i.contrat_id = sqlc.narg('contrat_id'))
  AND (sqlc.narg('created_from')::timestamptz IS NULL OR i.date_creation >= sqlc.narg('created_from'))
  AND (sqlc.narg('created_to')::timestamptz IS NULL OR i.date_creation < sqlc.narg('created_to'))
  AND (sqlc.narg('deadline_before')::timestamptz IS NULL OR i.date_limite < sqlc.narg('deadline_before'))
  AND (sqlc.narg('en_retard')::boolean IS NULL
       OR (i.date_limite IS NOT NULL AND i.date_limite < now()
           AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')) = sqlc.narg('en_retard'))
  AND (sqlc.narg('q')::text IS NULL
       OR (i.recherche || mif_filtres_tsv(i.statut, i.priorite))
          @@ mif_recherche_tsq(sqlc.narg('q'), @statuts::text[], @priorites::text[]))
ORDER BY
    CASE WHEN @sort::text = 'pertinence'
         THEN ts_rank(i.recherche, websearch_to_tsquery('french', mif_unaccent(coalesce(sqlc.narg('q'), '')))) END DESC,
    CASE WHEN @sort::text = 'id' THEN i.id END ASC,
    CASE WHEN @sort::text = '-id' THEN i.id END DESC,
    CASE WHEN @sort::text = 'date_creation' THEN i.date_creation END ASC,
    CASE WHEN @sort::text = '-date_creation' THEN i.date_creation END DESC,
    CASE WHEN @sort::text = 'date_limite' THEN i.date_limite END ASC NULLS LAST,
    CASE WHEN @sort::text = '-date_limite' THEN i.date_limite END DESC NULLS LAST,
    -- The enum's order: urgente, haute, normale, basse, programmee.
    CASE WHEN @sort::text = 'priorite' THEN i.priorite END ASC,
    CASE WHEN @sort::text = '-priorite' THEN i.priorite END DESC,
    CASE WHEN @sort::text = 'statut' THEN i.statut END ASC,
    CASE WHEN @sort::text = '-statut' THEN i.statut END DESC,
    CASE WHEN @sort::text = 'titre' THEN lower(i.titre) END ASC,
    CASE WHEN @sort::text = '-titre' THEN lower(i.titre) END DESC,
    -- Ties by creation then id, in the direction of the sort, so that one index per key
    -- (key, date_creation, id) serves both directions (migration 000010).
    CASE WHEN @sort::text LIKE '-%' OR @sort::text = 'pertinence' THEN i.date_creation END DESC,
    CASE WHEN @sort::text LIKE '-%' OR @sort::text = 'pertinence' THEN i.id END DESC,
    CASE WHEN @sort::text NOT LIKE '-%' AND @sort::text <> 'pertinence' THEN i.date_creation END ASC,
    CASE WHEN @sort::text NOT LIKE '-%' AND @sort::text <> 'pertinence' THEN i.id END ASC
LIMIT @lim OFFSET @off;

-- name: InterventionListRecent :many
-- InterventionList's default page (no filter, newest first) as a fixed-shape statement: prepared
-- once, its cached plan walks interventions_date_creation_idx and stops after the page, with no
-- planning per call. The service uses it for callers who read every intervention, for whom the
-- scope predicate is always true.
SELECT i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       ''::text AS equipement_nom, ''::text AS technicien_nom, -- filled from InterventionNoms
       now()::timestamptz AS db_now
FROM interventions i
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
ORDER BY i.date_creation DESC, i.id DESC
LIMIT @lim OFFSET @off;

-- name: InterventionCount :one
-- The number of rows InterventionList would return without limit and offset, counted up to @lim
-- rows (the service passes the largest int32 for an exact count, and offset + 1 001 for a text
-- search, whose matches may be a large part of the table). It takes the very parameters of
-- InterventionList (sort and off are named at the end and decide nothing: never NULL), so that
-- db.InterventionCountParams converts from db.InterventionListParams and the filter is copied
-- once, into the list's parameters.
SELECT count(*)
FROM (
SELECT 1
FROM interventions i
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  -- With q, the statut and priorite filters are the text query's lexemes (see InterventionList).
  AND (cardinality(@statuts::text[]) = 0 OR sqlc.narg('q')::text IS NOT NULL
       OR i.statut = ANY ((@statuts::text[])::intervention_statut[]))
  AND (cardinality(@priorites::text[]) = 0 OR sqlc.narg('q')::text IS NOT NULL
       OR i.priorite = ANY ((@priorites::text[])::intervention_priorite[]))
  AND (sqlc.narg('type')::intervention_type IS NULL OR i.type_intervention = sqlc.narg('type'))
  AND (sqlc.narg('urgence')::boolean IS NULL OR i.urgence = sqlc.narg('urgence'))
  AND (sqlc.narg('technicien_id')::bigint IS NULL OR i.technicien_id = sqlc.narg('technicien_id'))
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('contrat_id')::bigint IS NULL OR i.contrat_id = sqlc.narg('contrat_id'))
  AND (sqlc.narg('created_from')::timestamptz IS NULL OR i.date_creation >= sqlc.narg('created_from'))
  AND (sqlc.narg('created_to')::timestamptz IS NULL OR i.date_creation < sqlc.narg('created_to'))
  AND (sqlc.narg('deadline_before')::timestamptz IS NULL OR i.date_limite < sqlc.narg('deadline_before'))
  AND (sqlc.narg('en_retard')::boolean IS NULL
       OR (i.date_limite IS NOT NULL AND i.date_limite < now()
           AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')) = sqlc.narg('en_retard'))
  AND (sqlc.narg('q')::text IS NULL
       OR (i.recherche || mif_filtres_tsv(i.statut, i.priorite))
          @@ mif_recherche_tsq(sqlc.narg('q'), @statuts::text[], @priorites::text[]))
  AND @sort::text IS NOT NULL AND @off::integer IS NOT NULL
-- A text search is counted newest first up to its cap: PostgreSQL may then walk the date index
-- and stop at the cap (a few thousand rows) instead of building the text index's bitmap of every
-- match (tens of milliseconds for a common word at 1 M). Without q the order is a constant,
-- which the planner drops.
ORDER BY CASE WHEN sqlc.narg('q')::text IS NOT NULL THEN i.date_creation END DESC,
         CASE WHEN sqlc.narg('q')::text IS NOT NULL THEN i.id END DESC
LIMIT @lim
) AS counted;

-- name: InterventionCountGlobal :one
-- InterventionCount for the global scope filtered by statut and priorite at most, from the
-- pre-aggregated intervention_stats (exact, a few rows whatever the table size).
SELECT coalesce(sum(s.n), 0)::bigint AS total
FROM intervention_stats s
WHERE s.kind = 'g'
  AND (cardinality(@statuts::text[]) = 0 OR s.statut = ANY ((@statuts::text[])::intervention_statut[]))
  AND (cardinality(@priorites::text[]) = 0 OR s.priorite = ANY ((@priorites::text[])::intervention_priorite[]));

-- name: InterventionInsert :one
-- date_limite defaults to creation + sla_heures (none when both are NULL).
INSERT INTO interventions AS i (titre, description, type_intervention, statut, priorite, urgence, equipement_id,
    technicien_id, client_id, contrat_id, created_by, date_creation, date_limite, date_affectation, cout_estime,
    hors_contrat)
VALUES (@titre, sqlc.narg('description'), @type_intervention, @statut, @priorite, @urgence, @equipement_id,
    sqlc.narg('technicien_id'), sqlc.narg('client_id'), sqlc.narg('contrat_id'), sqlc.narg('created_by'), now(),
    coalesce(sqlc.narg('date_limite')::timestamptz, now() + sqlc.narg('sla_heures')::integer * interval '1 hour'),
    CASE WHEN sqlc.narg('technicien_id')::bigint IS NOT NULL THEN now() END, sqlc.narg('cout_estime'), @hors_contrat)
RETURNING i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       (SELECT e.nom FROM equipements e WHERE e.id = i.equipement_id)::text AS equipement_nom,
       coalesce((SELECT u.full_name FROM techniciens t JOIN users u ON u.id = t.user_id WHERE t.id = i.technicien_id), '')::text AS technicien_nom,
       now()::timestamptz AS db_now;

-- name: InterventionSave :one
-- Writes every mutable column of a locked row (the service computes them) and bumps the version.
UPDATE interventions AS i SET
    titre               = @titre,
    description         = sqlc.narg('description'),
    type_intervention   = @type_intervention,
    statut              = @statut,
    priorite            = @priorite,
    urgence             = @urgence,
    technicien_id       = sqlc.narg('technicien_id'),
    contrat_id          = sqlc.narg('contrat_id'),
    date_limite         = sqlc.narg('date_limite'),
    date_affectation    = sqlc.narg('date_affectation'),
    date_debut_travaux  = sqlc.narg('date_debut_travaux'),
    date_fin_travaux    = sqlc.narg('date_fin_travaux'),
    date_cloture        = sqlc.narg('date_cloture'),
    date_archivage      = sqlc.narg('date_archivage'),
    cout_main_oeuvre    = sqlc.narg('cout_main_oeuvre'),
    cout_pieces         = sqlc.narg('cout_pieces'),
    cout_estime         = sqlc.narg('cout_estime'),
    duree_minutes       = sqlc.narg('duree_minutes'),
    rapport             = sqlc.narg('rapport'),
    satisfaction_client = sqlc.narg('satisfaction_client'),
    motif_annulation    = sqlc.narg('motif_annulation'),
    version             = i.version + 1,
    updated_at          = now()
WHERE i.id = @id
RETURNING i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       (SELECT e.nom FROM equipements e WHERE e.id = i.equipement_id)::text AS equipement_nom,
       coalesce((SELECT u.full_name FROM techniciens t JOIN users u ON u.id = t.user_id WHERE t.id = i.technicien_id), '')::text AS technicien_nom,
       now()::timestamptz AS db_now;

-- name: InterventionHistoriqueInsert :exec
INSERT INTO intervention_historique (intervention_id, action, statut_avant, statut_apres, remarque, user_id, created_at)
VALUES (@intervention_id, @action, sqlc.narg('statut_avant'), @statut_apres, sqlc.narg('remarque'),
        sqlc.narg('user_id'), now());

-- name: InterventionHistoriqueList :many
-- History of one intervention, oldest first, with the author's name.
SELECT h.id, h.intervention_id, h.action, h.statut_avant, h.statut_apres, h.remarque, h.user_id,
       u.full_name AS user_nom, h.created_at
FROM intervention_historique h
LEFT JOIN users u ON u.id = h.user_id
WHERE h.intervention_id = @intervention_id
ORDER BY h.created_at, h.id
LIMIT @lim OFFSET @off;

-- name: InterventionHistoriqueCount :one
SELECT count(*) FROM intervention_historique WHERE intervention_id = @intervention_id;

-- name: InterventionEquipementTarget :one
-- The machine an intervention is about, if the caller may read it: every machine for staff
-- (scope_all), a client's own ones otherwise.
SELECT e.id, e.client_id, e.contrat_id, e.statut
FROM equipements e
WHERE e.id = @id
  AND (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: InterventionContratTarget :one
-- A contract and its response times (hours per priority, NULL: the default SLA).
SELECT k.id, k.client_id, k.delai_urgente_heures, k.delai_haute_heures, k.delai_normale_heures,
       k.delai_basse_heures, k.nb_interventions_incluses
FROM contrats k
WHERE k.id = @id;

-- name: InterventionTechnicienTarget :one
-- A technician about to be assigned, with what the assignment warnings need: availability,
-- account state, number of competences and active interventions other than this one.
SELECT t.id, t.disponibilite, u.is_active, u.full_name,
       (SELECT count(*) FROM technicien_competences tc WHERE tc.technicien_id = t.id)::integer AS nb_competences,
       (SELECT count(*) FROM interventions x
         WHERE x.technicien_id = t.id AND x.id <> @intervention_id::bigint
           AND x.statut IN ('affectee', 'en_cours', 'en_attente'))::integer AS charge
FROM techniciens t
JOIN users u ON u.id = t.user_id
WHERE t.id = @id;

-- name: InterventionTechnicienExists :one
SELECT EXISTS (SELECT 1 FROM techniciens WHERE id = @id)::boolean AS found;

-- name: InterventionNoms :many
-- The names of the machines and technicians a page of interventions refers to (see the header):
-- kind 'e' for a machine, 't' for a technician (its account's full name).
SELECT 'e'::text AS kind, e.id, e.nom::text AS nom FROM equipements e WHERE e.id = ANY(@equipements::bigint[])
UNION ALL
SELECT 't', t.id, u.full_name FROM techniciens t JOIN users u ON u.id = t.user_id WHERE t.id = ANY(@techniciens::bigint[]);
