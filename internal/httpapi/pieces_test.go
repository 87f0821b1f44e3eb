package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oapi-codegen/nullable"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// pcFixture creates parts and movements through the API in one test's database.
type pcFixture struct {
	t   *testing.T
	env *testenv.Env
	tok string // the demo responsable, who manages stock
}

func newPCFixture(t *testing.T, env *testenv.Env) *pcFixture {
	return &pcFixture{t: t, env: env, tok: env.Token("responsable")}
}

func (f *pcFixture) piece(body api.PieceCreate) api.Piece {
	f.t.Helper()
	r, err := f.env.Client.CreatePieceWithResponse(f.t.Context(), nil, body, testenv.As(f.tok))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON201 == nil {
		f.t.Fatalf("create piece %s: %d %s", body.Reference, r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

// move records a movement and returns the answer (status and body checked by the caller).
func (f *pcFixture) move(id int64, body api.MouvementStockCreate) *api.CreateMouvementStockResponse {
	f.t.Helper()
	r, err := f.env.Client.CreateMouvementStockWithResponse(f.t.Context(), id, nil, body, testenv.As(f.tok))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *pcFixture) mustMove(id int64, body api.MouvementStockCreate) api.MouvementStock {
	f.t.Helper()
	r := f.move(id, body)
	if r.JSON201 == nil {
		f.t.Fatalf("movement %+v: %d %s", body, r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

func (f *pcFixture) get(id int64) api.Piece {
	f.t.Helper()
	r, err := f.env.Client.GetPieceWithResponse(f.t.Context(), id, testenv.As(f.tok))
	if err != nil || r.JSON200 == nil {
		f.t.Fatalf("get piece %d: %v %s", id, err, r.Body)
	}
	return *r.JSON200
}

// ledgerSum is the balance the ledger adds up to, and its number of lines, read in SQL.
func (f *pcFixture) ledgerSum(id int64) (sum, lines int) {
	f.t.Helper()
	err := f.env.Pool.QueryRow(f.t.Context(),
		`SELECT coalesce(sum(stock_apres - stock_avant), 0), count(*) FROM mouvements_stock WHERE piece_id = $1`, id).Scan(&sum, &lines)
	if err != nil {
		f.t.Fatal(err)
	}
	return sum, lines
}

func mvt(typ api.TypeMouvement, q int) api.MouvementStockCreate {
	return api.MouvementStockCreate{TypeMouvement: typ, Quantite: &q}
}

func stockProblem(t *testing.T, status int, body []byte, wantStatus int, wantFields ...string) api.Problem {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("got %d %s, want %d", status, body, wantStatus)
	}
	p := decodeProblem(t, body)
	if got := fieldsOf(p); wantFields != nil && !slices.Equal(got, wantFields) {
		t.Errorf("problem fields %v, want %v (%s)", got, wantFields, body)
	}
	return p
}

func TestPieceCatalogue(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newPCFixture(t, env)
	ctx := t.Context()

	p := f.piece(api.PieceCreate{Nom: "Roulement 6205-2RS", Reference: "SKF-6205", Marque: ptrTo("SKF"),
		Fournisseur: ptrTo("Maroc Roulements"), StockMinimum: ptrTo(4), StockMaximum: ptrTo(20),
		PrixUnitaire: ptrTo[int64](8500), StockInitial: ptrTo(12)})
	if p.StockActuel != 12 || p.CoutMoyen != 8500 || p.ValeurStock != 102000 || p.EtatStock != api.EtatStockNormal || p.Devise != "MAD" {
		t.Errorf("created piece %+v", p)
	}
	if sum, n := f.ledgerSum(p.Id); sum != 12 || n != 1 {
		t.Errorf("ledger after stock_initial: sum %d, %d lines", sum, n)
	}
	f.piece(api.PieceCreate{Nom: "Joint torique 40x3", Reference: "JT-40-3", Fournisseur: ptrTo("maroc roulements"),
		StockMinimum: ptrTo(10), StockInitial: ptrTo(3)})
	f.piece(api.PieceCreate{Nom: "Filtre à huile", Reference: "FH-100", StockMinimum: ptrTo(2)})
	f.piece(api.PieceCreate{Nom: "Courroie SPA 1250", Reference: "SPA-1250", IsActive: ptrTo(false), StockInitial: ptrTo(5)})

	t.Run("reference unique case-insensitively", func(t *testing.T) {
		r, err := env.Client.CreatePieceWithResponse(ctx, nil, api.PieceCreate{Nom: "Autre", Reference: " skf-6205 "}, testenv.As(f.tok))
		if err != nil {
			t.Fatal(err)
		}
		p := stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
		if detailOf(p) != "Référence déjà utilisée" {
			t.Errorf("detail %q", detailOf(p))
		}
	})
	t.Run("bad input names the field", func(t *testing.T) {
		r, err := env.Client.CreatePieceWithResponse(ctx, nil, api.PieceCreate{Nom: "  ", Reference: "X-1",
			StockMinimum: ptrTo(10), StockMaximum: ptrTo(5)}, testenv.As(f.tok))
		if err != nil {
			t.Fatal(err)
		}
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "nom", "stock_maximum")
		// Text PostgreSQL cannot store is refused by the gate, before the service's checks.
		r, err = env.Client.CreatePieceWithResponse(ctx, nil, api.PieceCreate{Nom: "  ", Reference: "X\u0000"}, testenv.As(f.tok))
		if err != nil {
			t.Fatal(err)
		}
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "reference")
		r2, _ := env.Client.CreatePieceWithResponse(ctx, nil, api.PieceCreate{Nom: "Y", Reference: "Y-1", Devise: ptrTo("mad")},
			testenv.As(f.tok), testenv.InvalidOnPurpose)
		if r2.StatusCode() != http.StatusUnprocessableEntity {
			t.Errorf("lower-case currency: %d %s", r2.StatusCode(), r2.Body)
		}
		if n := countRows(t, env, "SELECT count(*) FROM pieces WHERE reference IN ('Y-1')"); n != 0 {
			t.Errorf("a refused part was written")
		}
	})
	t.Run("filters, sort and paging", func(t *testing.T) {
		list := func(params api.ListPiecesParams) ([]string, int) {
			t.Helper()
			r, err := env.Client.ListPiecesWithResponse(ctx, &params, testenv.As(env.Token("technicien")))
			if err != nil || r.JSON200 == nil {
				t.Fatalf("list: %v %s", err, r.Body)
			}
			var refs []string
			for _, p := range *r.JSON200 {
				refs = append(refs, p.Reference)
			}
			return refs, r.Headers200.XTotalCount
		}
		cases := []struct {
			name   string
			params api.ListPiecesParams
			want   []string
		}{
			{"default by name", api.ListPiecesParams{}, []string{"SPA-1250", "FH-100", "JT-40-3", "SKF-6205"}},
			{"search", api.ListPiecesParams{Q: ptrTo("joint")}, []string{"JT-40-3"}},
			{"low stock", api.ListPiecesParams{Stock: ptrTo(api.EtatStockBas)}, []string{"JT-40-3"}},
			{"out of stock", api.ListPiecesParams{Stock: ptrTo(api.EtatStockRupture)}, []string{"FH-100"}},
			{"supplier, any case", api.ListPiecesParams{Fournisseur: ptrTo("MAROC ROULEMENTS")}, []string{"JT-40-3", "SKF-6205"}},
			{"inactive", api.ListPiecesParams{Actif: ptrTo(false)}, []string{"SPA-1250"}},
			{"by stock, descending", api.ListPiecesParams{Sort: ptrTo(api.ListPiecesParamsSortMinusStockActuel), Actif: ptrTo(true)},
				[]string{"SKF-6205", "JT-40-3", "FH-100"}},
		}
		for _, c := range cases {
			got, total := list(c.params)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("%s: %v (total %d), want %v", c.name, got, total, c.want)
			}
		}
		got, total := list(api.ListPiecesParams{Limit: ptrTo(2), Offset: ptrTo(1)})
		if !slices.Equal(got, []string{"FH-100", "JT-40-3"}) || total != 4 {
			t.Errorf("page 2 of 2: %v total %d", got, total)
		}
		resp, b := env.Do("GET", "/api/v1/pieces?sort=prix", f.tok, "", nil, true)
		stockProblem(t, resp.StatusCode, b, http.StatusUnprocessableEntity)
	})
	t.Run("update, If-Match and currency", func(t *testing.T) {
		r, err := env.Client.UpdatePieceWithResponse(ctx, p.Id, &api.UpdatePieceParams{IfMatch: ptrTo(`"1"`)},
			api.PieceUpdate{Emplacement: nullable.NewNullableWithValue("Magasin B")}, testenv.As(f.tok))
		if err != nil {
			t.Fatal(err)
		}
		stockProblem(t, r.StatusCode(), r.Body, http.StatusPreconditionFailed) // the initial stock moved it on
		cur := f.get(p.Id)
		r, err = env.Client.UpdatePieceWithResponse(ctx, p.Id, &api.UpdatePieceParams{IfMatch: ptrTo(fmt.Sprintf(`"%d"`, cur.Version))},
			api.PieceUpdate{Emplacement: nullable.NewNullableWithValue("Magasin B"), Marque: nullable.NewNullNullable[string]()}, testenv.As(f.tok))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("update: %v %s", err, r.Body)
		}
		if u := r.JSON200; u.Emplacement == nil || *u.Emplacement != "Magasin B" || u.Marque != nil || u.StockActuel != 12 || u.Version != cur.Version+1 {
			t.Errorf("updated %+v", u)
		}
		r, _ = env.Client.UpdatePieceWithResponse(ctx, p.Id, nil, api.PieceUpdate{Devise: ptrTo("EUR")}, testenv.As(f.tok))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
		r, _ = env.Client.UpdatePieceWithResponse(ctx, p.Id, nil, api.PieceUpdate{StockMinimum: ptrTo(30)}, testenv.As(f.tok))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "stock_maximum")
	})
	t.Run("delete only without ledger", func(t *testing.T) {
		r, err := env.Client.DeletePieceWithResponse(ctx, p.Id, testenv.As(f.tok))
		if err != nil {
			t.Fatal(err)
		}
		stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
		fresh := f.piece(api.PieceCreate{Nom: "Éphémère", Reference: "TMP-1"})
		if r, _ := env.Client.DeletePieceWithResponse(ctx, fresh.Id, testenv.As(f.tok)); r.StatusCode() != http.StatusNoContent {
			t.Errorf("delete unused: %d %s", r.StatusCode(), r.Body)
		}
		if r, _ := env.Client.GetPieceWithResponse(ctx, fresh.Id, testenv.As(f.tok)); r.StatusCode() != http.StatusNotFound {
			t.Errorf("get deleted: %d", r.StatusCode())
		}
	})
	t.Run("machines a part fits", func(t *testing.T) {
		eq := newEqFixture(t, env)
		m1 := eq.create(func(b *api.EquipementCreate) { b.Nom = "Pompe P1" })
		m2 := eq.create(func(b *api.EquipementCreate) { b.Nom = "Compresseur C1" })
		r, err := env.Client.SetPieceEquipementsWithResponse(ctx, p.Id, api.PieceEquipementsInput{EquipementIds: []int64{m1.Id, m2.Id}}, testenv.As(f.tok))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("set: %v %s", err, r.Body)
		}
		if got := *r.JSON200; len(got) != 2 || got[0].Nom != "Compresseur C1" || got[1].Nom != "Pompe P1" {
			t.Errorf("machines %+v", got)
		}
		r, _ = env.Client.SetPieceEquipementsWithResponse(ctx, p.Id, api.PieceEquipementsInput{EquipementIds: []int64{m1.Id, 999999}}, testenv.As(f.tok))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "equipement_ids")
		l, err := env.Client.ListPieceEquipementsWithResponse(ctx, p.Id, testenv.As(env.Token("technicien")))
		if err != nil || l.JSON200 == nil || len(*l.JSON200) != 2 {
			t.Fatalf("list after a refused change: %v %s", err, l.Body)
		}
		lr, err := env.Client.ListPiecesWithResponse(ctx, &api.ListPiecesParams{EquipementId: &m1.Id}, testenv.As(f.tok))
		if err != nil || lr.JSON200 == nil || len(*lr.JSON200) != 1 || (*lr.JSON200)[0].Id != p.Id {
			t.Fatalf("parts fitting P1: %v %s", err, lr.Body)
		}
	})
}

