-- name: InsertAudit :exec
INSERT INTO audit_log (actor_id, actor_role, action, resource_type, resource_id, client_ip, request_id, details)
VALUES (sqlc.narg('actor_id'), @actor_role, @action, @resource_type, @resource_id, @client_ip, @request_id, @details);

-- name: ListAudit :many
SELECT * FROM audit_log
WHERE (sqlc.narg('action')::text IS NULL OR action = sqlc.narg('action'))
ORDER BY occurred_at DESC, id DESC
LIMIT @lim;
