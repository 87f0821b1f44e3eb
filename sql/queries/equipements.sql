-- Equipment (machines, lines, components) with their computed maintenance state.
--
-- Row access (internal/access): scope_all for the staff, who read every machine; a client reads
-- the machines of its company scope_client_id, and nothing when it has none.
--
-- Computed fields, in one statement whatever the number of rows:
--   nb_interventions_actives  interventions ouverte, affectee, en_cours or en_attente;
--   prochaine_maintenance     (date_cloture of the last closed preventive intervention, else
--                             date_mise_en_service, else created_at) + frequence_entretien days,
--                             7 days earlier for critique machines; NULL without a frequency;
--   maintenance_en_retard     prochaine_maintenance is before today (UTC).
--
-- Both figures of a machine are read from a partial index each (migration 000029), and a list
-- computes them for the rows of its page only: the page's ids are chosen first (filter, sort,
-- limit, offset over equipements alone), then those rows are read by key with their figures, in
-- the order of the ids.

-- name: GetEquipement :one
SELECT sqlc.embed(e),
    coalesce(st.actives, 0)::integer AS nb_interventions_actives,
    pm.prochaine_maintenance,
    coalesce(pm.prochaine_maintenance < (now() AT TIME ZONE 'UTC')::date, false)::boolean AS maintenance_en_retard
