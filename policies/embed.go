// Package policies embeds the casbin model and policy that decide which role may call which
// operation of the contract.
package policies

import _ "embed"

// Model is the casbin model (model.conf).
//
//go:embed model.conf
var Model string

// Policy is the casbin policy (policy.csv).
//
//go:embed policy.csv
var Policy string
