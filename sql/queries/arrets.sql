-- Downtime records and the machines' status history. Rows belong to a machine: callers first
-- read it through a scoped query (internal/access), or lock it.

-- name: LockEquipementStatut :one
-- Locks a machine for a statut change or a downtime write (FOR NO KEY UPDATE: it does not wait
-- for, nor block, the inserts of interventions that reference the machine).
SELECT id, statut FROM equipements WHERE id = @id FOR NO KEY UPDATE;

-- name: SetEquipementStatut :exec
UPDATE equipements SET statut = @statut, version = version + 1, updated_at = now() WHERE id = @id;

-- name: InsertEquipementStatut :exec
INSERT INTO equipements_statuts (equipement_id, statut_avant, statut_apres, change_le, user_id, intervention_id, source)
VALUES (@equipement_id, sqlc.narg('statut_avant'), @statut_apres, @change_le, sqlc.narg('user_id'),
    sqlc.narg('intervention_id'), @source);

-- name: ListEquipementStatuts :many
SELECT * FROM equipements_statuts WHERE equipement_id = @equipement_id
ORDER BY change_le DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountEquipementStatuts :one
SELECT count(*) FROM equipements_statuts WHERE equipement_id = @equipement_id;

-- name: ArretOuvert :one
-- The machine's open downtime record, if any.
SELECT * FROM arrets WHERE equipement_id = @equipement_id AND fin IS NULL;

-- name: ArretChevauche :one
-- Another record of the machine that overlaps [debut, fin) (fin NULL: open-ended).
SELECT * FROM arrets
WHERE equipement_id = @equipement_id AND id <> @sauf_id
  AND debut < coalesce(sqlc.narg('fin')::timestamptz, 'infinity')
  AND coalesce(fin, 'infinity') > @debut::timestamptz
ORDER BY debut LIMIT 1;

-- name: InsertArret :one
INSERT INTO arrets (equipement_id, debut, fin, motif, intervention_id, commentaire, source, created_by)
VALUES (@equipement_id, @debut, sqlc.narg('fin'), @motif, sqlc.narg('intervention_id'), sqlc.narg('commentaire'),
    @source, sqlc.narg('created_by'))
RETURNING *;

-- name: GetArret :one
SELECT * FROM arrets WHERE id = @id;

-- name: UpdateArret :one
UPDATE arrets SET debut = @debut, fin = sqlc.narg('fin'), motif = @motif, intervention_id = sqlc.narg('intervention_id'),
    commentaire = sqlc.narg('commentaire'), updated_at = now()
WHERE id = @id
RETURNING *;

-- name: CloseArret :one
UPDATE arrets SET fin = @fin::timestamptz, updated_at = now() WHERE id = @id RETURNING *;

-- name: LinkArret :exec
UPDATE arrets SET intervention_id = @intervention_id, updated_at = now() WHERE id = @id AND intervention_id IS NULL;

-- name: DeleteArret :exec
DELETE FROM arrets WHERE id = @id;

-- name: ArretOuvertOfIntervention :one
-- The open downtime record an intervention reported (closing the intervention ends it).
SELECT * FROM arrets WHERE intervention_id = @intervention_id AND fin IS NULL;

-- name: ListArrets :many
SELECT * FROM arrets
WHERE equipement_id = @equipement_id
  AND (sqlc.narg('motif')::motif_arret IS NULL OR motif = sqlc.narg('motif'))
  AND (sqlc.narg('depuis')::timestamptz IS NULL OR coalesce(fin, 'infinity') > sqlc.narg('depuis'))
  AND (sqlc.narg('jusqu_a')::timestamptz IS NULL OR debut < sqlc.narg('jusqu_a'))
ORDER BY debut DESC, id DESC
LIMIT @lim OFFSET @off;

-- name: CountArrets :one
SELECT count(*) FROM arrets
WHERE equipement_id = @equipement_id
  AND (sqlc.narg('motif')::motif_arret IS NULL OR motif = sqlc.narg('motif'))
  AND (sqlc.narg('depuis')::timestamptz IS NULL OR coalesce(fin, 'infinity') > sqlc.narg('depuis'))
  AND (sqlc.narg('jusqu_a')::timestamptz IS NULL OR debut < sqlc.narg('jusqu_a'));

-- name: InterventionOnMachine :one
-- Whether an intervention is about a machine (a downtime record may be linked to it).
SELECT EXISTS (SELECT 1 FROM interventions WHERE id = @id AND equipement_id = @equipement_id);

-- name: ArretFinMax :one
-- When the machine's latest closed record ends (the epoch when none).
SELECT coalesce(max(fin), 'epoch')::timestamptz AS fin FROM arrets WHERE equipement_id = @equipement_id;
