-- name: EmailEnqueue :one
INSERT INTO email_outbox (notification_id, to_email, to_name, subject, body_text, body_html)
VALUES (@notification_id, @to_email, @to_name, @subject, @body_text, @body_html)
RETURNING id;

-- name: EmailClaimDue :many
-- Takes a batch of due e-mails for this worker: their next attempt moves to @lease_until so no
-- other worker (SKIP LOCKED while this runs, the lease after) takes them meanwhile.
UPDATE email_outbox o SET next_attempt_at = @lease_until::timestamptz
WHERE o.id IN (SELECT e.id FROM email_outbox e
               WHERE e.statut = 'pending' AND e.next_attempt_at <= @now::timestamptz
               ORDER BY e.next_attempt_at, e.id
               LIMIT @lim
               FOR UPDATE SKIP LOCKED)
RETURNING o.*;

-- name: EmailMarkSent :exec
UPDATE email_outbox
SET statut = 'sent', sent_at = @sent_at, attempts = attempts + 1, next_attempt_at = NULL
WHERE id = @id;

-- name: EmailMarkFailure :exec
-- One more failed attempt: retried at @next_attempt_at, or given up (failed) when that is null.
UPDATE email_outbox
SET attempts = attempts + 1, last_error = @last_error,
    next_attempt_at = sqlc.narg('next_attempt_at')::timestamptz,
    statut = CASE WHEN sqlc.narg('next_attempt_at')::timestamptz IS NULL
                  THEN 'failed'::email_statut ELSE 'pending'::email_statut END
WHERE id = @id;

-- name: EmailList :many
SELECT id, notification_id, to_email, subject, statut, attempts, last_error, next_attempt_at, sent_at, created_at
FROM email_outbox
WHERE (sqlc.narg('statut')::email_statut IS NULL OR statut = sqlc.narg('statut'))
ORDER BY created_at DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: EmailCount :one
SELECT count(*) FROM email_outbox
WHERE (sqlc.narg('statut')::email_statut IS NULL OR statut = sqlc.narg('statut'));

-- name: EmailGetForUpdate :one
SELECT id, notification_id, to_email, subject, statut, attempts, last_error, next_attempt_at, sent_at, created_at
FROM email_outbox WHERE id = @id FOR UPDATE;

-- name: EmailRequeue :one
UPDATE email_outbox SET statut = 'pending', attempts = 0, next_attempt_at = now()
WHERE id = @id
RETURNING id, notification_id, to_email, subject, statut, attempts, last_error, next_attempt_at, sent_at, created_at;

-- name: EmailOutboxBacklog :one
-- The pending e-mails and the age in seconds of the oldest one due, through the partial index
-- on pending rows: never the sent history (the outbox metrics, read at scrape time).
SELECT count(*) AS pending,
    coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float8 AS oldest_due_seconds
FROM email_outbox WHERE statut = 'pending';
