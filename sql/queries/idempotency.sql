-- Answers of creations sent with an Idempotency-Key, scoped per user and operation.

-- name: ClaimIdempotencyKey :one
-- Claims the key for a new request; returns the claim time, which fences the later writes of
-- this claim. No row: someone else holds the key. An entry older than @ttl_seconds, or a claim
-- still unanswered after @abandon_seconds (its server died), is taken over as if absent.
INSERT INTO idempotency_keys (user_id, operation, key, request_hash)
VALUES (@user_id, @operation, @key, @request_hash)
ON CONFLICT (user_id, operation, key) DO UPDATE SET
    request_hash = EXCLUDED.request_hash, status = NULL, headers = NULL, body = NULL, created_at = clock_timestamp()
WHERE idempotency_keys.created_at < now() - make_interval(secs => @ttl_seconds::double precision)
   OR (idempotency_keys.status IS NULL
       AND idempotency_keys.created_at < now() - make_interval(secs => @abandon_seconds::double precision))
RETURNING created_at;

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE user_id = @user_id AND operation = @operation AND key = @key;

-- name: CompleteIdempotencyKey :execrows
UPDATE idempotency_keys SET status = @status, headers = @headers, body = @body
WHERE user_id = @user_id AND operation = @operation AND key = @key AND created_at = @claimed_at AND status IS NULL;

-- name: ReleaseIdempotencyKey :execrows
-- Forgets an unanswered claim (its request failed with a 5xx), so a retry runs again.
DELETE FROM idempotency_keys
WHERE user_id = @user_id AND operation = @operation AND key = @key AND created_at = @claimed_at AND status IS NULL;

-- name: PurgeIdempotencyKeys :execrows
-- Deletes the entries older than @ttl_seconds (they are ignored anyway).
DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => @ttl_seconds::double precision);
