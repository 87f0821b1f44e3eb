-- Live notifications (Server-Sent Events): the caller's notifications after an id, to replay
-- on resume or to catch up, and one announced by the 'notifications' channel.
-- Every query returns the columns of the contract's Notification in the same order.

-- name: LiveNotificationsAfter :many
SELECT id, user_id, type, canal, titre, contenu, intervention_id, created_at, read_at
FROM notifications
WHERE user_id = @user_id AND id > @after_id
ORDER BY id
LIMIT @lim;

-- name: LiveNotificationGet :one
SELECT id, user_id, type, canal, titre, contenu, intervention_id, created_at, read_at
FROM notifications
WHERE id = @id AND user_id = @user_id;

-- name: LiveUserGet :one
SELECT id, role, email, username, is_active FROM users WHERE id = @id;

-- name: LiveLastNotificationID :one
SELECT coalesce(max(id), 0)::bigint FROM notifications WHERE user_id = @user_id;
