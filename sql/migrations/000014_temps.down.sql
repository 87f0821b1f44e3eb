DROP TABLE IF EXISTS interventions_temps;
ALTER TABLE techniciens DROP COLUMN IF EXISTS taux_horaire;
