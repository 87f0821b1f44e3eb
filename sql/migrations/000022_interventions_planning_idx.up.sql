-- Migration 000020 made the calendar key (planning_id, occurrence) a partial unique index (for
-- calendar-generated interventions only), which the plan's own probes (its last intervention,
-- whether one is still open: PlanningGet, PlanningList) cannot use: they scanned every
-- intervention per plan (make bench: GET /planning took seconds at 100k interventions). This
-- index serves them.
CREATE INDEX IF NOT EXISTS interventions_planning_idx ON interventions (planning_id, id) WHERE planning_id IS NOT NULL;
