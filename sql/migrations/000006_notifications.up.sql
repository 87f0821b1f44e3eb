-- Notifications (rows first: the outbox of e-mails is written in the same transaction), the
-- users' e-mail preferences, and the calendar subscription tokens.

CREATE TYPE notification_type AS ENUM ('affectation', 'cloture', 'rappel', 'retard', 'information');
CREATE TYPE notification_canal AS ENUM ('email', 'log', 'sms', 'push');
CREATE TYPE email_statut AS ENUM ('pending', 'sent', 'failed');

CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint             NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type            notification_type  NOT NULL,
    canal           notification_canal NOT NULL DEFAULT 'log',
    titre           text               NOT NULL CHECK (length(titre) BETWEEN 1 AND 255),
    contenu         text               CHECK (length(contenu) <= 1000),
    intervention_id bigint REFERENCES interventions (id) ON DELETE CASCADE,
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz        NOT NULL DEFAULT now(),
    read_at         timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_intervention_idx ON notifications (intervention_id);
-- A reminder and an overdue notice are sent once per intervention and recipient.
CREATE UNIQUE INDEX notifications_once_key ON notifications (intervention_id, user_id, type)
    WHERE type IN ('rappel', 'retard');

-- Which types also go out by e-mail; no row means yes.
CREATE TABLE notification_preferences (
    user_id bigint            NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type    notification_type NOT NULL,
    email   boolean           NOT NULL,
    PRIMARY KEY (user_id, type)
);

-- E-mails to deliver, written with their notification; a worker sends them with retries.
CREATE TABLE email_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint REFERENCES notifications (id) ON DELETE SET NULL,
    to_email        text         NOT NULL,
    to_name         text         NOT NULL DEFAULT '',
    subject         text         NOT NULL,
    body_text       text         NOT NULL,
    body_html       text         NOT NULL,
    statut          email_statut NOT NULL DEFAULT 'pending',
    attempts        integer      NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE statut = 'pending';
CREATE INDEX email_outbox_created_idx ON email_outbox (created_at DESC, id DESC);

-- Secret calendar links (only the SHA-256 of the token is kept).
CREATE TABLE calendar_tokens (
    user_id    bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