FROM equipements e
CROSS JOIN LATERAL (
    SELECT (SELECT count(*) FROM interventions i
            WHERE i.equipement_id = e.id AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')) AS actives,
           (SELECT max(i.date_cloture) FROM interventions i
            WHERE i.equipement_id = e.id AND i.type_intervention = 'preventive'
              AND i.statut IN ('cloturee', 'archivee')) AS derniere_preventive
) st
CROSS JOIN LATERAL (
    SELECT CASE WHEN e.frequence_entretien IS NOT NULL THEN
        coalesce((st.derniere_preventive AT TIME ZONE 'UTC')::date, e.date_mise_en_service,
                 (e.created_at AT TIME ZONE 'UTC')::date)
        + e.frequence_entretien
        - CASE WHEN e.criticite = 'critique' THEN 7 ELSE 0 END
    END AS prochaine_maintenance -- date (left uncast, so that sqlc keeps it nullable)
) pm
WHERE e.id = @id
  AND (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: ListEquipements :many
-- The page's ids are computed once (a materialized CTE: inlined, its array would be computed
-- again for the ORDER BY).
WITH page AS MATERIALIZED (SELECT ARRAY(
    SELECT e.id FROM equipements e -- the ids of the page, in its order
    WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
      AND (sqlc.narg('statut')::equipement_statut IS NULL OR e.statut = sqlc.narg('statut'))
      AND (sqlc.narg('criticite')::equipement_criticite IS NULL OR e.criticite = sqlc.narg('criticite'))
      AND (sqlc.narg('type')::text IS NULL OR lower(e.type_equipement) = lower(sqlc.narg('type')))
      AND (sqlc.narg('client_id')::bigint IS NULL OR e.client_id = sqlc.narg('client_id'))
      AND (sqlc.narg('contrat_id')::bigint IS NULL OR e.contrat_id = sqlc.narg('contrat_id'))
      AND (sqlc.narg('parent_id')::bigint IS NULL OR e.parent_id = sqlc.narg('parent_id'))
      AND (sqlc.narg('q')::text IS NULL
           OR e.nom ILIKE '%' || sqlc.narg('q') || '%'
           OR e.numero_serie ILIKE '%' || sqlc.narg('q') || '%'
           OR e.code_interne ILIKE '%' || sqlc.narg('q') || '%'
           OR e.marque ILIKE '%' || sqlc.narg('q') || '%'
           OR e.modele ILIKE '%' || sqlc.narg('q') || '%'
           OR e.localisation ILIKE '%' || sqlc.narg('q') || '%')
    ORDER BY
        CASE WHEN @sort::text = 'id' THEN e.id END ASC,
        CASE WHEN @sort::text = '-id' THEN e.id END DESC,
        CASE WHEN @sort::text = 'nom' THEN lower(e.nom) END ASC,
        CASE WHEN @sort::text = '-nom' THEN lower(e.nom) END DESC,
        CASE WHEN @sort::text = 'created_at' THEN e.created_at END ASC,
        CASE WHEN @sort::text = '-created_at' THEN e.created_at END DESC,
        CASE WHEN @sort::text = 'criticite' THEN e.criticite END ASC,
        CASE WHEN @sort::text = '-criticite' THEN e.criticite END DESC,
        CASE WHEN @sort::text = 'statut' THEN e.statut END ASC,
        CASE WHEN @sort::text = '-statut' THEN e.statut END DESC,
        CASE WHEN @sort::text = 'localisation' THEN lower(e.localisation) END ASC,
        CASE WHEN @sort::text = '-localisation' THEN lower(e.localisation) END DESC,
        -- Ties by id in the direction of the sort: one index per key serves both directions.
        CASE WHEN @sort::text LIKE '-%' THEN e.id END DESC,
        CASE WHEN @sort::text NOT LIKE '-%' THEN e.id END ASC
    LIMIT @lim OFFSET @off) AS ids)
SELECT sqlc.embed(e),
    coalesce(st.actives, 0)::integer AS nb_interventions_actives,
    pm.prochaine_maintenance,
    coalesce(pm.prochaine_maintenance < (now() AT TIME ZONE 'UTC')::date, false)::boolean AS maintenance_en_retard
FROM page
JOIN equipements e ON e.id = ANY (page.ids)
CROSS JOIN LATERAL (
    SELECT (SELECT count(*) FROM interventions i
            WHERE i.equipement_id = e.id AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')) AS actives,
           (SELECT max(i.date_cloture) FROM interventions i
            WHERE i.equipement_id = e.id AND i.type_intervention = 'preventive'
              AND i.statut IN ('cloturee', 'archivee')) AS derniere_preventive
) st
CROSS JOIN LATERAL (
    SELECT CASE WHEN e.frequence_entretien IS NOT NULL THEN
        coalesce((st.derniere_preventive AT TIME ZONE 'UTC')::date, e.date_mise_en_service,
                 (e.created_at AT TIME ZONE 'UTC')::date)
        + e.frequence_entretien
        - CASE WHEN e.criticite = 'critique' THEN 7 ELSE 0 END
    END AS prochaine_maintenance -- date (left uncast, so that sqlc keeps it nullable)
) pm
ORDER BY array_position(page.ids, e.id);

-- name: ListEquipementsRecent :many
-- ListEquipements' default page (no filter, newest first) as a fixed-shape statement: prepared
-- once, its cached plan walks equipements_created_idx for the page's ids. The service uses it for
-- callers who read every machine.
SELECT sqlc.embed(e),
    coalesce(st.actives, 0)::integer AS nb_interventions_actives,
    pm.prochaine_maintenance,
    coalesce(pm.prochaine_maintenance < (now() AT TIME ZONE 'UTC')::date, false)::boolean AS maintenance_en_retard
FROM equipements e
CROSS JOIN LATERAL (
    SELECT (SELECT count(*) FROM interventions i
            WHERE i.equipement_id = e.id AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')) AS actives,
           (SELECT max(i.date_cloture) FROM interventions i
            WHERE i.equipement_id = e.id AND i.type_intervention = 'preventive'
              AND i.statut IN ('cloturee', 'archivee')) AS derniere_preventive
) st
CROSS JOIN LATERAL (
    SELECT CASE WHEN e.frequence_entretien IS NOT NULL THEN
        coalesce((st.derniere_preventive AT TIME ZONE 'UTC')::date, e.date_mise_en_service,
                 (e.created_at AT TIME ZONE 'UTC')::date)
        + e.frequence_entretien
        - CASE WHEN e.criticite = 'critique' THEN 7 ELSE 0 END
    END AS prochaine_maintenance -- date (left uncast, so that sqlc keeps it nullable)
) pm
WHERE e.id = ANY (ARRAY(
    SELECT e.id FROM equipements e -- the ids of the page, in its order
    WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
    ORDER BY e.created_at DESC, e.id DESC
    LIMIT @lim OFFSET @off))
ORDER BY e.created_at DESC, e.id DESC;

-- name: CountEquipements :one
SELECT count(*) FROM equipements e
WHERE (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('statut')::equipement_statut IS NULL OR e.statut = sqlc.narg('statut'))
  AND (sqlc.narg('criticite')::equipement_criticite IS NULL OR e.criticite = sqlc.narg('criticite'))
  AND (sqlc.narg('type')::text IS NULL OR lower(e.type_equipement) = lower(sqlc.narg('type')))
  AND (sqlc.narg('client_id')::bigint IS NULL OR e.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('contrat_id')::bigint IS NULL OR e.contrat_id = sqlc.narg('contrat_id'))
  AND (sqlc.narg('parent_id')::bigint IS NULL OR e.parent_id = sqlc.narg('parent_id'))
  AND (sqlc.narg('q')::text IS NULL
       OR e.nom ILIKE '%' || sqlc.narg('q') || '%'
       OR e.numero_serie ILIKE '%' || sqlc.narg('q') || '%'
       OR e.code_interne ILIKE '%' || sqlc.narg('q') || '%'
       OR e.marque ILIKE '%' || sqlc.narg('q') || '%'
       OR e.modele ILIKE '%' || sqlc.narg('q') || '%'
       OR e.localisation ILIKE '%' || sqlc.narg('q') || '%');

-- name: CountEquipementsGlobal :one
-- CountEquipements for a caller who reads every machine, unfiltered or filtered by statut only,
-- from the pre-aggregated equipement_stats (exact, a few rows whatever the table size).
SELECT coalesce(sum(s.n), 0)::bigint AS total
FROM equipement_stats s
WHERE sqlc.narg('statut')::equipement_statut IS NULL OR s.statut = sqlc.narg('statut');

-- name: LockEquipement :one
SELECT * FROM equipements WHERE id = @id FOR UPDATE;

-- name: InsertEquipement :one
INSERT INTO equipements (nom, type_equipement, localisation, numero_serie, code_interne, marque, modele,
    batiment, etage, zone, statut, criticite, description, frequence_entretien, date_acquisition,
    date_mise_en_service, date_fin_garantie, cout_acquisition, client_id, contrat_id, parent_id)
VALUES (@nom, @type_equipement, @localisation, sqlc.narg('numero_serie'), sqlc.narg('code_interne'),
    sqlc.narg('marque'), sqlc.narg('modele'), sqlc.narg('batiment'), sqlc.narg('etage'), sqlc.narg('zone'),
    @statut, @criticite, sqlc.narg('description'), sqlc.narg('frequence_entretien'),
    sqlc.narg('date_acquisition'), sqlc.narg('date_mise_en_service'), sqlc.narg('date_fin_garantie'),
    sqlc.narg('cout_acquisition'), sqlc.narg('client_id'), sqlc.narg('contrat_id'), sqlc.narg('parent_id'))
RETURNING id;

-- name: UpdateEquipement :one
-- Writes every column (the service merged the partial update) and bumps the version.
UPDATE equipements SET
    nom = @nom, type_equipement = @type_equipement, localisation = @localisation,
    numero_serie = sqlc.narg('numero_serie'), code_interne = sqlc.narg('code_interne'),
    marque = sqlc.narg('marque'), modele = sqlc.narg('modele'), batiment = sqlc.narg('batiment'),
    etage = sqlc.narg('etage'), zone = sqlc.narg('zone'), statut = @statut, criticite = @criticite,
    description = sqlc.narg('description'), frequence_entretien = sqlc.narg('frequence_entretien'),
    date_acquisition = sqlc.narg('date_acquisition'), date_mise_en_service = sqlc.narg('date_mise_en_service'),
    date_fin_garantie = sqlc.narg('date_fin_garantie'), cout_acquisition = sqlc.narg('cout_acquisition'),
    client_id = sqlc.narg('client_id'), contrat_id = sqlc.narg('contrat_id'), parent_id = sqlc.narg('parent_id'),
    version = version + 1, updated_at = now()
WHERE id = @id
RETURNING version;

-- name: DeleteEquipement :execrows
DELETE FROM equipements WHERE id = @id;

-- name: EquipementUsage :one
-- What keeps a machine from being deleted.
SELECT EXISTS (SELECT 1 FROM interventions i WHERE i.equipement_id = @id)::boolean AS has_interventions,
       EXISTS (SELECT 1 FROM equipements c WHERE c.parent_id = @id)::boolean AS has_components;

-- name: ClientForEquipement :one
-- Checks a client company exists and keeps it from being deleted until the transaction ends.
SELECT id FROM clients WHERE id = @id FOR KEY SHARE;

-- name: ContratForEquipement :one
-- The client of a contract, locked so it cannot change until the transaction ends.
SELECT client_id FROM contrats WHERE id = @id FOR SHARE;

-- name: ContratsActifsDuClient :many
-- The contracts of a client company in force today (at most two are read: a machine created
-- for the company gets the contract when there is exactly one).
SELECT id FROM contrats
WHERE client_id = @client_id AND statut = 'en_cours' AND date_debut <= current_date AND date_fin >= current_date
ORDER BY id LIMIT 2;

-- name: ParentForEquipement :one
SELECT id FROM equipements WHERE id = @id FOR KEY SHARE;

-- name: WouldCreateCycle :one
-- True when making @parent the parent of @candidate would close a cycle: @candidate is @parent
-- itself or one of its ancestors. (UNION stops on a cycle that would already exist.)
WITH RECURSIVE ancestors (id, parent_id) AS (
    SELECT e.id, e.parent_id FROM equipements e WHERE e.id = @parent
    UNION
    SELECT p.id, p.parent_id FROM equipements p JOIN ancestors a ON p.id = a.parent_id
)
SELECT EXISTS (SELECT 1 FROM ancestors WHERE id = @candidate::bigint)::boolean;

-- name: LockEquipementHierarchy :exec
-- Serialises changes of parent_id (held until the transaction ends), so two concurrent moves
-- cannot close a cycle that neither saw.
SELECT pg_advisory_xact_lock(7302001);
