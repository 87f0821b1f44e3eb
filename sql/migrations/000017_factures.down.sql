DROP TABLE IF EXISTS factures;
DROP TABLE IF EXISTS facture_compteurs;
DROP TYPE IF EXISTS statut_facture;
