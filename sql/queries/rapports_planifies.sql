-- Report templates and schedules (issue 15), managers only.

-- name: ModeleInsert :one
INSERT INTO rapports_modeles (nom, description, type_rapport, format, titre_modele, periode, filtres, separateur, created_by)
VALUES (@nom, sqlc.narg('description'), @type_rapport, @format, @titre_modele, @periode, @filtres, @separateur, @created_by)
RETURNING *;

-- name: ModeleGet :one
SELECT * FROM rapports_modeles WHERE id = @id;

-- name: ModeleList :many
SELECT * FROM rapports_modeles ORDER BY lower(nom), id LIMIT @lim OFFSET @off;

-- name: ModeleCount :one
SELECT count(*) FROM rapports_modeles;

-- name: ModeleUpdate :one
UPDATE rapports_modeles SET nom = @nom, description = sqlc.narg('description'), type_rapport = @type_rapport, format = @format,
    titre_modele = @titre_modele, periode = @periode, filtres = @filtres, separateur = @separateur, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ModeleDelete :execrows
DELETE FROM rapports_modeles WHERE id = @id;

-- name: ModeleNomTaken :one
SELECT EXISTS (SELECT 1 FROM rapports_modeles WHERE lower(nom) = lower(@nom) AND id <> @id)::boolean;

-- name: ModeleInUse :one
SELECT EXISTS (SELECT 1 FROM rapports_planifies WHERE modele_id = @id)::boolean;

-- name: PlanifieInsert :one
INSERT INTO rapports_planifies (nom, modele_id, cron, fuseau, destinataires_users, destinataires_emails, envoi, actif,
    prochaine_execution, proprietaire_id)
VALUES (@nom, @modele_id, @cron, @fuseau, @destinataires_users, @destinataires_emails, @envoi, @actif,
    @prochaine_execution, @proprietaire_id)
RETURNING *;

-- name: PlanifieGet :one
SELECT * FROM rapports_planifies WHERE id = @id;

-- name: PlanifieList :many
SELECT * FROM rapports_planifies ORDER BY lower(nom), id LIMIT @lim OFFSET @off;

-- name: PlanifieCount :one
SELECT count(*) FROM rapports_planifies;

-- name: PlanifieUpdate :one
UPDATE rapports_planifies SET nom = @nom, modele_id = @modele_id, cron = @cron, fuseau = @fuseau,
    destinataires_users = @destinataires_users, destinataires_emails = @destinataires_emails, envoi = @envoi,
    actif = @actif, prochaine_execution = @prochaine_execution, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: PlanifieDelete :execrows
DELETE FROM rapports_planifies WHERE id = @id;

-- name: PlanifiesDus :many
-- The active schedules whose next time has come, locked for this run (another run skips them).
SELECT * FROM rapports_planifies
WHERE actif AND prochaine_execution <= @maintenant::timestamptz
ORDER BY prochaine_execution, id
LIMIT 50
FOR UPDATE SKIP LOCKED;

-- name: PlanifieAvance :exec
UPDATE rapports_planifies SET prochaine_execution = @prochaine_execution, derniere_execution = @derniere_execution
WHERE id = @id;

-- name: RapportInsertPlanifie :one
-- The report of one due time of a schedule; no row when that time already has its report.
INSERT INTO rapports (titre, type_rapport, format, date_debut, date_fin, filtres, separateur, demandeur_id,
    modele_id, planification_id, echeance)
VALUES (@titre, @type_rapport, @format, @date_debut, @date_fin, @filtres, @separateur, @demandeur_id,
    @modele_id, @planification_id, @echeance)
ON CONFLICT (planification_id, echeance) DO NOTHING
RETURNING id;

-- name: UsersActifs :many
-- The active users among ids, with what an e-mail to them needs.
SELECT id, email, full_name FROM users WHERE id = ANY(@ids::bigint[]) AND is_active ORDER BY id;

-- name: EmailEnqueueRapport :one
INSERT INTO email_outbox (to_email, to_name, subject, body_text, body_html, rapport_id)
VALUES (@to_email, @to_name, @subject, @body_text, @body_html, @rapport_id)
RETURNING id;
