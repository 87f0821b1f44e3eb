-- Report templates and schedules (issue 15): a template is a saved report (type, format,
-- filters, title pattern, relative period); a schedule makes its template's report at each time
-- of a cron expression in a time zone and e-mails it to its recipients (attached, or a link).

CREATE TYPE rapport_periode AS ENUM ('today', 'yesterday', 'last_7_days', 'last_30_days', 'this_month',
    'last_month', 'this_quarter', 'this_year');

CREATE TABLE rapports_modeles (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom           text            NOT NULL CHECK (length(nom) BETWEEN 1 AND 255),
    description   text            CHECK (length(description) <= 2000),
    type_rapport  rapport_type    NOT NULL,
    format        rapport_format  NOT NULL,
    titre_modele  text            NOT NULL CHECK (length(titre_modele) BETWEEN 1 AND 255),
    periode       rapport_periode NOT NULL DEFAULT 'last_30_days',
    filtres       jsonb           NOT NULL DEFAULT '{}',
    separateur    text            NOT NULL DEFAULT ',' CHECK (separateur IN (',', ';')),
    created_by    bigint          REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz     NOT NULL DEFAULT now(),
    updated_at    timestamptz     NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX rapports_modeles_nom_key ON rapports_modeles (lower(nom));

-- A schedule. Its reports are made with the access of its owner (proprietaire_id). Each due
-- time makes one report: the (planification_id, echeance) key of rapports says so whatever the
-- replicas do.
CREATE TABLE rapports_planifies (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom                  text        NOT NULL CHECK (length(nom) BETWEEN 1 AND 255),
    modele_id            bigint      NOT NULL REFERENCES rapports_modeles (id) ON DELETE RESTRICT,
    cron                 text        NOT NULL CHECK (length(cron) BETWEEN 1 AND 100),
    fuseau               text        NOT NULL DEFAULT 'Africa/Casablanca',
    destinataires_users  bigint[]    NOT NULL DEFAULT '{}',
    destinataires_emails text[]      NOT NULL DEFAULT '{}',
    envoi                text        NOT NULL DEFAULT 'piece_jointe' CHECK (envoi IN ('piece_jointe', 'lien')),
    actif                boolean     NOT NULL DEFAULT true,
    prochaine_execution  timestamptz NOT NULL,
    derniere_execution   timestamptz,
    proprietaire_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(destinataires_users) + cardinality(destinataires_emails) BETWEEN 1 AND 50)
);
CREATE INDEX rapports_planifies_dus_idx ON rapports_planifies (prochaine_execution) WHERE actif;

ALTER TABLE rapports
    ADD COLUMN modele_id bigint REFERENCES rapports_modeles (id) ON DELETE SET NULL,
    ADD COLUMN planification_id bigint REFERENCES rapports_planifies (id) ON DELETE SET NULL,
    ADD COLUMN echeance timestamptz,
    ADD CONSTRAINT rapports_planification_echeance_key UNIQUE (planification_id, echeance);

-- An e-mail may carry a report's file as attachment (read when it is sent).
ALTER TABLE email_outbox ADD COLUMN rapport_id bigint REFERENCES rapports (id) ON DELETE SET NULL;
