DROP TABLE IF EXISTS interventions_checklist;
DROP INDEX IF EXISTS interventions_origine_idx;
ALTER TABLE interventions DROP COLUMN IF EXISTS origine_intervention_id, DROP COLUMN IF EXISTS checklist_id;
ALTER TABLE plannings DROP COLUMN IF EXISTS modele_checklist_id;
DROP TABLE IF EXISTS checklist_items;
DROP TABLE IF EXISTS checklists;
DROP TYPE IF EXISTS type_item_checklist;
