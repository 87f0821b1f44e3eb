-- Changes of the names shown beside interventions are announced on the channel
-- 'intervention_noms' (empty payload, so one announcement per transaction whatever it renamed):
-- every server instance then forgets the names it cached (internal/namecache, fed by the LISTEN
-- connection of internal/live) and reads them again on the next page. The names are a machine's
-- nom and a technician's full name, which is its account's (techniciens.user_id is never
-- updated). Ids are never reused, so an inserted or deleted row needs no announcement.
CREATE FUNCTION intervention_noms_announce() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('intervention_noms', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER intervention_noms_equipements
    AFTER UPDATE OF nom ON equipements
    FOR EACH ROW
    WHEN (OLD.nom IS DISTINCT FROM NEW.nom)
    EXECUTE FUNCTION intervention_noms_announce();

CREATE TRIGGER intervention_noms_users
    AFTER UPDATE OF full_name ON users
    FOR EACH ROW
    WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name)
    EXECUTE FUNCTION intervention_noms_announce();
