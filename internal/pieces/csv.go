package pieces

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/csvin"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
)

// MaxImportLines is the largest catalogue a CSV import takes, in data lines.
const MaxImportLines = 5000

// Columns are the catalogue columns of the CSV export, which an import reads back.
var Columns = []string{"reference", "nom", "description", "marque", "modele", "fournisseur",
	"reference_fournisseur", "emplacement", "rangee", "etagere", "stock_minimum", "stock_maximum",
	"prix_unitaire", "devise", "is_active"}

// balanceColumns follow Columns in the export; an import ignores them.
var balanceColumns = []string{"stock_actuel", "cout_moyen", "etat_stock"}

// ImportError is a bad line of an import: its number in the file (the header is line 1), the
// column at fault ("ligne" for the whole line) and the reason.
type ImportError struct {
	Ligne   int
	Champ   string
	Message string
}

// ImportReport is what an import did (or would do, in a dry run).
type ImportReport struct {
	DryRun             bool
	Lignes             int
	Creees, MisesAJour int
	Inchangees         int // lines equal to the part they name
	Erreurs            []ImportError
}

// Export writes the catalogue as CSV (a byte-order mark, a header line, one line per part in
// reference order). Texts are written as csvin.SafeCell makes them (formulas defused), which the
// import undoes.
func (s *Service) Export(ctx context.Context, actor auth.Principal, actif *bool, w io.Writer) error {
	if err := checkStaff(actor); err != nil {
		return err
	}
	rows, err := db.New(s.pool).ExportPieces(ctx, actif)
	if err != nil {
		return fmt.Errorf("export pieces: %w", err)
	}
	return writeCatalogue(w, rows)
}

