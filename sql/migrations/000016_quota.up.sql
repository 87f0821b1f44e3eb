-- Contract quotas (issue 13): an intervention requested beyond its contract's quota, accepted
-- when CONTRAT_QUOTA_MODE=signaler, is flagged hors_contrat (billable on top of the fee).
ALTER TABLE interventions ADD COLUMN hors_contrat boolean NOT NULL DEFAULT false;
