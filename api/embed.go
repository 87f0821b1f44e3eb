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
