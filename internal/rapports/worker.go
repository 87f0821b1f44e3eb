package rapports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
)

// RunPending makes the queued reports one after another until none is left or ctx ends, and
// returns how many it finished (completed or failed).
func (s *Service) RunPending(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		did, err := s.Generate(ctx)
		if err != nil {
			return n, err
		}
		if !did {
			return n, nil
		}
		n++
	}
	return n, ctx.Err()
}

// Generate claims the next report to make (pending, or generating for longer than
// StaleAfter: its worker died) and makes it. It reports whether there was one. A failure of the
// report itself (too many rows, requester gone, ...) ends it failed with the reason; only a
// failure to record that is returned.
func (s *Service) Generate(ctx context.Context) (bool, error) {
	q := db.New(s.Pool)
	r, err := q.RapportClaim(ctx, s.now().Add(-StaleAfter))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim report: %w", err)
	}
	if r.Tentatives > MaxAttempts {
		return true, s.fail(ctx, r, fmt.Sprintf("abandonné après %d tentatives interrompues", MaxAttempts))
	}
	gctx, cancel := context.WithTimeout(ctx, genTimeout)
	defer cancel()
	content, err := s.produce(gctx, r)
	if err != nil {
		if ctx.Err() != nil { // shutting down: the next worker resumes it once stale
			return true, ctx.Err()
		}
		return true, s.fail(ctx, r, s.reason(r, err))
	}
	f := formats[r.Format]
	stored, err := s.Files.Put(ctx, KeyPrefix, content)
	if err != nil {
		return true, s.fail(ctx, r, s.reason(r, err))
	}
	name := fileName(r, f.ext)
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		done, err := db.New(tx).RapportComplete(ctx, db.RapportCompleteParams{ID: r.ID, Tentatives: r.Tentatives,
			StorageKey: &stored.Key, KeyID: &stored.KeyID, NomFichier: &name, MimeType: &f.mime, Taille: &stored.Size,
			ExpireLe: s.now().Add(s.Retention)})
		if err != nil {
			return err
		}
		contenu := fmt.Sprintf("Le rapport « %s » (n° %d) est prêt : %s, %s. Il sera supprimé le %s.", r.Titre, r.ID, name,
			humanSize(stored.Size), platform.DateTimeText(*done.ExpireLe, s.Zone))
		if _, err := notifications.Insert(ctx, tx, notifications.New{UserID: r.DemandeurID, Type: db.NotificationTypeInformation,
			Titre: "Rapport prêt : " + r.Titre, Contenu: &contenu}); err != nil {
			return err
		}
		return s.send(ctx, db.New(tx), done)
	})
	if err != nil {
		_ = s.Files.Remove(context.WithoutCancel(ctx), stored.Key)
		if errors.Is(err, pgx.ErrNoRows) { // another attempt took it over
			s.Logger.WarnContext(ctx, "report taken over by another attempt", "rapport", r.ID, "tentative", r.Tentatives)
			return true, nil
		}
		return true, fmt.Errorf("complete report %d: %w", r.ID, err)
	}
	s.Logger.InfoContext(ctx, "report generated", "rapport", r.ID, "type", r.TypeRapport, "format", r.Format, "bytes", stored.Size)
	return true, nil
}

