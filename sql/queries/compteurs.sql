-- Meters and readings. Rows belong to a machine: callers first read it (or the meter's machine)
-- through a scoped query (internal/access).

-- name: InsertCompteur :one
INSERT INTO compteurs (equipement_id, nom, unite, type_compteur) VALUES (@equipement_id, @nom, @unite, @type_compteur)
RETURNING id;

-- name: CompteurNomTaken :one
SELECT EXISTS (SELECT 1 FROM compteurs WHERE equipement_id = @equipement_id AND lower(nom) = lower(@nom));

-- name: GetCompteur :one
SELECT * FROM compteurs c WHERE c.id = @id;

-- name: ListCompteurs :many
SELECT * FROM compteurs c
WHERE c.equipement_id = @equipement_id
ORDER BY lower(c.nom), c.id;

-- name: LockCompteur :one
SELECT * FROM compteurs WHERE id = @id FOR UPDATE;

-- name: ReleveAvant :one
-- The latest reading at or before a time (the value a new one must not go below).
SELECT valeur, lu_le FROM releves WHERE compteur_id = @compteur_id AND lu_le <= @lu_le
ORDER BY lu_le DESC, id DESC LIMIT 1;

-- name: ReleveApres :one
-- The earliest reading after a time (the value a new one must not exceed).
SELECT valeur, lu_le FROM releves WHERE compteur_id = @compteur_id AND lu_le > @lu_le
ORDER BY lu_le, id LIMIT 1;

-- name: InsertReleve :one
INSERT INTO releves (compteur_id, valeur, lu_le, source, user_id) VALUES (@compteur_id, @valeur, @lu_le, @source, @user_id)
RETURNING *;

-- name: ListReleves :many
SELECT * FROM releves
WHERE compteur_id = @compteur_id
  AND (sqlc.narg('depuis')::timestamptz IS NULL OR lu_le >= sqlc.narg('depuis'))
  AND (sqlc.narg('jusqu_a')::timestamptz IS NULL OR lu_le < sqlc.narg('jusqu_a'))
ORDER BY lu_le DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountReleves :one
SELECT count(*) FROM releves
WHERE compteur_id = @compteur_id
  AND (sqlc.narg('depuis')::timestamptz IS NULL OR lu_le >= sqlc.narg('depuis'))
  AND (sqlc.narg('jusqu_a')::timestamptz IS NULL OR lu_le < sqlc.narg('jusqu_a'));

-- name: TechnicienWorksOn :one
-- Whether a technician has open work on a machine (it may then record its meters' readings).
SELECT EXISTS (SELECT 1 FROM interventions i WHERE i.equipement_id = @equipement_id AND i.technicien_id = @technicien_id
    AND i.statut IN ('affectee', 'en_cours', 'en_attente'));

-- name: SetCompteurDernier :exec
-- The latest reading by time, when a new one is the latest.
UPDATE compteurs SET derniere_valeur = @valeur, derniere_lecture = @lu_le, updated_at = now()
WHERE id = @id AND (derniere_lecture IS NULL OR derniere_lecture <= @lu_le);
