-- Failed-login counters (internal/auth/throttle.go). A counter's failures are forgotten once its
-- window started before @forget_before and it was not locked since then either, so the locks of
-- a counter that keeps failing grow from one window to the next.

-- name: GetLoginCounters :many
-- The three counters of a login attempt: its (account, address) pair, its address, its account.
SELECT kind, failures, window_start, locked_until FROM login_throttle
WHERE (account = @account AND address = @address AND kind = 'pair')
   OR (account = '' AND address = @address AND kind = 'address')
   OR (account = @account AND address = '' AND kind = 'account');

-- name: CountLoginFailure :one
-- Counts one failure in one statement: a concurrent failure on the same counter waits for this
-- row and then adds to its count, so none is lost. The row stays locked until the transaction
-- ends, for LockLoginCounter.
INSERT INTO login_throttle AS t (account, address, kind, failures, window_start)
VALUES (@account, @address, @kind, 1, @now::timestamptz)
ON CONFLICT (account, address, kind) DO UPDATE SET
    failures = CASE
        WHEN t.window_start < @forget_before::timestamptz
         AND (t.locked_until IS NULL OR t.locked_until < @forget_before::timestamptz) THEN 1
        ELSE t.failures + 1 END,
    window_start = CASE
        WHEN t.window_start < @forget_before::timestamptz
         AND (t.locked_until IS NULL OR t.locked_until < @forget_before::timestamptz) THEN @now::timestamptz
        ELSE t.window_start END
RETURNING failures;

-- name: LockLoginCounter :exec
-- Locks a counter until @until, never shortening a longer lock.
UPDATE login_throttle SET locked_until = GREATEST(locked_until, @until::timestamptz)
WHERE account = @account AND address = @address AND kind = @kind;

-- name: ClearLoginPair :exec
-- Forgets the failures of one account from one address (after a successful login from there).
DELETE FROM login_throttle WHERE account = @account AND address = @address AND kind = 'pair';

-- name: ClearAccountLoginCounters :execrows
-- Forgets every failure on an account: its pairs with every address and its account-wide counter.
DELETE FROM login_throttle WHERE account = @account AND kind IN ('pair', 'account');

-- name: DeleteStaleLoginThrottle :execrows
-- Counters whose failures are forgotten (see above): nothing reads them any more.
DELETE FROM login_throttle
WHERE window_start < @forget_before::timestamptz
  AND (locked_until IS NULL OR locked_until < @forget_before::timestamptz);
