-- Client companies. Reads take the caller's scope (internal/access): scope_all sees every
-- company, else only the company scope_client_id (a client sees its own row and nothing else).
-- The computed counts are subqueries of the same statement, so a page costs one query.

-- name: GetClientScoped :one
SELECT sqlc.embed(c),
    (SELECT count(*) FROM contrats k
      WHERE k.client_id = c.id AND k.statut = 'en_cours'
        AND CURRENT_DATE BETWEEN k.date_debut AND k.date_fin)::integer AS nb_contrats_actifs,
    (SELECT count(*) FROM equipements e WHERE e.client_id = c.id)::integer AS nb_equipements
FROM clients c
WHERE c.id = @id
  AND (@scope_all::boolean OR c.id = sqlc.narg('scope_client_id')::bigint);

-- name: ListClientsScoped :many
SELECT sqlc.embed(c),
    (SELECT count(*) FROM contrats k
      WHERE k.client_id = c.id AND k.statut = 'en_cours'
        AND CURRENT_DATE BETWEEN k.date_debut AND k.date_fin)::integer AS nb_contrats_actifs,
    (SELECT count(*) FROM equipements e WHERE e.client_id = c.id)::integer AS nb_equipements
FROM clients c
WHERE (@scope_all::boolean OR c.id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('is_active')::boolean IS NULL OR c.is_active = sqlc.narg('is_active'))
  AND (sqlc.narg('q')::text IS NULL
       OR c.nom_entreprise ILIKE '%' || sqlc.narg('q') || '%'
       OR c.nom_contact ILIKE '%' || sqlc.narg('q') || '%'
       OR c.email ILIKE '%' || sqlc.narg('q') || '%'
       OR c.ville ILIKE '%' || sqlc.narg('q') || '%')
ORDER BY
    CASE WHEN @sort::text = 'id' THEN c.id END ASC,
    CASE WHEN @sort::text = '-id' THEN c.id END DESC,
    CASE WHEN @sort::text = 'nom_entreprise' THEN lower(c.nom_entreprise) END ASC,
    CASE WHEN @sort::text = '-nom_entreprise' THEN lower(c.nom_entreprise) END DESC,
    CASE WHEN @sort::text = 'created_at' THEN c.created_at END ASC,
    CASE WHEN @sort::text = '-created_at' THEN c.created_at END DESC,
    c.id DESC
LIMIT @lim OFFSET @off;

-- name: CountClientsScoped :one
SELECT count(*) FROM clients c
WHERE (@scope_all::boolean OR c.id = sqlc.narg('scope_client_id')::bigint)
  AND (sqlc.narg('is_active')::boolean IS NULL OR c.is_active = sqlc.narg('is_active'))
  AND (sqlc.narg('q')::text IS NULL
       OR c.nom_entreprise ILIKE '%' || sqlc.narg('q') || '%'
       OR c.nom_contact ILIKE '%' || sqlc.narg('q') || '%'
       OR c.email ILIKE '%' || sqlc.narg('q') || '%'
       OR c.ville ILIKE '%' || sqlc.narg('q') || '%');

-- name: GetClientForUpdate :one
SELECT * FROM clients WHERE id = @id FOR UPDATE;

-- name: LockClientShare :one
-- Keeps the client from being deleted until the transaction ends (a contract is being added).
SELECT id FROM clients WHERE id = @id FOR SHARE;

-- name: GetUserRoleForClient :one
-- The role of the account a company is linked to, share-locked so it cannot change meanwhile.
SELECT role FROM users WHERE id = @id FOR SHARE;

-- name: ClientOfUserExists :one
SELECT EXISTS (SELECT 1 FROM clients WHERE user_id = @user_id);

-- name: ClientNameTaken :one
SELECT EXISTS (
    SELECT 1 FROM clients WHERE lower(nom_entreprise) = lower(@nom_entreprise::text) AND id <> @exclude_id
);

-- name: CreateClient :one
INSERT INTO clients (user_id, nom_entreprise, type_client, secteur_activite, nom_contact, email,
    telephone, adresse, code_postal, ville, pays, niveau_service, notes)
VALUES (@user_id, @nom_entreprise, @type_client, sqlc.narg('secteur_activite'), @nom_contact, @email,
    sqlc.narg('telephone'), sqlc.narg('adresse'), sqlc.narg('code_postal'), sqlc.narg('ville'), @pays,
    @niveau_service, sqlc.narg('notes'))
RETURNING id;

-- name: UpdateClient :exec
-- Writes every editable column: the service merges the partial update with the current row.
UPDATE clients SET
    nom_entreprise   = @nom_entreprise,
    type_client      = @type_client,
    secteur_activite = sqlc.narg('secteur_activite'),
    nom_contact      = @nom_contact,
    email            = @email,
    telephone        = sqlc.narg('telephone'),
    adresse          = sqlc.narg('adresse'),
    code_postal      = sqlc.narg('code_postal'),
    ville            = sqlc.narg('ville'),
    pays             = @pays,
    niveau_service   = @niveau_service,
    notes            = sqlc.narg('notes'),
    is_active        = @is_active,
    updated_at       = now()
WHERE id = @id;

-- name: ClientInUse :one
SELECT (EXISTS (SELECT 1 FROM contrats k WHERE k.client_id = @id::bigint)
    OR EXISTS (SELECT 1 FROM equipements e WHERE e.client_id = @id::bigint)
    OR EXISTS (SELECT 1 FROM interventions i WHERE i.client_id = @id::bigint))::boolean AS in_use;

-- name: DeleteClient :exec
DELETE FROM clients WHERE id = @id;
