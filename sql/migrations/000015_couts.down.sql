DROP TABLE IF EXISTS interventions_couts;
DROP TYPE IF EXISTS type_cout;
ALTER TABLE interventions DROP COLUMN IF EXISTS cout_autres, DROP COLUMN IF EXISTS cout_estime;
