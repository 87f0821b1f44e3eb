-- Maintenance domain: clients and contracts, equipment, technicians and competences,
-- interventions with their history, and idempotency keys for retried creations.

CREATE TYPE client_type AS ENUM ('entreprise', 'collectivite', 'association', 'particulier');
CREATE TYPE niveau_service AS ENUM ('premium', 'standard', 'basique');
CREATE TYPE contrat_type AS ENUM ('maintenance_preventive', 'maintenance_corrective',
    'maintenance_complete', 'support_technique', 'contrat_cadre');
CREATE TYPE contrat_statut AS ENUM ('brouillon', 'en_cours', 'expire', 'resilie', 'suspendu');
CREATE TYPE equipement_statut AS ENUM ('operationnel', 'maintenance', 'panne', 'retire');
CREATE TYPE equipement_criticite AS ENUM ('critique', 'important', 'standard', 'non_critique');
CREATE TYPE technicien_disponibilite AS ENUM ('disponible', 'occupe', 'conge', 'formation', 'indisponible');
CREATE TYPE niveau_competence AS ENUM ('debutant', 'intermediaire', 'avance', 'expert');
CREATE TYPE intervention_type AS ENUM ('corrective', 'preventive', 'ameliorative', 'diagnostic');
CREATE TYPE intervention_statut AS ENUM ('ouverte', 'affectee', 'en_cours', 'en_attente',
    'cloturee', 'annulee', 'archivee');
CREATE TYPE intervention_priorite AS ENUM ('urgente', 'haute', 'normale', 'basse', 'programmee');

