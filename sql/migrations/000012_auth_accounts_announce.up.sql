-- Account changes are announced on the channel 'auth_accounts' with the user's id, so every
-- server instance drops what it cached of that account (internal/auth AccountCache, fed by the
-- LISTEN connection of internal/live) and reads it again on the account's next request.
-- What authentication reads: the user's active flag, role, identity and password (users), and
-- the technician profile and client company linked to it (techniciens, clients: inserted or
-- deleted, their user_id is never updated). A login (last_login) is not announced.
CREATE FUNCTION auth_accounts_announce() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('auth_accounts', OLD.user_id::text);
    ELSE
        PERFORM pg_notify('auth_accounts', NEW.user_id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION auth_users_announce() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('auth_accounts', OLD.id::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER auth_users_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.role IS DISTINCT FROM NEW.role
          OR OLD.email IS DISTINCT FROM NEW.email OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION auth_users_announce();

CREATE TRIGGER auth_users_deleted
    AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION auth_users_announce();

CREATE TRIGGER auth_techniciens_changed
    AFTER INSERT OR DELETE ON techniciens
    FOR EACH ROW EXECUTE FUNCTION auth_accounts_announce();

CREATE TRIGGER auth_clients_changed
    AFTER INSERT OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION auth_accounts_announce();