func TestStockLedger(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newPCFixture(t, env)
	ctx := t.Context()
	p := f.piece(api.PieceCreate{Nom: "Filtre à air", Reference: "FA-200", StockMinimum: ptrTo(2), StockMaximum: ptrTo(30),
		StockInitial: ptrTo(10), CoutInitial: ptrTo[int64](8500)})

	t.Run("weighted average cost", func(t *testing.T) {
		m := f.mustMove(p.Id, api.MouvementStockCreate{TypeMouvement: api.TypeMouvementEntree, Quantite: ptrTo(10), PrixUnitaire: ptrTo[int64](9500),
			Motif: ptrTo("BL-118")})
		if m.StockAvant != 10 || m.StockApres != 20 || m.CoutUnitaire != 9500 || m.Valeur != 95000 || m.PieceReference != "FA-200" {
			t.Errorf("entree %+v", m)
		}
		if got := f.get(p.Id); got.CoutMoyen != 9000 { // (10×8500 + 10×9500) / 20
			t.Errorf("average cost %d, want 9000", got.CoutMoyen)
		}
		f.mustMove(p.Id, api.MouvementStockCreate{TypeMouvement: api.TypeMouvementEntree, Quantite: ptrTo(3), PrixUnitaire: ptrTo[int64](1000)})
		if got := f.get(p.Id); got.CoutMoyen != 7957 || got.StockActuel != 23 { // (20×9000 + 3×1000) / 23 = 7956.52
			t.Errorf("average cost %d stock %d, want 7957 and 23", got.CoutMoyen, got.StockActuel)
		}
		s := f.mustMove(p.Id, mvt(api.TypeMouvementSortie, 5))
		if s.CoutUnitaire != 7957 || s.Valeur != 5*7957 || s.StockApres != 18 {
			t.Errorf("sortie %+v", s)
		}
		if got := f.get(p.Id); got.CoutMoyen != 7957 || got.DerniereSortie == nil {
			t.Errorf("a sortie changed the average cost or left no date: %+v", got)
		}
	})
	t.Run("a sortie larger than the stock is refused with the quantity available", func(t *testing.T) {
		before := f.get(p.Id)
		r := f.move(p.Id, mvt(api.TypeMouvementSortie, before.StockActuel+1))
		pb := stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict, "quantite")
		if want := fmt.Sprintf("%d disponible(s)", before.StockActuel); (*pb.Errors)[0].Message != want || !strings.Contains(detailOf(pb), want) {
			t.Errorf("problem %+v, want %q", pb, want)
		}
		if after := f.get(p.Id); after.StockActuel != before.StockActuel || after.Version != before.Version {
			t.Errorf("refused sortie changed the part: %+v", after)
		}
	})
	t.Run("bad movements name the field and write nothing", func(t *testing.T) {
		_, linesBefore := f.ledgerSum(p.Id)
		cases := []struct {
			body   api.MouvementStockCreate
			status int
			fields []string
		}{
			{mvt(api.TypeMouvementEntree, 0), 422, []string{"quantite"}},
			{mvt(api.TypeMouvementSortie, -3), 422, []string{"quantite"}},
			{api.MouvementStockCreate{TypeMouvement: api.TypeMouvementRetour}, 422, []string{"quantite"}},
			{mvt(api.TypeMouvementAjustement, 0), 422, []string{"quantite"}},
			{api.MouvementStockCreate{TypeMouvement: api.TypeMouvementAjustement, Quantite: ptrTo(2), StockCompte: ptrTo(4)}, 422, []string{"stock_compte"}},
			{api.MouvementStockCreate{TypeMouvement: api.TypeMouvementSortie, Quantite: ptrTo(1), PrixUnitaire: ptrTo[int64](10)}, 422, []string{"prix_unitaire"}},
			{api.MouvementStockCreate{TypeMouvement: api.TypeMouvementEntree, Quantite: ptrTo(1), Devise: ptrTo("EUR")}, 422, []string{"devise"}},
			{api.MouvementStockCreate{TypeMouvement: api.TypeMouvementEntree, Quantite: ptrTo(1), InterventionId: ptrTo[int64](999999)}, 422, []string{"intervention_id"}},
		}
		for _, c := range cases {
			r := f.move(p.Id, c.body)
			stockProblem(t, r.StatusCode(), r.Body, c.status, c.fields...)
		}
		r := f.move(999999, mvt(api.TypeMouvementEntree, 1))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusNotFound)
		if _, lines := f.ledgerSum(p.Id); lines != linesBefore {
			t.Errorf("refused movements wrote %d lines", lines-linesBefore)
		}
	})
	t.Run("adjustments, by change or by count, may go below zero", func(t *testing.T) {
		cur := f.get(p.Id).StockActuel
		m := f.mustMove(p.Id, api.MouvementStockCreate{TypeMouvement: api.TypeMouvementAjustement, StockCompte: ptrTo(cur - 2), Motif: ptrTo("Inventaire")})
		if m.Quantite != -2 || m.StockApres != cur-2 {
			t.Errorf("counted adjustment %+v", m)
		}
		m = f.mustMove(p.Id, mvt(api.TypeMouvementAjustement, -(cur+1)))
		if m.StockApres != -3 {
			t.Errorf("adjustment below zero %+v", m)
		}
		if got := f.get(p.Id); got.EtatStock != api.EtatStockRupture || got.ValeurStock != 0 {
			t.Errorf("negative stock %+v", got)
		}
		// A receipt after a negative balance values the stock on hand at 0 units.
		f.mustMove(p.Id, api.MouvementStockCreate{TypeMouvement: api.TypeMouvementEntree, Quantite: ptrTo(5), PrixUnitaire: ptrTo[int64](6000)})
		if got := f.get(p.Id); got.StockActuel != 2 || got.CoutMoyen != 6000 {
			t.Errorf("after receipt: %+v", got)
		}
	})
	t.Run("the ledger is append-only", func(t *testing.T) {
		for _, stmt := range []string{
			"UPDATE mouvements_stock SET quantite = 99 WHERE piece_id = $1",
			"DELETE FROM mouvements_stock WHERE piece_id = $1",
		} {
			if _, err := env.Pool.Exec(ctx, stmt, p.Id); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", stmt, err)
			}
		}
	})
	t.Run("ledger reads and filters", func(t *testing.T) {
		r, err := env.Client.ListPieceMouvementsWithResponse(ctx, p.Id, &api.ListPieceMouvementsParams{
			TypeMouvement: ptrTo(api.TypeMouvementEntree)}, testenv.As(env.Token("technicien")))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("ledger: %v %s", err, r.Body)
		}
		if got := *r.JSON200; len(got) != 4 || r.Headers200.XTotalCount != 4 || got[0].Id < got[1].Id || got[3].Motif == nil || *got[3].Motif != "Stock initial" {
			t.Errorf("entrees, newest first: %+v", got)
		}
		all, err := env.Client.ListMouvementsStockWithResponse(ctx, &api.ListMouvementsStockParams{Limit: ptrTo(2)}, testenv.As(f.tok))
		if err != nil || all.JSON200 == nil || len(*all.JSON200) != 2 || all.Headers200.XTotalCount != 7 {
			t.Fatalf("whole ledger: %v %s", err, all.Body)
		}
		sum, lines := f.ledgerSum(p.Id)
		if got := f.get(p.Id); got.StockActuel != sum || lines != 7 {
			t.Errorf("balance %d, ledger sum %d over %d lines", got.StockActuel, sum, lines)
		}
	})
}

