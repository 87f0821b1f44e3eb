DROP TRIGGER IF EXISTS intervention_noms_users ON users;
DROP TRIGGER IF EXISTS intervention_noms_equipements ON equipements;
DROP FUNCTION IF EXISTS intervention_noms_announce();
