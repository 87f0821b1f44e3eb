package httpapi

import (
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/documents"
)

// Transformers of documents: domain -> contract types, with signed download URLs.

// documentPath is the download path of a document.
func documentPath(id int64) string {
	return APIPrefix + "/documents/" + strconv.FormatInt(id, 10) + "/download"
}

// toAPIDocument converts a document, with a freshly signed download URL.
func (s *Server) toAPIDocument(d documents.Document) api.Document {
	expires, sig := s.deps.Documents.Signer().Sign(d.ID)
	signed := documentPath(d.ID) + "?expires=" + strconv.FormatInt(expires.Unix(), 10) + "&signature=" + sig
	return api.Document{
		Id: d.ID, InterventionId: d.InterventionID, Filename: d.Filename,
		Path:       signed, // the original's clients put path in an <img src> or a link: it must open without a token
		DateUpload: d.CreatedAt.UTC(), Taille: d.Taille, MimeType: d.MimeType, Sha256: d.Sha256,
		Description: d.Description, Categorie: d.Categorie, UploadedBy: d.UploadedBy,
		Url: signed, UrlExpiresAt: expires,
	}
}

func (s *Server) documentPage(rows []documents.Document, total int64, err error) (api.DocumentPageJSONResponse, error) {
	if err != nil {
		return api.DocumentPageJSONResponse{}, err
	}
	body := make([]api.Document, len(rows))
	for i, d := range rows {
		body[i] = s.toAPIDocument(d)
	}
	return api.DocumentPageJSONResponse{Body: body, Headers: api.DocumentPageResponseHeaders{XTotalCount: int(total)}}, nil
}