// produce reads and renders a report's content for its requester.
func (s *Service) produce(ctx context.Context, r Rapport) ([]byte, error) {
	u, err := db.New(s.Pool).RapportDemandeur(ctx, r.DemandeurID)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !u.IsActive) {
		return nil, apperr.Forbidden("le demandeur n'existe plus ou a été désactivé")
	}
	if err != nil {
		return nil, fmt.Errorf("requester: %w", err)
	}
	actor, err := access.Resolve(ctx, s.Pool, auth.Principal{UserID: u.ID, Role: string(u.Role), Email: u.Email, Username: u.Username})
	if err != nil {
		return nil, err
	}
	sc := access.For(actor)
	switch {
	case !sc.Manager() && !sc.IsClient():
		return nil, errClientsOnly
	case sc.IsClient() && staffTypes[r.TypeRapport]:
		return nil, errStaffOnly
	}
	f := FiltresOf(r)
	src := source{q: sc.Queries(s.Pool), raw: db.New(s.Pool), actor: actor, from: r.DateDebut, to: r.DateFin, f: f,
		lim: int32(s.maxRows + 1)}
	src.du, src.au = r.DateDebut, r.DateFin.AddDate(0, 0, 1)
	src.fin = src.au
	if now := s.now(); now.Before(src.fin) {
		src.fin = now
	}
	if f.TypeIntervention != nil {
		src.typ = db.NullInterventionType{InterventionType: db.InterventionType(*f.TypeIntervention), Valid: true}
	}
	doc, err := s.content(ctx, src, r.TypeRapport)
	if err != nil {
		return nil, err
	}
	doc.Titre, doc.Type, doc.Libelle, doc.From, doc.To = r.Titre, string(r.TypeRapport), labels[r.TypeRapport], r.DateDebut, r.DateFin
	doc.GenereLe, doc.Demandeur, doc.Devise = s.now().UTC(), u.FullName, s.Devise
	switch r.Format {
	case db.RapportFormatPdf:
		return renderPDF(doc)
	case db.RapportFormatExcel:
		return renderXLSX(doc)
	case db.RapportFormatCsv:
		return renderCSV(doc, []rune(r.Separateur)[0])
	default:
		return renderJSON(doc)
	}
}

// fail ends the attempt's report failed with a reason.
func (s *Service) fail(ctx context.Context, r Rapport, reason string) error {
	if _, err := db.New(s.Pool).RapportFail(context.WithoutCancel(ctx), db.RapportFailParams{ID: r.ID, Tentatives: r.Tentatives,
		Erreur: &reason}); err != nil {
		return fmt.Errorf("fail report %d: %w", r.ID, err)
	}
	s.Logger.WarnContext(ctx, "report failed", "rapport", r.ID, "reason", reason)
	return nil
}

// reason is what a failed report says: a domain error's message, else a generic one (the
// details go to the log).
func (s *Service) reason(r Rapport, err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	s.Logger.Error("report generation error", "rapport", r.ID, "error", err)
	return "erreur interne pendant la génération (voir les journaux du serveur)"
}

// Expire marks the completed reports past their retention expired and deletes their files
// (and those whose deletion failed before); it returns how many files it deleted.
func (s *Service) Expire(ctx context.Context) (int, error) {
	q := db.New(s.Pool)
	if _, err := q.RapportsExpire(ctx); err != nil {
		return 0, fmt.Errorf("expire reports: %w", err)
	}
	rows, err := q.RapportsBlobsToDelete(ctx)
	if err != nil {
		return 0, fmt.Errorf("expired files: %w", err)
	}
	n := 0
	for _, r := range rows {
		if err := s.Files.Remove(ctx, r.StorageKey); err != nil {
			s.Logger.WarnContext(ctx, "expired report file not deleted; retried next time", "rapport", r.ID, "error", err)
			continue
		}
		if err := q.RapportBlobDeleted(ctx, r.ID); err != nil {
			return n, fmt.Errorf("report %d: %w", r.ID, err)
		}
		n++
	}
	return n, nil
}

// fileName is "rapport-<id>-<type>-<from>-<to>.<ext>".
func fileName(r Rapport, ext string) string {
	return strings.Join([]string{"rapport", fmt.Sprint(r.ID), string(r.TypeRapport), r.DateDebut.Format(time.DateOnly),
		r.DateFin.Format(time.DateOnly)}, "-") + "." + ext
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return frNumber(float64(n)/(1<<20), 1) + " Mo"
	case n >= 1<<10:
		return frNumber(float64(n)/(1<<10), 1) + " ko"
	default:
		return fmt.Sprintf("%d octets", n)
	}
}
