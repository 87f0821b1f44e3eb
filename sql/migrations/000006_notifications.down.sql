DROP TABLE IF EXISTS calendar_tokens;
DROP TABLE IF EXISTS email_outbox;
DROP TABLE IF EXISTS notification_preferences;
DROP TABLE IF EXISTS notifications;
DROP TYPE IF EXISTS email_statut;
DROP TYPE IF EXISTS notification_canal;
DROP TYPE IF EXISTS notification_type;
