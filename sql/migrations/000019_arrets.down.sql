DROP TABLE IF EXISTS equipements_statuts;
DROP FUNCTION IF EXISTS equipements_statuts_append_only();
DROP TABLE IF EXISTS arrets;
DROP TYPE IF EXISTS motif_arret;
DROP EXTENSION IF EXISTS btree_gist;
