CREATE INDEX IF NOT EXISTS interventions_recherche_idx ON interventions USING gin (recherche);
DROP INDEX IF EXISTS interventions_recherche_filtres_idx;
DROP FUNCTION IF EXISTS mif_recherche_tsq(text, text[], text[]);
DROP FUNCTION IF EXISTS mif_filtres_tsv(intervention_statut, intervention_priorite);
