package rapports

import (
	"bytes"
	"encoding/csv"
	"time"

	"github.com/mif-erp/erp/internal/csvin"
)

// renderCSV writes the summary and the sections one after another (a title line, the header
// with the units, the rows, a blank line), in UTF-8 with a byte order mark so that Excel reads
// the accents. With sep ';' (French Excel) numbers get a decimal comma.
func renderCSV(d Document, sep rune) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = sep
	cell := func(v any, k Kind) string { return csvCell(v, k, sep) }
	write := func(rec []string) {
		_ = w.Write(rec) // errors surface in w.Error
	}
	write([]string{csvin.SafeCell(d.Titre)}) // the title is the user's: defused like any text
	write([]string{"Période", d.From.Format(time.DateOnly), d.To.Format(time.DateOnly)})
	if len(d.Resume) > 0 {
		write([]string{})
		write([]string{"Résumé"})
		write([]string{"Indicateur", "Valeur", "Unité"})
		for _, r := range d.Resume {
			write([]string{r.Libelle, cell(r.Valeur, r.Kind), unitOf(r.Unite, r.Kind, d.Devise, false)})
		}
	}
	for _, s := range d.Sections {
		write([]string{})
		write([]string{s.Titre})
		h := make([]string, len(s.Colonnes))
		for i, c := range s.Colonnes {
			h[i] = c.header(d.Devise)
		}
		write(h)
		for _, row := range s.Lignes {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = cell(v, s.Colonnes[i].Kind)
			}
			write(rec)
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
