DROP INDEX IF EXISTS interventions_temps_date_idx;
DROP INDEX IF EXISTS interventions_echeance_pm_idx;
DROP INDEX IF EXISTS interventions_date_cout_idx;
