-- Generated reports (issue 15): asked for through the API, made by a background worker, stored
-- encrypted in the document bucket, deleted after RAPPORT_RETENTION_DAYS.

CREATE TYPE rapport_type AS ENUM ('interventions', 'equipements', 'techniciens', 'clients', 'dashboard',
    'planning', 'stock', 'financial');
CREATE TYPE rapport_format AS ENUM ('pdf', 'excel', 'csv', 'json');
CREATE TYPE rapport_statut AS ENUM ('pending', 'generating', 'completed', 'failed', 'expired');

-- A report and its file. The worker claims a pending report (or one whose generation was
-- interrupted: generating for too long) by moving it to generating and counting the attempt;
-- only the attempt that claimed it may complete it. The file's blob is written before the row
-- says completed; an expired report's blob is deleted after the row says expired, and
-- storage_key is cleared once it is gone.
CREATE TABLE rapports (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    titre            text           NOT NULL CHECK (length(titre) BETWEEN 1 AND 255),
    type_rapport     rapport_type   NOT NULL,
    format           rapport_format NOT NULL,
    statut           rapport_statut NOT NULL DEFAULT 'pending',
    date_debut       date           NOT NULL,
    date_fin         date           NOT NULL CHECK (date_fin >= date_debut),
    filtres          jsonb          NOT NULL DEFAULT '{}',
    separateur       text           NOT NULL DEFAULT ',' CHECK (separateur IN (',', ';')),
    demandeur_id     bigint         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tentatives       integer        NOT NULL DEFAULT 0,
    erreur           text,
    storage_key      text,
    key_id           text,
    nom_fichier      text,
    mime_type        text,
    taille           bigint,
    created_at       timestamptz    NOT NULL DEFAULT now(),
    debut_generation timestamptz,
    fin_generation   timestamptz,
    expire_le        timestamptz,
    CHECK (statut <> 'completed' OR (storage_key IS NOT NULL AND taille IS NOT NULL AND expire_le IS NOT NULL)),
    CHECK (statut <> 'failed' OR erreur IS NOT NULL)
);
CREATE INDEX rapports_created_idx ON rapports (created_at DESC, id DESC);
CREATE INDEX rapports_demandeur_idx ON rapports (demandeur_id, created_at DESC, id DESC);
CREATE INDEX rapports_a_faire_idx ON rapports (id) WHERE statut IN ('pending', 'generating');
CREATE INDEX rapports_expire_idx ON rapports (expire_le) WHERE statut = 'completed';
CREATE INDEX rapports_blob_idx ON rapports (id) WHERE statut = 'expired' AND storage_key IS NOT NULL;
