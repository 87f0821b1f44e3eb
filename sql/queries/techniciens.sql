-- Technician profiles. Workload (charge_travail) = interventions assigned to the technician that
-- are affectee, en_cours or en_attente, read from the pre-aggregated intervention_stats (kind t).

-- name: GetTechnicienView :one
-- One profile with its account and workload.
SELECT sqlc.embed(t), sqlc.embed(u),
       (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s
        WHERE s.kind = 't' AND s.technicien_id = t.id)::int AS charge_travail
FROM techniciens t
JOIN users u ON u.id = t.user_id
WHERE t.id = @id;

-- name: ListTechniciens :many
-- One page of profiles with their account and workload, in a single query.
-- The workload comes from the pre-aggregated figures (intervention_stats, kind t: a row or a
-- few per technician), as a scalar subquery that PostgreSQL computes for the rows of the page
-- only (after the sort and limit), unless the page is sorted by it.
SELECT sqlc.embed(t), sqlc.embed(u),
       (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s
        WHERE s.kind = 't' AND s.technicien_id = t.id)::int AS charge_travail
FROM techniciens t
JOIN users u ON u.id = t.user_id
WHERE (sqlc.narg('equipe')::text IS NULL OR lower(t.equipe) = lower(sqlc.narg('equipe')))
  AND (sqlc.narg('disponibilite')::technicien_disponibilite IS NULL OR t.disponibilite = sqlc.narg('disponibilite'))
  AND (sqlc.narg('niveau')::niveau_competence IS NULL OR t.niveau = sqlc.narg('niveau'))
  AND (sqlc.narg('competence_id')::bigint IS NULL OR EXISTS (
        SELECT 1 FROM technicien_competences tc
        WHERE tc.technicien_id = t.id AND tc.competence_id = sqlc.narg('competence_id')))
  AND (sqlc.narg('q')::text IS NULL
       OR u.full_name ILIKE '%' || sqlc.narg('q') || '%'
       OR u.username ILIKE '%' || sqlc.narg('q') || '%'
       OR u.email ILIKE '%' || sqlc.narg('q') || '%'
       OR t.equipe ILIKE '%' || sqlc.narg('q') || '%'
       OR t.numero_badge ILIKE '%' || sqlc.narg('q') || '%')
ORDER BY
    CASE WHEN @sort::text = 'id' THEN t.id END ASC,
    CASE WHEN @sort::text = '-id' THEN t.id END DESC,
    CASE WHEN @sort::text = 'nom' THEN lower(u.full_name) END ASC,
    CASE WHEN @sort::text = '-nom' THEN lower(u.full_name) END DESC,
    CASE WHEN @sort::text = 'equipe' THEN lower(t.equipe) END ASC NULLS LAST,
    CASE WHEN @sort::text = '-equipe' THEN lower(t.equipe) END DESC NULLS LAST,
    CASE WHEN @sort::text = 'created_at' THEN t.created_at END ASC,
    CASE WHEN @sort::text = '-created_at' THEN t.created_at END DESC,
    CASE WHEN @sort::text = 'charge' THEN (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s
        WHERE s.kind = 't' AND s.technicien_id = t.id) END ASC,
    CASE WHEN @sort::text = '-charge' THEN (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s
        WHERE s.kind = 't' AND s.technicien_id = t.id) END DESC,
    t.id ASC
LIMIT @lim OFFSET @off;

-- name: ListTechniciensParNom :many
-- ListTechniciens' default page (no filter, sorted by name) as a fixed-shape statement, run with
-- its cached generic plan (platform.PlanGeneric): the catch-all above is planned on every call.
SELECT sqlc.embed(t), sqlc.embed(u),
       (SELECT coalesce(sum(s.n), 0) FROM intervention_stats s
        WHERE s.kind = 't' AND s.technicien_id = t.id)::int AS charge_travail
FROM techniciens t
JOIN users u ON u.id = t.user_id
ORDER BY lower(u.full_name), t.id
LIMIT @lim OFFSET @off;

-- name: CountTechniciensAll :one
SELECT count(*) FROM techniciens;

