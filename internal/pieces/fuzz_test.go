package pieces

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/text"
)

// stored is a text as the catalogue stores it: trimmed, blank as NULL.
func stored(s string) *string { return text.Optional(&s) }

// lineBreaks is a text with its line breaks as an export writes them ("\n").
func lineBreaks(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func sameText(got, want *string) bool {
	if want == nil || got == nil {
		return got == nil && want == nil
	}
	return *got == lineBreaks(*want)
}

// FuzzCatalogueRoundTrip: the catalogue export, read back by the import, gives the parts it
// wrote: every text (line breaks as "\n"), number and flag, no error, each line numbered; the
// file reads back with encoding/csv as the cells written, and no text cell starts like a formula.
func FuzzCatalogueRoundTrip(f *testing.F) {
	f.Add("SKF-6205-2RS", "Roulement à billes 6205-2RS", "", "SKF", "Magasin A", int32(4), int32(20), true, int64(8500), true, int32(12), int64(8500))
	f.Add("=1+2", "@SUM(A1)", "-x\r\ny", "+33", "'=already", int32(-1), int32(0), false, int64(-5), false, int32(0), int64(0))
	f.Add("'", "''+x", "\"quoted\", with comma", "\t=tab", "multi\nline\rtext", int32(1<<30), int32(-1<<31), true, int64(1<<62), true, int32(-3), int64(-1))
	f.Add(" padded ", "\u00a0nbsp\u00a0", "é\x00", "\xff", "ligne\r\r\nfin", int32(0), int32(0), false, int64(0), true, int32(0), int64(0))
	f.Fuzz(func(t *testing.T, ref, nom, desc, marque, empl string, smin, smax int32, hasMax bool, prix int64, actif bool, stock int32, cout int64) {
		for _, s := range []string{ref, nom, desc, marque, empl} {
			if text.Unstorable(s) != "" {
				return // PostgreSQL holds no such text
			}
		}
		p := db.Piece{Reference: strings.TrimSpace(ref), Nom: strings.TrimSpace(nom), Description: stored(desc),
			Marque: stored(marque), Modele: stored(desc), Fournisseur: stored(empl), ReferenceFournisseur: stored(ref),
			Emplacement: stored(empl), Rangee: stored(nom), Etagere: stored(marque), StockMinimum: smin,
			PrixUnitaire: &prix, Devise: "MAD", IsActive: actif, StockActuel: stock, CoutMoyen: cout}
		if hasMax {
			p.StockMaximum = &smax
		}
		q := p
		q.Reference += "/2" // a second part, another reference
		q.PrixUnitaire, q.StockMaximum, q.Description = nil, nil, nil
		var buf bytes.Buffer
		if err := writeCatalogue(&buf, []db.Piece{p, q}); err != nil {
			t.Fatal(err)
		}
		out := buf.Bytes()

		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF"))))
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("the export reads back as %d records, %v:\n%q", len(recs), err, out)
		}
		for _, rec := range recs[1:] {
			for i, c := range rec[:10] { // the texts (the numbers, negative ones too, are numbers)
				if c != "" && strings.ContainsRune("=+-@\t\r\n", rune(c[0])) {
					t.Fatalf("%s cell %q starts like a formula", Columns[i], c)
				}
			}
		}

		lines, errs, err := readCatalogue(bytes.NewReader(out))
		if err != nil || len(errs) != 0 || len(lines) != 2 {
			t.Fatalf("import of the export: %d lines, errors %v %v:\n%q", len(lines), errs, err, out)
		}
		if lines[0].n != 2 || lines[1].n <= lines[0].n {
			t.Fatalf("lines numbered %d, %d", lines[0].n, lines[1].n)
		}
		for i, want := range []db.Piece{p, q} {
			in, fields := lines[i].create()
			if len(fields) != 0 {
				t.Fatalf("part %d: %v", i, fields)
			}
			ok := in.Reference == lineBreaks(want.Reference) && in.Nom == lineBreaks(want.Nom) &&
				sameText(in.Description, want.Description) && sameText(in.Marque, want.Marque) &&
				sameText(in.Modele, want.Modele) && sameText(in.Fournisseur, want.Fournisseur) &&
				sameText(in.ReferenceFournisseur, want.ReferenceFournisseur) && sameText(in.Emplacement, want.Emplacement) &&
				sameText(in.Rangee, want.Rangee) && sameText(in.Etagere, want.Etagere) &&
				in.StockMinimum != nil && *in.StockMinimum == int(want.StockMinimum) &&
				(in.StockMaximum == nil) == (want.StockMaximum == nil) &&
				(want.StockMaximum == nil || *in.StockMaximum == int(*want.StockMaximum)) &&
				(in.PrixUnitaire == nil) == (want.PrixUnitaire == nil) &&
				(want.PrixUnitaire == nil || *in.PrixUnitaire == *want.PrixUnitaire) &&
				in.Devise != nil && *in.Devise == want.Devise && in.IsActive != nil && *in.IsActive == want.IsActive &&
				in.StockInitial == nil
			if !ok {
				t.Fatalf("part %d reads back as\n%+v\nfrom\n%+v\n%q", i, in, want, out)
			}
			if got := lines[i].cells["stock_minimum"]; got != strconv.Itoa(int(want.StockMinimum)) {
				t.Fatalf("stock_minimum %q", got)
			}
		}
	})
}
