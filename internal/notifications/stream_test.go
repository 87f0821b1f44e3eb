package notifications_test

import (
	"testing"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/notifications"
)

func TestStreamReadsOnlyTheRecipientsRowsInPages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := notifications.NewStream(w.pool)
	ctx := t.Context()
	me, other := w.user("technicien", true), w.user("technicien", true)

	if last, err := s.Last(ctx, me); err != nil || last != 0 {
		t.Fatalf("Last without notifications = %d, %v; want 0", last, err)
	}
	var mine []int64
	for i := range notifications.StreamPage + 2 {
		n, err := insert(t, w.pool, notifications.New{UserID: me, Titre: "n", Canal: "log"})
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, n.ID)
		if i == 0 {
			if _, err := insert(t, w.pool, notifications.New{UserID: other, Titre: "x", Canal: "log"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if last, err := s.Last(ctx, me); err != nil || last != mine[len(mine)-1] {
		t.Errorf("Last = %d, %v; want %d", last, err, mine[len(mine)-1])
	}

	page, err := s.After(ctx, me, 0)
	if err != nil || len(page) != notifications.StreamPage {
		t.Fatalf("first page: %d rows, %v; want %d", len(page), err, notifications.StreamPage)
	}
	rest, err := s.After(ctx, me, page[len(page)-1].ID)
	if err != nil || len(rest) != 2 || rest[0].ID != mine[len(mine)-2] || rest[1].UserID != me {
		t.Errorf("second page: %+v, %v; want my last two", rest, err)
	}

	if n, ok, err := s.Get(ctx, me, mine[0]); err != nil || !ok || n.ID != mine[0] || n.Titre != "n" {
		t.Errorf("Get own: %+v %v %v", n, ok, err)
	}
	if _, ok, err := s.Get(ctx, other, mine[0]); err != nil || ok {
		t.Errorf("Get of another recipient's row: found %v, %v; want not found", ok, err)
	}
}

func TestStreamCallerIsTheActiveAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := notifications.NewStream(w.pool)
	ctx := t.Context()
	active, inactive := w.user("client", true), w.user("client", false)

	p, err := s.Caller(ctx, active)
	if err != nil || p.UserID != active || p.Role != "client" || p.Email == "" || p.Username == "" {
		t.Errorf("Caller of an active account: %+v, %v", p, err)
	}
	if _, err := s.Caller(ctx, inactive); !apperr.IsKind(err, apperr.KindForbidden) {
		t.Errorf("Caller of a deactivated account: %v, want forbidden", err)
	}
	if _, err := s.Caller(ctx, inactive+1000); !apperr.IsKind(err, apperr.KindUnauthorized) {
		t.Errorf("Caller of a missing account: %v, want unauthorized", err)
	}
}
