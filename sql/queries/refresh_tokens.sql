-- name: InsertRefreshToken :one
INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, client_ip, user_agent)
VALUES (@user_id, @family_id, @token_hash, @expires_at, @client_ip, @user_agent)
RETURNING *;

-- name: GetRefreshTokenForUpdate :one
SELECT * FROM refresh_tokens WHERE token_hash = @token_hash FOR UPDATE;

-- name: MarkRefreshTokenUsed :exec
UPDATE refresh_tokens SET used_at = now() WHERE id = @id;

-- name: RevokeRefreshFamily :execrows
UPDATE refresh_tokens SET revoked_at = now()
WHERE family_id = @family_id AND revoked_at IS NULL;

-- name: RevokeUserRefreshTokens :execrows
UPDATE refresh_tokens SET revoked_at = now()
WHERE user_id = @user_id AND revoked_at IS NULL;

-- name: DeleteExpiredRefreshTokens :execrows
DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day';

-- name: EndUserSessions :one
-- Ends every session of the user: access tokens carrying an older session_version are refused
-- (the change is announced on 'auth_accounts', migration 000027).
UPDATE users SET session_version = session_version + 1 WHERE id = @user_id
RETURNING session_version;