// writeCatalogue writes the CSV of Export: a byte-order mark, the header, one line per part.
func writeCatalogue(w io.Writer, rows []db.Piece) error {
	if _, err := io.WriteString(w, "\xEF\xBB\xBF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, Columns...), balanceColumns...)); err != nil {
		return err
	}
	for _, r := range rows {
		p := Piece{r}
		if err := cw.Write([]string{
			csvin.SafeCell(p.Reference), csvin.SafeCell(p.Nom), optText(p.Description), optText(p.Marque), optText(p.Modele),
			optText(p.Fournisseur), optText(p.ReferenceFournisseur), optText(p.Emplacement), optText(p.Rangee),
			optText(p.Etagere), strconv.Itoa(int(p.StockMinimum)), optInt32(p.StockMaximum), optInt64(p.PrixUnitaire),
			csvin.SafeCell(p.Devise), strconv.FormatBool(p.IsActive), strconv.Itoa(int(p.StockActuel)),
			strconv.FormatInt(p.CoutMoyen, 10), p.EtatStock(),
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// importLine is one data line: the cells of the columns present ("" when empty).
type importLine struct {
	n     int
	cells map[string]string
}

// Import creates or updates the parts of a CSV catalogue, all or nothing. The report lists every
// bad line; with errors and !dryRun it is also returned as a 422 naming each line and column.
func (s *Service) Import(ctx context.Context, actor auth.Principal, body io.Reader, dryRun bool) (ImportReport, error) {
	if err := checkManager(actor); err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{DryRun: dryRun, Erreurs: []ImportError{}}
	lines, errs, err := readCatalogue(body)
	if err != nil {
		return ImportReport{}, err
	}
	rep.Lignes = len(lines)
	rep.Erreurs = append(rep.Erreurs, errs...)
	errRollback := errors.New("rollback")
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.importLines(ctx, tx, actor, lines, &rep); err != nil {
			return err
		}
		if dryRun || len(rep.Erreurs) > 0 {
			return errRollback
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "piece.imported", ResourceType: "piece", ResourceID: "import",
			Details: map[string]any{"lignes": rep.Lignes, "creees": rep.Creees, "mises_a_jour": rep.MisesAJour}})
	})
	if err != nil && !errors.Is(err, errRollback) {
		return ImportReport{}, fmt.Errorf("import pieces: %w", err)
	}
	if !dryRun && len(rep.Erreurs) > 0 {
		fields := make([]apperr.FieldError, len(rep.Erreurs))
		for i, e := range rep.Erreurs {
			fields[i] = apperr.FieldError{Field: fmt.Sprintf("ligne %d: %s", e.Ligne, e.Champ), Message: e.Message}
		}
		return rep, apperr.Invalid(fmt.Sprintf("Import refusé : %d erreur(s), rien n'a été écrit", len(fields)), fields...)
	}
	return rep, nil
}

// readCatalogue parses the CSV: header, then the data lines. Errors of the file's shape are
// returned as line errors.
func readCatalogue(body io.Reader) ([]importLine, []ImportError, error) {
	f, err := csvin.Read(body)
	if err != nil {
		return nil, nil, err
	}
	header := f.Header
	var errs []ImportError
	known := map[string]bool{"stock_initial": true}
	for _, c := range Columns {
		known[c] = true
	}
	ignored := map[string]bool{}
	for _, c := range balanceColumns {
		ignored[c] = true
	}
	seen := map[string]bool{}
	for _, h := range header {
		switch {
		case seen[h]:
			errs = append(errs, ImportError{Ligne: 1, Champ: h, Message: "colonne en double"})
		case !known[h] && !ignored[h]:
			errs = append(errs, ImportError{Ligne: 1, Champ: h, Message: "colonne inconnue"})
		}
		seen[h] = true
	}
	for _, req := range []string{"reference", "nom"} {
		if !seen[req] {
			errs = append(errs, ImportError{Ligne: 1, Champ: req, Message: "colonne obligatoire absente"})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	var lines []importLine
	refs := map[string]int{}
	for line, rec := range f.Rows() {
		if len(lines) == MaxImportLines {
			errs = append(errs, ImportError{Ligne: line, Champ: "ligne", Message: fmt.Sprintf("%d lignes au plus par import", MaxImportLines)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, ImportError{Ligne: line, Champ: "ligne",
				Message: fmt.Sprintf("%d colonnes au lieu de %d", len(rec), len(header))})
			continue
		}
		l := importLine{n: line, cells: map[string]string{}}
		for i, h := range header {
			if !ignored[h] {
				l.cells[h] = csvin.UnsafeCell(strings.TrimSpace(rec[i]))
			}
		}
		key := strings.ToLower(l.cells["reference"])
		if prev, dup := refs[key]; dup && key != "" {
			errs = append(errs, ImportError{Ligne: line, Champ: "reference", Message: fmt.Sprintf("référence déjà présente ligne %d", prev)})
			continue
		}
		refs[key] = line
		lines = append(lines, l)
	}
	if e := f.Err(); e != nil {
		errs = append(errs, ImportError{Ligne: e.Line, Champ: "ligne", Message: e.Reason})
	}
	return lines, errs, nil
}

// importLines writes every good line inside tx (the caller rolls back on a dry run or errors).
func (s *Service) importLines(ctx context.Context, tx pgx.Tx, actor auth.Principal, lines []importLine, rep *ImportReport) error {
	q := db.New(tx)
	refs := make([]string, 0, len(lines))
	for _, l := range lines {
		refs = append(refs, strings.ToLower(l.cells["reference"]))
	}
	existing, err := q.GetPiecesForUpdateByReference(ctx, refs)
	if err != nil {
		return fmt.Errorf("lock pieces: %w", err)
	}
	byRef := make(map[string]db.Piece, len(existing))
	for _, p := range existing {
		byRef[strings.ToLower(p.Reference)] = p
	}
	for _, l := range lines {
		fail := func(err error) error {
			var ae *apperr.Error
			if !errors.As(err, &ae) || errors.Is(err, errReferenceTaken) {
				// Not a bad line: a failure, or a part created meanwhile by another request
				// (the file's references were locked or checked unique first).
				return err
			}
			if len(ae.Fields) == 0 {
				rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: l.n, Champ: "ligne", Message: ae.Message})
			}
			for _, f := range ae.Fields {
				rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: l.n, Champ: f.Field, Message: f.Message})
			}
			return nil
		}
		cur, found := byRef[strings.ToLower(l.cells["reference"])]
		if found {
			in, fields := l.update()
			if l.cells["stock_initial"] != "" {
				fields.Add("stock_initial", "réservé aux nouvelles pièces : enregistrez un mouvement de stock")
			}
			next, err := merge(cur, in)
			err = joinFields(fields, err)
			if err == nil && len(changedFields(cur, next)) == 0 {
				rep.Inchangees++
				continue
			}
			if err == nil {
				err = s.save(ctx, tx, cur, next)
			}
			if err != nil {
				if err := fail(err); err != nil {
					return err
				}
				continue
			}
			rep.MisesAJour++
			continue
		}
		in, fields := l.create()
		row, err := s.newRow(in)
		err = joinFields(fields, err)
		var id int64
		if err == nil {
			id, err = insert(ctx, tx, row)
		}
		if err == nil && in.StockInitial != nil && *in.StockInitial > 0 {
			_, err = s.recordInitial(ctx, tx, actor, id, *in.StockInitial, initialCost(nil, row.PrixUnitaire))
		}
		if err != nil {
			if err := fail(err); err != nil {
				return err
			}
			continue
		}
		rep.Creees++
	}
	return nil
}

