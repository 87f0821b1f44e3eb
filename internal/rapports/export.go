package rapports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/csvin"
)

// Table is a list to export: its columns and its rows, produced one by one (page after page of
// the list) while the file is written.
type Table struct {
	Titre    string // the sheet's name
	Colonnes []Colonne
	Rows     func(yield func([]any) error) error
}

// WriteCSV streams a table as CSV: UTF-8 with a byte order mark, the units in the header, a
// comma between fields, text that a spreadsheet would run as a formula defused.
func WriteCSV(w io.Writer, t Table, devise string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	h := make([]string, len(t.Colonnes))
	for i, c := range t.Colonnes {
		h[i] = c.header(devise)
	}
	if err := cw.Write(h); err != nil {
		return err
	}
	err := t.Rows(func(row []any) error {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = csvCell(v, t.Colonnes[i].Kind, ',')
		}
		return cw.Write(rec)
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// WriteXLSX streams a table into a one-sheet workbook: typed cells, a bold frozen header, an
// auto filter.
func WriteXLSX(w io.Writer, t Table, devise string) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f, devise)
	if err != nil {
		return err
	}
	name := sheetName(t.Titre, map[string]bool{})
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx panes: %w", err)
	}
	header := make([]any, len(t.Colonnes))
	for i, c := range t.Colonnes {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.header(devise)}
		if err := sw.SetColWidth(i+1, i+1, float64(max(utf8.RuneCountInString(c.header(devise))+2, widthOf(c.Kind)))); err != nil {
			return fmt.Errorf("xlsx width: %w", err)
		}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("xlsx header: %w", err)
	}
	n := 1
	err = t.Rows(func(row []any) error {
		n++
		out := make([]any, len(row))
		for i, v := range row {
			out[i] = xlsxCell(st, deref(v), t.Colonnes[i].Kind)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, out)
	})
	if err != nil {
		return err
	}
	if len(t.Colonnes) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(t.Colonnes), n)
		if err := sw.AddTable(&excelize.Table{Name: "Export", Range: "A1:" + last, StyleName: "TableStyleLight1"}); err != nil {
			return fmt.Errorf("xlsx table: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx flush: %w", err)
	}
	return f.Write(w)
}

// widthOf is a column's width by kind, in characters.
func widthOf(k Kind) int {
	switch k {
	case Texte:
		return 24
	case DateHeure:
		return 17
	case Monnaie:
		return 16
	case Date, Nombre:
		return 12
	default:
		return 10
	}
}

// Names are the ids an export's rows refer to, and then their names.
type Names struct {
	Clients, Contrats, Equipements, Users []int64
	names                                 map[string]map[int64]string
}

// Of is the name of an id of a kind (client, contrat, equipement, user), "" when unknown or nil.
func (n *Names) Of(kind string, id *int64) string {
	if id == nil || n.names == nil {
		return ""
	}
	return n.names[kind][*id]
}

// Resolve reads the names of the ids collected in n (rows the caller already read).
func (s *Service) Resolve(ctx context.Context, n *Names) error {
	n.names = map[string]map[int64]string{}
	if len(n.Clients)+len(n.Contrats)+len(n.Equipements)+len(n.Users) == 0 {
		return nil // rows that name nothing: no query
	}
	rows, err := db.New(s.Pool).ExportNoms(ctx, db.ExportNomsParams{Clients: nonNil(n.Clients), Contrats: nonNil(n.Contrats),
		Equipements: nonNil(n.Equipements), Users: nonNil(n.Users)})
	if err != nil {
		return fmt.Errorf("names: %w", err)
	}
	for _, r := range rows {
		if n.names[r.Kind] == nil {
			n.names[r.Kind] = map[int64]string{}
		}
		n.names[r.Kind][r.ID] = r.Nom
	}
	return nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// cents is an amount in cents as units with two decimals (a decimal comma with sep ';'), in
// integers: through a float64 the cents of amounts past 2^45 would be rounded.
func cents(c int64, sep rune) string {
	sign, u := "", uint64(c)
	if c < 0 {
		sign, u = "-", -u
	}
	point := "."
	if sep == ';' {
		point = ","
	}
	return fmt.Sprintf("%s%d%s%02d", sign, u/100, point, u%100)
}

// csvCell is a value as a CSV field: numbers with a decimal point (a comma with sep ';'), money
// in units, days as YYYY-MM-DD, instants as YYYY-MM-DD HH:MM:SS (UTC), text defused.
func csvCell(v any, k Kind, sep rune) string {
	num := func(f float64, decimals int) string {
		s := fmt.Sprintf("%.*f", decimals, f)
		if sep == ';' {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	switch x := deref(v).(type) {
	case nil:
		return ""
	case string:
		return csvin.SafeCell(x)
	case bool:
		return yesNo(x)
	case int64:
		if k == Monnaie {
			return cents(x, sep)
		}
		return fmt.Sprint(x)
	case float64:
		return num(x, 2)
	case time.Time:
		if k == Date {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.DateTime)
	default:
		return fmt.Sprint(x)
	}
}
