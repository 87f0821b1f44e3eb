-- Spare parts, their stock ledger and compatibility list. The catalogue holds no client data:
-- staff read it whole; who may write is the policy's and the service's business.
--
-- Stock state of a part: rupture when stock_actuel <= 0, bas when 0 < stock_actuel <=
-- stock_minimum, normal otherwise.

-- name: CreatePiece :one
INSERT INTO pieces (nom, reference, description, marque, modele, fournisseur, reference_fournisseur,
    emplacement, rangee, etagere, stock_minimum, stock_maximum, prix_unitaire, devise, is_active)
VALUES (@nom, @reference, sqlc.narg('description'), sqlc.narg('marque'), sqlc.narg('modele'),
    sqlc.narg('fournisseur'), sqlc.narg('reference_fournisseur'), sqlc.narg('emplacement'),
    sqlc.narg('rangee'), sqlc.narg('etagere'), @stock_minimum, sqlc.narg('stock_maximum'),
    sqlc.narg('prix_unitaire'), @devise, @is_active)
RETURNING id;

-- name: GetPiece :one
SELECT * FROM pieces WHERE id = @id;

-- name: GetPieceForUpdate :one
SELECT * FROM pieces WHERE id = @id FOR UPDATE;

-- name: GetPiecesForUpdateByReference :many
-- The parts of these references (lower-cased), locked, for a catalogue import.
SELECT * FROM pieces WHERE lower(reference) = ANY(@refs::text[]) ORDER BY id FOR UPDATE;

-- name: PieceReferenceTaken :one
SELECT EXISTS (SELECT 1 FROM pieces WHERE lower(reference) = lower(@reference) AND id <> @exclude_id);

-- name: UpdatePiece :one
-- Writes every catalogue column (the service merged the partial update) and bumps the version;
-- the balances are the ledger's.
UPDATE pieces SET
    nom = @nom, reference = @reference, description = sqlc.narg('description'),
    marque = sqlc.narg('marque'), modele = sqlc.narg('modele'), fournisseur = sqlc.narg('fournisseur'),
    reference_fournisseur = sqlc.narg('reference_fournisseur'), emplacement = sqlc.narg('emplacement'),
    rangee = sqlc.narg('rangee'), etagere = sqlc.narg('etagere'), stock_minimum = @stock_minimum,
    stock_maximum = sqlc.narg('stock_maximum'), prix_unitaire = sqlc.narg('prix_unitaire'),
    devise = @devise, is_active = @is_active,
    version = version + 1, updated_at = now()
WHERE id = @id
RETURNING version;

-- name: SetPieceStock :exec
-- The balances after a movement, written in the movement's transaction under the row lock.
UPDATE pieces SET
    stock_actuel = @stock_actuel, stock_reserve = @stock_reserve, cout_moyen = @cout_moyen, alerte_stock = @alerte_stock,
    derniere_entree = CASE WHEN @type_mouvement::type_mouvement = 'entree' THEN now() ELSE derniere_entree END,
    derniere_sortie = CASE WHEN @type_mouvement::type_mouvement = 'sortie' THEN now() ELSE derniere_sortie END,
    version = version + 1, updated_at = now()
WHERE id = @id;

-- name: PieceHasMouvements :one
SELECT EXISTS (SELECT 1 FROM mouvements_stock WHERE piece_id = @piece_id);

-- name: DeletePiece :exec
DELETE FROM pieces WHERE id = @id;

