DROP INDEX IF EXISTS interventions_contrat_quota_idx;
