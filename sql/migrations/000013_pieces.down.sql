DROP TABLE IF EXISTS interventions_pieces;
DROP TYPE IF EXISTS statut_piece_intervention;
DROP TABLE IF EXISTS pieces_equipements;
DROP TRIGGER IF EXISTS mouvements_stock_append_only ON mouvements_stock;
DROP TABLE IF EXISTS mouvements_stock;
DROP FUNCTION IF EXISTS mouvements_stock_append_only();
DROP TABLE IF EXISTS pieces;
DROP TYPE IF EXISTS type_mouvement;
