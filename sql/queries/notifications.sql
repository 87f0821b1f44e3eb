-- name: NotificationRecipient :one
-- A recipient with what the outbox needs: address, name, account state and whether this type
-- also goes out by e-mail (no preference row means yes).
SELECT u.id, u.email, u.full_name, u.is_active,
       COALESCE((SELECT p.email FROM notification_preferences p
                 WHERE p.user_id = u.id AND p.type = @type::notification_type), true)::boolean AS wants_email
FROM users u
WHERE u.id = @id;

-- name: NotificationInsert :one
-- Reminders and overdue notices are unique per intervention, recipient and type: a second
-- one inserts nothing (no row returned).
INSERT INTO notifications (user_id, type, canal, titre, contenu, intervention_id, created_by)
VALUES (@user_id, @type, @canal, @titre, @contenu, @intervention_id, @created_by)
ON CONFLICT (intervention_id, user_id, type) WHERE type IN ('rappel', 'retard') DO NOTHING
RETURNING *;

-- name: NotificationGet :one
SELECT * FROM notifications WHERE id = @id;

-- name: NotificationList :many
SELECT * FROM notifications
WHERE (sqlc.narg('user_id')::bigint IS NULL OR user_id = sqlc.narg('user_id'))
  AND (sqlc.narg('type')::notification_type IS NULL OR type = sqlc.narg('type'))
  AND (sqlc.narg('lue')::boolean IS NULL OR (read_at IS NOT NULL) = sqlc.narg('lue'))
  AND (sqlc.narg('intervention_id')::bigint IS NULL OR intervention_id = sqlc.narg('intervention_id'))
ORDER BY id DESC
LIMIT @lim OFFSET @off;

-- name: NotificationCount :one
SELECT count(*) FROM notifications
WHERE (sqlc.narg('user_id')::bigint IS NULL OR user_id = sqlc.narg('user_id'))
  AND (sqlc.narg('type')::notification_type IS NULL OR type = sqlc.narg('type'))
  AND (sqlc.narg('lue')::boolean IS NULL OR (read_at IS NOT NULL) = sqlc.narg('lue'))
  AND (sqlc.narg('intervention_id')::bigint IS NULL OR intervention_id = sqlc.narg('intervention_id'));

-- name: NotificationUnreadCount :one
SELECT count(*) FROM notifications WHERE user_id = @user_id AND read_at IS NULL;

-- name: NotificationMarkRead :one
-- Idempotent: the first reading time is kept.
UPDATE notifications SET read_at = COALESCE(read_at, now())
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: NotificationMarkAllRead :execrows
UPDATE notifications SET read_at = now() WHERE user_id = @user_id AND read_at IS NULL;

-- name: NotificationDelete :execrows
-- any: a manager deletes anybody's notification; else only the caller's own.
DELETE FROM notifications WHERE id = @id AND (@any_user::boolean OR user_id = @user_id);

-- name: NotificationUserExists :one
SELECT EXISTS (SELECT 1 FROM users WHERE id = @id);

-- name: NotificationInterventionTitre :one
SELECT titre FROM interventions WHERE id = @id;

-- name: NotificationPreferences :many
SELECT type, email FROM notification_preferences WHERE user_id = @user_id;

-- name: NotificationPreferenceSet :exec
INSERT INTO notification_preferences (user_id, type, email)
VALUES (@user_id, @type, @email)
ON CONFLICT (user_id, type) DO UPDATE SET email = EXCLUDED.email;

-- name: NotificationActiveResponsables :many
SELECT id FROM users WHERE role = 'responsable' AND is_active ORDER BY id;

-- name: NotificationClosureRecipients :many
-- Who hears of a closure: the creator, every active responsable and the client company's
-- account, once each, active accounts only.
SELECT DISTINCT u.id
FROM users u
WHERE u.is_active AND (
    u.id = (SELECT i.created_by FROM interventions i WHERE i.id = @intervention_id)
    OR u.role = 'responsable'
    OR u.id = (SELECT c.user_id FROM interventions i JOIN clients c ON c.id = i.client_id
               WHERE i.id = @intervention_id))
ORDER BY u.id;

-- name: NotificationTechnicienUser :one
-- The account of a technician, when active.
SELECT u.id FROM techniciens t JOIN users u ON u.id = t.user_id
WHERE t.id = @id AND u.is_active;

-- name: NotificationDeadlineCandidates :many
-- Open interventions whose deadline falls in [from, to) and that have not had this notice yet,
-- soonest first, one bounded batch.
SELECT i.id, i.titre, i.date_limite::timestamptz AS date_limite, i.technicien_id
FROM interventions i
WHERE i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')
  AND i.date_limite >= @from_time::timestamptz AND i.date_limite < @to_time::timestamptz
  AND NOT EXISTS (SELECT 1 FROM intervention_echeance_notices n
                  WHERE n.intervention_id = i.id AND n.type = @type::notification_type)
ORDER BY i.date_limite, i.id
LIMIT @lim;

-- name: NotificationDeadlineClaim :one
-- Records that this notice goes out now for the intervention, if it is still open and was not
-- sent yet (another replica may have got there first: no row).
INSERT INTO intervention_echeance_notices (intervention_id, type)
SELECT i.id, @type::notification_type FROM interventions i
WHERE i.id = @intervention_id AND i.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')
ON CONFLICT DO NOTHING
RETURNING intervention_id;
