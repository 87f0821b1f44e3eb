package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/documents"
)

// MsgMissingDocumentKey is the start-up warning logged for each key that stored files were
// encrypted with and that DOCUMENT_KEYS does not list.
const MsgMissingDocumentKey = "stored files were encrypted with a key missing from DOCUMENT_KEYS: " +
	"their downloads answer 503 until that key is listed in DOCUMENT_KEYS again"

// CheckDocumentKeys logs a warning (MsgMissingDocumentKey) for each key that stored documents or
// completed reports were encrypted with and that DOCUMENT_KEYS lacks: a server restarted with
// other keys, or a database restored without its keys. `erp serve` calls it at start-up; an error
// means the check itself could not run.
func CheckDocumentKeys(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, log *slog.Logger) error {
	ring, err := documents.NewKeyRing(cfg.DocumentKeys)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	missing, err := documents.MissingKeys(ctx, pool, ring)
	if err != nil {
		return fmt.Errorf("check the keys of the stored documents: %w", err)
	}
	if len(missing) == 0 {
		return nil
	}
	configured := make([]string, len(cfg.DocumentKeys))
	for i, k := range cfg.DocumentKeys {
		configured[i] = documents.KeyID(k)
	}
	for _, m := range missing {
		log.WarnContext(ctx, MsgMissingDocumentKey, "key_id", m.KeyID, "documents", m.Documents, "rapports", m.Rapports,
			"configured_key_ids", configured, "generated_keys", cfg.DocumentKeysGenerated)
	}
	return nil
}
