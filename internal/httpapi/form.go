package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/oapi-codegen/runtime"
)

// maxFormField bounds one multipart form field (the body limit bounds the whole request).
const maxFormField = 64 << 10

// bindForm returns the form of a request that the strict server decoded as urlencoded
// (formdata) or handed over as a multipart stream.
func bindForm[T any](formdata *T, mr *multipart.Reader) (T, error) {
	var out T
	if formdata != nil {
		return *formdata, nil
	}
	if mr == nil {
		return out, newProblem(http.StatusUnsupportedMediaType, "Type de contenu non supporté")
	}
	values := url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, newProblem(http.StatusBadRequest, "Formulaire multipart illisible")
		}
		if part.FileName() != "" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFormField))
		if err != nil {
			return out, newProblem(http.StatusBadRequest, "Formulaire multipart illisible")
		}
		values.Add(part.FormName(), string(b))
	}
	if err := runtime.BindForm(&out, values, nil, nil); err != nil {
		return out, newProblem(http.StatusBadRequest, "Formulaire illisible : "+err.Error())
	}
	return out, nil
}
