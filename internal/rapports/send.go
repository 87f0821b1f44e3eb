package rapports

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/mail"
	"github.com/mif-erp/erp/internal/platform"
)

// send queues, in the completion's transaction q, the e-mails of a scheduled report to its
// schedule's recipients (active users and addresses): the file attached, or a link valid until
// the report expires. A report not made by a schedule sends nothing.
func (s *Service) send(ctx context.Context, q *db.Queries, r Rapport) error {
	if r.PlanificationID == nil {
		return nil
	}
	p, err := q.PlanifieGet(ctx, *r.PlanificationID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return fmt.Errorf("schedule %d: %w", *r.PlanificationID, err)
	}
	type to struct{ email, name string }
	var recipients []to
	users, err := q.UsersActifs(ctx, p.DestinatairesUsers)
	if err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	for _, u := range users {
		recipients = append(recipients, to{u.Email, u.FullName})
	}
	for _, e := range p.DestinatairesEmails {
		recipients = append(recipients, to{e, ""})
	}
	subject := "Rapport : " + r.Titre
	text := fmt.Sprintf("Bonjour,\n\nVoici le rapport « %s » (%s) de la planification « %s », du %s au %s.\n",
		r.Titre, labels[r.TypeRapport], p.Nom, frDate(r.DateDebut), frDate(r.DateFin))
	var attach *int64
	if p.Envoi == EnvoiLien {
		link := s.PublicURL + "/api/v1/rapports/" + strconv.FormatInt(r.ID, 10) + "/fichier?expires=" +
			strconv.FormatInt(r.ExpireLe.Unix(), 10) + "&signature=" + s.Signer.SignUntil(r.ID, *r.ExpireLe)
		text += "\nTéléchargez-le ici (lien valable jusqu'au " + platform.DateTimeText(*r.ExpireLe, s.Zone) + ") :\n" + link + "\n"
	} else {
		attach = &r.ID
		text += "\nIl est joint à ce message (" + *r.NomFichier + ").\n"
	}
	text += "\n-- \nMIF ERP\n"
	body := "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>\n") + "</p>"
	for _, rc := range recipients {
		if _, err := q.EmailEnqueueRapport(ctx, db.EmailEnqueueRapportParams{ToEmail: rc.email, ToName: rc.name, Subject: subject,
			BodyText: text, BodyHtml: body, RapportID: attach}); err != nil {
			return fmt.Errorf("queue e-mail of report %d: %w", r.ID, err)
		}
	}
	return nil
}

// Attachment reads a completed report's file for an e-mail (mail.Attachments).
func (s *Service) Attachment(ctx context.Context, rapportID int64) (mail.Attachment, error) {
	r, err := db.New(s.Pool).RapportByID(ctx, rapportID)
	if err != nil {
		return mail.Attachment{}, fmt.Errorf("report %d: %w", rapportID, err)
	}
	if r.Statut != db.RapportStatutCompleted {
		return mail.Attachment{}, fmt.Errorf("report %d is %s: no file to attach", rapportID, r.Statut)
	}
	body, err := s.Files.OpenStored(ctx, documents.Stored{Key: *r.StorageKey, KeyID: *r.KeyID, Size: *r.Taille})
	if err != nil {
		return mail.Attachment{}, fmt.Errorf("report %d: %w", rapportID, err)
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return mail.Attachment{}, fmt.Errorf("read report %d: %w", rapportID, err)
	}
	return mail.Attachment{Name: *r.NomFichier, Mime: *r.MimeType, Data: data}, nil
}
