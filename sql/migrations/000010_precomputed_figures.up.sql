-- Pre-aggregated intervention figures for the global scope (admins and responsables): the
-- dashboard's counts per statut and priorite, its MTTR and SLA sums, and the total of
-- GET /interventions when it is filtered by statut and priorite only, read from a few rows
-- instead of counting every intervention (O(1) in the table size).
--
-- The table holds signed deltas: statement-level triggers append, per statement, one row per
-- (statut, priorite) group of the rows it inserted (+), deleted (-) or changed (- old, + new),
-- in the same transaction as the change, so the sums are exact in every snapshot and writers
-- never wait on each other (append only, no counter row to lock). stats_compact()
-- (a scheduler job) folds the rows back into one per group: a few thousand rows at most
-- (statuts x priorites x months), whatever the number of interventions.
CREATE TABLE intervention_stats (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    statut        intervention_statut   NOT NULL,
    priorite      intervention_priorite NOT NULL,
    -- Calendar months (UTC, first day) the dashboard's monthly figures need: of the creation,
    -- of the closing for finished interventions, of the deadline for open ones (NULL otherwise).
    mois_creation date    NOT NULL,
    mois_cloture  date,
    mois_limite   date,
    n             bigint  NOT NULL,
    -- Finished with a start of work: count and sum of (date_cloture - date_debut_travaux).
    mttr_n        bigint  NOT NULL,
    mttr_secondes numeric NOT NULL,
    -- Finished with a deadline, and those finished by it.
    sla_n         bigint  NOT NULL,
    sla_respectes bigint  NOT NULL
);

-- The contribution of one intervention row, with a sign.
CREATE FUNCTION intervention_stats_rows(p_sign integer, p_statut intervention_statut, p_priorite intervention_priorite,
    p_creation timestamptz, p_debut timestamptz, p_cloture timestamptz, p_limite timestamptz,
    OUT statut intervention_statut, OUT priorite intervention_priorite, OUT mois_creation date,
    OUT mois_cloture date, OUT mois_limite date, OUT n bigint, OUT mttr_n bigint,
    OUT mttr_secondes numeric, OUT sla_n bigint, OUT sla_respectes bigint) LANGUAGE sql IMMUTABLE AS $$
    SELECT p_statut, p_priorite,
        date_trunc('month', p_creation AT TIME ZONE 'UTC')::date,
        CASE WHEN p_statut IN ('cloturee', 'archivee') THEN date_trunc('month', p_cloture AT TIME ZONE 'UTC')::date END,
        CASE WHEN p_statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')
             THEN date_trunc('month', p_limite AT TIME ZONE 'UTC')::date END,
        p_sign::bigint,
        CASE WHEN p_debut IS NOT NULL AND p_cloture IS NOT NULL THEN p_sign ELSE 0 END,
        CASE WHEN p_debut IS NOT NULL AND p_cloture IS NOT NULL THEN p_sign * extract(epoch FROM p_cloture - p_debut) ELSE 0 END,
        CASE WHEN p_limite IS NOT NULL AND p_cloture IS NOT NULL THEN p_sign ELSE 0 END,
        CASE WHEN p_limite IS NOT NULL AND p_cloture <= p_limite THEN p_sign ELSE 0 END
$$;

