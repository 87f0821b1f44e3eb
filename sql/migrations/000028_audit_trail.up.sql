-- The audit trail, readable by admins (GET /audit): every entry has an outcome to filter on,
-- keeps the id of the account that acted even once the account is deleted (no foreign key: a
-- deletion must not rewrite the trail), and is append-only like the stock ledger.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_id_fkey;

-- success: the action was done; denied: refused by the access rules; failure: an
-- authentication that failed, or the lockout it led to (internal/audit.OutcomeOf).
ALTER TABLE audit_log ADD COLUMN outcome text NOT NULL DEFAULT 'success'
    CHECK (outcome IN ('success', 'denied', 'failure'));
UPDATE audit_log SET outcome = CASE
    WHEN action LIKE '%.denied' THEN 'denied'
    WHEN action IN ('auth.login.failed', 'auth.login.locked', 'auth.login.disabled', 'auth.refresh.reuse', 'auth.lockout')
        THEN 'failure'
    ELSE 'success' END
WHERE action LIKE '%.denied' OR action LIKE 'auth.%';

-- The list reads newest first (occurred_at DESC, id DESC) with at most one of these filters
-- selective enough to lead.
DROP INDEX audit_log_occurred_idx;
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_resource_idx ON audit_log (resource_type, resource_id, occurred_at DESC);
CREATE INDEX audit_log_request_idx ON audit_log (request_id) WHERE request_id <> '';
CREATE INDEX audit_log_outcome_idx ON audit_log (outcome, occurred_at DESC) WHERE outcome <> 'success';

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: entries are never edited or deleted'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
