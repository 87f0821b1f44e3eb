-- Checklist templates (staff) and the checklists of interventions (read once the intervention
-- was read or locked through a scoped query).

-- name: ListChecklists :many
SELECT * FROM checklists
WHERE (sqlc.narg('q')::text IS NULL OR lower(nom) LIKE '%' || lower(sqlc.narg('q')) || '%')
ORDER BY lower(nom), id
LIMIT @lim OFFSET @off;

-- name: CountChecklists :one
SELECT count(*) FROM checklists
WHERE (sqlc.narg('q')::text IS NULL OR lower(nom) LIKE '%' || lower(sqlc.narg('q')) || '%');

-- name: ChecklistItemsOf :many
SELECT * FROM checklist_items WHERE checklist_id = ANY(@ids::bigint[]) ORDER BY checklist_id, ordre;

-- name: GetChecklist :one
SELECT * FROM checklists WHERE id = @id;

-- name: LockChecklist :one
SELECT * FROM checklists WHERE id = @id FOR UPDATE;

-- name: ChecklistNomTaken :one
SELECT EXISTS (SELECT 1 FROM checklists WHERE lower(nom) = lower(@nom) AND id <> @sauf_id);

-- name: InsertChecklist :one
INSERT INTO checklists (nom, description) VALUES (@nom, sqlc.narg('description')) RETURNING id;

-- name: UpdateChecklist :exec
UPDATE checklists SET nom = @nom, description = sqlc.narg('description'), updated_at = now() WHERE id = @id;

-- name: ClearChecklistItems :exec
DELETE FROM checklist_items WHERE checklist_id = @checklist_id;

-- name: InsertChecklistItem :exec
INSERT INTO checklist_items (checklist_id, ordre, libelle, type_item, unite, mini, maxi, obligatoire, suivi_si_ecart)
VALUES (@checklist_id, @ordre, @libelle, @type_item, sqlc.narg('unite'), sqlc.narg('mini'), sqlc.narg('maxi'), @obligatoire,
    @suivi_si_ecart);

-- name: ChecklistUsedByPlans :one
SELECT count(*) FROM plannings WHERE modele_checklist_id = @id::bigint;

-- name: DeleteChecklist :exec
DELETE FROM checklists WHERE id = @id;

-- name: CopyChecklistToIntervention :execrows
-- The intervention's own copy of a template (once: nothing when it already has items).
WITH c AS (UPDATE interventions i SET checklist_id = @checklist_id::bigint WHERE i.id = @intervention_id
    AND NOT EXISTS (SELECT 1 FROM interventions_checklist x WHERE x.intervention_id = @intervention_id) RETURNING i.id)
INSERT INTO interventions_checklist (intervention_id, ordre, libelle, type_item, unite, mini, maxi, obligatoire, suivi_si_ecart)
SELECT c.id, ci.ordre, ci.libelle, ci.type_item, ci.unite, ci.mini, ci.maxi, ci.obligatoire, ci.suivi_si_ecart
FROM c JOIN checklist_items ci ON ci.checklist_id = @checklist_id;

-- name: InterventionChecklistHead :one
SELECT checklist_id, origine_intervention_id FROM interventions WHERE id = @id;

-- name: InterventionChecklistItems :many
SELECT * FROM interventions_checklist WHERE intervention_id = @intervention_id ORDER BY ordre;

-- name: InterventionChecklistItem :one
SELECT * FROM interventions_checklist WHERE id = @id AND intervention_id = @intervention_id;

-- name: AnswerChecklistItem :one
UPDATE interventions_checklist SET coche = sqlc.narg('coche'), reponse = sqlc.narg('reponse'), mesure = sqlc.narg('mesure'),
    texte = sqlc.narg('texte'), document_id = sqlc.narg('document_id'), commentaire = sqlc.narg('commentaire'),
    ecart = @ecart, rempli_par = @rempli_par, rempli_le = now()
WHERE id = @id
RETURNING *;

-- name: SetChecklistSuivi :exec
UPDATE interventions_checklist SET suivi_intervention_id = @suivi_id WHERE id = @id;

-- name: SetInterventionOrigine :exec
UPDATE interventions SET origine_intervention_id = @origine_id WHERE id = @id;

-- name: ChecklistRequiredOpen :many
-- The required items of an intervention still unanswered (closing is refused while any is).
SELECT ordre, libelle FROM interventions_checklist
WHERE intervention_id = @intervention_id AND obligatoire AND rempli_le IS NULL
ORDER BY ordre;

-- name: DocumentOfIntervention :one
SELECT EXISTS (SELECT 1 FROM documents WHERE id = @id AND intervention_id = @intervention_id);
