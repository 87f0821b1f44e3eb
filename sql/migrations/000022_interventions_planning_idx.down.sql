DROP INDEX IF EXISTS interventions_planning_idx;
