-- Indexes for GET /kpis (issue 15). Its figures read the interventions created, closed, costed
-- or due in a window, and the open ones: each range has a covering index (the columns the
-- figures and the scope read are included) so that a month of a million-row table is read
-- from the index alone, not from the table's pages scattered on disk.

-- Created in the window: counts by type, first response; the series.
CREATE INDEX IF NOT EXISTS interventions_kpi_creation_idx ON interventions (date_creation)
    INCLUDE (type_intervention, date_debut_travaux, technicien_id, client_id, equipement_id);

-- Closed in the window: SLA, ratings; the series. It replaces interventions_cloture_idx (same
-- key and predicate) for the dashboard too.
CREATE INDEX IF NOT EXISTS interventions_kpi_cloture_idx ON interventions (date_cloture)
    INCLUDE (type_intervention, date_limite, satisfaction_client, technicien_id, client_id, equipement_id)
    WHERE statut IN ('cloturee', 'archivee');
DROP INDEX IF EXISTS interventions_cloture_idx;

-- Costs fall on the closing day, else the creation day.
CREATE INDEX IF NOT EXISTS interventions_kpi_cout_idx ON interventions ((coalesce(date_cloture, date_creation)))
    INCLUDE (date_cloture, date_creation, cout_pieces, cout_main_oeuvre, cout_autres, type_intervention,
             technicien_id, client_id, equipement_id, contrat_id);

-- The due date of preventive work: its deadline, else the end of its plan occurrence's day (UTC).
CREATE INDEX IF NOT EXISTS interventions_kpi_echeance_idx ON interventions
    ((coalesce(date_limite, (occurrence + 1)::timestamp AT TIME ZONE 'UTC')))
    INCLUDE (date_limite, occurrence, statut, date_cloture, planning_id, technicien_id, client_id, equipement_id)
    WHERE type_intervention = 'preventive';

-- Open work (the backlog and its age).
CREATE INDEX IF NOT EXISTS interventions_kpi_ouvertes_idx ON interventions (date_creation)
    INCLUDE (planning_id, type_intervention, technicien_id, client_id, equipement_id)
    WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente');

-- Labour hours fall on the start of the entry, else its recording.
CREATE INDEX IF NOT EXISTS interventions_temps_date_idx ON interventions_temps ((coalesce(debut, created_at)))
    WHERE annulee_at IS NULL AND minutes IS NOT NULL;

-- Downtime records overlapping a window, whatever the machine.
CREATE INDEX IF NOT EXISTS arrets_periode_idx ON arrets USING gist (tstzrange(debut, coalesce(fin, 'infinity'), '[)'));
