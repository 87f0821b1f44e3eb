package rapports

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// renderXLSX writes a workbook: a "Résumé" sheet (the summary), then one sheet per section,
// each with a bold frozen header and an auto filter; numbers are numbers, days and instants are
// dates, money is in the currency's format (units, not cents), percentages are percentages.
func renderXLSX(d Document) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f, d.Devise)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	summary := Section{Titre: "Résumé", Colonnes: []Colonne{{Cle: "indicateur", Titre: "Indicateur"}, {Cle: "valeur", Titre: "Valeur"}}}
	summary.Lignes = append(summary.Lignes, []any{"Titre", d.Titre}, []any{"Période", frDate(d.From) + " – " + frDate(d.To)},
		[]any{"Généré le", frDateTime(d.GenereLe)})
	kinds := []Kind{Texte, Texte, Texte}
	for _, r := range d.Resume {
		label := r.Libelle
		if u := unitOf(r.Unite, r.Kind, d.Devise, false); u != "" && r.Kind != Pourcent && r.Kind != Monnaie {
			label += " (" + u + ")"
		}
		summary.Lignes = append(summary.Lignes, []any{label, r.Valeur})
		kinds = append(kinds, r.Kind)
	}
	if err := writeSheet(f, st, sheetName("Résumé", names), summary, func(row, col int) Kind {
		if col == 1 {
			return kinds[row]
		}
		return Texte
	}, d.Devise); err != nil {
		return nil, err
	}
	for _, s := range d.Sections {
		if err := writeSheet(f, st, sheetName(s.Titre, names), s, func(_, col int) Kind { return s.Colonnes[col].Kind }, d.Devise); err != nil {
			return nil, err
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

type xlsxStyles struct{ header, date, dateTime, money, percent, number, integer int }

func newXLSXStyles(f *excelize.File, devise string) (xlsxStyles, error) {
	var s xlsxStyles
	var err error
	add := func(dst *int, style *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(style)
		}
	}
	custom := func(fmt string) *excelize.Style { return &excelize.Style{CustomNumFmt: &fmt} }
	add(&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	add(&s.date, custom("dd/mm/yyyy"))
	add(&s.dateTime, custom("dd/mm/yyyy hh:mm"))
	add(&s.money, custom(`#,##0.00 "`+strings.ReplaceAll(devise, `"`, "")+`"`))
	add(&s.percent, custom("0.00%"))
	add(&s.number, custom("#,##0.00"))
	add(&s.integer, custom("#,##0"))
	if err != nil {
		return s, fmt.Errorf("xlsx styles: %w", err)
	}
	return s, nil
}

// writeSheet streams one section into a new sheet; kind gives each cell's kind.
func writeSheet(f *excelize.File, st xlsxStyles, name string, s Section, kind func(row, col int) Kind, devise string) error {
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx sheet %q: %w", name, err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx sheet %q: %w", name, err)
	}
	widths := make([]int, len(s.Colonnes))
	for i, c := range s.Colonnes {
		widths[i] = utf8.RuneCountInString(c.header(devise)) + 2
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx panes: %w", err)
	}
	rows := make([][]any, 0, len(s.Lignes)+1)
	header := make([]any, len(s.Colonnes))
	for i, c := range s.Colonnes {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.header(devise)}
	}
	rows = append(rows, header)
	for r, line := range s.Lignes {
		out := make([]any, len(line))
		for c, v := range line {
			out[c] = xlsxCell(st, deref(v), kind(r, c))
			if n := utf8.RuneCountInString(display(v, kind(r, c), devise)) + 2; n > widths[c] {
				widths[c] = n
			}
		}
		rows = append(rows, out)
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(min(w, 60))); err != nil {
			return fmt.Errorf("xlsx width: %w", err)
		}
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("xlsx row %d: %w", i+1, err)
		}
	}
	if len(s.Colonnes) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(s.Colonnes), len(rows))
		if err := sw.AddTable(&excelize.Table{Name: fmt.Sprintf("Tableau%d", f.SheetCount), Range: "A1:" + last, StyleName: "TableStyleLight1", ShowRowStripes: ptr(true)}); err != nil {
			return fmt.Errorf("xlsx table: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx flush: %w", err)
	}
	return nil
}

func xlsxCell(st xlsxStyles, v any, k Kind) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if k == Date {
			return excelize.Cell{StyleID: st.date, Value: x.UTC()}
		}
		return excelize.Cell{StyleID: st.dateTime, Value: x.UTC()}
	case int64:
		if k == Monnaie {
			return excelize.Cell{StyleID: st.money, Value: float64(x) / 100}
		}
		return excelize.Cell{StyleID: st.integer, Value: x}
	case float64:
		if k == Pourcent {
			return excelize.Cell{StyleID: st.percent, Value: x / 100}
		}
		return excelize.Cell{StyleID: st.number, Value: x}
	default:
		return v
	}
}

// sheetName is a unique sheet name (at most 31 characters, none of []:*?/\).
func sheetName(title string, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, title)
	if utf8.RuneCountInString(clean) > 28 {
		clean = string([]rune(clean)[:28])
	}
	name := clean
	for i := 2; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s %d", clean, i)
	}
	used[strings.ToLower(name)] = true
	return name
}

func ptr[T any](v T) *T { return &v }
