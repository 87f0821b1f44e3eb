-- Other cost lines of interventions and the cost roll-ups. Rows belong to an intervention (or
-- aggregate interventions of a machine, company or contract): callers first read or lock the
-- owner through a scoped query (internal/access), then use these.

-- name: InsertCout :one
INSERT INTO interventions_couts (intervention_id, type_cout, libelle, montant, fournisseur, date_cout, user_id)
VALUES (@intervention_id, @type_cout, @libelle, @montant, sqlc.narg('fournisseur'), @date_cout, @user_id)
RETURNING id;

-- name: GetCout :one
SELECT * FROM interventions_couts WHERE id = @id;

-- name: ListCouts :many
SELECT * FROM interventions_couts WHERE intervention_id = @intervention_id ORDER BY id;

-- name: LockCout :one
SELECT * FROM interventions_couts WHERE id = @id AND intervention_id = @intervention_id FOR UPDATE;

-- name: CancelCout :exec
UPDATE interventions_couts SET annulee_at = now(), annulee_par = @user_id WHERE id = @id;

-- name: InterventionCoutsTotal :one
-- The number of cost lines of an intervention (any state) and the sum of those not cancelled.
SELECT count(*)::integer AS lignes, coalesce(sum(montant) FILTER (WHERE annulee_at IS NULL), 0)::bigint AS total
FROM interventions_couts WHERE intervention_id = @intervention_id;

-- name: SetInterventionCoutAutres :exec
UPDATE interventions SET cout_autres = sqlc.narg('cout_autres'), version = version + 1, updated_at = now() WHERE id = @id;

-- name: CoutsParMois :many
-- Costs of the interventions of a machine, a company or a contract (whichever is given), by month
-- (of the closing, else of the creation, UTC) and type, over [depuis, jusqu_a).
SELECT to_char(date_trunc('month', coalesce(i.date_cloture, i.date_creation) AT TIME ZONE 'UTC'), 'YYYY-MM') AS mois,
    i.type_intervention,
    count(*)::integer AS interventions,
    coalesce(sum(i.cout_pieces), 0)::bigint AS pieces,
    coalesce(sum(i.cout_main_oeuvre), 0)::bigint AS main_oeuvre,
    coalesce(sum(i.cout_autres), 0)::bigint AS autres,
    coalesce(sum(i.cout_estime), 0)::bigint AS estime
FROM interventions i
WHERE (sqlc.narg('equipement_id')::bigint IS NULL OR i.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('client_id')::bigint IS NULL OR i.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('contrat_id')::bigint IS NULL OR i.contrat_id = sqlc.narg('contrat_id'))
  AND coalesce(i.date_cloture, i.date_creation) >= @depuis::timestamptz
  AND coalesce(i.date_cloture, i.date_creation) < @jusqu_a::timestamptz
GROUP BY 1, 2
ORDER BY 1, 2;
