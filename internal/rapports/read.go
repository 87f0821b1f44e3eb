package rapports

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/paging"
)

// Filter narrows GET /rapports.
type Filter struct {
	Statut, Type  string // "": any
	Limit, Offset int
}

// List reads a page of the reports the caller may read (managers: all; a client: its own),
// newest first, and their total.
func (s *Service) List(ctx context.Context, actor auth.Principal, f Filter) ([]Rapport, int64, error) {
	tous := access.For(actor).Manager()
	lim, off, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	var statut db.NullRapportStatut
	if f.Statut != "" {
		statut = db.NullRapportStatut{RapportStatut: db.RapportStatut(f.Statut), Valid: true}
	}
	var typ db.NullRapportType
	if f.Type != "" {
		typ = db.NullRapportType{RapportType: db.RapportType(f.Type), Valid: true}
	}
	q := db.New(s.Pool)
	rows, err := q.RapportList(ctx, db.RapportListParams{Tous: tous, Demandeur: actor.UserID, Statut: statut, TypeRapport: typ,
		Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", err)
	}
	n, err := q.RapportCount(ctx, db.RapportCountParams{Tous: tous, Demandeur: actor.UserID, Statut: statut, TypeRapport: typ})
	if err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", err)
	}
	return rows, n, nil
}

// Get reads a report the caller may read (404 otherwise).
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Rapport, error) {
	r, err := db.New(s.Pool).RapportGet(ctx, db.RapportGetParams{ID: id, Tous: access.For(actor).Manager(), Demandeur: actor.UserID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Rapport{}, errNotFound
	}
	if err != nil {
		return Rapport{}, fmt.Errorf("read report %d: %w", id, err)
	}
	return r, nil
}

// GetSigned reads the report a signed link points to (401 when the signature is wrong or
// expired); the link stands for the access of whoever it was issued to.
func (s *Service) GetSigned(ctx context.Context, id, expires int64, signature string) (Rapport, error) {
	if err := s.Signer.Verify(id, expires, signature); err != nil {
		return Rapport{}, err
	}
	r, err := db.New(s.Pool).RapportByID(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Rapport{}, errNotFound
	}
	if err != nil {
		return Rapport{}, fmt.Errorf("read report %d: %w", id, err)
	}
	return r, nil
}

// File is a report's file to send.
type File struct {
	Name, Mime string
	Size       int64
	Body       io.ReadCloser
}

// Open opens the file of a completed report: 409 while it is not (yet) made, 410 once expired.
func (s *Service) Open(ctx context.Context, r Rapport) (File, error) {
	switch r.Statut {
	case db.RapportStatutCompleted:
	case db.RapportStatutExpired:
		return File{}, apperr.Gone("Le rapport a expiré le %s et son fichier a été supprimé", frDateTime(*r.ExpireLe))
	case db.RapportStatutFailed:
		return File{}, apperr.Conflict("La génération du rapport a échoué : %s", *r.Erreur)
	default:
		return File{}, apperr.Conflict("Le rapport n'est pas encore prêt (statut %s)", r.Statut)
	}
	body, err := s.Files.OpenStored(ctx, documents.Stored{Key: *r.StorageKey, KeyID: *r.KeyID, Size: *r.Taille})
	if err != nil {
		return File{}, fmt.Errorf("report %d: %w", r.ID, err)
	}
	return File{Name: *r.NomFichier, Mime: *r.MimeType, Size: *r.Taille, Body: body}, nil
}