-- name: ListPieces :many
SELECT * FROM pieces p
WHERE (sqlc.narg('is_active')::boolean IS NULL OR p.is_active = sqlc.narg('is_active'))
  AND (sqlc.narg('fournisseur')::text IS NULL OR lower(p.fournisseur) = lower(sqlc.narg('fournisseur')))
  AND (sqlc.narg('stock')::text IS NULL
       OR (sqlc.narg('stock') = 'rupture' AND p.stock_actuel <= 0)
       OR (sqlc.narg('stock') = 'bas' AND p.stock_actuel > 0 AND p.stock_actuel <= p.stock_minimum)
       OR (sqlc.narg('stock') = 'normal' AND p.stock_actuel > 0 AND p.stock_actuel > p.stock_minimum))
  AND (sqlc.narg('equipement_id')::bigint IS NULL
       OR EXISTS (SELECT 1 FROM pieces_equipements pe
                  WHERE pe.piece_id = p.id AND pe.equipement_id = sqlc.narg('equipement_id')))
  AND (sqlc.narg('q')::text IS NULL
       OR p.nom ILIKE '%' || sqlc.narg('q') || '%'
       OR p.reference ILIKE '%' || sqlc.narg('q') || '%'
       OR p.marque ILIKE '%' || sqlc.narg('q') || '%'
       OR p.modele ILIKE '%' || sqlc.narg('q') || '%'
       OR p.fournisseur ILIKE '%' || sqlc.narg('q') || '%'
       OR p.reference_fournisseur ILIKE '%' || sqlc.narg('q') || '%')
ORDER BY
    CASE WHEN @sort::text = 'id' THEN p.id END ASC,
    CASE WHEN @sort::text = '-id' THEN p.id END DESC,
    CASE WHEN @sort::text = 'nom' THEN lower(p.nom) END ASC,
    CASE WHEN @sort::text = '-nom' THEN lower(p.nom) END DESC,
    CASE WHEN @sort::text = 'reference' THEN lower(p.reference) END ASC,
    CASE WHEN @sort::text = '-reference' THEN lower(p.reference) END DESC,
    CASE WHEN @sort::text = 'stock_actuel' THEN p.stock_actuel END ASC,
    CASE WHEN @sort::text = '-stock_actuel' THEN p.stock_actuel END DESC,
    CASE WHEN @sort::text = 'created_at' THEN p.created_at END ASC,
    CASE WHEN @sort::text = '-created_at' THEN p.created_at END DESC,
    p.id ASC
LIMIT @lim OFFSET @off;

-- name: CountPieces :one
SELECT count(*) FROM pieces p
WHERE (sqlc.narg('is_active')::boolean IS NULL OR p.is_active = sqlc.narg('is_active'))
  AND (sqlc.narg('fournisseur')::text IS NULL OR lower(p.fournisseur) = lower(sqlc.narg('fournisseur')))
  AND (sqlc.narg('stock')::text IS NULL
       OR (sqlc.narg('stock') = 'rupture' AND p.stock_actuel <= 0)
       OR (sqlc.narg('stock') = 'bas' AND p.stock_actuel > 0 AND p.stock_actuel <= p.stock_minimum)
       OR (sqlc.narg('stock') = 'normal' AND p.stock_actuel > 0 AND p.stock_actuel > p.stock_minimum))
  AND (sqlc.narg('equipement_id')::bigint IS NULL
       OR EXISTS (SELECT 1 FROM pieces_equipements pe
                  WHERE pe.piece_id = p.id AND pe.equipement_id = sqlc.narg('equipement_id')))
  AND (sqlc.narg('q')::text IS NULL
       OR p.nom ILIKE '%' || sqlc.narg('q') || '%'
       OR p.reference ILIKE '%' || sqlc.narg('q') || '%'
       OR p.marque ILIKE '%' || sqlc.narg('q') || '%'
       OR p.modele ILIKE '%' || sqlc.narg('q') || '%'
       OR p.fournisseur ILIKE '%' || sqlc.narg('q') || '%'
       OR p.reference_fournisseur ILIKE '%' || sqlc.narg('q') || '%');

-- name: ExportPieces :many
-- The whole catalogue in reference order (a CSV export).
SELECT * FROM pieces p
WHERE (sqlc.narg('is_active')::boolean IS NULL OR p.is_active = sqlc.narg('is_active'))
ORDER BY lower(p.reference), p.id;

