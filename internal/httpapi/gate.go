package httpapi

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/rbac"
)

// Spec-level facts about the current request, kept in the Echo context.
const (
	ctxOperationID = "operation_id"
	ctxRoute       = "route_template"
)

// authenticator turns a bearer token into the caller.
type authenticator interface {
	Authenticate(ctx context.Context, bearer string) (auth.Principal, error)
	IsMetricsToken(bearer string) bool
}

// gate is the one middleware that, with a single route lookup in the contract, authenticates the
// bearer token, asks casbin whether the role may call the operation, and validates the request
// (parameters and body) before any handler runs.
type gate struct {
	routes  contractRoutes
	authn   authenticator
	authz   *rbac.Authorizer
	auditor func(ctx context.Context, e audit.Entry)
}

// Operations lists the operationIds of the contract.
func Operations(doc *openapi3.T) []string {
	var ops []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	return ops
}

type principalHolder struct{ p *auth.Principal }

func (g *gate) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		route, pathParams, ok := g.routes.find(c)
		if !ok {
			// Not an operation of the contract: Echo answers (docs pages, 404, 405).
			return next(c)
		}
		c.Set(ctxOperationID, route.Operation.OperationID)
		c.Set(ctxRoute, route.Path)

		// Uploads are streamed to their handler: their body is not read here (its parameters
		// still are validated), only its media type is checked.
		streamed := streamsBody(route.Operation)
		holder := &principalHolder{}
		input := &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route.Route,
			Options: &openapi3filter.Options{
				MultiError:         true,
				AuthenticationFunc: g.authenticate(holder),
				ExcludeRequestBody: streamed,
			},
		}
		ctx := req.Context()
		security := route.Spec.Security
		if route.Operation.Security != nil {
			security = *route.Operation.Security
		}
		security = withoutAliases(security)
		if req.Header.Get(echo.HeaderAuthorization) != "" {
			// Where a token is optional (signed download URLs), a token sent must still be
			// valid and its role allowed: the anonymous alternative does not hide a bad one.
			security = withoutAnonymous(security)
		}
		// kin-openapi reads the whole body before calling the authentication function (in case
		// it wants it); ours reads headers only, so it gets the request without its body, which
		// stays unread for validation below or for a streamed upload.
		secInput := *input
		if req.ContentLength != 0 {
			// A request without a body (ContentLength 0: neither a length nor chunks) has
			// nothing to hide; the copy costs a clone of its headers.
			secInput.Request = withoutBody(req)
		}
		if err := openapi3filter.ValidateSecurityRequirements(ctx, &secInput, security); err != nil {
			return securityProblem(err)
		}
		if holder.p != nil {
			ctx = auth.WithPrincipal(ctx, *holder.p)
			req = req.WithContext(ctx)
			c.SetRequest(req)
			input.Request = req
		}
		// Text PostgreSQL cannot store, and JSON read strictly (gate_input.go): a 400 at once, the
		// fields refused along with the validator's.
		textFields, err := checkInput(route.Route, pathParams, req, streamed)
		if err != nil {
			return err
		}
		input.Route = route.unsecured // security already checked above
		if streamed {
			// A streamed body is its handler's alone: the validator gets the request without it.
			input.Request = withoutBody(req)
		}
		if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
			return withFields(textFields, validationProblem(err))
		}
		if len(textFields) > 0 {
			return apperr.Validation(textFields...)
		}
		if streamed {
			if err := multipartContentType(req); err != nil {
				return err
			}
		}
		if fields := repeatedScalars(route.Route, req); len(fields) > 0 {
			return apperr.Validation(fields...)
		}
		if !streamed {
			if err := datesAsDays(route.Route, req); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// withoutBody is a shallow copy of req without its body, for checks that must not read it.
func withoutBody(req *http.Request) *http.Request {
	r := req.Clone(req.Context())
	r.Body, r.GetBody, r.ContentLength = http.NoBody, nil, 0
	return r
}

// streamsBody reports whether an operation takes a file upload (a multipart/form-data body
// with a binary property), which its handler reads as a stream.
func streamsBody(op *openapi3.Operation) bool {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return false
	}
	mt := op.RequestBody.Value.Content.Get("multipart/form-data")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	for _, p := range mt.Schema.Value.Properties {
		if p.Value != nil && p.Value.Type.Is(openapi3.TypeString) && p.Value.Format == "binary" {
			return true
		}
	}
	return false
}

// multipartContentType checks the media type of a streamed upload: multipart/form-data (415
// otherwise) with a boundary (400 otherwise).
func multipartContentType(req *http.Request) error {
	ct := req.Header.Get(echo.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/form-data" {
		return newProblem(http.StatusUnsupportedMediaType, "Type de contenu non supporté : "+ct+" (multipart/form-data attendu)")
	}
	if params["boundary"] == "" {
		return newProblem(http.StatusBadRequest, "Corps multipart sans boundary")
	}
	return nil
}

// bearerAliases are security schemes that deliver the same bearer token as bearerAuth (the
// OAuth2 password flow declared for the interactive docs): checking bearerAuth checks them.
var bearerAliases = map[string]bool{"oauth2Password": true}

// withoutAliases drops the requirements that only name a bearerAliases scheme, so that a token
// is authenticated (and a denial audited) once, not once per equivalent scheme.
func withoutAliases(reqs openapi3.SecurityRequirements) openapi3.SecurityRequirements {
	out := make(openapi3.SecurityRequirements, 0, len(reqs))
	for _, r := range reqs {
		alias := len(r) > 0
		for name := range r {
			alias = alias && bearerAliases[name]
		}
		if !alias {
			out = append(out, r)
		}
	}
	return out
}

