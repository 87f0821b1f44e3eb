-- Checklists (issue 14): templates of ordered items, copied onto interventions (editing a
-- template later does not change running work), filled by the assigned technicien.

CREATE TYPE type_item_checklist AS ENUM ('case', 'oui_non', 'mesure', 'texte', 'photo');

CREATE TABLE checklists (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom         text        NOT NULL CHECK (length(nom) BETWEEN 1 AND 255),
    description text        CHECK (length(description) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX checklists_nom_key ON checklists (lower(nom));

CREATE TABLE checklist_items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checklist_id bigint              NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    ordre        integer             NOT NULL CHECK (ordre >= 1),
    libelle      text                NOT NULL CHECK (length(libelle) BETWEEN 1 AND 255),
    type_item    type_item_checklist NOT NULL,
    unite        text                CHECK (length(unite) <= 20),
    mini         double precision,
    maxi         double precision,
    obligatoire  boolean             NOT NULL DEFAULT true,
    -- A `non` answer or a measure out of bounds opens a follow-up corrective intervention.
    suivi_si_ecart boolean           NOT NULL DEFAULT false,
    UNIQUE (checklist_id, ordre),
    CHECK (mini IS NULL OR maxi IS NULL OR mini <= maxi)
);

-- A plan's modele may name a template: the interventions it generates get a copy.
ALTER TABLE plannings ADD COLUMN modele_checklist_id bigint REFERENCES checklists (id) ON DELETE RESTRICT;

-- The copy on an intervention, with its answers.
ALTER TABLE interventions
    ADD COLUMN checklist_id bigint REFERENCES checklists (id) ON DELETE SET NULL,
    -- A follow-up intervention opened by an answer of another's checklist.
    ADD COLUMN origine_intervention_id bigint REFERENCES interventions (id) ON DELETE SET NULL;
CREATE INDEX interventions_origine_idx ON interventions (origine_intervention_id) WHERE origine_intervention_id IS NOT NULL;

CREATE TABLE interventions_checklist (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id bigint              NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    ordre           integer             NOT NULL,
    libelle         text                NOT NULL,
    type_item       type_item_checklist NOT NULL,
    unite           text,
    mini            double precision,
    maxi            double precision,
    obligatoire     boolean             NOT NULL,
    suivi_si_ecart  boolean             NOT NULL,
    -- The answer (one of them, by type_item), who and when.
    coche           boolean,
    reponse         text CHECK (reponse IN ('oui', 'non')),
    mesure          double precision,
    texte           text CHECK (length(texte) <= 2000),
    document_id     bigint REFERENCES documents (id) ON DELETE SET NULL,
    commentaire     text CHECK (length(commentaire) <= 2000),
    ecart           boolean             NOT NULL DEFAULT false,
    rempli_par      bigint REFERENCES users (id) ON DELETE SET NULL,
    rempli_le       timestamptz,
    suivi_intervention_id bigint REFERENCES interventions (id) ON DELETE SET NULL,
    UNIQUE (intervention_id, ordre)
);
