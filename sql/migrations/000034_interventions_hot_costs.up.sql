-- The costs of an intervention (cout_pieces, cout_main_oeuvre, cout_autres) change each time a
-- part is consumed, labour is recorded or a cost is added. Kept in the INCLUDE of
-- interventions_kpi_cout_idx, they made every such update write a new entry in each of the
-- table's 25 indexes (2 of them GIN), with a full-page image in the WAL for most of them: an
-- update of the parts cost of an older intervention cost PostgreSQL 1-2.5 ms and 16-40 kB of WAL.
-- Without them no index holds a column those updates change, and with room left in the table's
-- pages (fillfactor 90, for the pages written from now on) PostgreSQL updates the row in place
-- (a heap-only tuple): no index entry at all. The cost figures (GET /kpis, the cost report) still
-- find their window through this index, and read the three amounts from the rows.
DROP INDEX IF EXISTS interventions_kpi_cout_idx;
CREATE INDEX interventions_kpi_cout_idx ON interventions ((coalesce(date_cloture, date_creation)))
    INCLUDE (date_cloture, date_creation, type_intervention, technicien_id, client_id, equipement_id, contrat_id);
ALTER TABLE interventions SET (fillfactor = 90);
