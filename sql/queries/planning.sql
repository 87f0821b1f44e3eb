-- Preventive plans (plannings) and the interventions they generate.
--
-- Row-level access: staff read every plan; a client the plans of its company's equipment. The
-- reads carry the predicate (@scope_all OR e.client_id = scope_client_id) on the plan's
-- equipment. Writes are for admins and responsables (casbin), who see every plan.
--
-- Every query returning a plan returns the same columns in the same order (the generated row
-- types convert into one another).

-- name: PlanningGet :one
SELECT p.id, p.equipement_id, p.frequence, p.intervalle, p.base, p.statut, p.date_reference,
       p.prochaine_date, p.derniere_date, p.commentaire, p.modele_titre, p.modele_description,
       p.modele_priorite, p.modele_duree_minutes, p.modele_technicien_id, p.modele_equipe, p.modele_checklist_id,
       p.occurrences_manquees, p.created_at, p.updated_at,
       coalesce((SELECT array_agg(pc.competence_id ORDER BY pc.competence_id)
                 FROM planning_competences pc WHERE pc.planning_id = p.id), '{}')::bigint[] AS modele_competence_ids,
       coalesce((SELECT max(x.id) FROM interventions x WHERE x.planning_id = p.id), 0)::bigint AS derniere_intervention_id,
       -- A correlated probe of the plan's own rows (LIMIT 1: never planned as a hashed scan of
       -- every open intervention).
       coalesce((SELECT true FROM interventions x WHERE x.planning_id = p.id
                 AND x.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') LIMIT 1), false)::boolean AS intervention_ouverte
FROM plannings p
JOIN equipements e ON e.id = p.equipement_id
WHERE p.id = @id
  AND (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: PlanningLock :one
-- Locks the plan to change (writers and the generation job serialise on it). Read it afterwards
-- with PlanningGet: a new statement sees what the previous holder of the lock committed.
SELECT p.id FROM plannings p WHERE p.id = @id FOR UPDATE;

-- name: PlanningList :many
SELECT p.id, p.equipement_id, p.frequence, p.intervalle, p.base, p.statut, p.date_reference,
       p.prochaine_date, p.derniere_date, p.commentaire, p.modele_titre, p.modele_description,
       p.modele_priorite, p.modele_duree_minutes, p.modele_technicien_id, p.modele_equipe, p.modele_checklist_id,
       p.occurrences_manquees, p.created_at, p.updated_at,
       coalesce((SELECT array_agg(pc.competence_id ORDER BY pc.competence_id)
                 FROM planning_competences pc WHERE pc.planning_id = p.id), '{}')::bigint[] AS modele_competence_ids,
       coalesce((SELECT max(x.id) FROM interventions x WHERE x.planning_id = p.id), 0)::bigint AS derniere_intervention_id,
       -- A correlated probe of the plan's own rows (LIMIT 1: never planned as a hashed scan of
       -- every open intervention).
       coalesce((SELECT true FROM interventions x WHERE x.planning_id = p.id
                 AND x.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') LIMIT 1), false)::boolean AS intervention_ouverte
FROM plannings p
WHERE (@scope_all::boolean OR EXISTS (
        SELECT 1 FROM equipements e WHERE e.id = p.equipement_id AND e.client_id = sqlc.narg('scope_client_id')::bigint))
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR p.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('statut')::planning_statut IS NULL OR p.statut = sqlc.narg('statut'))
  AND (sqlc.narg('due_before')::date IS NULL OR p.prochaine_date <= sqlc.narg('due_before'))
ORDER BY
    CASE WHEN @sort::text = 'prochaine_date' THEN p.prochaine_date END ASC NULLS LAST,
    CASE WHEN @sort::text = '-prochaine_date' THEN p.prochaine_date END DESC NULLS LAST,
    CASE WHEN @sort::text = 'date_creation' THEN p.created_at END ASC,
    CASE WHEN @sort::text = '-date_creation' THEN p.created_at END DESC,
    CASE WHEN @sort::text = '-id' THEN p.id END DESC,
    p.id ASC
LIMIT @lim OFFSET @off;

-- name: PlanningListProchaines :many
-- PlanningList's default page (no filter, soonest next date first) as a fixed-shape statement,
-- run with its cached generic plan (access.Queries, platform.PlanGeneric).
SELECT p.id, p.equipement_id, p.frequence, p.intervalle, p.base, p.statut, p.date_reference,
       p.prochaine_date, p.derniere_date, p.commentaire, p.modele_titre, p.modele_description,
       p.modele_priorite, p.modele_duree_minutes, p.modele_technicien_id, p.modele_equipe, p.modele_checklist_id,
       p.occurrences_manquees, p.created_at, p.updated_at,
       coalesce((SELECT array_agg(pc.competence_id ORDER BY pc.competence_id)
                 FROM planning_competences pc WHERE pc.planning_id = p.id), '{}')::bigint[] AS modele_competence_ids,
       coalesce((SELECT max(x.id) FROM interventions x WHERE x.planning_id = p.id), 0)::bigint AS derniere_intervention_id,
       -- A correlated probe of the plan's own rows (LIMIT 1: never planned as a hashed scan of
       -- every open intervention).
       coalesce((SELECT true FROM interventions x WHERE x.planning_id = p.id
                 AND x.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') LIMIT 1), false)::boolean AS intervention_ouverte
FROM plannings p
WHERE (@scope_all::boolean OR EXISTS (
        SELECT 1 FROM equipements e WHERE e.id = p.equipement_id AND e.client_id = sqlc.narg('scope_client_id')::bigint))
ORDER BY p.prochaine_date ASC NULLS LAST, p.id ASC
LIMIT @lim OFFSET @off;

-- name: PlanningCountAll :one
-- PlanningCount without filter, a fixed-shape statement.
SELECT count(*)
FROM plannings p
WHERE (@scope_all::boolean OR EXISTS (
        SELECT 1 FROM equipements e WHERE e.id = p.equipement_id AND e.client_id = sqlc.narg('scope_client_id')::bigint));

-- name: PlanningCount :one
SELECT count(*)
FROM plannings p
WHERE (@scope_all::boolean OR EXISTS (
        SELECT 1 FROM equipements e WHERE e.id = p.equipement_id AND e.client_id = sqlc.narg('scope_client_id')::bigint))
  AND (sqlc.narg('equipement_id')::bigint IS NULL OR p.equipement_id = sqlc.narg('equipement_id'))
  AND (sqlc.narg('statut')::planning_statut IS NULL OR p.statut = sqlc.narg('statut'))
  AND (sqlc.narg('due_before')::date IS NULL OR p.prochaine_date <= sqlc.narg('due_before'));

-- name: PlanningInsert :one
INSERT INTO plannings (equipement_id, frequence, intervalle, base, statut, date_reference, prochaine_date,
    derniere_date, commentaire, modele_titre, modele_description, modele_priorite, modele_duree_minutes,
    modele_technicien_id, modele_equipe, modele_checklist_id)
VALUES (@equipement_id, @frequence, @intervalle, @base, 'actif', @date_reference, sqlc.narg('prochaine_date'),
    sqlc.narg('derniere_date'), sqlc.narg('commentaire'), sqlc.narg('modele_titre'), sqlc.narg('modele_description'),
    sqlc.narg('modele_priorite'), sqlc.narg('modele_duree_minutes'), sqlc.narg('modele_technicien_id'),
    sqlc.narg('modele_equipe'), sqlc.narg('modele_checklist_id'))
RETURNING id;

-- name: PlanningSave :exec
-- Writes every mutable column of a locked plan (the service computes them).
UPDATE plannings SET
    frequence            = @frequence,
    intervalle           = @intervalle,
    base                 = @base,
    statut               = @statut,
    date_reference       = @date_reference,
    prochaine_date       = sqlc.narg('prochaine_date'),
    derniere_date        = sqlc.narg('derniere_date'),
    commentaire          = sqlc.narg('commentaire'),
    modele_titre         = sqlc.narg('modele_titre'),
    modele_description   = sqlc.narg('modele_description'),
    modele_priorite      = sqlc.narg('modele_priorite'),
    modele_duree_minutes = sqlc.narg('modele_duree_minutes'),
    modele_technicien_id = sqlc.narg('modele_technicien_id'),
    modele_equipe        = sqlc.narg('modele_equipe'),
    modele_checklist_id  = sqlc.narg('modele_checklist_id'),
    occurrences_manquees = @occurrences_manquees,
    updated_at           = now()
WHERE id = @id;

-- name: PlanningDelete :execrows
DELETE FROM plannings WHERE id = @id;

-- name: PlanningCompetencesClear :exec
DELETE FROM planning_competences WHERE planning_id = @planning_id;

-- name: PlanningCompetencesAdd :exec
INSERT INTO planning_competences (planning_id, competence_id)
SELECT @planning_id, c FROM unnest(@competence_ids::bigint[]) AS c
ON CONFLICT DO NOTHING;

-- name: PlanningCompetencesFound :many
-- The competences among ids that exist, locked against deletion until the transaction ends.
SELECT id FROM competences WHERE id = ANY (@ids::bigint[]) ORDER BY id FOR SHARE;

-- name: PlanningCompetenceNames :many
SELECT c.nom FROM planning_competences pc JOIN competences c ON c.id = pc.competence_id
WHERE pc.planning_id = @planning_id ORDER BY c.nom;

-- name: PlanningEquipement :one
-- The machine of a plan, if the caller may read it (staff: every machine; a client: its own).
SELECT e.id, e.nom, e.client_id
FROM equipements e
WHERE e.id = @id
  AND (@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint);

-- name: PlanningDueIDs :many
-- Active plans the generation job has work for on day @today: due ones, and completion-based
-- ones waiting for a next date whose last generated intervention is no longer open.
SELECT p.id
FROM plannings p
WHERE p.statut = 'actif'
  AND (p.prochaine_date <= @today::date
       OR (p.prochaine_date IS NULL AND p.base = 'completion'
           AND NOT EXISTS (SELECT 1 FROM interventions x WHERE x.planning_id = p.id
                           AND x.statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente'))))
ORDER BY p.prochaine_date NULLS FIRST, p.id;

-- name: PlanningLastIntervention :one
-- The last intervention a plan generated, with the day its work ended: the closing date, else
-- (cancelled) the day of its last change.
SELECT x.id, x.statut, x.occurrence,
       coalesce(x.date_cloture, x.date_fin_travaux, x.updated_at)::timestamptz AS date_fin
FROM interventions x
WHERE x.planning_id = @planning_id
ORDER BY x.id DESC
LIMIT 1;

-- name: PlanningInterventionInsert :one
-- A preventive intervention generated by a plan for one occurrence, without author; no row when
-- that occurrence already has its intervention (another scheduler, a retry). Same columns as
-- InterventionInsert; date_limite is creation + sla_heures (none when NULL).
INSERT INTO interventions AS i (titre, description, type_intervention, statut, priorite, urgence, equipement_id,
    technicien_id, client_id, contrat_id, created_by, date_creation, date_limite, date_affectation,
    planning_id, occurrence, compteur_declenchement)
VALUES (@titre, sqlc.narg('description'), 'preventive', @statut, @priorite, false, @equipement_id,
    sqlc.narg('technicien_id'), sqlc.narg('client_id'), sqlc.narg('contrat_id'), NULL, now(),
    now() + sqlc.narg('sla_heures')::integer * interval '1 hour',
    CASE WHEN sqlc.narg('technicien_id')::bigint IS NOT NULL THEN now() END,
    @planning_id, @occurrence, sqlc.narg('compteur_declenchement'))
-- The key of the occurrence (calendar) or of the meter crossing (compteur_declenchement).
ON CONFLICT DO NOTHING
RETURNING i.id, i.titre, i.description, i.type_intervention, i.statut, i.priorite, i.urgence,
       i.equipement_id, i.technicien_id, i.client_id, i.contrat_id, i.created_by, i.date_creation,
       i.date_limite, i.date_affectation, i.date_debut_travaux, i.date_fin_travaux, i.date_cloture,
       i.date_archivage, i.cout_main_oeuvre, i.cout_pieces, i.cout_autres, i.cout_estime, i.hors_contrat, i.duree_minutes, i.rapport,
       i.satisfaction_client, i.motif_annulation, i.version, i.updated_at,
       (SELECT e.nom FROM equipements e WHERE e.id = i.equipement_id)::text AS equipement_nom,
       coalesce((SELECT u.full_name FROM techniciens t JOIN users u ON u.id = t.user_id WHERE t.id = i.technicien_id), '')::text AS technicien_nom,
       now()::timestamptz AS db_now;

-- name: PlanningCompteurInsert :exec
INSERT INTO plannings_compteurs (planning_id, compteur_id, intervalle, prochain, seuil, operateur)
VALUES (@planning_id, @compteur_id, sqlc.narg('intervalle'), sqlc.narg('prochain'), sqlc.narg('seuil'), sqlc.narg('operateur'));

-- name: PlanningCompteurGet :one
SELECT * FROM plannings_compteurs WHERE planning_id = @planning_id;

-- name: PlanningCompteursOf :many
-- The meter triggers of a page of plans (read through a scoped query).
SELECT * FROM plannings_compteurs WHERE planning_id = ANY(@ids::bigint[]);

-- name: PlanningCompteurSave :exec
UPDATE plannings_compteurs SET prochain = sqlc.narg('prochain'), declenchements = @declenchements
WHERE planning_id = @planning_id;

-- name: PlanningsOnCompteur :many
-- The active plans a meter triggers, in a fixed order (locked one at a time by the reading).
SELECT pc.planning_id FROM plannings_compteurs pc JOIN plannings p ON p.id = pc.planning_id
WHERE pc.compteur_id = @compteur_id AND p.statut = 'actif'
ORDER BY pc.planning_id;

-- name: PlanningReleveAvant :one
-- The value of a meter's reading just before another one in time (a gauge's crossing is a
-- reading beyond the threshold after one that was not).
SELECT valeur FROM releves
WHERE compteur_id = @compteur_id AND (lu_le, id) < (@lu_le::timestamptz, @id::bigint)
ORDER BY lu_le DESC, id DESC LIMIT 1;