// create reads a line as a new part (empty cells are absent fields).
func (l importLine) create() (CreateInput, apperr.Fields) {
	var fields apperr.Fields
	in := CreateInput{
		Reference: l.cells["reference"], Nom: l.cells["nom"],
		Description: l.text("description"), Marque: l.text("marque"), Modele: l.text("modele"),
		Fournisseur: l.text("fournisseur"), ReferenceFournisseur: l.text("reference_fournisseur"),
		Emplacement: l.text("emplacement"), Rangee: l.text("rangee"), Etagere: l.text("etagere"),
		StockMinimum: l.int(&fields, "stock_minimum"), StockMaximum: l.int(&fields, "stock_maximum"),
		PrixUnitaire: l.int64(&fields, "prix_unitaire"), Devise: l.text("devise"),
		IsActive: l.bool(&fields, "is_active"), StockInitial: l.int(&fields, "stock_initial"),
	}
	return in, fields
}

// update reads a line as a change of an existing part: empty cells keep the current value.
func (l importLine) update() (UpdateInput, apperr.Fields) {
	var fields apperr.Fields
	in := UpdateInput{
		Reference: l.text("reference"), Nom: l.text("nom"),
		StockMinimum: l.int(&fields, "stock_minimum"), Devise: l.text("devise"),
		IsActive: l.bool(&fields, "is_active"),
	}
	for _, f := range []struct {
		name string
		dst  *patchText
	}{
		{"description", &in.Description}, {"marque", &in.Marque}, {"modele", &in.Modele},
		{"fournisseur", &in.Fournisseur}, {"reference_fournisseur", &in.ReferenceFournisseur},
		{"emplacement", &in.Emplacement}, {"rangee", &in.Rangee}, {"etagere", &in.Etagere},
	} {
		if v := l.text(f.name); v != nil {
			f.dst.Set, f.dst.Value = true, v
		}
	}
	if v := l.int(&fields, "stock_maximum"); v != nil {
		in.StockMaximum.Set, in.StockMaximum.Value = true, v
	}
	if v := l.int64(&fields, "prix_unitaire"); v != nil {
		in.PrixUnitaire.Set, in.PrixUnitaire.Value = true, v
	}
	return in, fields
}

// joinFields adds the cells that did not parse to the answer of the checks that followed (a cell
// that did not parse was left out of them, so no field is reported twice).
func joinFields(parse apperr.Fields, checked error) error {
	if len(parse) == 0 {
		return checked
	}
	var ae *apperr.Error
	if checked != nil && !errors.As(checked, &ae) {
		return checked
	}
	if ae != nil {
		parse = append(parse, ae.Fields...)
	}
	return parse.Err()
}

func (l importLine) text(name string) *string {
	if v := l.cells[name]; v != "" {
		return &v
	}
	return nil
}

func (l importLine) int(fields *apperr.Fields, name string) *int {
	v := l.cells[name]
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fields.Add(name, "doit être un nombre entier")
		return nil
	}
	return &n
}

func (l importLine) int64(fields *apperr.Fields, name string) *int64 {
	v := l.cells[name]
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		fields.Add(name, "doit être un nombre entier (en centimes)")
		return nil
	}
	return &n
}

func (l importLine) bool(fields *apperr.Fields, name string) *bool {
	switch strings.ToLower(l.cells[name]) {
	case "":
		return nil
	case "true", "vrai", "oui", "1":
		b := true
		return &b
	case "false", "faux", "non", "0":
		b := false
		return &b
	default:
		fields.Add(name, "true ou false")
		return nil
	}
}

func optText(p *string) string {
	if p == nil {
		return ""
	}
	return csvin.SafeCell(*p)
}

func optInt32(p *int32) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(int(*p))
}

func optInt64(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

type patchText = patch.Field[string]
