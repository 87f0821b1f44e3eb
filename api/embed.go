// Package api embeds the OpenAPI contract, served at /openapi.yaml and /openapi.json.
package api

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is api/openapi.yaml as written.
//
//go:embed openapi.yaml
var Spec []byte

var defineFormats sync.Once

// Shared returns the contract parsed and validated once per process: parsing the 4,300 lines
// costs a third of a second, paid by every server and test client otherwise. Every caller gets
// the same document, so it must only be read; kin-openapi's routers and request and response
// validation only read it. A caller that needs to change the document parses its own with Load.
var Shared = sync.OnceValues(Load)

// Load parses and validates the contract. It also teaches kin-openapi the `email` string
// format (its registry of formats is package-wide), so request validation checks e-mails.
func Load() (*openapi3.T, error) {
	defineFormats.Do(func() {
		openapi3.DefineStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
	})
	doc, err := openapi3.NewLoader().LoadFromData(Spec)
	if err != nil {
		return nil, fmt.Errorf("parse api/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate api/openapi.yaml: %w", err)
	}
	return doc, nil
}
