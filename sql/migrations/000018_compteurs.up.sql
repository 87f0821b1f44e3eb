-- Meters on machines and their readings (issue 14).

CREATE TYPE type_compteur AS ENUM ('cumulatif', 'jauge');

-- A meter of a machine: cumulative (running hours, cycles: never decreases over time) or a
-- gauge (temperature, pressure: any value).
CREATE TABLE compteurs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    equipement_id bigint        NOT NULL REFERENCES equipements (id) ON DELETE CASCADE,
    nom           text          NOT NULL CHECK (length(nom) BETWEEN 1 AND 100),
    unite         text          NOT NULL CHECK (length(unite) BETWEEN 1 AND 20),
    type_compteur type_compteur NOT NULL,
    -- The latest reading by time, kept with each reading under this row's lock.
    derniere_valeur  double precision,
    derniere_lecture timestamptz,
    created_at    timestamptz   NOT NULL DEFAULT now(),
    updated_at    timestamptz   NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX compteurs_nom_key ON compteurs (equipement_id, lower(nom));

-- Readings (`releves`), never edited. Written under the meter's row lock, so that the order of a
-- cumulative meter's values is checked against its neighbours in time.
CREATE TABLE releves (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compteur_id bigint           NOT NULL REFERENCES compteurs (id) ON DELETE CASCADE,
    valeur      double precision NOT NULL CHECK (valeur BETWEEN -1e12 AND 1e12),
    lu_le       timestamptz      NOT NULL,
    source      text             NOT NULL DEFAULT 'manuel' CHECK (source IN ('manuel', 'import', 'capteur')),
    user_id     bigint           REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX releves_compteur_idx ON releves (compteur_id, lu_le DESC, id DESC);
