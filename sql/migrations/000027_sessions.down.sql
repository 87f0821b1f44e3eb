DROP TRIGGER auth_users_changed ON users;
CREATE TRIGGER auth_users_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.role IS DISTINCT FROM NEW.role
          OR OLD.email IS DISTINCT FROM NEW.email OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION auth_users_announce();

DROP TRIGGER users_session_ends ON users;
DROP FUNCTION users_session_bump();
ALTER TABLE users DROP COLUMN session_version;
