-- name: GetLoginLocks :many
-- Keys among the given ones that are locked at @now.
SELECT key, locked_until FROM login_throttle
WHERE key = ANY(@keys::text[]) AND locked_until > @now::timestamptz;

-- name: EnsureLoginThrottle :exec
INSERT INTO login_throttle (key, window_start) VALUES (@key, @now) ON CONFLICT (key) DO NOTHING;

-- name: GetLoginThrottleForUpdate :one
SELECT * FROM login_throttle WHERE key = @key FOR UPDATE;

-- name: SaveLoginThrottle :exec
UPDATE login_throttle SET failures = @failures, window_start = @window_start, locked_until = @locked_until
WHERE key = @key;

-- name: ClearLoginFailures :exec
DELETE FROM login_throttle WHERE key = ANY(@keys::text[]);

-- name: DeleteStaleLoginThrottle :execrows
DELETE FROM login_throttle
WHERE (locked_until IS NULL OR locked_until < @now::timestamptz) AND window_start < @window_start_before;
