package httpapi_test

import (
	"net/http"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestPartsOnInterventions follows parts through an intervention's life: reserved (free stock
// down, stock unchanged), consumed at once or at the closing (a sortie linked to it, the parts
// cost computed), returned when a consumed line is removed, released when it is cancelled; who
// may do what.
func TestPartsOnInterventions(t *testing.T) {
	t.Parallel()
	iv := newIvFixture(t)
	env := iv.env
	f := newPCFixture(t, env)
	ctx := t.Context()
	roulement := f.piece(api.PieceCreate{Nom: "Roulement 6205", Reference: "R-6205", StockInitial: ptrTo(10), CoutInitial: ptrTo[int64](8000)})
	joint := f.piece(api.PieceCreate{Nom: "Joint", Reference: "J-40", StockInitial: ptrTo(4), CoutInitial: ptrTo[int64](500)})
	machine := iv.machine(&iv.company, nil)
	work := iv.insert("en_cours", machine, &iv.techID)

	add := func(token string, id int64, body api.InterventionPieceCreate, editors ...api.RequestEditorFn) *api.AddInterventionPieceResponse {
		t.Helper()
		r, err := env.Client.AddInterventionPieceWithResponse(ctx, id, body, append(editors, testenv.As(token))...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	lines := func(token string, id int64) []api.InterventionPiece {
		t.Helper()
		r, err := env.Client.ListInterventionPiecesWithResponse(ctx, id, testenv.As(token))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("lines of %d: %v %d %s", id, err, r.StatusCode(), r.Body)
		}
		return *r.JSON200
	}
	coutPieces := func(id int64) *int64 { return iv.state(id).CoutPieces }

	// The assigned technicien reserves 3 bearings and consumes a seal at once.
	r := add(iv.tech, work, api.InterventionPieceCreate{PieceId: roulement.Id, Quantite: 3})
	if r.JSON201 == nil || r.JSON201.Statut != api.StatutPieceInterventionReservee || r.JSON201.Montant != 0 {
		t.Fatalf("reserve: %d %s", r.StatusCode(), r.Body)
	}
	reserved := *r.JSON201
	if p := f.get(roulement.Id); p.StockActuel != 10 || p.StockReserve != 3 || p.StockDisponible != 7 {
		t.Errorf("after a reservation: stock %d reserved %d free %d", p.StockActuel, p.StockReserve, p.StockDisponible)
	}
	r = add(iv.tech, work, api.InterventionPieceCreate{PieceId: joint.Id, Quantite: 2, Consommer: ptrTo(true)})
	if r.JSON201 == nil || r.JSON201.Statut != api.StatutPieceInterventionConsommee || r.JSON201.Montant != 1000 || r.JSON201.SortieId == nil {
		t.Fatalf("consume: %d %s", r.StatusCode(), r.Body)
	}
	consumed := *r.JSON201
	if p := f.get(joint.Id); p.StockActuel != 2 || p.StockReserve != 0 {
		t.Errorf("after consuming: %+v", p)
	}
	if c := coutPieces(work); c == nil || *c != 1000 {
		t.Errorf("cout_pieces after consuming 2 × 5.00: %v", c)
	}

	t.Run("reservations hold against other issues", func(t *testing.T) {
		r := add(iv.resp, work, api.InterventionPieceCreate{PieceId: roulement.Id, Quantite: 8})
		p := stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict, "quantite")
		if (*p.Errors)[0].Message != "7 disponible(s)" {
			t.Errorf("problem %+v", p)
		}
		m := f.move(roulement.Id, mvt(api.TypeMouvementSortie, 8))
		stockProblem(t, m.StatusCode(), m.Body, http.StatusConflict, "quantite")
	})
	t.Run("bad input and other people's work", func(t *testing.T) {
		r := add(iv.resp, work, api.InterventionPieceCreate{PieceId: 999999, Quantite: 1})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "piece_id")
		r = add(iv.resp, work, api.InterventionPieceCreate{PieceId: joint.Id, Quantite: 0}, testenv.InvalidOnPurpose)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity)
		_, otherTech := iv.techAccount()
		r = add(otherTech, work, api.InterventionPieceCreate{PieceId: joint.Id, Quantite: 1})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusNotFound)
		r = add(iv.client, work, api.InterventionPieceCreate{PieceId: joint.Id, Quantite: 1})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden)
		if got := lines(iv.client, work); len(got) != 2 {
			t.Errorf("the client reads %d lines of its intervention, want 2", len(got))
		}
		_, otherClient := iv.clientAccount()
		if l, _ := env.Client.ListInterventionPiecesWithResponse(ctx, work, testenv.As(otherClient)); l.StatusCode() != http.StatusNotFound {
			t.Errorf("another client reads the lines: %d", l.StatusCode())
		}
	})
	t.Run("removing a consumed line returns it at its cost", func(t *testing.T) {
		rm, err := env.Client.RemoveInterventionPieceWithResponse(ctx, work, consumed.Id, testenv.As(iv.tech))
		if err != nil || rm.JSON200 == nil || rm.JSON200.Statut != api.StatutPieceInterventionRetournee || rm.JSON200.RetourId == nil {
			t.Fatalf("remove consumed: %v %s", err, rm.Body)
		}
		if p := f.get(joint.Id); p.StockActuel != 4 || p.CoutMoyen != 500 {
			t.Errorf("after the return: %+v", p)
		}
		if c := coutPieces(work); c == nil || *c != 0 {
			t.Errorf("cout_pieces after the return: %v", c)
		}
		rm, _ = env.Client.RemoveInterventionPieceWithResponse(ctx, work, consumed.Id, testenv.As(iv.tech))
		stockProblem(t, rm.StatusCode(), rm.Body, http.StatusConflict)
	})
	t.Run("closing consumes what is reserved and computes the parts cost", func(t *testing.T) {
		resp, b := iv.act(iv.tech, work, "close", `{"rapport":"Roulements changés","cout_pieces":1}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("close: %d %s", resp.StatusCode, b)
		}
		if c := coutPieces(work); c == nil || *c != 3*8000 {
			t.Errorf("cout_pieces after closing: %v, want %d (not the one typed)", c, 3*8000)
		}
		if p := f.get(roulement.Id); p.StockActuel != 7 || p.StockReserve != 0 {
			t.Errorf("after closing: stock %d reserved %d", p.StockActuel, p.StockReserve)
		}
		got := lines(iv.resp, work)
		if got[0].Id != reserved.Id || got[0].Statut != api.StatutPieceInterventionConsommee || got[0].Montant != 24000 {
			t.Errorf("line after closing %+v", got[0])
		}
		ledger, err := env.Client.ListMouvementsStockWithResponse(ctx, &api.ListMouvementsStockParams{InterventionId: &work}, testenv.As(iv.resp))
		if err != nil || ledger.JSON200 == nil || len(*ledger.JSON200) != 3 { // seal out and back, bearings out
			t.Fatalf("movements of the intervention: %v %s", err, ledger.Body)
		}
		r := add(iv.resp, work, api.InterventionPieceCreate{PieceId: joint.Id, Quantite: 1})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
	})
	t.Run("cancelling releases what is reserved", func(t *testing.T) {
		other := iv.insert("affectee", machine, &iv.techID)
		if r := add(iv.resp, other, api.InterventionPieceCreate{PieceId: roulement.Id, Quantite: 5}); r.JSON201 == nil {
			t.Fatalf("reserve: %d %s", r.StatusCode(), r.Body)
		}
		resp, b := iv.act(iv.resp, other, "cancel", `{"motif":"Doublon"}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("cancel: %d %s", resp.StatusCode, b)
		}
		if p := f.get(roulement.Id); p.StockActuel != 7 || p.StockReserve != 0 {
			t.Errorf("after cancelling: stock %d reserved %d", p.StockActuel, p.StockReserve)
		}
		if got := lines(iv.resp, other); got[0].Statut != api.StatutPieceInterventionLiberee {
			t.Errorf("line after cancelling %+v", got[0])
		}
	})
	sum, _ := f.ledgerSum(roulement.Id)
	if p := f.get(roulement.Id); p.StockActuel != sum {
		t.Errorf("balance %d, ledger %d", p.StockActuel, sum)
	}
}