-- name: CountTechniciens :one
SELECT count(*)
FROM techniciens t
JOIN users u ON u.id = t.user_id
WHERE (sqlc.narg('equipe')::text IS NULL OR lower(t.equipe) = lower(sqlc.narg('equipe')))
  AND (sqlc.narg('disponibilite')::technicien_disponibilite IS NULL OR t.disponibilite = sqlc.narg('disponibilite'))
  AND (sqlc.narg('niveau')::niveau_competence IS NULL OR t.niveau = sqlc.narg('niveau'))
  AND (sqlc.narg('competence_id')::bigint IS NULL OR EXISTS (
        SELECT 1 FROM technicien_competences tc
        WHERE tc.technicien_id = t.id AND tc.competence_id = sqlc.narg('competence_id')))
  AND (sqlc.narg('q')::text IS NULL
       OR u.full_name ILIKE '%' || sqlc.narg('q') || '%'
       OR u.username ILIKE '%' || sqlc.narg('q') || '%'
       OR u.email ILIKE '%' || sqlc.narg('q') || '%'
       OR t.equipe ILIKE '%' || sqlc.narg('q') || '%'
       OR t.numero_badge ILIKE '%' || sqlc.narg('q') || '%');

-- name: ListCompetencesOfTechniciens :many
-- The competences of every technician of a page, in one query.
SELECT tc.technicien_id, tc.niveau, tc.date_acquisition, c.id, c.nom, c.domaine
FROM technicien_competences tc
JOIN competences c ON c.id = tc.competence_id
WHERE tc.technicien_id = ANY(@technicien_ids::bigint[])
ORDER BY tc.technicien_id, lower(c.nom), c.id;

-- name: GetTechnicienForUpdate :one
SELECT * FROM techniciens WHERE id = @id FOR UPDATE;

-- name: TechnicienProfileExists :one
SELECT EXISTS (SELECT 1 FROM techniciens WHERE user_id = @user_id);

-- name: BadgeTaken :one
SELECT EXISTS (
    SELECT 1 FROM techniciens WHERE lower(numero_badge) = lower(@numero_badge::text) AND id <> @exclude_id
);

-- name: CreateTechnicien :one
INSERT INTO techniciens (user_id, equipe, numero_badge, niveau, zone_intervention, disponibilite,
                         astreinte, horaires_travail, telephone_urgence, date_embauche, taux_horaire)
VALUES (@user_id, sqlc.narg('equipe'), sqlc.narg('numero_badge'), @niveau, sqlc.narg('zone_intervention'),
        @disponibilite, @astreinte, @horaires_travail, sqlc.narg('telephone_urgence'), sqlc.narg('date_embauche'),
        sqlc.narg('taux_horaire'))
RETURNING *;

-- name: UpdateTechnicien :one
-- Sets every column: the service computes the new values from the locked row.
UPDATE techniciens SET
    equipe            = sqlc.narg('equipe'),
    numero_badge      = sqlc.narg('numero_badge'),
    niveau            = @niveau,
    zone_intervention = sqlc.narg('zone_intervention'),
    disponibilite     = @disponibilite,
    astreinte         = @astreinte,
    horaires_travail  = @horaires_travail,
    telephone_urgence = sqlc.narg('telephone_urgence'),
    date_embauche     = sqlc.narg('date_embauche'),
    taux_horaire      = sqlc.narg('taux_horaire'),
    updated_at        = now()
WHERE id = @id
RETURNING *;

-- name: TouchTechnicien :execrows
-- Locks the profile and records that its competences changed; 0 when it does not exist.
UPDATE techniciens SET updated_at = now() WHERE id = @id;

-- name: CountActiveInterventionsOfTechnicien :one
SELECT count(*) FROM interventions
WHERE technicien_id = @technicien_id::bigint AND statut IN ('affectee', 'en_cours', 'en_attente');

-- name: DeleteTechnicien :execrows
DELETE FROM techniciens WHERE id = @id;

-- name: AddTechnicienCompetences :execrows
-- Links the competences ids[i] at levels niveaux[i].
INSERT INTO technicien_competences (technicien_id, competence_id, niveau)
SELECT @technicien_id::bigint, unnest(@competence_ids::bigint[]), unnest(@niveaux::text[])::niveau_competence
ON CONFLICT (technicien_id, competence_id) DO NOTHING;

-- name: SetTechnicienCompetenceLevel :execrows
UPDATE technicien_competences SET niveau = @niveau
WHERE technicien_id = @technicien_id AND competence_id = @competence_id;

-- name: RemoveTechnicienCompetence :execrows
DELETE FROM technicien_competences
WHERE technicien_id = @technicien_id AND competence_id = @competence_id;
