package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// problem is an RFC 9457 error response produced by the HTTP layer itself.
type problem struct {
	Status  int
	Detail  string
	Fields  []apperr.FieldError
	Headers map[string]string
}

func (p *problem) Error() string { return strconv.Itoa(p.Status) + " " + p.Detail }

func newProblem(status int, detail string) *problem {
	return &problem{Status: status, Detail: detail}
}

func (p *problem) withHeader(k, v string) *problem {
	if p.Headers == nil {
		p.Headers = map[string]string{}
	}
	p.Headers[k] = v
	return p
}

// statusOf maps each domain error kind to its one HTTP status.
var statusOf = map[apperr.Kind]int{
	apperr.KindBadRequest:   http.StatusBadRequest,
	apperr.KindUnauthorized: http.StatusUnauthorized,
	apperr.KindForbidden:    http.StatusForbidden,
	apperr.KindNotFound:     http.StatusNotFound,
	apperr.KindConflict:     http.StatusConflict,
	apperr.KindInvalid:      http.StatusUnprocessableEntity,
	apperr.KindLocked:       http.StatusTooManyRequests,
	apperr.KindPrecondition: http.StatusPreconditionFailed,
	apperr.KindGone:         http.StatusGone,
}

// echoDetails are the French messages of the errors Echo itself raises.
var echoDetails = map[int]string{
	http.StatusNotFound:              "Ressource introuvable",
	http.StatusMethodNotAllowed:      "Méthode non autorisée",
	http.StatusRequestEntityTooLarge: "Corps de requête trop volumineux",
	http.StatusUnsupportedMediaType:  "Type de contenu non supporté",
	http.StatusBadRequest:            "Requête invalide",
}

// toProblem turns any error returned by a handler or middleware into a problem.
func toProblem(err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	if e, ok := apperr.As(err); ok {
		out := &problem{Status: statusOf[e.Kind], Detail: e.Message, Fields: e.Fields}
		switch e.Kind {
		case apperr.KindUnauthorized:
			out.withHeader("WWW-Authenticate", `Bearer`)
		case apperr.KindLocked:
			out.withHeader("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		}
		return out
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		detail, ok := echoDetails[he.Code]
		if !ok {
			detail = http.StatusText(he.Code)
		}
		return newProblem(he.Code, detail)
	}
	if platform.Unreachable(err) {
		return errUnavailable()
	}
	if p := keyMissingProblem(err); p != nil {
		return p
	}
	return newProblem(http.StatusInternalServerError, "Une erreur interne est survenue.")
}

// errorHandler is Echo's HTTPErrorHandler: every error becomes application/problem+json, and
// every refusal (403) is in the audit trail: the gate's and the services' own entries
// (rbac.denied, intervention.denied), or else an access.denied entry written here.
func errorHandler(log *slog.Logger, trail *audit.Recorder) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		p := toProblem(err)
		ctx := c.Request().Context()
		reqID := c.Response().Header().Get(echo.HeaderXRequestID)
		if p.Status >= 500 {
			log.ErrorContext(ctx, "request failed",
				"request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "error", err)
		}
		if p.Status == http.StatusForbidden && trail != nil && !audit.DenialRecorded(ctx) {
			e := audit.Entry{Action: "access.denied", ResourceType: "operation", Details: map[string]any{
				"method": c.Request().Method, "path": c.Request().URL.Path, "detail": p.Detail}}
			e.ResourceID, _ = c.Get(ctxOperationID).(string)
			if pr, ok := auth.PrincipalFrom(ctx); ok {
				e.ActorID, e.ActorRole = pr.UserID, pr.Role
			}
			if err := trail.Record(ctx, e); err != nil {
				log.ErrorContext(ctx, "audit write failed", "request_id", reqID, "error", err)
			}
		}
		if c.Response().Committed {
			return
		}
		writeProblem(c, p, reqID)
	}
}

func writeProblem(c echo.Context, p *problem, reqID string) {
	body := api.Problem{
		Type:     "about:blank",
		Title:    http.StatusText(p.Status),
		Status:   p.Status,
		Detail:   &p.Detail,
		Instance: ptr(c.Request().Header.Get(headerOriginalPath)),
	}
	if *body.Instance == "" {
		body.Instance = ptr(c.Request().URL.Path)
	}
	if reqID != "" {
		body.RequestId = &reqID
	}
	if len(p.Fields) > 0 {
		fe := make([]api.FieldError, len(p.Fields))
		for i, f := range p.Fields {
			fe[i] = api.FieldError{Field: f.Field, Message: f.Message}
		}
		body.Errors = &fe
	}
	h := c.Response().Header()
	for k, v := range p.Headers {
		h.Set(k, v)
	}
	h.Set(echo.HeaderContentType, "application/problem+json")
	if c.Request().Method == http.MethodHead {
		c.Response().WriteHeader(p.Status)
		return
	}
	c.Response().WriteHeader(p.Status)
	_ = json.NewEncoder(c.Response()).Encode(body)
}

func ptr[T any](v T) *T { return &v }

// fieldName turns a JSON pointer or dotted path into a field name ("/items/0/nom" -> "items.0.nom").
func fieldName(parts []string) string {
	return strings.Join(parts, ".")
}
