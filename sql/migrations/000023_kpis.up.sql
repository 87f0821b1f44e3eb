-- Indexes for GET /kpis (issue 15): the ranges it reads by date that no index served yet.

-- Costs fall on the closing day, else the creation day.
CREATE INDEX IF NOT EXISTS interventions_date_cout_idx ON interventions ((coalesce(date_cloture, date_creation)));

-- The due date of preventive work: its deadline, else the end of its plan occurrence's day (UTC).
CREATE INDEX IF NOT EXISTS interventions_echeance_pm_idx ON interventions
    ((coalesce(date_limite, (occurrence + 1)::timestamp AT TIME ZONE 'UTC')))
    WHERE type_intervention = 'preventive';

-- Labour hours fall on the start of the entry, else its recording.
CREATE INDEX IF NOT EXISTS interventions_temps_date_idx ON interventions_temps ((coalesce(debut, created_at)))
    WHERE annulee_at IS NULL AND minutes IS NOT NULL;
