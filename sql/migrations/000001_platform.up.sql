-- Platform tables: accounts, refresh tokens, login throttling and the audit log.

CREATE TYPE user_role AS ENUM ('admin', 'responsable', 'technicien', 'client');

CREATE TABLE users (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username            text        NOT NULL CHECK (length(username) BETWEEN 3 AND 100),
    full_name           text        NOT NULL CHECK (length(full_name) BETWEEN 1 AND 255),
    email               text        NOT NULL CHECK (length(email) BETWEEN 3 AND 255),
    password_hash       text        NOT NULL,
    role                user_role   NOT NULL,
    is_active           boolean     NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    last_login          timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_active_idx ON users (role, is_active);
CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);

-- Refresh tokens are opaque random strings; only their SHA-256 is stored. Every token of one
-- login belongs to one family: presenting a token that was already used revokes the family.
CREATE TABLE refresh_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid        NOT NULL,
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    client_ip   text        NOT NULL DEFAULT '',
    user_agent  text        NOT NULL DEFAULT ''
);
CREATE INDEX refresh_tokens_user_active_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

-- Failed-login counters, keyed by account ('user:<id>'), by unknown identifier
-- ('login:<identifier>') and by client IP ('ip:<address>'), shared by every replica.
CREATE TABLE login_throttle (
    key          text        PRIMARY KEY,
    failures     integer     NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz
);

CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    actor_role    text        NOT NULL DEFAULT '',
    action        text        NOT NULL,
    resource_type text        NOT NULL DEFAULT '',
    resource_id   text        NOT NULL DEFAULT '',
    client_ip     text        NOT NULL DEFAULT '',
    request_id    text        NOT NULL DEFAULT '',
    details       jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, occurred_at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at DESC);
