-- Contract invoices (issue 13): the fee of a period plus the billable work (interventions
-- requested beyond the quota), HT, TVA, TTC, numbered FAC-YYYY-NNNN without gaps per year.

CREATE TYPE statut_facture AS ENUM ('brouillon', 'emise', 'payee');

-- The last number given in each year: taking the next one locks the year's row until the invoice
-- commits, and a rolled-back invoice gives its number back, so numbers have no gaps.
CREATE TABLE facture_compteurs (
    annee   integer PRIMARY KEY,
    dernier integer NOT NULL CHECK (dernier > 0)
);

CREATE TABLE factures (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contrat_id          bigint         NOT NULL REFERENCES contrats (id) ON DELETE RESTRICT,
    numero_facture      text           NOT NULL UNIQUE,
    annee               integer        NOT NULL,
    sequence            integer        NOT NULL,
    periode             text           NOT NULL,
    periode_debut       date           NOT NULL,
    periode_fin         date           NOT NULL CHECK (periode_fin >= periode_debut),
    date_emission       date           NOT NULL,
    date_echeance       date           NOT NULL CHECK (date_echeance >= date_emission),
    montant_forfait     bigint         NOT NULL CHECK (montant_forfait >= 0),
    montant_pieces      bigint         NOT NULL CHECK (montant_pieces >= 0),
    montant_main_oeuvre bigint         NOT NULL CHECK (montant_main_oeuvre >= 0),
    montant_autres      bigint         NOT NULL CHECK (montant_autres >= 0),
    nb_interventions_facturees integer NOT NULL CHECK (nb_interventions_facturees >= 0),
    montant_ht          bigint         NOT NULL CHECK (montant_ht = montant_forfait + montant_pieces + montant_main_oeuvre + montant_autres),
    taux_tva            integer        NOT NULL CHECK (taux_tva BETWEEN 0 AND 10000), -- basis points: 2000 = 20 %
    montant_tva         bigint         NOT NULL CHECK (montant_tva >= 0),
    montant_ttc         bigint         NOT NULL CHECK (montant_ttc = montant_ht + montant_tva),
    devise              text           NOT NULL CHECK (devise ~ '^[A-Z]{3}$'),
    statut              statut_facture NOT NULL DEFAULT 'brouillon',
    date_paiement       date,
    created_by          bigint         NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now(),
    UNIQUE (annee, sequence),
    UNIQUE (contrat_id, periode),
    CHECK ((statut = 'payee') = (date_paiement IS NOT NULL))
);
CREATE INDEX factures_contrat_idx ON factures (contrat_id, periode_debut DESC);
