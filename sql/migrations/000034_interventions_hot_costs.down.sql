ALTER TABLE interventions RESET (fillfactor);
DROP INDEX IF EXISTS interventions_kpi_cout_idx;
CREATE INDEX interventions_kpi_cout_idx ON interventions ((coalesce(date_cloture, date_creation)))
    INCLUDE (date_cloture, date_creation, cout_pieces, cout_main_oeuvre, cout_autres, type_intervention,
             technicien_id, client_id, equipement_id, contrat_id);
