package platform

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/apperr"
)

func TestWriteErrorAnswersLikeTheCheckItSlippedPast(t *testing.T) {
	t.Parallel()
	taken := apperr.Conflict("Nom déjà utilisé")
	gone := apperr.NotFound("Parent introuvable")
	c := Constraints{"things_nom_key": taken, "things_parent_id_fkey": gone}
	pg := func(code, name string) error {
		return fmt.Errorf("insert: %w", &pgconn.PgError{Code: code, ConstraintName: name})
	}
	cases := []struct {
		name string
		err  error
		want func(error) bool
	}{
		{"named unique", pg("23505", "things_nom_key"), func(e error) bool { return errors.Is(e, taken) }},
		{"named foreign key", pg("23503", "things_parent_id_fkey"), func(e error) bool { return errors.Is(e, gone) }},
		{"any check", pg("23514", "things_taille_check"), func(e error) bool { return apperr.IsKind(e, apperr.KindInvalid) }},
		{"unnamed unique stays a server error", pg("23505", "other_key"), func(e error) bool { _, ok := apperr.As(e); return !ok }},
		{"other error wrapped", errors.New("boom"), func(e error) bool { _, ok := apperr.As(e); return !ok && e.Error() == "save thing: boom" }},
	}
	for _, tc := range cases {
		if got := WriteError("save thing", tc.err, c); !tc.want(got) {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	if !IsForeignKeyViolation(pg("23503", "x")) || IsForeignKeyViolation(pg("23505", "x")) || !IsUniqueViolation(pg("23505", "x")) {
		t.Error("violation kinds")
	}
}
