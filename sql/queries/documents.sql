-- Documents attached to interventions (internal/documents).
--
-- Row-level access: a document is readable by whoever may read its intervention. Every query
-- acting for a caller joins the intervention under the alias i and carries the scoping predicate
-- of sql/queries/interventions.sql, word for word (internal/documents checks it with a test):
--
--   (scope_all OR i.technicien_id = scope_technicien_id OR i.client_id = scope_client_id)

-- name: DocumentInterventionReadable :one
SELECT EXISTS (
    SELECT 1 FROM interventions i
    WHERE i.id = @id
      AND (@scope_all::boolean
       OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
       OR i.client_id = sqlc.narg('scope_client_id')::bigint)
)::boolean AS readable;

-- name: DocumentInsert :one
-- Inserts the row of a stored blob, if the caller (still) may read the intervention: no row
-- comes back otherwise.
INSERT INTO documents (intervention_id, filename, storage_key, key_id, taille, mime_type, sha256,
                       description, categorie, uploaded_by)
SELECT i.id, @filename, @storage_key, @key_id, @taille, @mime_type, @sha256,
       sqlc.narg('description'), sqlc.narg('categorie'), sqlc.narg('uploaded_by')
FROM interventions i
WHERE i.id = @intervention_id
  AND (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
RETURNING *;

-- name: DocumentGet :one
SELECT sqlc.embed(d)
FROM documents d
JOIN interventions i ON i.id = d.intervention_id
WHERE d.id = @id
  AND (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: DocumentByID :one
-- A document without row-level access: for signed download URLs, which carry their own proof.
SELECT * FROM documents WHERE id = @id;

-- name: DocumentList :many
-- One page of the documents the caller may read, newest first.
SELECT sqlc.embed(d)
FROM documents d
JOIN interventions i ON i.id = d.intervention_id
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('intervention_id')::bigint IS NULL OR d.intervention_id = sqlc.narg('intervention_id'))
  AND (sqlc.narg('categorie')::text IS NULL OR d.categorie = sqlc.narg('categorie'))
  AND (sqlc.narg('q')::text IS NULL
       OR d.filename ILIKE '%' || sqlc.narg('q') || '%'
       OR d.description ILIKE '%' || sqlc.narg('q') || '%')
ORDER BY d.created_at DESC, d.id DESC
LIMIT @lim OFFSET @off;

-- name: DocumentCount :one
SELECT count(*)
FROM documents d
JOIN interventions i ON i.id = d.intervention_id
WHERE (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('intervention_id')::bigint IS NULL OR d.intervention_id = sqlc.narg('intervention_id'))
  AND (sqlc.narg('categorie')::text IS NULL OR d.categorie = sqlc.narg('categorie'))
  AND (sqlc.narg('q')::text IS NULL
       OR d.filename ILIKE '%' || sqlc.narg('q') || '%'
       OR d.description ILIKE '%' || sqlc.narg('q') || '%');

-- name: DocumentDelete :one
-- Deletes a row the caller may read; the trigger queues its blob in document_blob_sweep.
DELETE FROM documents d
USING interventions i
WHERE d.id = @id
  AND i.id = d.intervention_id
  AND (@scope_all::boolean
   OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint
   OR i.client_id = sqlc.narg('scope_client_id')::bigint)
RETURNING d.storage_key;

-- name: DocumentSweepPending :many
-- Blobs queued for deletion, oldest first.
SELECT storage_key FROM document_blob_sweep
WHERE queued_at <= @queued_before
ORDER BY queued_at, storage_key
LIMIT @lim;

-- name: DocumentSweepDone :exec
DELETE FROM document_blob_sweep WHERE storage_key = @storage_key;

-- name: DocumentSweepFailed :exec
UPDATE document_blob_sweep SET attempts = attempts + 1, last_error = @last_error
WHERE storage_key = @storage_key;

-- name: DocumentKeysReferenced :many
-- The keys among @keys that a row still references (or that wait in the sweep queue).
SELECT storage_key FROM documents WHERE storage_key = ANY (@keys::text[])
UNION
SELECT storage_key FROM document_blob_sweep WHERE storage_key = ANY (@keys::text[]);

-- name: DocumentsToRekey :many
-- Documents not yet encrypted with the key @key_id, by id, one batch after @after_id.
SELECT id, storage_key, key_id, taille, sha256 FROM documents
WHERE key_id <> @key_id AND id > @after_id
ORDER BY id
LIMIT @lim;

-- name: DocumentRekey :execrows
-- Points a document at its re-encrypted blob, unless it changed meanwhile; the trigger queues
-- the old blob.
UPDATE documents SET storage_key = @new_storage_key, key_id = @new_key_id
WHERE id = @id AND storage_key = @old_storage_key;

-- name: DocumentKeyIDs :many
-- The distinct key ids of the documents by a loose index scan of documents_key_id_idx: one index
-- probe per distinct key, however many documents there are (the start-up check of the keys).
WITH RECURSIVE k AS (
    (SELECT d0.key_id FROM documents d0 ORDER BY d0.key_id LIMIT 1)
    UNION ALL
    SELECT (SELECT d.key_id FROM documents d WHERE d.key_id > k.key_id ORDER BY d.key_id LIMIT 1)
    FROM k WHERE k.key_id IS NOT NULL
)
SELECT k.key_id::text FROM k WHERE k.key_id IS NOT NULL;

-- name: DocumentCountByKey :many
-- The number of documents of each of the given keys (through documents_key_id_idx).
SELECT key_id, count(*) AS n FROM documents WHERE key_id = ANY (@key_ids::text[]) GROUP BY key_id;
