ALTER TABLE interventions DROP COLUMN IF EXISTS hors_contrat;
