-- The cost of work (issue 13): the estimate, other cost lines, and what they add up to.

-- cout_estime: set when the work is planned or requested; cout_autres: the sum of the
-- intervention's other cost lines (kept with them, under the intervention's lock).
ALTER TABLE interventions
    ADD COLUMN cout_estime bigint CHECK (cout_estime >= 0),
    ADD COLUMN cout_autres bigint CHECK (cout_autres >= 0);

CREATE TYPE type_cout AS ENUM ('sous_traitance', 'deplacement', 'autre');

-- Costs other than parts and labour (`couts`). Never deleted: cancelling stamps annulee_at.
CREATE TABLE interventions_couts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id bigint      NOT NULL REFERENCES interventions (id) ON DELETE RESTRICT,
    type_cout       type_cout   NOT NULL,
    libelle         text        NOT NULL CHECK (length(libelle) BETWEEN 1 AND 255),
    montant         bigint      NOT NULL CHECK (montant > 0),
    fournisseur     text        CHECK (length(fournisseur) <= 255),
    date_cout       date        NOT NULL,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    annulee_at      timestamptz,
    annulee_par     bigint REFERENCES users (id) ON DELETE RESTRICT,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interventions_couts_intervention_idx ON interventions_couts (intervention_id, id);