CREATE FUNCTION intervention_stats_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO intervention_stats (statut, priorite, mois_creation, mois_cloture, mois_limite, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
        FROM new_rows r, intervention_stats_rows(1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite) s
        GROUP BY s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO intervention_stats (statut, priorite, mois_creation, mois_cloture, mois_limite, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
        FROM old_rows r, intervention_stats_rows(-1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite) s
        GROUP BY s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite;
    ELSE
        -- Old rows out, new rows in; groups that cancel out (an edit of the title) write nothing.
        INSERT INTO intervention_stats (statut, priorite, mois_creation, mois_cloture, mois_limite, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
        FROM (SELECT x.* FROM old_rows r, intervention_stats_rows(-1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite) x
              UNION ALL
              SELECT x.* FROM new_rows r, intervention_stats_rows(1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite) x) s
        GROUP BY s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite
        HAVING sum(s.n) <> 0 OR sum(s.mttr_n) <> 0 OR sum(s.mttr_secondes) <> 0 OR sum(s.sla_n) <> 0
            OR sum(s.sla_respectes) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER interventions_stats_insert AFTER INSERT ON interventions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_stats_capture();
CREATE TRIGGER interventions_stats_update AFTER UPDATE ON interventions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_stats_capture();
CREATE TRIGGER interventions_stats_delete AFTER DELETE ON interventions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION intervention_stats_capture();

-- The machines per statut, the same way: the global dashboard and the total of GET /equipements
-- (unfiltered or by statut) read them instead of counting every machine.
CREATE TABLE equipement_stats (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    statut equipement_statut NOT NULL,
    n      bigint NOT NULL
);

CREATE FUNCTION equipement_stats_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO equipement_stats (statut, n) SELECT statut, count(*) FROM new_rows GROUP BY statut;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO equipement_stats (statut, n) SELECT statut, -count(*) FROM old_rows GROUP BY statut;
    ELSE
        INSERT INTO equipement_stats (statut, n)
        SELECT statut, sum(n) FROM (SELECT statut, -1 AS n FROM old_rows UNION ALL SELECT statut, 1 FROM new_rows) x
        GROUP BY statut HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER equipements_stats_insert AFTER INSERT ON equipements
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION equipement_stats_capture();
CREATE TRIGGER equipements_stats_update AFTER UPDATE ON equipements
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION equipement_stats_capture();
CREATE TRIGGER equipements_stats_delete AFTER DELETE ON equipements
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION equipement_stats_capture();

-- Folds the deltas of both tables into one row per group. Safe with concurrent writers (their
-- uncommitted rows are not in the DELETE's snapshot and stay) and with a concurrent compaction
-- (a row deleted by the other one is skipped, so nothing is counted twice). Returns the number
-- of rows folded.
CREATE FUNCTION stats_compact() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    folded_eq bigint;
BEGIN
    WITH d AS (DELETE FROM intervention_stats RETURNING *),
    ins AS (
        INSERT INTO intervention_stats (statut, priorite, mois_creation, mois_cloture, mois_limite, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT statut, priorite, mois_creation, mois_cloture, mois_limite, sum(n), sum(mttr_n), sum(mttr_secondes), sum(sla_n), sum(sla_respectes)
        FROM d GROUP BY statut, priorite, mois_creation, mois_cloture, mois_limite
        HAVING sum(n) <> 0 OR sum(mttr_n) <> 0 OR sum(mttr_secondes) <> 0 OR sum(sla_n) <> 0 OR sum(sla_respectes) <> 0
    )
    SELECT count(*) INTO folded FROM d;
    WITH d AS (DELETE FROM equipement_stats RETURNING *),
    ins AS (INSERT INTO equipement_stats (statut, n) SELECT statut, sum(n) FROM d GROUP BY statut HAVING sum(n) <> 0)
    SELECT count(*) INTO folded_eq FROM d;
    RETURN folded + folded_eq;
END
$$;

-- The rows already present.
INSERT INTO intervention_stats (statut, priorite, mois_creation, mois_cloture, mois_limite, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
SELECT s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
FROM interventions r, intervention_stats_rows(1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite) s
GROUP BY s.statut, s.priorite, s.mois_creation, s.mois_cloture, s.mois_limite;
-- Index range counts of the global dashboard: interventions finished since a date (this month's
-- closings). The open interventions past their deadline use interventions_limite_idx.
CREATE INDEX IF NOT EXISTS interventions_cloture_idx ON interventions (date_cloture)
    WHERE statut IN ('cloturee', 'archivee');

INSERT INTO equipement_stats (statut, n) SELECT statut, count(*) FROM equipements GROUP BY statut;

-- GET /planning's default order (next date first): the page is read from the index.
CREATE INDEX IF NOT EXISTS plannings_prochaine_date_idx ON plannings (prochaine_date ASC NULLS LAST, id);