// TestConcurrentMovementsKeepTheBalance races movements on one part: the balance must equal the
// sum of the ledger, each line must chain on the previous one, and no sortie may overdraw.
func TestConcurrentMovementsKeepTheBalance(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newPCFixture(t, env)
	p := f.piece(api.PieceCreate{Nom: "Graisse EP2", Reference: "GR-EP2", StockInitial: ptrTo(5), CoutInitial: ptrTo[int64](1200)})
	const n = 20
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted = map[api.TypeMouvement]int{}
		refused  int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := mvt(api.TypeMouvementSortie, 2)
			if i%2 == 0 {
				body = api.MouvementStockCreate{TypeMouvement: api.TypeMouvementEntree, Quantite: ptrTo(1), PrixUnitaire: ptrTo[int64](int64(1000 + i))}
			}
			r, err := env.Client.CreateMouvementStockWithResponse(t.Context(), p.Id, nil, body, testenv.As(f.tok))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch r.StatusCode() {
			case http.StatusCreated:
				accepted[body.TypeMouvement]++
			case http.StatusConflict:
				refused++
			default:
				t.Errorf("movement: %d %s", r.StatusCode(), r.Body)
			}
		}()
	}
	wg.Wait()
	if accepted[api.TypeMouvementEntree] != n/2 || accepted[api.TypeMouvementSortie]+refused != n/2 {
		t.Fatalf("accepted %v, refused %d", accepted, refused)
	}
	want := 5 + accepted[api.TypeMouvementEntree] - 2*accepted[api.TypeMouvementSortie]
	got := f.get(p.Id)
	sum, lines := f.ledgerSum(p.Id)
	if got.StockActuel != want || sum != want || lines != 1+n-refused {
		t.Errorf("balance %d, ledger sum %d over %d lines, want %d", got.StockActuel, sum, lines, want)
	}
	// Each line starts where the previous one ended, and none went below zero.
	rows, err := env.Pool.Query(t.Context(), `SELECT stock_avant, stock_apres FROM mouvements_stock WHERE piece_id = $1 ORDER BY id`, p.Id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	prev := 0
	for rows.Next() {
		var avant, apres int
		if err := rows.Scan(&avant, &apres); err != nil {
			t.Fatal(err)
		}
		if avant != prev || apres < 0 {
			t.Errorf("line %d -> %d after a balance of %d", avant, apres, prev)
		}
		prev = apres
	}
}

