DROP INDEX IF EXISTS equipements_statut_sort_idx;
DROP INDEX IF EXISTS equipements_criticite_sort_idx;
DROP INDEX IF EXISTS equipements_localisation_sort_idx;
DROP INDEX IF EXISTS interventions_priorite_sort_idx;
DROP INDEX IF EXISTS interventions_statut_sort_idx;
CREATE INDEX IF NOT EXISTS interventions_statut_idx ON interventions (statut, date_creation DESC);
DROP INDEX IF EXISTS interventions_titre_sort_idx;
DROP INDEX IF EXISTS interventions_limite_asc_idx;
DROP INDEX IF EXISTS interventions_limite_desc_idx;
CREATE INDEX IF NOT EXISTS interventions_dashboard_idx ON interventions
    (statut, priorite, date_creation, date_cloture, date_limite, date_debut_travaux)
    INCLUDE (technicien_id, client_id);
DROP INDEX IF EXISTS plannings_prochaine_date_idx;
DROP INDEX IF EXISTS interventions_cloture_idx;
DROP TRIGGER IF EXISTS interventions_stats_insert ON interventions;
DROP TRIGGER IF EXISTS interventions_stats_update ON interventions;
DROP TRIGGER IF EXISTS interventions_stats_delete ON interventions;
DROP TRIGGER IF EXISTS equipements_stats_insert ON equipements;
DROP TRIGGER IF EXISTS equipements_stats_update ON equipements;
DROP TRIGGER IF EXISTS equipements_stats_delete ON equipements;
DROP TRIGGER IF EXISTS interventions_stats_truncate ON interventions;
DROP TRIGGER IF EXISTS equipements_stats_truncate ON equipements;
DROP FUNCTION IF EXISTS stats_truncated();
DROP FUNCTION IF EXISTS stats_compact();
DROP FUNCTION IF EXISTS equipement_stats_capture();
DROP TABLE IF EXISTS equipement_stats;
DROP FUNCTION IF EXISTS intervention_stats_capture();
DROP FUNCTION IF EXISTS intervention_stats_rows(integer, intervention_statut, intervention_priorite, timestamptz, timestamptz, timestamptz, timestamptz, bigint);
DROP TABLE IF EXISTS intervention_stats;
