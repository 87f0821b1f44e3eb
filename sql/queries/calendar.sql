-- Calendar subscription links: only the SHA-256 of a token is stored, one per user.

-- name: CalendarTokenUpsert :exec
INSERT INTO calendar_tokens (user_id, token_hash)
VALUES (@user_id, @token_hash)
ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now();

-- name: CalendarTokenUser :one
SELECT u.id, u.role, u.email, u.username, u.is_active
FROM calendar_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash;

-- name: CalendarEquipementNoms :many
SELECT id, nom FROM equipements WHERE id = ANY(@ids::bigint[]);
