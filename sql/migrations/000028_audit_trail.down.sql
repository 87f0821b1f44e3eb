DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP INDEX audit_log_outcome_idx;
DROP INDEX audit_log_request_idx;
DROP INDEX audit_log_resource_idx;
DROP INDEX audit_log_occurred_idx;
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at DESC);
ALTER TABLE audit_log DROP COLUMN outcome;
-- The foreign key comes back on the ids of accounts that still exist.
UPDATE audit_log a SET actor_id = NULL
WHERE actor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.actor_id);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_id_fkey
    FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL;
