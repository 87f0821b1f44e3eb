ALTER TABLE interventions
    DROP CONSTRAINT IF EXISTS interventions_planning_occurrence_check,
    DROP CONSTRAINT IF EXISTS interventions_planning_occurrence_key,
    DROP COLUMN IF EXISTS occurrence,
    DROP COLUMN IF EXISTS planning_id;
DROP TABLE IF EXISTS planning_competences;
DROP TABLE IF EXISTS plannings;
DROP TYPE IF EXISTS planning_base;
DROP TYPE IF EXISTS planning_statut;
DROP TYPE IF EXISTS planning_frequence;