func TestPiecesACommander(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"DEFAULT_CURRENCY": "EUR"})
	f := newPCFixture(t, env)
	if a := f.piece(api.PieceCreate{Nom: "A", Reference: "A-1", StockMinimum: ptrTo(4), StockMaximum: ptrTo(20),
		StockInitial: ptrTo(4), CoutInitial: ptrTo[int64](100)}); a.Devise != "EUR" {
		t.Errorf("currency of a part created without one: %q, want DEFAULT_CURRENCY", a.Devise)
	}
	f.piece(api.PieceCreate{Nom: "B", Reference: "B-1", StockMinimum: ptrTo(3), PrixUnitaire: ptrTo[int64](250)})
	f.piece(api.PieceCreate{Nom: "C", Reference: "C-1", StockMinimum: ptrTo(3), StockInitial: ptrTo(4)})
	f.piece(api.PieceCreate{Nom: "D", Reference: "D-1", StockMinimum: ptrTo(3), IsActive: ptrTo(false)})
	r, err := env.Client.ListPiecesACommanderWithResponse(t.Context(), nil, testenv.As(f.tok))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("a commander: %v %s", err, r.Body)
	}
	type line struct {
		ref    string
		qty    int
		valeur int64
	}
	var got []line
	for _, a := range *r.JSON200 {
		got = append(got, line{a.Piece.Reference, a.QuantiteSuggeree, a.ValeurEstimee})
	}
	// B is out of stock (first), no maximum: up to twice its minimum, valued at its catalogue
	// price; A is at its minimum: up to its maximum, at its average cost. C is above, D inactive.
	want := []line{{"B-1", 6, 1500}, {"A-1", 16, 1600}}
	if !slices.Equal(got, want) || r.Headers200.XTotalCount != 2 {
		t.Errorf("a commander %v (total %d), want %v", got, r.Headers200.XTotalCount, want)
	}
}

