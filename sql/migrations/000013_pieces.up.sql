-- Spare parts, their stock ledger and the machines they fit (issue 13, DESIGN section 10).
-- Money in integer cents with a currency; the ledger is append-only.

CREATE TYPE type_mouvement AS ENUM ('entree', 'sortie', 'ajustement', 'retour');

-- The parts catalogue (`pieces_detachees` in the original). stock_actuel and cout_moyen are
-- balances kept by the ledger below, written only in the transaction that appends a movement,
-- under this row's lock.
CREATE TABLE pieces (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom                   text    NOT NULL CHECK (length(nom) BETWEEN 1 AND 255),
    reference             text    NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
    description           text,
    marque                text    CHECK (length(marque) <= 100),
    modele                text    CHECK (length(modele) <= 100),
    fournisseur           text    CHECK (length(fournisseur) <= 255),
    reference_fournisseur text    CHECK (length(reference_fournisseur) <= 100),
    emplacement           text    CHECK (length(emplacement) <= 100),
    rangee                text    CHECK (length(rangee) <= 50),
    etagere               text    CHECK (length(etagere) <= 50),
    stock_actuel          integer NOT NULL DEFAULT 0,
    -- Units reserved by open interventions (their interventions_pieces lines still reservee).
    stock_reserve         integer NOT NULL DEFAULT 0 CHECK (stock_reserve >= 0),
    stock_minimum         integer NOT NULL DEFAULT 0 CHECK (stock_minimum >= 0),
    stock_maximum         integer CHECK (stock_maximum >= stock_minimum AND stock_maximum > 0),
    prix_unitaire         bigint  CHECK (prix_unitaire >= 0),
    cout_moyen            bigint  NOT NULL DEFAULT 0 CHECK (cout_moyen >= 0),
    devise                text    NOT NULL DEFAULT 'MAD' CHECK (devise ~ '^[A-Z]{3}$'),
    is_active             boolean NOT NULL DEFAULT true,
    -- The responsables were told that the stock reached the minimum; cleared once it is above.
    alerte_stock          boolean NOT NULL DEFAULT false,
    derniere_entree       timestamptz,
    derniere_sortie       timestamptz,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX pieces_reference_key ON pieces (lower(reference));
CREATE INDEX pieces_nom_idx ON pieces (lower(nom), id);
CREATE INDEX pieces_fournisseur_idx ON pieces (lower(fournisseur)) WHERE fournisseur IS NOT NULL;
CREATE INDEX pieces_bas_idx ON pieces (id) WHERE stock_actuel <= stock_minimum;

-- The stock ledger (`mouvements_stock`). quantite is positive for entree, sortie and retour,
-- signed for ajustement; stock_apres follows from stock_avant and the movement, which the CHECK
-- holds. Rows are never updated or deleted (trigger below): a correction is a new movement.
CREATE TABLE mouvements_stock (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    piece_id        bigint         NOT NULL REFERENCES pieces (id) ON DELETE RESTRICT,
    type_mouvement  type_mouvement NOT NULL,
    quantite        integer        NOT NULL,
    stock_avant     integer        NOT NULL,
    stock_apres     integer        NOT NULL,
    cout_unitaire   bigint         NOT NULL CHECK (cout_unitaire >= 0),
    devise          text           NOT NULL CHECK (devise ~ '^[A-Z]{3}$'),
    motif           text           CHECK (length(motif) <= 255),
    commentaire     text,
    intervention_id bigint         REFERENCES interventions (id) ON DELETE RESTRICT,
    user_id         bigint         NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    date_mouvement  timestamptz    NOT NULL DEFAULT now(),
    CHECK (CASE type_mouvement
        WHEN 'entree'     THEN quantite > 0 AND stock_apres = stock_avant + quantite
        WHEN 'retour'     THEN quantite > 0 AND stock_apres = stock_avant + quantite
        WHEN 'sortie'     THEN quantite > 0 AND stock_apres = stock_avant - quantite AND stock_apres >= 0
        WHEN 'ajustement' THEN quantite <> 0 AND stock_apres = stock_avant + quantite
    END)
);
CREATE INDEX mouvements_stock_piece_idx ON mouvements_stock (piece_id, id DESC);
CREATE INDEX mouvements_stock_date_idx ON mouvements_stock (date_mouvement DESC, id DESC);
CREATE INDEX mouvements_stock_intervention_idx ON mouvements_stock (intervention_id) WHERE intervention_id IS NOT NULL;

CREATE FUNCTION mouvements_stock_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'mouvements_stock is append-only: a correction is a new movement'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER mouvements_stock_append_only BEFORE UPDATE OR DELETE ON mouvements_stock
    FOR EACH ROW EXECUTE FUNCTION mouvements_stock_append_only();

-- Machines a part fits (compatibility list).
CREATE TABLE pieces_equipements (
    piece_id      bigint NOT NULL REFERENCES pieces (id) ON DELETE CASCADE,
    equipement_id bigint NOT NULL REFERENCES equipements (id) ON DELETE CASCADE,
    PRIMARY KEY (piece_id, equipement_id)
);
CREATE INDEX pieces_equipements_equipement_idx ON pieces_equipements (equipement_id, piece_id);

-- Parts on interventions (`interventions_pieces`): a line reserves a quantity of a part
-- (reservee), is consumed by a sortie linked to the intervention (consommee, when the work is
-- closed or at once), released when removed or when the intervention is cancelled (liberee), or
-- given back by a retour when a consumed line is removed (retournee). Lines are kept: a removal
-- changes the status.
CREATE TYPE statut_piece_intervention AS ENUM ('reservee', 'consommee', 'liberee', 'retournee');
CREATE TABLE interventions_pieces (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id     bigint                    NOT NULL REFERENCES interventions (id) ON DELETE RESTRICT,
    piece_id            bigint                    NOT NULL REFERENCES pieces (id) ON DELETE RESTRICT,
    quantite            integer                   NOT NULL CHECK (quantite > 0),
    statut              statut_piece_intervention NOT NULL DEFAULT 'reservee',
    cout_unitaire       bigint CHECK (cout_unitaire >= 0), -- the sortie's, once consumed
    sortie_id           bigint REFERENCES mouvements_stock (id) ON DELETE RESTRICT,
    retour_id           bigint REFERENCES mouvements_stock (id) ON DELETE RESTRICT,
    commentaire         text,
    user_id             bigint                    NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at          timestamptz               NOT NULL DEFAULT now(),
    updated_at          timestamptz               NOT NULL DEFAULT now(),
    CHECK ((statut IN ('consommee', 'retournee')) = (sortie_id IS NOT NULL AND cout_unitaire IS NOT NULL)),
    CHECK ((statut = 'retournee') = (retour_id IS NOT NULL))
);
CREATE INDEX interventions_pieces_intervention_idx ON interventions_pieces (intervention_id, id);
CREATE INDEX interventions_pieces_reservee_idx ON interventions_pieces (piece_id) WHERE statut = 'reservee';
