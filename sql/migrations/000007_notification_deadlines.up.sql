-- Deadline notices already sent (reminder before the deadline, overdue notice): one row per
-- intervention and type, so each is sent once even when its notifications are deleted later,
-- and the scan of open interventions skips those already handled.
CREATE TABLE intervention_echeance_notices (
    intervention_id bigint            NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    type            notification_type NOT NULL CHECK (type IN ('rappel', 'retard')),
    sent_at         timestamptz       NOT NULL DEFAULT now(),
    PRIMARY KEY (intervention_id, type)
);
