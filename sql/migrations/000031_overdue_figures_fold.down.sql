-- stats_compact() as migration 000010 made it.
CREATE OR REPLACE FUNCTION stats_compact() RETURNS bigint LANGUAGE plpgsql AS $$
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