func TestPiecesCSV(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newPCFixture(t, env)
	ctx := t.Context()
	f.piece(api.PieceCreate{Nom: "=HYPERLINK(\"x\")", Reference: "CSV-1", Marque: ptrTo("-SKF"), StockMinimum: ptrTo(1),
		PrixUnitaire: ptrTo[int64](500), StockInitial: ptrTo(7)})
	importCSV := func(body string, dryRun bool, editors ...api.RequestEditorFn) *api.ImportPiecesResponse {
		t.Helper()
		r, err := env.Client.ImportPiecesWithBodyWithResponse(ctx, &api.ImportPiecesParams{DryRun: &dryRun}, "text/csv",
			strings.NewReader(body), append(editors, testenv.As(f.tok))...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	ex, err := env.Client.ExportPiecesWithResponse(ctx, nil, testenv.As(env.Token("technicien")))
	if err != nil || ex.StatusCode() != http.StatusOK {
		t.Fatalf("export: %v %d %s", err, ex.StatusCode(), ex.Body)
	}
	export := string(ex.Body)
	if !strings.HasPrefix(export, "\xEF\xBB\xBFreference,nom,") || !strings.Contains(export, `CSV-1,"'=HYPERLINK(""x"")",,'-SKF,`) ||
		!strings.Contains(export, ",7,500,normal") {
		t.Errorf("export:\n%s", export)
	}

	t.Run("an export imports back unchanged", func(t *testing.T) {
		r := importCSV(export, false)
		if r.JSON200 == nil || r.JSON200.Inchangees != 1 || r.JSON200.MisesAJour != 0 || r.JSON200.Creees != 0 || len(r.JSON200.Erreurs) != 0 {
			t.Fatalf("re-import: %d %s", r.StatusCode(), r.Body)
		}
		list, _ := env.Client.ListPiecesWithResponse(ctx, &api.ListPiecesParams{Q: ptrTo("CSV-1")}, testenv.As(f.tok))
		if got := (*list.JSON200)[0]; got.Nom != `=HYPERLINK("x")` || got.Marque == nil || *got.Marque != "-SKF" || got.StockActuel != 7 {
			t.Errorf("after round trip %+v", got)
		}
	})
	bad := "reference;nom;stock_minimum;prix_unitaire;stock_initial\n" +
		"NEW-1;Segment piston;2;1500;10\n" +
		"NEW-2;;x;;\n" +
		"new-1;Doublon;1;;\n" +
		"CSV-1;Mise à jour;3;;4\n"
	t.Run("a dry run lists each bad line and writes nothing", func(t *testing.T) {
		r := importCSV(bad, true)
		if r.JSON200 == nil {
			t.Fatalf("dry run: %d %s", r.StatusCode(), r.Body)
		}
		rep := *r.JSON200
		var got []string
		for _, e := range rep.Erreurs {
			got = append(got, fmt.Sprintf("%d:%s", e.Ligne, e.Champ))
		}
		slices.Sort(got)
		want := []string{"3:nom", "3:stock_minimum", "4:reference", "5:stock_initial"}
		if !slices.Equal(got, want) || !rep.DryRun || rep.Lignes != 3 || rep.Creees != 1 {
			t.Errorf("report %+v, errors %v want %v", rep, got, want)
		}
		if n := countRows(t, env, "SELECT count(*) FROM pieces WHERE reference = 'NEW-1'"); n != 0 {
			t.Errorf("a dry run wrote %d parts", n)
		}
	})
	t.Run("a file with a bad line writes nothing", func(t *testing.T) {
		r := importCSV(bad, false)
		p := stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity)
		if got := fieldsOf(p); !slices.Contains(got, "ligne 3: nom") {
			t.Errorf("fields %v", got)
		}
		if n := countRows(t, env, "SELECT count(*) FROM pieces WHERE reference = 'NEW-1'"); n != 0 {
			t.Errorf("a refused import wrote %d parts", n)
		}
	})
	t.Run("a good file creates and updates", func(t *testing.T) {
		r := importCSV("reference,nom,stock_minimum,prix_unitaire,stock_initial,fournisseur\n"+
			"NEW-1,Segment piston,2,1500,10,SKF Maroc\n"+
			"csv-1,Mise à jour,3,,,\n", false)
		if r.JSON200 == nil || r.JSON200.Creees != 1 || r.JSON200.MisesAJour != 1 {
			t.Fatalf("import: %d %s", r.StatusCode(), r.Body)
		}
		list, _ := env.Client.ListPiecesWithResponse(ctx, &api.ListPiecesParams{Sort: ptrTo(api.ListPiecesParamsSortReference)}, testenv.As(f.tok))
		got := *list.JSON200
		if len(got) != 2 || got[0].Nom != "Mise à jour" || got[0].StockMinimum != 3 || got[0].PrixUnitaire == nil || *got[0].PrixUnitaire != 500 ||
			got[1].Reference != "NEW-1" || got[1].StockActuel != 10 || got[1].CoutMoyen != 1500 {
			t.Errorf("after import %+v", got)
		}
	})
	t.Run("the header is checked", func(t *testing.T) {
		r := importCSV("reference,nom,couleur\nX,Y,rouge\n", true)
		if r.JSON200 == nil || len(r.JSON200.Erreurs) != 1 || r.JSON200.Erreurs[0].Champ != "couleur" {
			t.Errorf("unknown column: %d %s", r.StatusCode(), r.Body)
		}
		r = importCSV("", false, testenv.InvalidOnPurpose)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity)
	})
}

