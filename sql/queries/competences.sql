-- name: ListCompetences :many
-- One page of the catalogue, sorted by name, with the number of technicians holding each.
SELECT sqlc.embed(c),
       (SELECT count(*) FROM technicien_competences tc WHERE tc.competence_id = c.id)::int AS nb_techniciens
FROM competences c
WHERE sqlc.narg('q')::text IS NULL
   OR c.nom ILIKE '%' || sqlc.narg('q') || '%'
   OR c.domaine ILIKE '%' || sqlc.narg('q') || '%'
ORDER BY lower(c.nom), c.id
LIMIT @lim OFFSET @off;

-- name: CountCompetences :one
SELECT count(*) FROM competences c
WHERE sqlc.narg('q')::text IS NULL
   OR c.nom ILIKE '%' || sqlc.narg('q') || '%'
   OR c.domaine ILIKE '%' || sqlc.narg('q') || '%';

-- name: GetCompetenceWithCount :one
SELECT sqlc.embed(c),
       (SELECT count(*) FROM technicien_competences tc WHERE tc.competence_id = c.id)::int AS nb_techniciens
FROM competences c
WHERE c.id = @id;

-- name: GetCompetenceForUpdate :one
SELECT * FROM competences WHERE id = @id FOR UPDATE;

-- name: CompetenceNameTaken :one
SELECT EXISTS (
    SELECT 1 FROM competences WHERE lower(nom) = lower(@nom::text) AND id <> @exclude_id
);

-- name: CreateCompetence :one
INSERT INTO competences (nom, domaine, description)
VALUES (@nom, @domaine, sqlc.narg('description'))
RETURNING *;

-- name: UpdateCompetence :one
-- Sets every column: the service computes the new values from the locked row.
UPDATE competences SET
    nom         = @nom,
    domaine     = @domaine,
    description = sqlc.narg('description'),
    updated_at  = now()
WHERE id = @id
RETURNING *;

-- name: CompetenceHeld :one
SELECT EXISTS (SELECT 1 FROM technicien_competences WHERE competence_id = @competence_id);

-- name: DeleteCompetence :execrows
DELETE FROM competences WHERE id = @id;

-- name: LockCompetences :many
-- The existing competences among ids, key-share locked so none is deleted before the
-- transaction that links them to a technician commits.
SELECT id FROM competences WHERE id = ANY(@ids::bigint[]) FOR KEY SHARE;
