-- Contract invoices. Callers first read the contract through a scoped query (internal/access).

-- name: NextFactureNumber :one
-- The next number of a year; the year's row stays locked until the invoice commits.
INSERT INTO facture_compteurs (annee, dernier) VALUES (@annee, 1)
ON CONFLICT (annee) DO UPDATE SET dernier = facture_compteurs.dernier + 1
RETURNING dernier;

-- name: FactureContrat :one
-- The contract of an invoice to create, locked (one invoice of a period at a time).
SELECT id, client_id, montant_annuel, devise, date_debut, date_fin FROM contrats WHERE id = @id FOR UPDATE;

-- name: FacturePeriodTaken :one
SELECT EXISTS (SELECT 1 FROM factures WHERE contrat_id = @contrat_id AND periode = @periode);

-- name: BillableWork :one
-- The costs of the contract's interventions requested beyond its quota and closed in the period.
SELECT count(*)::integer AS interventions,
    coalesce(sum(i.cout_pieces), 0)::bigint AS pieces,
    coalesce(sum(i.cout_main_oeuvre), 0)::bigint AS main_oeuvre,
    coalesce(sum(i.cout_autres), 0)::bigint AS autres
FROM interventions i
WHERE i.contrat_id = @contrat_id AND i.hors_contrat AND i.statut IN ('cloturee', 'archivee')
  AND i.date_cloture >= @debut::timestamptz AND i.date_cloture < @fin::timestamptz;

-- name: InsertFacture :one
INSERT INTO factures (contrat_id, numero_facture, annee, sequence, periode, periode_debut, periode_fin, date_emission,
    date_echeance, montant_forfait, montant_pieces, montant_main_oeuvre, montant_autres, nb_interventions_facturees,
    montant_ht, taux_tva, montant_tva, montant_ttc, devise, created_by)
VALUES (@contrat_id, @numero_facture, @annee, @sequence, @periode, @periode_debut, @periode_fin, @date_emission,
    @date_echeance, @montant_forfait, @montant_pieces, @montant_main_oeuvre, @montant_autres, @nb_interventions_facturees,
    @montant_ht, @taux_tva, @montant_tva, @montant_ttc, @devise, @created_by)
RETURNING id;

-- name: GetFacture :one
SELECT sqlc.embed(f), k.client_id FROM factures f JOIN contrats k ON k.id = f.contrat_id WHERE f.id = @id;

-- name: LockFacture :one
SELECT * FROM factures WHERE id = @id FOR UPDATE;

-- name: ListFactures :many
SELECT * FROM factures WHERE contrat_id = @contrat_id ORDER BY periode_debut DESC, id DESC LIMIT @lim OFFSET @off;

-- name: CountFactures :one
SELECT count(*) FROM factures WHERE contrat_id = @contrat_id;

-- name: SetFactureStatut :exec
UPDATE factures SET statut = @statut, date_paiement = sqlc.narg('date_paiement'), updated_at = now() WHERE id = @id;
