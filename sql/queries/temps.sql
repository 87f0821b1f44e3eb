-- Labour on interventions. Rows belong to an intervention: callers first read or lock it through
-- a scoped query (internal/access), then use these.

-- name: InsertTemps :one
INSERT INTO interventions_temps (intervention_id, technicien_id, debut, fin, minutes, taux_horaire, montant,
    commentaire, user_id)
VALUES (@intervention_id, @technicien_id, sqlc.narg('debut'), sqlc.narg('fin'), sqlc.narg('minutes'), @taux_horaire,
    sqlc.narg('montant'), sqlc.narg('commentaire'), @user_id)
RETURNING id;

-- name: GetTemps :one
SELECT sqlc.embed(t), u.full_name AS technicien_nom
FROM interventions_temps t JOIN techniciens te ON te.id = t.technicien_id JOIN users u ON u.id = te.user_id
WHERE t.id = @id;

-- name: ListTemps :many
SELECT sqlc.embed(t), u.full_name AS technicien_nom
FROM interventions_temps t JOIN techniciens te ON te.id = t.technicien_id JOIN users u ON u.id = te.user_id
WHERE t.intervention_id = @intervention_id
ORDER BY t.id;

-- name: LockTemps :one
SELECT * FROM interventions_temps WHERE id = @id AND intervention_id = @intervention_id FOR UPDATE;

-- name: RunningTemps :one
-- The running timer of a technician (any intervention), locked.
SELECT * FROM interventions_temps WHERE technicien_id = @technicien_id AND minutes IS NULL AND annulee_at IS NULL
FOR UPDATE;

-- name: RunningTempsOfIntervention :many
SELECT * FROM interventions_temps WHERE intervention_id = @intervention_id AND minutes IS NULL AND annulee_at IS NULL
ORDER BY id FOR UPDATE;

-- name: StopTemps :exec
UPDATE interventions_temps SET fin = @fin, minutes = @minutes, montant = @montant, updated_at = now() WHERE id = @id;

-- name: CancelTemps :exec
UPDATE interventions_temps SET annulee_at = now(), annulee_par = @user_id, updated_at = now() WHERE id = @id;

-- name: InterventionTempsTotals :one
-- The number of time entries of an intervention (any state), and the minutes and amount of the
-- finished ones not cancelled.
SELECT count(*)::integer AS lignes,
    coalesce(sum(minutes) FILTER (WHERE minutes IS NOT NULL AND annulee_at IS NULL), 0)::integer AS minutes,
    coalesce(sum(montant) FILTER (WHERE minutes IS NOT NULL AND annulee_at IS NULL), 0)::bigint AS montant
FROM interventions_temps WHERE intervention_id = @intervention_id;

-- name: SetInterventionLabour :exec
-- The labour cost and duration of an intervention the caller locked, from its time entries.
UPDATE interventions SET cout_main_oeuvre = @cout_main_oeuvre, duree_minutes = @duree_minutes,
    version = version + 1, updated_at = now()
WHERE id = @id;

-- name: TechnicienRate :one
SELECT taux_horaire FROM techniciens WHERE id = @id;