// withoutAnonymous drops the empty (anonymous) alternatives of security requirements, unless
// nothing else is left.
func withoutAnonymous(reqs openapi3.SecurityRequirements) openapi3.SecurityRequirements {
	var out openapi3.SecurityRequirements
	for _, r := range reqs {
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return reqs
	}
	return out
}

// repeatedScalars reports query parameters sent several times although they take one value
// (kin-openapi reads the first; the generated binder would answer an undeclared 400).
func repeatedScalars(route *routers.Route, req *http.Request) []apperr.FieldError {
	query := req.URL.Query()
	var out []apperr.FieldError
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, ref := range params {
			p := ref.Value
			if p == nil || p.In != openapi3.ParameterInQuery || len(query[p.Name]) < 2 {
				continue
			}
			if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeArray) {
				continue
			}
			out = append(out, apperr.FieldError{Field: p.Name, Message: "ce paramètre n'accepte qu'une valeur"})
		}
	}
	return out
}

// authenticate is kin-openapi's AuthenticationFunc: it checks the bearer token, then the role.
func (g *gate) authenticate(holder *principalHolder) openapi3filter.AuthenticationFunc {
	return func(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
		if in.SecurityScheme == nil || in.SecurityScheme.Type != "http" ||
			!strings.EqualFold(in.SecurityScheme.Scheme, "bearer") {
			return fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName)
		}
		token, ok := bearerToken(in.RequestValidationInput.Request)
		if !ok {
			return apperr.Unauthorized("Not authenticated")
		}
		op := in.RequestValidationInput.Route.Operation.OperationID
		var p auth.Principal
		if g.authn.IsMetricsToken(token) {
			p = auth.Principal{Role: auth.RoleMetrics}
		} else {
			var err error
			if p, err = g.authn.Authenticate(ctx, token); err != nil {
				return err
			}
		}
		if !g.authz.Allowed(p.Role, op) {
			g.auditor(ctx, audit.Entry{ActorID: p.UserID, ActorRole: p.Role, Action: "rbac.denied",
				ResourceType: "operation", ResourceID: op})
			roles := g.authz.AllowedRoles(op)
			return apperr.Forbidden("Accès réservé aux rôles : %s", strings.Join(roles, ", "))
		}
		holder.p = &p
		return nil
	}
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// securityProblem maps a failed security requirement to 401 (with WWW-Authenticate) or 403.
func securityProblem(err error) error {
	var sre *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sre) {
		for _, e := range sre.Errors {
			if ae, ok := apperr.As(e); ok {
				if ae.Kind == apperr.KindUnauthorized {
					p := toProblem(ae)
					if ae.Message != "Not authenticated" {
						p.withHeader("WWW-Authenticate", `Bearer error="invalid_token"`)
					}
					return p
				}
				return ae
			}
			if e != nil && !errors.Is(e, openapi3filter.ErrAuthenticationServiceMissing) {
				return e // an infrastructure failure (database down): 500
			}
		}
	}
	return apperr.Unauthorized("Not authenticated")
}

// validationProblem maps kin-openapi request errors to 400, 413, 415 or 422 with field errors.
func validationProblem(err error) error {
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	} else {
		errs = []error{err}
	}
	var fields []apperr.FieldError
	for _, e := range errs {
		var re *openapi3filter.RequestError
		if !errors.As(e, &re) {
			return e
		}
		if errors.Is(re, echo.ErrStatusRequestEntityTooLarge) || strings.Contains(re.Error(), "request body too large") {
			return newProblem(http.StatusRequestEntityTooLarge, echoDetails[http.StatusRequestEntityTooLarge])
		}
		if strings.HasPrefix(re.Reason, "header Content-Type has unexpected value") {
			ct := re.Input.Request.Header.Get(echo.HeaderContentType)
			return newProblem(http.StatusUnsupportedMediaType, "Type de contenu non supporté : "+ct)
		}
		var pe *openapi3filter.ParseError
		if re.RequestBody != nil && errors.As(re.Err, &pe) {
			return newProblem(http.StatusBadRequest, "Corps de requête illisible : "+pe.Error())
		}
		fields = append(fields, requestFieldErrors(re)...)
	}
	return apperr.Validation(fields...)
}

// schemaErrors are the schema errors in err, however deeply the validator nested them.
func schemaErrors(err error) []*openapi3.SchemaError {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []*openapi3.SchemaError
		for _, e := range me {
			out = append(out, schemaErrors(e)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return []*openapi3.SchemaError{se}
	}
	return nil
}

func requestFieldErrors(re *openapi3filter.RequestError) []apperr.FieldError {
	schemaErrs := schemaErrors(re.Err)
	base := "body"
	if re.Parameter != nil {
		base = re.Parameter.Name
	}
	if len(schemaErrs) == 0 {
		// A value that does not even parse (a word for an integer parameter, ...).
		return []apperr.FieldError{{Field: base, Message: "valeur invalide"}}
	}
	out := make([]apperr.FieldError, 0, len(schemaErrs))
	for _, se := range schemaErrs {
		msg, property := schemaMessage(se)
		ptr := se.JSONPointer()
		if property != "" && (len(ptr) == 0 || ptr[len(ptr)-1] != property) { // name the missing or unknown property
			ptr = append(append([]string{}, ptr...), property)
		}
		field := base
		if len(ptr) > 0 {
			if re.Parameter != nil {
				field = base + "." + fieldName(ptr)
			} else {
				field = fieldName(ptr)
			}
		}
		if !slices.ContainsFunc(out, func(f apperr.FieldError) bool { return f.Field == field }) { // one per field (oneOf)
			out = append(out, apperr.FieldError{Field: field, Message: msg})
		}
	}
	return out
}
