-- Pre-aggregated figures for the global scope (admins and responsables), read from a few
-- hundred rows instead of every intervention or machine: constant time in the table sizes.
--
-- intervention_stats holds, per kind of figure:
--   g  per (statut, priorite): the count, and for MTTR and SLA respect the finished ones with a
--      start of work (count, seconds from start to closing) and with a deadline (count, met);
--   c  per UTC month of creation (jour = first day): the count (this month's total, evolution);
--   f  per UTC month of closing of finished ones: the count (finished this month);
--   e  per UTC day of the deadline of open ones: the count (overdue = the days before today plus
--      today's past deadlines, an index range of one day);
--   t  per technician: the interventions assigned to it and not finished (its workload).
-- The rows are signed deltas: statement-level triggers append, per statement, one row per group
-- of the rows it inserted (+), deleted (-) or changed (- old, + new), in the same transaction as
-- the change, so the sums are exact in every snapshot and writers never wait on each other
-- (append only, no counter row to lock). stats_compact() (a scheduler job every few seconds)
-- folds the groups that have several rows back into one.
CREATE TABLE intervention_stats (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          "char" NOT NULL CHECK (kind IN ('g', 'c', 'f', 'e', 't')),
    statut        intervention_statut,
    priorite      intervention_priorite,
    jour          date,
    technicien_id bigint,
    n             bigint  NOT NULL,
    mttr_n        bigint  NOT NULL DEFAULT 0,
    mttr_secondes numeric NOT NULL DEFAULT 0,
    sla_n         bigint  NOT NULL DEFAULT 0,
    sla_respectes bigint  NOT NULL DEFAULT 0
);
CREATE INDEX intervention_stats_kind_idx ON intervention_stats (kind, jour);
CREATE INDEX intervention_stats_technicien_idx ON intervention_stats (technicien_id) WHERE kind = 't';
-- Small and rewritten by every compaction: vacuum it often.
ALTER TABLE intervention_stats SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 500);

-- The contributions of one intervention row, with a sign.
CREATE FUNCTION intervention_stats_rows(p_sign integer, p_statut intervention_statut, p_priorite intervention_priorite,
    p_creation timestamptz, p_debut timestamptz, p_cloture timestamptz, p_limite timestamptz, p_technicien bigint,
    OUT kind "char", OUT statut intervention_statut, OUT priorite intervention_priorite, OUT jour date,
    OUT technicien_id bigint,
    OUT n bigint, OUT mttr_n bigint, OUT mttr_secondes numeric, OUT sla_n bigint, OUT sla_respectes bigint)
    RETURNS SETOF record LANGUAGE sql IMMUTABLE AS $$
    SELECT 'g'::"char", p_statut, p_priorite, NULL::date, NULL::bigint, p_sign::bigint,
        CASE WHEN p_debut IS NOT NULL AND p_cloture IS NOT NULL THEN p_sign ELSE 0 END::bigint,
        CASE WHEN p_debut IS NOT NULL AND p_cloture IS NOT NULL THEN p_sign * extract(epoch FROM p_cloture - p_debut) ELSE 0 END,
        CASE WHEN p_limite IS NOT NULL AND p_cloture IS NOT NULL THEN p_sign ELSE 0 END::bigint,
        CASE WHEN p_limite IS NOT NULL AND p_cloture <= p_limite THEN p_sign ELSE 0 END::bigint
    UNION ALL
    SELECT 'c', NULL, NULL, date_trunc('month', p_creation AT TIME ZONE 'UTC')::date, NULL, p_sign, 0, 0, 0, 0
    UNION ALL
    SELECT 'f', NULL, NULL, date_trunc('month', p_cloture AT TIME ZONE 'UTC')::date, NULL, p_sign, 0, 0, 0, 0
    WHERE p_statut IN ('cloturee', 'archivee') AND p_cloture IS NOT NULL
    UNION ALL
    SELECT 'e', NULL, NULL, (p_limite AT TIME ZONE 'UTC')::date, NULL, p_sign, 0, 0, 0, 0
    WHERE p_statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') AND p_limite IS NOT NULL
    UNION ALL
    SELECT 't', NULL, NULL, NULL, p_technicien, p_sign, 0, 0, 0, 0
    WHERE p_statut IN ('affectee', 'en_cours', 'en_attente') AND p_technicien IS NOT NULL
$$;

CREATE FUNCTION intervention_stats_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO intervention_stats (kind, statut, priorite, jour, technicien_id, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT s.kind, s.statut, s.priorite, s.jour, s.technicien_id, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
        FROM new_rows r, intervention_stats_rows(1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite, r.technicien_id) s
        GROUP BY s.kind, s.statut, s.priorite, s.jour, s.technicien_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO intervention_stats (kind, statut, priorite, jour, technicien_id, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT s.kind, s.statut, s.priorite, s.jour, s.technicien_id, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
        FROM old_rows r, intervention_stats_rows(-1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite, r.technicien_id) s
        GROUP BY s.kind, s.statut, s.priorite, s.jour, s.technicien_id;
    ELSE
        -- Old rows out, new rows in; groups that cancel out (an edit of the title) write nothing.
        INSERT INTO intervention_stats (kind, statut, priorite, jour, technicien_id, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT s.kind, s.statut, s.priorite, s.jour, s.technicien_id, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
        FROM (SELECT x.* FROM old_rows r, intervention_stats_rows(-1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite, r.technicien_id) x
              UNION ALL
              SELECT x.* FROM new_rows r, intervention_stats_rows(1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite, r.technicien_id) x) s
        GROUP BY s.kind, s.statut, s.priorite, s.jour, s.technicien_id
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

-- TRUNCATE fires no row trigger: it empties the figures as well.
CREATE FUNCTION stats_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'interventions' THEN
        DELETE FROM intervention_stats;
    ELSE
        DELETE FROM equipement_stats;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER interventions_stats_truncate AFTER TRUNCATE ON interventions
    FOR EACH STATEMENT EXECUTE FUNCTION stats_truncated();

-- The machines per statut, the same way: the global dashboard and the total of GET /equipements
-- (unfiltered or by statut) read them instead of counting every machine.
CREATE TABLE equipement_stats (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    statut equipement_statut NOT NULL,
    n      bigint NOT NULL
);
ALTER TABLE equipement_stats SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 500);

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
CREATE TRIGGER equipements_stats_truncate AFTER TRUNCATE ON equipements
    FOR EACH STATEMENT EXECUTE FUNCTION stats_truncated();

-- Folds the groups that have several rows into one (groups summing to zero disappear); the
-- others are not touched, so a compaction costs what was written since the last one. Safe with
-- concurrent writers (their uncommitted rows are not in the DELETE's snapshot and stay) and with
-- a concurrent compaction (a row deleted by the other one is skipped, so nothing is counted
-- twice). Returns the number of rows folded.
CREATE FUNCTION stats_compact() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    folded_eq bigint;
BEGIN
    WITH k AS (
        SELECT kind, statut, priorite, jour, technicien_id FROM intervention_stats
        GROUP BY kind, statut, priorite, jour, technicien_id HAVING count(*) > 1
    ), d AS (
        DELETE FROM intervention_stats s USING k
        WHERE s.kind = k.kind AND s.statut IS NOT DISTINCT FROM k.statut
          AND s.priorite IS NOT DISTINCT FROM k.priorite AND s.jour IS NOT DISTINCT FROM k.jour
          AND s.technicien_id IS NOT DISTINCT FROM k.technicien_id
        RETURNING s.*
    ), ins AS (
        INSERT INTO intervention_stats (kind, statut, priorite, jour, technicien_id, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
        SELECT kind, statut, priorite, jour, technicien_id, sum(n), sum(mttr_n), sum(mttr_secondes), sum(sla_n), sum(sla_respectes)
        FROM d GROUP BY kind, statut, priorite, jour, technicien_id
        HAVING sum(n) <> 0 OR sum(mttr_n) <> 0 OR sum(mttr_secondes) <> 0 OR sum(sla_n) <> 0 OR sum(sla_respectes) <> 0
    )
    SELECT count(*) INTO folded FROM d;
    WITH k AS (SELECT statut FROM equipement_stats GROUP BY statut HAVING count(*) > 1),
    d AS (DELETE FROM equipement_stats s USING k WHERE s.statut = k.statut RETURNING s.*),
    ins AS (INSERT INTO equipement_stats (statut, n) SELECT statut, sum(n) FROM d GROUP BY statut HAVING sum(n) <> 0)
    SELECT count(*) INTO folded_eq FROM d;
    RETURN folded + folded_eq;
END
$$;

-- The rows already present.
INSERT INTO intervention_stats (kind, statut, priorite, jour, technicien_id, n, mttr_n, mttr_secondes, sla_n, sla_respectes)
SELECT s.kind, s.statut, s.priorite, s.jour, s.technicien_id, sum(s.n), sum(s.mttr_n), sum(s.mttr_secondes), sum(s.sla_n), sum(s.sla_respectes)
FROM interventions r, intervention_stats_rows(1, r.statut, r.priorite, r.date_creation, r.date_debut_travaux, r.date_cloture, r.date_limite, r.technicien_id) s
GROUP BY s.kind, s.statut, s.priorite, s.jour, s.technicien_id;
-- Index range counts of the global dashboard: interventions finished since a date (this month's
-- closings). The open interventions past their deadline use interventions_limite_idx.
CREATE INDEX IF NOT EXISTS interventions_cloture_idx ON interventions (date_cloture)
    WHERE statut IN ('cloturee', 'archivee');

INSERT INTO equipement_stats (statut, n) SELECT statut, count(*) FROM equipements GROUP BY statut;

-- GET /planning's default order (next date first): the page is read from the index.
CREATE INDEX IF NOT EXISTS plannings_prochaine_date_idx ON plannings (prochaine_date ASC NULLS LAST, id);

-- Every sort of GET /interventions reads its page from an index, in both directions (the ties
-- follow the sort's direction): priorite (enum order), statut (also the statut filter with the
-- default order), lower(titre), and date_limite (nulls last both ways: two indexes). The
-- covering index of the former dashboard scan is no longer read (the figures replace it).
CREATE INDEX IF NOT EXISTS interventions_priorite_sort_idx ON interventions (priorite, date_creation, id);
CREATE INDEX IF NOT EXISTS interventions_statut_sort_idx ON interventions (statut, date_creation, id);
DROP INDEX IF EXISTS interventions_statut_idx;
CREATE INDEX IF NOT EXISTS interventions_titre_sort_idx ON interventions (lower(titre), date_creation, id);
CREATE INDEX IF NOT EXISTS interventions_limite_asc_idx ON interventions (date_limite ASC NULLS LAST, date_creation, id);
CREATE INDEX IF NOT EXISTS interventions_limite_desc_idx ON interventions (date_limite DESC NULLS LAST, date_creation DESC, id DESC);
DROP INDEX IF EXISTS interventions_dashboard_idx;
-- The same for GET /equipements: nom (the unique lower(nom) index), created_at (existing),
-- statut, criticite, localisation.
CREATE INDEX IF NOT EXISTS equipements_statut_sort_idx ON equipements (statut, id);
CREATE INDEX IF NOT EXISTS equipements_criticite_sort_idx ON equipements (criticite, id);
CREATE INDEX IF NOT EXISTS equipements_localisation_sort_idx ON equipements (lower(localisation), id);
