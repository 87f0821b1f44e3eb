-- Indexes for the hot reads at scale (additive only).
-- Default list order of GET /interventions (-date_creation, then id): the page is read from the
-- index instead of sorting the table; also serves the dashboard's monthly evolution (index-only).
CREATE INDEX IF NOT EXISTS interventions_date_creation_idx ON interventions (date_creation DESC, id DESC);
-- Covering index of GET /dashboard/stats: the aggregate is an index-only scan, grouped by
-- (statut, priorite) along the index order.
CREATE INDEX IF NOT EXISTS interventions_dashboard_idx ON interventions
    (statut, priorite, date_creation, date_cloture, date_limite, date_debut_travaux)
    INCLUDE (technicien_id, client_id);
