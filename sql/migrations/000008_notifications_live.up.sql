-- Live notifications: every inserted notification is announced on the channel 'notifications'
-- with its id and recipient, whoever inserts it and in the same transaction (PostgreSQL delivers
-- the message on commit, never for a rolled-back insert). Each server instance LISTENs on the
-- channel and pushes the row to the recipient's open event streams (internal/live).
CREATE FUNCTION notifications_announce() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notifications', json_build_object('id', NEW.id, 'user_id', NEW.user_id)::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER notifications_announce
    AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_announce();
