-- Maintenance contracts. Reads take the caller's scope (internal/access): scope_all sees every
-- contract, else only the contracts of the company scope_client_id. The consumption and the
-- active flag are computed in the same statement, so a page costs one query.

-- name: GetContratScoped :one
SELECT sqlc.embed(k),
    (SELECT count(*) FROM interventions i
      WHERE i.contrat_id = k.id AND i.statut <> 'annulee')::integer AS nb_interventions_utilisees,
    (k.statut = 'en_cours' AND CURRENT_DATE BETWEEN k.date_debut AND k.date_fin)::boolean AS est_actif
FROM contrats k
WHERE k.id = @id
  AND (@scope_all::boolean OR k.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: ListContratsScoped :many
SELECT sqlc.embed(k),
    (SELECT count(*) FROM interventions i
      WHERE i.contrat_id = k.id AND i.statut <> 'annulee')::integer AS nb_interventions_utilisees,
    (k.statut = 'en_cours' AND CURRENT_DATE BETWEEN k.date_debut AND k.date_fin)::boolean AS est_actif
FROM contrats k
WHERE (@scope_all::boolean OR k.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('client_id')::bigint IS NULL OR k.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('statut')::contrat_statut IS NULL OR k.statut = sqlc.narg('statut'))
  AND (sqlc.narg('type_contrat')::contrat_type IS NULL OR k.type_contrat = sqlc.narg('type_contrat'))
ORDER BY
    CASE WHEN @sort::text = 'id' THEN k.id END ASC,
    CASE WHEN @sort::text = '-id' THEN k.id END DESC,
    CASE WHEN @sort::text = 'numero_contrat' THEN lower(k.numero_contrat) END ASC,
    CASE WHEN @sort::text = '-numero_contrat' THEN lower(k.numero_contrat) END DESC,
    CASE WHEN @sort::text = 'date_debut' THEN k.date_debut END ASC,
    CASE WHEN @sort::text = '-date_debut' THEN k.date_debut END DESC,
    CASE WHEN @sort::text = 'date_fin' THEN k.date_fin END ASC,
    CASE WHEN @sort::text = '-date_fin' THEN k.date_fin END DESC,
    CASE WHEN @sort::text = 'created_at' THEN k.created_at END ASC,
    CASE WHEN @sort::text = '-created_at' THEN k.created_at END DESC,
    k.id DESC
LIMIT @lim OFFSET @off;

-- name: CountContratsScoped :one
SELECT count(*) FROM contrats k
WHERE (@scope_all::boolean OR k.client_id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('client_id')::bigint IS NULL OR k.client_id = sqlc.narg('client_id'))
  AND (sqlc.narg('statut')::contrat_statut IS NULL OR k.statut = sqlc.narg('statut'))
  AND (sqlc.narg('type_contrat')::contrat_type IS NULL OR k.type_contrat = sqlc.narg('type_contrat'));

-- name: GetContratForUpdate :one
SELECT * FROM contrats WHERE id = @id FOR UPDATE;

-- name: ContratNumeroTaken :one
SELECT EXISTS (
    SELECT 1 FROM contrats WHERE lower(numero_contrat) = lower(@numero_contrat::text) AND id <> @exclude_id
);

-- name: CreateContrat :one
INSERT INTO contrats (client_id, numero_contrat, nom_contrat, description, type_contrat, statut,
    date_signature, date_debut, date_fin, montant_annuel, devise, nb_interventions_incluses,
    delai_urgente_heures, delai_haute_heures, delai_normale_heures, delai_basse_heures)
VALUES (@client_id, @numero_contrat, @nom_contrat, sqlc.narg('description'), @type_contrat, @statut,
    sqlc.narg('date_signature'), @date_debut, @date_fin, sqlc.narg('montant_annuel'), @devise,
    sqlc.narg('nb_interventions_incluses'), sqlc.narg('delai_urgente_heures'), sqlc.narg('delai_haute_heures'),
    sqlc.narg('delai_normale_heures'), sqlc.narg('delai_basse_heures'))
RETURNING id;

-- name: UpdateContrat :exec
-- Writes every editable column: the service merges the partial update with the current row.
UPDATE contrats SET
    numero_contrat            = @numero_contrat,
    nom_contrat               = @nom_contrat,
    description               = sqlc.narg('description'),
    type_contrat              = @type_contrat,
    statut                    = @statut,
    date_signature            = sqlc.narg('date_signature'),
    date_debut                = @date_debut,
    date_fin                  = @date_fin,
    montant_annuel            = sqlc.narg('montant_annuel'),
    devise                    = @devise,
    nb_interventions_incluses = sqlc.narg('nb_interventions_incluses'),
    delai_urgente_heures      = sqlc.narg('delai_urgente_heures'),
    delai_haute_heures        = sqlc.narg('delai_haute_heures'),
    delai_normale_heures      = sqlc.narg('delai_normale_heures'),
    delai_basse_heures        = sqlc.narg('delai_basse_heures'),
    updated_at                = now()
WHERE id = @id;

-- name: ContratInUse :one
SELECT (EXISTS (SELECT 1 FROM equipements e WHERE e.contrat_id = @id::bigint)
    OR EXISTS (SELECT 1 FROM interventions i WHERE i.contrat_id = @id::bigint))::boolean AS in_use;

-- name: DeleteContrat :exec
DELETE FROM contrats WHERE id = @id;

-- name: ContratQuotaLock :one
-- The quota of a contract, the contract locked so that concurrent requests on it take the last
-- slots one at a time. The interventions it counts are read by the next statement, whose
-- snapshot is taken once the lock is held (a subquery here would count from before the wait).
SELECT k.nb_interventions_incluses FROM contrats k WHERE k.id = @id FOR UPDATE;

-- name: ContratInterventionsCounted :one
-- The interventions a contract's quota counts (not cancelled), counted up to @lim: whether the
-- quota is reached needs no more than the quota's rows (a contract far beyond it has thousands).
SELECT count(*)::integer
FROM (SELECT 1 FROM interventions i WHERE i.contrat_id = @contrat_id AND i.statut <> 'annulee' LIMIT @lim) AS counted;
