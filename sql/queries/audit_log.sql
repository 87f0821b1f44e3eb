-- name: InsertAudit :exec
INSERT INTO audit_log (actor_id, actor_role, action, outcome, resource_type, resource_id, client_ip, request_id, details)
VALUES (sqlc.narg('actor_id'), @actor_role, @action, @outcome, @resource_type, @resource_id, @client_ip, @request_id, @details);

-- name: ListAuditEntries :many
-- The trail, newest first, with the actor's login name today. An action filter matches the
-- action itself and the actions under it ("auth" matches "auth.login.failed").
SELECT sqlc.embed(a), u.username AS actor_username
FROM audit_log a
LEFT JOIN users u ON u.id = a.actor_id
WHERE (sqlc.narg('actor_id')::bigint IS NULL OR a.actor_id = sqlc.narg('actor_id'))
  AND (sqlc.narg('action')::text IS NULL OR a.action = sqlc.narg('action') OR starts_with(a.action, sqlc.narg('action') || '.'))
  AND (sqlc.narg('resource_type')::text IS NULL OR a.resource_type = sqlc.narg('resource_type'))
  AND (sqlc.narg('resource_id')::text IS NULL OR a.resource_id = sqlc.narg('resource_id'))
  AND (sqlc.narg('outcome')::text IS NULL OR a.outcome = sqlc.narg('outcome'))
  AND (sqlc.narg('request_id')::text IS NULL OR a.request_id = sqlc.narg('request_id'))
  AND (sqlc.narg('from_time')::timestamptz IS NULL OR a.occurred_at >= sqlc.narg('from_time'))
  AND (sqlc.narg('to_time')::timestamptz IS NULL OR a.occurred_at < sqlc.narg('to_time'))
ORDER BY a.occurred_at DESC, a.id DESC
LIMIT @lim OFFSET @off;

-- name: CountAuditEntries :one
SELECT count(*)
FROM audit_log a
WHERE (sqlc.narg('actor_id')::bigint IS NULL OR a.actor_id = sqlc.narg('actor_id'))
  AND (sqlc.narg('action')::text IS NULL OR a.action = sqlc.narg('action') OR starts_with(a.action, sqlc.narg('action') || '.'))
  AND (sqlc.narg('resource_type')::text IS NULL OR a.resource_type = sqlc.narg('resource_type'))
  AND (sqlc.narg('resource_id')::text IS NULL OR a.resource_id = sqlc.narg('resource_id'))
  AND (sqlc.narg('outcome')::text IS NULL OR a.outcome = sqlc.narg('outcome'))
  AND (sqlc.narg('request_id')::text IS NULL OR a.request_id = sqlc.narg('request_id'))
  AND (sqlc.narg('from_time')::timestamptz IS NULL OR a.occurred_at >= sqlc.narg('from_time'))
  AND (sqlc.narg('to_time')::timestamptz IS NULL OR a.occurred_at < sqlc.narg('to_time'));
