-- Sessions end when they should: every access token carries the account's session_version (claim
-- "sv") and is refused once the account's version has moved on. The version is bumped by a
-- logout (all the account's sessions), the reuse of a refresh token (internal/auth), and here by
-- any change of the password, the role or the active flag, whoever makes it. Its change is
-- announced on 'auth_accounts' like the others (migration 000012), so every instance's account
-- cache forgets the account and its open event streams check their session at once.
ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0;

CREATE FUNCTION users_session_bump() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.session_version := OLD.session_version + 1;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_session_ends
    BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash OR OLD.role IS DISTINCT FROM NEW.role
          OR OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION users_session_bump();

DROP TRIGGER auth_users_changed ON users;
CREATE TRIGGER auth_users_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.role IS DISTINCT FROM NEW.role
          OR OLD.email IS DISTINCT FROM NEW.email OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
          OR OLD.session_version IS DISTINCT FROM NEW.session_version)
    EXECUTE FUNCTION auth_users_announce();
