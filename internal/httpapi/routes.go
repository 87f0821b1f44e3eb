package httpapi

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
)

// contractRoutes gives the contract's operation of a request from the route Echo has already
// matched: api.RegisterHandlers registers one Echo route per operation, so the gate needs no
// second lookup (kin-openapi's gorillamux router tries the contract's paths one by one).
// It is keyed by method, then by Echo's route path (/interventions/:intervention_id).
type contractRoutes map[string]map[string]*contractRoute

// contractRoute is an operation of the contract, and the same operation without security
// requirements to validate the rest of a request with: the gate authenticates the token itself,
// and openapi3filter.ValidateRequest would check the requirements again (with a no-op
// authentication) on every request.
type contractRoute struct {
	*routers.Route
	unsecured *routers.Route
}

// newContractRoutes indexes the operations of doc, whose request paths are those Echo sees
// (normalizePath has stripped /api/v1).
func newContractRoutes(doc *openapi3.T) contractRoutes {
	clone := *doc
	clone.Servers = nil
	rs := contractRoutes{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if rs[method] == nil {
				rs[method] = map[string]*contractRoute{}
			}
			route := &routers.Route{Spec: &clone, Path: path, PathItem: item, Method: method, Operation: op}
			unsecured := *route
			opCopy := *op
			opCopy.Security = &openapi3.SecurityRequirements{} // none: ValidateSecurityRequirements returns at once
			unsecured.Operation = &opCopy
			rs[method][echoPath(path)] = &contractRoute{Route: route, unsecured: &unsecured}
		}
	}
	return rs
}

// echoPath writes a contract path (/users/{user_id}) the way Echo registers it (/users/:user_id).
func echoPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			parts[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(parts, "/")
}

// find returns the operation Echo routed c to and its path parameters, or false when c is not
// an operation of the contract (docs pages, 404, 405).
func (rs contractRoutes) find(c echo.Context) (*contractRoute, map[string]string, bool) {
	route := rs[c.Request().Method][c.Path()]
	if route == nil {
		return nil, nil, false
	}
	names := c.ParamNames()
	params := make(map[string]string, len(names))
	for i, v := range c.ParamValues() {
		params[names[i]] = v
	}
	return route, params, true
}

// checkRegistered reports the operations of the contract that e has no route for: the gate
// would let their requests through unchecked, so the server refuses to start.
func (rs contractRoutes) checkRegistered(e *echo.Echo) error {
	registered := map[string]bool{}
	for _, r := range e.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	var missing []string
	for method, paths := range rs {
		for p, route := range paths {
			if !registered[method+" "+p] {
				missing = append(missing, method+" "+route.Path)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("operations of the contract without an Echo route: %s", strings.Join(missing, ", "))
	}
	return nil
}
