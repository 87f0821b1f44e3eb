DROP TABLE IF EXISTS intervention_echeance_notices;
