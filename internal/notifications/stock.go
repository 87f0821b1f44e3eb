package notifications

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mif-erp/erp/gen/db"
)

// StockPiece is the part whose stock reached its minimum.
type StockPiece struct {
	ID               int64
	Nom, Reference   string
	Stock, Minimum   int
	QuantiteSuggeree int
}

// StockLow tells every active responsable, inside the transaction q of the movement, that a
// part's stock reached its minimum (type information, e-mailed as their preferences say).
func StockLow(ctx context.Context, q db.DBTX, p StockPiece, actorID *int64) error {
	ids, err := db.New(q).NotificationActiveResponsables(ctx)
	if err != nil {
		return fmt.Errorf("responsables: %w", err)
	}
	contenu := "La pièce « " + p.Nom + " » (réf. " + p.Reference + ", n° " + strconv.FormatInt(p.ID, 10) +
		") a atteint son stock minimum : " + strconv.Itoa(p.Stock) + " en stock, minimum " + strconv.Itoa(p.Minimum) +
		". Quantité à commander : " + strconv.Itoa(p.QuantiteSuggeree) + "."
	for _, id := range ids {
		if _, err := Insert(ctx, q, New{UserID: id, Type: db.NotificationTypeInformation,
			Titre: "Stock bas : " + p.Reference, Contenu: &contenu, CreatedBy: actorID}); err != nil {
			return fmt.Errorf("notify user %d: %w", id, err)
		}
	}
	return nil
}
