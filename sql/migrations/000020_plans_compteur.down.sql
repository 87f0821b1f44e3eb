DROP INDEX IF EXISTS interventions_planning_occurrence_key;
ALTER TABLE interventions ADD CONSTRAINT interventions_planning_occurrence_key UNIQUE (planning_id, occurrence);
DROP INDEX IF EXISTS interventions_planning_declenchement_key;
ALTER TABLE interventions DROP COLUMN IF EXISTS compteur_declenchement;
DROP TABLE IF EXISTS plannings_compteurs;
-- PostgreSQL cannot drop an enum value: plans on base compteur become fixed ones.
UPDATE plannings SET base = 'fixed' WHERE base::text = 'compteur';