-- name: ListPiecesACommander :many
-- Active parts at or below their minimum, with the quantity that brings them back to their
-- maximum (without a maximum: to twice the minimum, and at least one above the minimum).
SELECT sqlc.embed(p),
    (greatest(coalesce(p.stock_maximum, 2 * p.stock_minimum), p.stock_minimum + 1) - p.stock_actuel)::integer
        AS quantite_suggeree
FROM pieces p
WHERE p.is_active AND p.stock_actuel <= p.stock_minimum
ORDER BY (p.stock_actuel <= 0) DESC, lower(p.fournisseur) NULLS LAST, lower(p.reference), p.id
LIMIT @lim OFFSET @off;

-- name: CountPiecesACommander :one
SELECT count(*) FROM pieces p WHERE p.is_active AND p.stock_actuel <= p.stock_minimum;

-- name: InsertMouvement :one
INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres,
    cout_unitaire, devise, motif, commentaire, intervention_id, user_id)
VALUES (@piece_id, @type_mouvement, @quantite, @stock_avant, @stock_apres, @cout_unitaire, @devise,
    sqlc.narg('motif'), sqlc.narg('commentaire'), sqlc.narg('intervention_id'), @user_id)
RETURNING id;

-- name: ListMouvements :many
-- The ledger, newest first, with the part's reference and name.
SELECT sqlc.embed(m), p.reference AS piece_reference, p.nom AS piece_nom
FROM mouvements_stock m
JOIN pieces p ON p.id = m.piece_id
WHERE (sqlc.narg('piece_id')::bigint IS NULL OR m.piece_id = sqlc.narg('piece_id'))
  AND (sqlc.narg('type_mouvement')::type_mouvement IS NULL OR m.type_mouvement = sqlc.narg('type_mouvement'))
  AND (sqlc.narg('intervention_id')::bigint IS NULL OR m.intervention_id = sqlc.narg('intervention_id'))
  AND (sqlc.narg('user_id')::bigint IS NULL OR m.user_id = sqlc.narg('user_id'))
  AND (sqlc.narg('depuis')::timestamptz IS NULL OR m.date_mouvement >= sqlc.narg('depuis'))
  AND (sqlc.narg('jusqu_a')::timestamptz IS NULL OR m.date_mouvement < sqlc.narg('jusqu_a'))
ORDER BY m.id DESC
LIMIT @lim OFFSET @off;

-- name: CountMouvements :one
SELECT count(*)
FROM mouvements_stock m
WHERE (sqlc.narg('piece_id')::bigint IS NULL OR m.piece_id = sqlc.narg('piece_id'))
  AND (sqlc.narg('type_mouvement')::type_mouvement IS NULL OR m.type_mouvement = sqlc.narg('type_mouvement'))
  AND (sqlc.narg('intervention_id')::bigint IS NULL OR m.intervention_id = sqlc.narg('intervention_id'))
  AND (sqlc.narg('user_id')::bigint IS NULL OR m.user_id = sqlc.narg('user_id'))
  AND (sqlc.narg('depuis')::timestamptz IS NULL OR m.date_mouvement >= sqlc.narg('depuis'))
  AND (sqlc.narg('jusqu_a')::timestamptz IS NULL OR m.date_mouvement < sqlc.narg('jusqu_a'));

-- name: GetMouvement :one
SELECT sqlc.embed(m), p.reference AS piece_reference, p.nom AS piece_nom
FROM mouvements_stock m
JOIN pieces p ON p.id = m.piece_id
WHERE m.id = @id;

-- name: ListPieceEquipements :many
-- The machines a part fits, by name.
SELECT e.id, e.nom, e.type_equipement, e.localisation
FROM pieces_equipements pe
JOIN equipements e ON e.id = pe.equipement_id
WHERE pe.piece_id = @piece_id
ORDER BY lower(e.nom), e.id;

-- name: ClearPieceEquipements :exec
DELETE FROM pieces_equipements WHERE piece_id = @piece_id;