// TestReorderAlertIsSentOnceUntilRestocked: the responsables hear once that a part reached its
// minimum, not again while it stays there, and again after a restock above it.
func TestReorderAlertIsSentOnceUntilRestocked(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newPCFixture(t, env)
	p := f.piece(api.PieceCreate{Nom: "Courroie SPA 1250", Reference: "SPA-1250", StockMinimum: ptrTo(3), StockMaximum: ptrTo(10),
		StockInitial: ptrTo(5)})
	responsables := countRows(t, env, "SELECT count(*) FROM users WHERE role = 'responsable' AND is_active")
	alerts := func() int {
		return countRows(t, env, "SELECT count(*) FROM notifications WHERE titre = 'Stock bas : SPA-1250'")
	}
	f.mustMove(p.Id, mvt(api.TypeMouvementSortie, 1)) // 4: above the minimum
	if n := alerts(); n != 0 {
		t.Fatalf("%d alerts above the minimum", n)
	}
	f.mustMove(p.Id, mvt(api.TypeMouvementSortie, 1)) // 3: reaches it
	if n := alerts(); n != responsables || responsables == 0 {
		t.Fatalf("%d alerts on reaching the minimum, want one per responsable (%d)", n, responsables)
	}
	var contenu string
	if err := env.Pool.QueryRow(t.Context(), "SELECT contenu FROM notifications WHERE titre = 'Stock bas : SPA-1250' LIMIT 1").Scan(&contenu); err != nil ||
		!strings.Contains(contenu, "3 en stock, minimum 3") || !strings.Contains(contenu, "Quantité à commander : 7") {
		t.Errorf("alert text %q (%v)", contenu, err)
	}
	if n := countRows(t, env, `SELECT count(*) FROM email_outbox o JOIN notifications n ON n.id = o.notification_id
		WHERE n.titre = 'Stock bas : SPA-1250'`); n != responsables {
		t.Errorf("%d alert e-mails queued in the outbox, want %d", n, responsables)
	}
	f.mustMove(p.Id, mvt(api.TypeMouvementSortie, 2)) // 1: still low, nothing new
	if n := alerts(); n != responsables {
		t.Errorf("%d alerts while still low, want %d", n, responsables)
	}
	f.mustMove(p.Id, mvt(api.TypeMouvementEntree, 9)) // 10: restocked
	f.mustMove(p.Id, mvt(api.TypeMouvementSortie, 8)) // 2: low again
	if n := alerts(); n != 2*responsables {
		t.Errorf("%d alerts after a restock and a new fall, want %d", n, 2*responsables)
	}
}
