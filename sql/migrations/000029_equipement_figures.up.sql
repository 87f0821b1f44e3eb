-- The per-machine figures of the equipment list and detail (nb_interventions_actives and the last
-- closed preventive intervention, sql/queries/equipements.sql) read from two small partial
-- indexes: a count of a few index entries and the first entry of another, both index-only, instead
-- of an aggregate over every intervention of the machine read from the table.
CREATE INDEX interventions_equipement_actives_idx ON interventions (equipement_id)
    WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente');

CREATE INDEX interventions_equipement_preventive_idx ON interventions (equipement_id, date_cloture DESC)
    WHERE type_intervention = 'preventive' AND statut IN ('cloturee', 'archivee');
