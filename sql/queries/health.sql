-- name: ServerVersion :one
SELECT version()::text;
