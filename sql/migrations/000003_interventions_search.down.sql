DROP INDEX IF EXISTS interventions_recherche_idx;
ALTER TABLE interventions DROP COLUMN IF EXISTS recherche;
DROP FUNCTION IF EXISTS mif_unaccent(text);
DROP EXTENSION IF EXISTS unaccent;