-- A client company, 1:1 with a user account of role client.
CREATE TABLE clients (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint      NOT NULL UNIQUE REFERENCES users (id) ON DELETE RESTRICT,
    nom_entreprise   text        NOT NULL CHECK (length(nom_entreprise) BETWEEN 1 AND 255),
    type_client      client_type NOT NULL DEFAULT 'entreprise',
    secteur_activite text,
    nom_contact      text        NOT NULL CHECK (length(nom_contact) BETWEEN 1 AND 255),
    email            text        NOT NULL,
    telephone        text,
    adresse          text,
    code_postal      text,
    ville            text,
    pays             text        NOT NULL DEFAULT 'Maroc',
    niveau_service   niveau_service NOT NULL DEFAULT 'standard',
    notes            text,
    is_active        boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX clients_nom_key ON clients (lower(nom_entreprise));
CREATE INDEX clients_created_idx ON clients (created_at DESC, id DESC);

-- A maintenance contract of a client. Money in cents; response times in hours per priority
-- (NULL: the default SLA of the priority applies).
CREATE TABLE contrats (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id                 bigint         NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    numero_contrat            text           NOT NULL CHECK (length(numero_contrat) BETWEEN 1 AND 50),
    nom_contrat               text           NOT NULL CHECK (length(nom_contrat) BETWEEN 1 AND 255),
    description               text,
    type_contrat              contrat_type   NOT NULL,
    statut                    contrat_statut NOT NULL DEFAULT 'brouillon',
    date_signature            date,
    date_debut                date           NOT NULL,
    date_fin                  date           NOT NULL,
    montant_annuel            bigint         CHECK (montant_annuel >= 0),
    devise                    text           NOT NULL DEFAULT 'MAD' CHECK (devise ~ '^[A-Z]{3}$'),
    nb_interventions_incluses integer        CHECK (nb_interventions_incluses >= 0),
    delai_urgente_heures      integer        CHECK (delai_urgente_heures BETWEEN 1 AND 168),
    delai_haute_heures        integer        CHECK (delai_haute_heures BETWEEN 1 AND 720),
    delai_normale_heures      integer        CHECK (delai_normale_heures BETWEEN 1 AND 720),
    delai_basse_heures        integer        CHECK (delai_basse_heures BETWEEN 1 AND 2160),
    created_at                timestamptz    NOT NULL DEFAULT now(),
    updated_at                timestamptz    NOT NULL DEFAULT now(),
    CHECK (date_fin > date_debut)
);
CREATE UNIQUE INDEX contrats_numero_key ON contrats (lower(numero_contrat));
CREATE INDEX contrats_client_idx ON contrats (client_id, statut);

CREATE TABLE equipements (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom                    text                 NOT NULL CHECK (length(nom) BETWEEN 1 AND 255),
    type_equipement        text                 NOT NULL CHECK (length(type_equipement) BETWEEN 1 AND 100),
    localisation           text                 NOT NULL CHECK (length(localisation) BETWEEN 1 AND 255),
    numero_serie           text,
    code_interne           text,
    marque                 text,
    modele                 text,
    batiment               text,
    etage                  text,
    zone                   text,
    statut                 equipement_statut    NOT NULL DEFAULT 'operationnel',
    criticite              equipement_criticite NOT NULL DEFAULT 'standard',
    description            text,
    frequence_entretien    integer              CHECK (frequence_entretien BETWEEN 1 AND 3650),
    date_acquisition       date,
    date_mise_en_service   date,
    date_fin_garantie      date,
    cout_acquisition       bigint               CHECK (cout_acquisition >= 0),
    client_id              bigint REFERENCES clients (id) ON DELETE RESTRICT,
    contrat_id             bigint REFERENCES contrats (id) ON DELETE RESTRICT,
    parent_id              bigint REFERENCES equipements (id) ON DELETE RESTRICT CHECK (parent_id <> id),
    version                integer              NOT NULL DEFAULT 1,
    created_at             timestamptz          NOT NULL DEFAULT now(),
    updated_at             timestamptz          NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX equipements_nom_key ON equipements (lower(nom));
CREATE UNIQUE INDEX equipements_numero_serie_key ON equipements (lower(numero_serie)) WHERE numero_serie IS NOT NULL;
CREATE UNIQUE INDEX equipements_code_interne_key ON equipements (lower(code_interne)) WHERE code_interne IS NOT NULL;
CREATE INDEX equipements_client_idx ON equipements (client_id, statut);
CREATE INDEX equipements_contrat_idx ON equipements (contrat_id);
CREATE INDEX equipements_parent_idx ON equipements (parent_id);
CREATE INDEX equipements_created_idx ON equipements (created_at DESC, id DESC);

-- A technician profile, 1:1 with a user account of role technicien.
CREATE TABLE techniciens (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id           bigint                   NOT NULL UNIQUE REFERENCES users (id) ON DELETE RESTRICT,
    equipe            text,
    numero_badge      text,
    niveau            niveau_competence        NOT NULL DEFAULT 'intermediaire',
    zone_intervention text,
    disponibilite     technicien_disponibilite NOT NULL DEFAULT 'disponible',
    astreinte         boolean                  NOT NULL DEFAULT false,
    horaires_travail  text                     NOT NULL DEFAULT '08:00-17:00',
    telephone_urgence text,
    date_embauche     date,
    created_at        timestamptz              NOT NULL DEFAULT now(),
    updated_at        timestamptz              NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX techniciens_badge_key ON techniciens (lower(numero_badge)) WHERE numero_badge IS NOT NULL;
CREATE INDEX techniciens_equipe_idx ON techniciens (equipe, disponibilite);

CREATE TABLE competences (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom         text        NOT NULL CHECK (length(nom) BETWEEN 1 AND 255),
    domaine     text        NOT NULL DEFAULT 'general',
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX competences_nom_key ON competences (lower(nom));

CREATE TABLE technicien_competences (
    technicien_id    bigint            NOT NULL REFERENCES techniciens (id) ON DELETE CASCADE,
    competence_id    bigint            NOT NULL REFERENCES competences (id) ON DELETE RESTRICT,
    niveau           niveau_competence NOT NULL DEFAULT 'intermediaire',
    date_acquisition timestamptz       NOT NULL DEFAULT now(),
    PRIMARY KEY (technicien_id, competence_id)
);
CREATE INDEX technicien_competences_competence_idx ON technicien_competences (competence_id);

-- Work orders. Money in cents, durations in minutes.
CREATE TABLE interventions (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    titre               text                  NOT NULL CHECK (length(titre) BETWEEN 1 AND 255),
    description         text,
    type_intervention   intervention_type     NOT NULL,
    statut              intervention_statut   NOT NULL DEFAULT 'ouverte',
    priorite            intervention_priorite NOT NULL DEFAULT 'normale',
    urgence             boolean               NOT NULL DEFAULT false,
    equipement_id       bigint                NOT NULL REFERENCES equipements (id) ON DELETE RESTRICT,
    technicien_id       bigint REFERENCES techniciens (id) ON DELETE SET NULL,
    client_id           bigint REFERENCES clients (id) ON DELETE RESTRICT,
    contrat_id          bigint REFERENCES contrats (id) ON DELETE RESTRICT,
    created_by          bigint REFERENCES users (id) ON DELETE SET NULL,
    date_creation       timestamptz           NOT NULL DEFAULT now(),
    date_limite         timestamptz,
    date_affectation    timestamptz,
    date_debut_travaux  timestamptz,
    date_fin_travaux    timestamptz,
    date_cloture        timestamptz,
    date_archivage      timestamptz,
    cout_main_oeuvre    bigint   CHECK (cout_main_oeuvre >= 0),
    cout_pieces         bigint   CHECK (cout_pieces >= 0),
    duree_minutes       integer  CHECK (duree_minutes >= 0),
    rapport             text,
    satisfaction_client smallint CHECK (satisfaction_client BETWEEN 1 AND 5),
    motif_annulation    text,
    version             integer               NOT NULL DEFAULT 1,
    updated_at          timestamptz           NOT NULL DEFAULT now()
);
CREATE INDEX interventions_statut_idx ON interventions (statut, date_creation DESC);
CREATE INDEX interventions_equipement_idx ON interventions (equipement_id, date_creation DESC);
CREATE INDEX interventions_technicien_idx ON interventions (technicien_id, statut);
CREATE INDEX interventions_client_idx ON interventions (client_id, date_creation DESC);
CREATE INDEX interventions_contrat_idx ON interventions (contrat_id);
CREATE INDEX interventions_limite_idx ON interventions (date_limite) WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente');

-- One row per change of an intervention, written in the same transaction as the change.
CREATE TABLE intervention_historique (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id bigint              NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    action          text                NOT NULL,
    statut_avant    intervention_statut,
    statut_apres    intervention_statut NOT NULL,
    remarque        text,
    user_id         bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz         NOT NULL DEFAULT now()
);
CREATE INDEX intervention_historique_intervention_idx ON intervention_historique (intervention_id, created_at, id);

-- Answers of creations sent with an Idempotency-Key, replayed when the same request is retried.
CREATE TABLE idempotency_keys (
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    operation    text        NOT NULL,
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea       NOT NULL,
    status       integer,                -- NULL while the first request is still running
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, operation, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
