DROP INDEX IF EXISTS interventions_dashboard_idx;
DROP INDEX IF EXISTS interventions_date_creation_idx;
