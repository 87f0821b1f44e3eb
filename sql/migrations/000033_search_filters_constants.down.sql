-- Back to migration 000011's body (the same values).
CREATE OR REPLACE FUNCTION mif_filtres_tsv(s intervention_statut, p intervention_priorite) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (CASE s WHEN 'ouverte' THEN 'st0ouverte' WHEN 'affectee' THEN 'st0affectee'
                   WHEN 'en_cours' THEN 'st0encours' WHEN 'en_attente' THEN 'st0enattente'
                   WHEN 'cloturee' THEN 'st0cloturee' WHEN 'annulee' THEN 'st0annulee'
                   WHEN 'archivee' THEN 'st0archivee' END
            || ' ' ||
            CASE p WHEN 'urgente' THEN 'pr0urgente' WHEN 'haute' THEN 'pr0haute' WHEN 'normale' THEN 'pr0normale'
                   WHEN 'basse' THEN 'pr0basse' WHEN 'programmee' THEN 'pr0programmee' END)::tsvector;
