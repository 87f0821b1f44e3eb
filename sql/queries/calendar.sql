-- Calendar subscription links: only the SHA-256 of a token is stored, one per user.

-- name: CalendarTokenUpsert :exec
INSERT INTO calendar_tokens (user_id, token_hash)
VALUES (@user_id, @token_hash)
ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now();

-- name: CalendarTokenUser :one
-- The account of a subscription link, with what row access needs (as AuthAccount).
SELECT u.id, u.role, u.email, u.username, u.is_active, tp.id AS technicien_id, cl.id AS client_id
FROM calendar_tokens t
JOIN users u ON u.id = t.user_id
LEFT JOIN techniciens tp ON tp.user_id = u.id
LEFT JOIN clients cl ON cl.user_id = u.id
WHERE t.token_hash = @token_hash;

-- name: CalendarEquipementNoms :many
SELECT id, nom FROM equipements WHERE id = ANY(@ids::bigint[]);
