ALTER TABLE email_outbox DROP COLUMN IF EXISTS rapport_id;
ALTER TABLE rapports DROP CONSTRAINT IF EXISTS rapports_planification_echeance_key,
    DROP COLUMN IF EXISTS echeance, DROP COLUMN IF EXISTS planification_id, DROP COLUMN IF EXISTS modele_id;
DROP TABLE IF EXISTS rapports_planifies;
DROP TABLE IF EXISTS rapports_modeles;
DROP TYPE IF EXISTS rapport_periode;
