// Package migrations embeds the golang-migrate SQL files so the binary is self-contained.
package migrations

import "embed"

// FS holds the NNNNNN_name.up.sql / .down.sql files.
//
//go:embed *.sql
var FS embed.FS
