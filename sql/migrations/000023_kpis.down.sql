DROP INDEX IF EXISTS arrets_periode_idx;
DROP INDEX IF EXISTS interventions_temps_date_idx;
DROP INDEX IF EXISTS interventions_kpi_ouvertes_idx;
DROP INDEX IF EXISTS interventions_kpi_echeance_idx;
DROP INDEX IF EXISTS interventions_kpi_cout_idx;
CREATE INDEX IF NOT EXISTS interventions_cloture_idx ON interventions (date_cloture)
    WHERE statut IN ('cloturee', 'archivee');
DROP INDEX IF EXISTS interventions_kpi_cloture_idx;
DROP INDEX IF EXISTS interventions_kpi_creation_idx;
