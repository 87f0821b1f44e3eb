-- Generated reports (issue 15). A client reads the reports it asked for (tous false, demandeur its
-- user id); managers every one (tous true).

-- name: RapportInsert :one
INSERT INTO rapports (titre, type_rapport, format, date_debut, date_fin, filtres, separateur, demandeur_id)
VALUES (@titre, @type_rapport, @format, @date_debut, @date_fin, @filtres, @separateur, @demandeur_id)
RETURNING *;

-- name: RapportGet :one
SELECT * FROM rapports
WHERE id = @id AND (@tous::boolean OR demandeur_id = @demandeur::bigint);

-- name: RapportByID :one
-- For a signed link, which stands for the access of whoever it was issued to.
SELECT * FROM rapports WHERE id = @id;

-- name: RapportList :many
SELECT * FROM rapports
WHERE (@tous::boolean OR demandeur_id = @demandeur::bigint)
  AND (sqlc.narg('statut')::rapport_statut IS NULL OR statut = sqlc.narg('statut'))
  AND (sqlc.narg('type_rapport')::rapport_type IS NULL OR type_rapport = sqlc.narg('type_rapport'))
ORDER BY created_at DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: RapportCount :one
SELECT count(*) FROM rapports
WHERE (@tous::boolean OR demandeur_id = @demandeur::bigint)
  AND (sqlc.narg('statut')::rapport_statut IS NULL OR statut = sqlc.narg('statut'))
  AND (sqlc.narg('type_rapport')::rapport_type IS NULL OR type_rapport = sqlc.narg('type_rapport'));

-- name: RapportClaim :one
-- The next report to make: a pending one, or one whose generation started before @stale (its
-- worker died). It moves to generating with one more attempt; SKIP LOCKED lets several workers
-- claim different reports.
UPDATE rapports r SET statut = 'generating', tentatives = r.tentatives + 1, debut_generation = now(), erreur = NULL
WHERE r.id = (
    SELECT x.id FROM rapports x
    WHERE x.statut = 'pending' OR (x.statut = 'generating' AND x.debut_generation < @stale::timestamptz)
    ORDER BY x.id
    FOR UPDATE SKIP LOCKED
    LIMIT 1)
RETURNING r.*;

-- name: RapportComplete :one
-- The attempt that claimed the report stores its file; no row when another attempt took it over.
UPDATE rapports SET statut = 'completed', storage_key = @storage_key, key_id = @key_id, nom_fichier = @nom_fichier,
    mime_type = @mime_type, taille = @taille, fin_generation = now(), expire_le = @expire_le::timestamptz
WHERE id = @id AND statut = 'generating' AND tentatives = @tentatives
RETURNING *;

-- name: RapportFail :execrows
UPDATE rapports SET statut = 'failed', erreur = @erreur, fin_generation = now()
WHERE id = @id AND statut = 'generating' AND tentatives = @tentatives;

-- name: RapportsExpire :many
-- The completed reports past their expiry become expired; their blobs are to delete.
UPDATE rapports SET statut = 'expired'
WHERE statut = 'completed' AND expire_le <= now()
RETURNING id, storage_key;

-- name: RapportsBlobsToDelete :many
-- Expired reports whose blob may still exist (a deletion failed or was interrupted).
SELECT id, storage_key::text AS storage_key FROM rapports
WHERE statut = 'expired' AND storage_key IS NOT NULL
ORDER BY id LIMIT 500;

-- name: RapportBlobDeleted :exec
UPDATE rapports SET storage_key = NULL WHERE id = @id AND statut = 'expired';

-- name: RapportDemandeur :one
-- The requester of a report as the worker acts for it (its current role; inactive: refused).
SELECT u.id, u.role, u.email, u.username, u.full_name, u.is_active FROM users u WHERE u.id = @id;

-- name: RapportCountByKey :many
-- The readable generated reports by key (the table holds the reports of the retention period only).
SELECT key_id::text, count(*) AS n FROM rapports WHERE statut = 'completed' AND key_id IS NOT NULL GROUP BY key_id;