-- name: AddPieceEquipements :exec
INSERT INTO pieces_equipements (piece_id, equipement_id)
SELECT @piece_id, unnest(@equipement_ids::bigint[])
ON CONFLICT DO NOTHING;

-- name: MissingEquipements :many
-- The ids among these that name no machine.
SELECT x.id::bigint FROM unnest(@ids::bigint[]) AS x(id)
WHERE NOT EXISTS (SELECT 1 FROM equipements e WHERE e.id = x.id)
ORDER BY x.id;

-- name: SetPieceReserve :exec
-- The reserved units after a reservation changed, under the row lock.
UPDATE pieces SET stock_reserve = @stock_reserve, version = version + 1, updated_at = now() WHERE id = @id;

-- name: InsertInterventionPiece :one
-- A reserved line, or with its sortie and unit cost, a line consumed at once.
INSERT INTO interventions_pieces (intervention_id, piece_id, quantite, commentaire, user_id, statut, sortie_id, cout_unitaire)
VALUES (@intervention_id, @piece_id, @quantite, sqlc.narg('commentaire'), @user_id,
    (CASE WHEN sqlc.narg('sortie_id')::bigint IS NULL THEN 'reservee' ELSE 'consommee' END)::statut_piece_intervention,
    sqlc.narg('sortie_id'), sqlc.narg('cout_unitaire'))
RETURNING *;

-- name: LockInterventionPiece :one
SELECT * FROM interventions_pieces WHERE id = @id AND intervention_id = @intervention_id FOR UPDATE;

-- name: LockReservedInterventionPieces :many
-- The reserved lines of an intervention, locked, in part order (the order parts are locked in).
SELECT * FROM interventions_pieces WHERE intervention_id = @intervention_id AND statut = 'reservee'
ORDER BY piece_id, id FOR UPDATE;

-- name: ConsumeInterventionPiece :exec
UPDATE interventions_pieces SET statut = 'consommee', sortie_id = @sortie_id, cout_unitaire = @cout_unitaire, updated_at = now()
WHERE id = @id;

-- name: ReleaseInterventionPiece :exec
UPDATE interventions_pieces SET statut = 'liberee', updated_at = now() WHERE id = @id;

-- name: ReturnInterventionPiece :exec
UPDATE interventions_pieces SET statut = 'retournee', retour_id = @retour_id, updated_at = now() WHERE id = @id;

-- name: ListInterventionPieces :many
SELECT sqlc.embed(l), p.reference AS piece_reference, p.nom AS piece_nom, p.devise
FROM interventions_pieces l JOIN pieces p ON p.id = l.piece_id
WHERE l.intervention_id = @intervention_id
ORDER BY l.id;

-- name: GetInterventionPiece :one
SELECT sqlc.embed(l), p.reference AS piece_reference, p.nom AS piece_nom, p.devise
FROM interventions_pieces l JOIN pieces p ON p.id = l.piece_id
WHERE l.id = @id;

-- name: InterventionPiecesCost :one
-- The number of part lines of an intervention and the cost of the parts it consumed.
SELECT count(*)::integer AS lignes,
    coalesce(sum(quantite::bigint * cout_unitaire) FILTER (WHERE statut = 'consommee'), 0)::bigint AS cout
FROM interventions_pieces WHERE intervention_id = @intervention_id;

-- name: SyncInterventionCoutPieces :exec
-- The parts cost of an intervention the caller locked through a scoped query, from its lines,
-- in one statement (nothing written while it has no line).
UPDATE interventions i SET cout_pieces = c.cout, version = i.version + 1, updated_at = now()
FROM (SELECT count(*) AS lignes,
             coalesce(sum(l.quantite::bigint * l.cout_unitaire) FILTER (WHERE l.statut = 'consommee'), 0)::bigint AS cout
      FROM interventions_pieces l WHERE l.intervention_id = @id) AS c
WHERE i.id = @id AND c.lignes > 0;
