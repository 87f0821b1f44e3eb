package httpapi

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/rapports"
)

// ListRapports is GET /rapports.
func (s *Server) ListRapports(ctx context.Context, req api.ListRapportsRequestObject) (api.ListRapportsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Rapports.List(ctx, principal(ctx), rapports.Filter{Statut: stringOf(p.Statut), Type: stringOf(p.Type),
		Limit: valueOr(p.Limit, 0), Offset: valueOr(p.Offset, 0)})
	if err != nil {
		return nil, err
	}
	return api.ListRapports200JSONResponse{Body: mapAll(rows, s.toAPIRapport), Headers: api.ListRapports200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// CreateRapport is POST /rapports: 202, the report is made in the background.
func (s *Server) CreateRapport(ctx context.Context, req api.CreateRapportRequestObject) (api.CreateRapportResponseObject, error) {
	b := req.Body
	in := rapports.Input{Type: string(b.Type), Format: string(b.Format), Titre: b.Titre, From: dateOf(b.From), To: dateOf(b.To)}
	if b.Separateur != nil {
		sep := string(*b.Separateur)
		in.Separateur = &sep
	}
	in.Filtres = filtresOf(b.Filtres)
	r, err := s.deps.Rapports.Create(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	loc := rapportPath(r.ID)
	return api.CreateRapport202JSONResponse{Body: s.toAPIRapport(r), Headers: api.CreateRapport202ResponseHeaders{Location: &loc}}, nil
}

// GetRapport is GET /rapports/{rapport_id}.
func (s *Server) GetRapport(ctx context.Context, req api.GetRapportRequestObject) (api.GetRapportResponseObject, error) {
	r, err := s.deps.Rapports.Get(ctx, principal(ctx), req.RapportId)
	if err != nil {
		return nil, err
	}
	return api.GetRapport200JSONResponse(s.toAPIRapport(r)), nil
}

// DownloadRapport is GET /rapports/{rapport_id}/fichier: with a bearer token of a caller who
// may read the report, or with its signed link's expires and signature.
func (s *Server) DownloadRapport(ctx context.Context, req api.DownloadRapportRequestObject) (api.DownloadRapportResponseObject, error) {
	var r rapports.Rapport
	var err error
	p := req.Params
	if caller, ok := auth.PrincipalFrom(ctx); ok {
		r, err = s.deps.Rapports.Get(ctx, caller, req.RapportId)
	} else {
		if p.Expires == nil || p.Signature == nil {
			return nil, apperr.Unauthorized("Not authenticated")
		}
		r, err = s.deps.Rapports.GetSigned(ctx, req.RapportId, *p.Expires, *p.Signature)
	}
	if err != nil {
		return nil, err
	}
	f, err := s.deps.Rapports.Open(ctx, r)
	if err != nil {
		return nil, err
	}
	return rapportFile{f}, nil
}

// rapportFile streams a report's file.
type rapportFile struct{ rapports.File }

func (f rapportFile) VisitDownloadRapportResponse(w http.ResponseWriter) error {
	defer f.Body.Close()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(downloadWriteTimeout(f.Size)))
	h := w.Header()
	h.Set("Content-Type", f.Mime)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, f.Body)
	return err
}

func rapportPath(id int64) string { return APIPrefix + "/rapports/" + strconv.FormatInt(id, 10) }

// GetInterventionRapport is GET /interventions/{intervention_id}/rapport.pdf.
func (s *Server) GetInterventionRapport(ctx context.Context, req api.GetInterventionRapportRequestObject) (api.GetInterventionRapportResponseObject, error) {
	name, pdf, err := s.deps.Rapports.Bon(ctx, principal(ctx), req.InterventionId)
	if err != nil {
		return nil, err
	}
	disposition := mime.FormatMediaType("inline", map[string]string{"filename": name})
	return api.GetInterventionRapport200ApplicationpdfResponse{Body: bytes.NewReader(pdf), ContentLength: int64(len(pdf)),
		Headers: api.GetInterventionRapport200ResponseHeaders{ContentDisposition: &disposition}}, nil
}
