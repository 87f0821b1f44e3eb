-- Labour on interventions (issue 13): time entries at an hourly rate, timers.

-- Hourly rate of a technician, in cents (the default rate of its time entries).
ALTER TABLE techniciens ADD COLUMN taux_horaire bigint CHECK (taux_horaire >= 0);

-- Time spent by a technician on an intervention (`temps`). A running timer has debut and no
-- minutes yet; stopping it fills fin and minutes. montant = minutes × taux_horaire / 60, rounded
-- to the cent. An entry is never deleted: removing it sets annulee_at, and the sums leave it out.
CREATE TABLE interventions_temps (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id bigint      NOT NULL REFERENCES interventions (id) ON DELETE RESTRICT,
    technicien_id   bigint      NOT NULL REFERENCES techniciens (id) ON DELETE RESTRICT,
    debut           timestamptz,
    fin             timestamptz CHECK (fin > debut),
    minutes         integer     CHECK (minutes BETWEEN 1 AND 44640),
    taux_horaire    bigint      NOT NULL CHECK (taux_horaire >= 0),
    montant         bigint      CHECK (montant >= 0),
    commentaire     text,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    annulee_at      timestamptz,
    annulee_par     bigint REFERENCES users (id) ON DELETE RESTRICT,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Finished (minutes and montant known) or a running timer (debut only).
    CHECK ((minutes IS NULL) = (montant IS NULL)),
    CHECK (minutes IS NOT NULL OR (debut IS NOT NULL AND fin IS NULL))
);
CREATE INDEX interventions_temps_intervention_idx ON interventions_temps (intervention_id, id);
-- One running timer per technician.
CREATE UNIQUE INDEX interventions_temps_running_key ON interventions_temps (technicien_id)
    WHERE minutes IS NULL AND annulee_at IS NULL;
