-- Preventive maintenance plans and the interventions they generate.
--
-- Occurrence k of a plan is date_reference + k * intervalle periods, computed from the reference
-- date each time (a monthly plan anchored on 31 January falls on 28/29 February, then 31 March),
-- so clamped month ends never drift. prochaine_date is always one of these occurrences.

CREATE TYPE planning_frequence AS ENUM ('journalier', 'hebdomadaire', 'mensuel', 'trimestriel', 'semestriel', 'annuel');
CREATE TYPE planning_statut AS ENUM ('actif', 'suspendu', 'termine');
CREATE TYPE planning_base AS ENUM ('fixed', 'completion');

CREATE TABLE plannings (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    equipement_id          bigint             NOT NULL REFERENCES equipements (id) ON DELETE CASCADE,
    frequence              planning_frequence NOT NULL,
    intervalle             integer            NOT NULL DEFAULT 1 CHECK (intervalle BETWEEN 1 AND 100),
    base                   planning_base      NOT NULL DEFAULT 'fixed',
    statut                 planning_statut    NOT NULL DEFAULT 'actif',
    -- The anchor of the occurrences (see above).
    date_reference         date               NOT NULL,
    -- Next due date; NULL once terminated, and for a completion-based plan while its last
    -- generated intervention is open (the next date is computed from its closing).
    prochaine_date         date,
    -- Last occurrence generated.
    derniere_date          date,
    commentaire            text,
    -- What the generated interventions look like.
    modele_titre           text,
    modele_description     text,
    modele_priorite        intervention_priorite,
    modele_duree_minutes   integer CHECK (modele_duree_minutes BETWEEN 1 AND 100000),
    modele_technicien_id   bigint REFERENCES techniciens (id) ON DELETE SET NULL,
    modele_equipe          text,
    -- Occurrences skipped because an earlier generated intervention was still open.
    occurrences_manquees   integer            NOT NULL DEFAULT 0 CHECK (occurrences_manquees >= 0),
    created_at             timestamptz        NOT NULL DEFAULT now(),
    updated_at             timestamptz        NOT NULL DEFAULT now(),
    CHECK (statut <> 'termine' OR prochaine_date IS NULL)
);
CREATE INDEX plannings_due_idx ON plannings (statut, prochaine_date);
CREATE INDEX plannings_equipement_idx ON plannings (equipement_id, frequence);
CREATE INDEX plannings_technicien_idx ON plannings (modele_technicien_id) WHERE modele_technicien_id IS NOT NULL;

-- Competences the generated work needs.
CREATE TABLE planning_competences (
    planning_id   bigint NOT NULL REFERENCES plannings (id) ON DELETE CASCADE,
    competence_id bigint NOT NULL REFERENCES competences (id) ON DELETE CASCADE,
    PRIMARY KEY (planning_id, competence_id)
);
CREATE INDEX planning_competences_competence_idx ON planning_competences (competence_id);

-- A generated intervention knows its plan and the occurrence it was generated for. The unique
-- key makes generation idempotent: two schedulers (or a retry) can never create a second
-- intervention for the same occurrence. Deleting a plan keeps its interventions, unlinked.
ALTER TABLE interventions
    ADD COLUMN planning_id bigint REFERENCES plannings (id) ON DELETE SET NULL,
    ADD COLUMN occurrence  date,
    ADD CONSTRAINT interventions_planning_occurrence_key UNIQUE (planning_id, occurrence),
    ADD CONSTRAINT interventions_planning_occurrence_check CHECK (planning_id IS NULL OR occurrence IS NOT NULL);
