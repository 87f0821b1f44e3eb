-- Full-text search on interventions: French stemming with accents folded, so "fuites" finds
-- "fuite" and "electrique" finds "électrique". unaccent is a trusted extension since
-- PostgreSQL 13, so the database owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- unaccent() is only STABLE (it reads its dictionary through the search_path); a generated
-- column and an index need an IMMUTABLE expression. Naming the dictionary and the function with
-- their schema makes the result independent of the caller's search_path, so IMMUTABLE is honest.
CREATE FUNCTION mif_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1);

-- Title weighs more than description (for ranking by relevance).
ALTER TABLE interventions ADD COLUMN recherche tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('french'::regconfig, mif_unaccent(titre)), 'A') ||
    setweight(to_tsvector('french'::regconfig, mif_unaccent(coalesce(description, ''))), 'B')
) STORED;

CREATE INDEX interventions_recherche_idx ON interventions USING gin (recherche);
