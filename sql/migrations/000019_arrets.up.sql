-- Machine downtime (`arrets`) and the machine status history (issue 14).

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE TYPE motif_arret AS ENUM ('panne', 'preventif', 'externe', 'autre');

-- A period when a machine was stopped. fin is NULL while it still is. Records of one machine
-- never overlap (the service checks under the machine's lock and names the other record; the
-- exclusion constraint is the last word). Managers may correct them (audited).
CREATE TABLE arrets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    equipement_id   bigint      NOT NULL REFERENCES equipements (id) ON DELETE CASCADE,
    debut           timestamptz NOT NULL,
    fin             timestamptz CHECK (fin > debut),
    motif           motif_arret NOT NULL,
    intervention_id bigint      REFERENCES interventions (id) ON DELETE SET NULL,
    commentaire     text        CHECK (length(commentaire) <= 2000),
    source          text        NOT NULL DEFAULT 'manuel' CHECK (source IN ('manuel', 'automatique')),
    created_by      bigint      REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT arrets_no_overlap EXCLUDE USING gist (
        equipement_id WITH =, tstzrange(debut, coalesce(fin, 'infinity'), '[)') WITH &&)
);
CREATE INDEX arrets_equipement_idx ON arrets (equipement_id, debut DESC, id DESC);
CREATE INDEX arrets_intervention_idx ON arrets (intervention_id) WHERE intervention_id IS NOT NULL;
CREATE INDEX arrets_debut_idx ON arrets (debut);

-- Every change of a machine's statut, never edited (a machine deleted takes its history along).
CREATE TABLE equipements_statuts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    equipement_id   bigint            NOT NULL REFERENCES equipements (id) ON DELETE CASCADE,
    statut_avant    equipement_statut,
    statut_apres    equipement_statut NOT NULL,
    change_le       timestamptz       NOT NULL DEFAULT now(),
    user_id         bigint            REFERENCES users (id) ON DELETE RESTRICT,
    intervention_id bigint            REFERENCES interventions (id) ON DELETE RESTRICT,
    source          text              NOT NULL CHECK (source IN ('creation', 'manuel', 'intervention')),
    CHECK (statut_avant IS DISTINCT FROM statut_apres)
);
CREATE INDEX equipements_statuts_equipement_idx ON equipements_statuts (equipement_id, change_le DESC, id DESC);

CREATE FUNCTION equipements_statuts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The cascade of a deleted machine runs after the machine row is gone: let it through.
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM equipements WHERE id = OLD.equipement_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'equipements_statuts is append-only: the history of a machine is never edited'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER equipements_statuts_append_only BEFORE UPDATE OR DELETE ON equipements_statuts
    FOR EACH ROW EXECUTE FUNCTION equipements_statuts_append_only();

-- The machines already there start their history with their current statut.
INSERT INTO equipements_statuts (equipement_id, statut_avant, statut_apres, change_le, source)
SELECT id, NULL, statut, created_at, 'creation' FROM equipements;
