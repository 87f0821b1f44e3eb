DROP TRIGGER IF EXISTS notifications_announce ON notifications;
DROP FUNCTION IF EXISTS notifications_announce();
