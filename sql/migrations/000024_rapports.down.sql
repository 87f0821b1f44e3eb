DROP TABLE IF EXISTS rapports;
DROP TYPE IF EXISTS rapport_statut;
DROP TYPE IF EXISTS rapport_format;
DROP TYPE IF EXISTS rapport_type;
