-- name: CreateUser :one
INSERT INTO users (username, full_name, email, password_hash, role)
VALUES (@username, @full_name, @email, @password_hash, @role)
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = @id;

-- name: AuthAccount :one
-- The account behind a bearer token, read on every request, with what row access needs
-- (internal/access): the technician profile of a user and its client company (NULL: none).
SELECT sqlc.embed(u), t.id AS technicien_id, c.id AS client_id
FROM users u
LEFT JOIN techniciens t ON t.user_id = u.id
LEFT JOIN clients c ON c.user_id = u.id
WHERE u.id = @id;

-- name: AccountProfile :one
-- AuthAccount's technician profile and client company, for callers that start from a known
-- account (the calendar link, jobs, tools); no row when the user does not exist.
SELECT u.id, t.id AS technicien_id, c.id AS client_id
FROM users u
LEFT JOIN techniciens t ON t.user_id = u.id
LEFT JOIN clients c ON c.user_id = u.id
WHERE u.id = @id;

-- name: GetUserForUpdate :one
SELECT * FROM users WHERE id = @id FOR UPDATE;

-- name: GetUserByLogin :one
-- A login identifier is a username or an e-mail, compared case-insensitively.
SELECT * FROM users
WHERE lower(username) = lower(@identifier::text) OR lower(email) = lower(@identifier::text)
ORDER BY (lower(email) = lower(@identifier::text)) DESC
LIMIT 1;

-- name: EmailTaken :one
SELECT EXISTS (
    SELECT 1 FROM users WHERE lower(email) = lower(@email::text) AND id <> @exclude_id
);

-- name: UsernameTaken :one
SELECT EXISTS (SELECT 1 FROM users WHERE lower(username) = lower(@username::text));

-- name: ListUsers :many
SELECT * FROM users
WHERE (sqlc.narg('role')::user_role IS NULL OR role = sqlc.narg('role'))
  AND (sqlc.narg('is_active')::boolean IS NULL OR is_active = sqlc.narg('is_active'))
  AND (sqlc.narg('q')::text IS NULL
       OR username ILIKE '%' || sqlc.narg('q') || '%'
       OR email ILIKE '%' || sqlc.narg('q') || '%'
       OR full_name ILIKE '%' || sqlc.narg('q') || '%')
ORDER BY
    CASE WHEN @sort::text = 'id' THEN id END ASC,
    CASE WHEN @sort::text = '-id' THEN id END DESC,
    CASE WHEN @sort::text = 'username' THEN lower(username) END ASC,
    CASE WHEN @sort::text = '-username' THEN lower(username) END DESC,
    CASE WHEN @sort::text = 'email' THEN lower(email) END ASC,
    CASE WHEN @sort::text = '-email' THEN lower(email) END DESC,
    CASE WHEN @sort::text = 'created_at' THEN created_at END ASC,
    CASE WHEN @sort::text = '-created_at' THEN created_at END DESC,
    CASE WHEN @sort::text = 'last_login' THEN last_login END ASC NULLS FIRST,
    CASE WHEN @sort::text = '-last_login' THEN last_login END DESC NULLS LAST,
    id DESC
LIMIT @lim OFFSET @off;

-- name: CountUsers :one
SELECT count(*) FROM users
WHERE (sqlc.narg('role')::user_role IS NULL OR role = sqlc.narg('role'))
  AND (sqlc.narg('is_active')::boolean IS NULL OR is_active = sqlc.narg('is_active'))
  AND (sqlc.narg('q')::text IS NULL
       OR username ILIKE '%' || sqlc.narg('q') || '%'
       OR email ILIKE '%' || sqlc.narg('q') || '%'
       OR full_name ILIKE '%' || sqlc.narg('q') || '%');

-- name: CountActiveAdmins :one
SELECT count(*) FROM users WHERE role = 'admin' AND is_active;

-- name: UpdateUserProfile :one
-- Admin update: a NULL argument keeps the current value.
UPDATE users SET
    full_name  = coalesce(sqlc.narg('full_name'), full_name),
    email      = coalesce(sqlc.narg('email'), email),
    role       = coalesce(sqlc.narg('role')::user_role, role),
    updated_at = now()
WHERE id = @id
RETURNING *;

-- name: UpdateUserPassword :one
UPDATE users SET password_hash = @password_hash, password_changed_at = now(), updated_at = now()
WHERE id = @id
RETURNING *;

-- name: SetUserActive :one
UPDATE users SET is_active = @is_active, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: TouchLastLogin :exec
UPDATE users SET last_login = now() WHERE id = @id;

-- name: LockAdminSet :exec
-- Serialises admin changes to accounts (held until the transaction ends): checks that could leave
-- no active admin cannot race, and two admins changing each other's rows cannot deadlock.
SELECT pg_advisory_xact_lock(7301001);

-- name: SeedUser :execrows
-- Creates the account unless its e-mail or username exists (concurrent seeds are harmless).
INSERT INTO users (username, full_name, email, password_hash, role)
SELECT @username::text, @full_name::text, @email::text, @password_hash::text, @role::user_role
WHERE NOT EXISTS (
    SELECT 1 FROM users WHERE lower(email) = lower(@email::text) OR lower(username) = lower(@username::text)
)
ON CONFLICT DO NOTHING;

-- name: ListUsersRecent :many
-- ListUsers' default page (no filter, newest first) as a fixed-shape statement, run with its
-- cached generic plan (platform.PlanGeneric): it reads the page from users_created_at_idx,
-- where the catch-all above is planned on every call.
SELECT * FROM users
ORDER BY created_at DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountUsersAll :one
SELECT count(*) FROM users;
