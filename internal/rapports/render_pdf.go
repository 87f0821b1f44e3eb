package rapports

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// pdfMaxRows bounds the rows of one section in a PDF; the others formats hold every row.
const pdfMaxRows = 2000

// renderPDF lays the document out on A4: a cover (title, period, requester, date), the summary
// with the charts, then each section as a table whose header repeats on every page (landscape
// when it has many columns), a footer with the page number "Page n / N".
func renderPDF(d Document) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	tr := p.UnicodeTranslatorFromDescriptor("") // cp1252: the French accents of the core fonts
	p.SetTitle(tr(d.Titre), false)
	p.SetAuthor("MIF ERP", false)
	p.SetCreator("MIF ERP", false)
	p.SetCreationDate(d.GenereLe)
	p.SetModificationDate(d.GenereLe)
	p.AliasNbPages("{nb}")
	p.SetAutoPageBreak(true, 18)
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(0, 5, tr(d.Titre), "", 0, "L", false, 0, "")
		p.CellFormat(0, 5, tr(fmt.Sprintf("Page %d / {nb}", p.PageNo())), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})

	if d.SansCouverture {
		p.AddPage()
		band(p, tr, d)
	} else {
		cover(p, tr, d)
	}
	for _, f := range d.Fiches {
		fiche(p, tr, f)
	}
	for _, t := range d.Paragraphes {
		paragraph(p, tr, t)
	}
	if len(d.Resume) > 0 || len(d.Graphiques) > 0 {
		if !d.SansCouverture {
			p.AddPage()
		}
		heading(p, tr, "Résumé")
		p.SetFont("Helvetica", "", 10)
		for i, r := range d.Resume {
			fill := i%2 == 0
			p.SetFillColor(242, 242, 242)
			p.CellFormat(110, 7, tr(r.Libelle), "", 0, "L", fill, 0, "")
			p.CellFormat(70, 7, tr(display(r.Valeur, r.Kind, d.Devise)+suffix(r)), "", 1, "R", fill, 0, "")
		}
		if d.Note != "" {
			p.Ln(3)
			p.SetFont("Helvetica", "I", 9)
			p.MultiCell(180, 5, tr(d.Note), "", "L", false)
		}
		for _, g := range d.Graphiques {
			barChart(p, tr, g)
		}
	}
	for _, s := range d.Sections {
		table(p, tr, s, d.Devise, d.SansCouverture)
	}
	if len(d.Signatures) > 0 {
		signatures(p, tr, d.Signatures)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// cover is the first page of a report: its title on a band, the period, the date, who asked.
func cover(p *fpdf.Fpdf, tr func(string) string, d Document) {
	p.AddPage()
	p.SetFillColor(31, 73, 125)
	p.Rect(0, 0, 210, 70, "F")
	p.SetTextColor(255, 255, 255)
	p.SetXY(20, 25)
	p.SetFont("Helvetica", "B", 22)
	p.MultiCell(170, 10, tr(d.Titre), "", "L", false)
	p.SetX(20)
	p.SetFont("Helvetica", "", 12)
	p.CellFormat(170, 8, tr("MIF ERP : "+d.Libelle), "", 1, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetXY(20, 90)
	for _, l := range [][2]string{
		{"Période", "du " + frDate(d.From) + " au " + frDate(d.To)},
		{"Généré le", frDateTime(d.GenereLe)},
		{"Demandé par", d.Demandeur},
	} {
		p.SetX(20)
		p.SetFont("Helvetica", "B", 12)
		p.CellFormat(40, 8, tr(l[0]), "", 0, "L", false, 0, "")
		p.SetFont("Helvetica", "", 12)
		p.CellFormat(130, 8, tr(l[1]), "", 1, "L", false, 0, "")
	}
}

// band is the title band at the top of a report without cover.
func band(p *fpdf.Fpdf, tr func(string) string, d Document) {
	p.SetFillColor(31, 73, 125)
	p.Rect(0, 0, 210, 28, "F")
	p.SetTextColor(255, 255, 255)
	p.SetXY(10, 7)
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(140, 8, tr(d.Libelle), "", 0, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	p.CellFormat(50, 8, tr("Édité le "+frDateTime(d.GenereLe)), "", 1, "R", false, 0, "")
	p.SetX(10)
	p.SetFont("Helvetica", "", 11)
	p.CellFormat(190, 7, fit(p, tr, d.Titre, 190), "", 1, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetXY(10, 34)
}

// fiche writes a block of labelled fields on two columns.
func fiche(p *fpdf.Fpdf, tr func(string) string, f Fiche) {
	if p.GetY() > 297-60 {
		p.AddPage()
	}
	heading(p, tr, f.Titre)
	for i, c := range f.Champs {
		if i%2 == 0 && i > 0 {
			p.Ln(5.5)
		}
		p.SetFont("Helvetica", "B", 8)
		p.CellFormat(30, 5.5, fit(p, tr, c[0], 30), "", 0, "L", false, 0, "")
		p.SetFont("Helvetica", "", 8)
		p.CellFormat(65, 5.5, fit(p, tr, c[1], 65), "", 0, "L", false, 0, "")
	}
	p.Ln(8)
}

// paragraph writes a titled text.
func paragraph(p *fpdf.Fpdf, tr func(string) string, t Paragraphe) {
	if p.GetY() > 297-50 {
		p.AddPage()
	}
	heading(p, tr, t.Titre)
	p.SetFont("Helvetica", "", 9)
	p.MultiCell(190, 4.5, tr(t.Texte), "", "L", false)
	p.Ln(3)
}

// signatures writes one box per signatory, with its name line, date and signature space.
func signatures(p *fpdf.Fpdf, tr func(string) string, who []string) {
	if p.GetY() > 297-65 {
		p.AddPage()
	}
	p.Ln(4)
	heading(p, tr, "Signatures")
	w := 190 / float64(len(who))
	x, y := p.GetX(), p.GetY()
	for i, name := range who {
		bx := x + float64(i)*w
		p.Rect(bx+1, y, w-2, 38, "D")
		p.SetXY(bx+3, y+2)
		p.SetFont("Helvetica", "B", 9)
		p.CellFormat(w-6, 5, tr(name), "", 2, "L", false, 0, "")
		p.SetFont("Helvetica", "", 8)
		p.CellFormat(w-6, 5, tr("Nom : ....................................................."), "", 2, "L", false, 0, "")
		p.CellFormat(w-6, 5, tr("Date : ......../......../............"), "", 2, "L", false, 0, "")
		p.CellFormat(w-6, 5, tr("Signature :"), "", 2, "L", false, 0, "")
	}
	p.SetXY(x, y+40)
}

// suffix is the unit shown after a summary value (money, percent and hours carry their own).
func suffix(r Indicateur) string {
	if r.Unite == "" || r.Kind == Monnaie || r.Kind == Pourcent || r.Kind == Heures {
		return ""
	}
	return " " + r.Unite
}

func heading(p *fpdf.Fpdf, tr func(string) string, title string) {
	p.SetFont("Helvetica", "B", 14)
	p.SetTextColor(31, 73, 125)
	p.CellFormat(0, 10, tr(title), "", 1, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.Ln(1)
}

// barChart draws a vertical bar chart with its axis, values and labels.
func barChart(p *fpdf.Fpdf, tr func(string) string, g Graphique) {
	const height, width = 60.0, 180.0
	if len(g.Valeurs) == 0 {
		return
	}
	if p.GetY()+height+25 > 297-18 {
		p.AddPage()
	}
	p.Ln(4)
	p.SetFont("Helvetica", "B", 11)
	title := g.Titre
	if g.Unite != "" {
		title += " (" + g.Unite + ")"
	}
	p.CellFormat(0, 7, tr(title), "", 1, "L", false, 0, "")
	left, top := p.GetX(), p.GetY()
	maxV := 0.0
	for _, v := range g.Valeurs {
		maxV = math.Max(maxV, v)
	}
	if maxV == 0 {
		maxV = 1
	}
	p.SetDrawColor(150, 150, 150)
	p.Line(left, top+height, left+width, top+height)
	slot := width / float64(len(g.Valeurs))
	bar := math.Min(slot*0.7, 25)
	p.SetFont("Helvetica", "", 6)
	for i, v := range g.Valeurs {
		h := height * v / maxV
		x := left + float64(i)*slot + (slot-bar)/2
		p.SetFillColor(79, 129, 189)
		p.Rect(x, top+height-h, bar, h, "F")
		p.SetXY(x-2, top+height-h-4)
		p.CellFormat(bar+4, 4, tr(frNumber(v, decimalsOf(v))), "", 0, "C", false, 0, "")
		label := g.Libelles[i]
		if len([]rune(label)) > 14 {
			label = string([]rune(label)[:13]) + "…"
		}
		p.SetXY(left+float64(i)*slot, top+height+1)
		p.CellFormat(slot, 4, tr(label), "", 0, "C", false, 0, "")
	}
	p.SetXY(left, top+height+8)
}

func decimalsOf(v float64) int {
	if v == math.Trunc(v) {
		return 0
	}
	return 1
}

// table writes a section, its header repeated on each page; at most pdfMaxRows rows. It
// starts a page of its own (landscape when it has many columns) unless it flows after what
// precedes (continued, portrait).
func table(p *fpdf.Fpdf, tr func(string) string, s Section, devise string, continued bool) {
	landscape := len(s.Colonnes) > 7 && !continued
	switch {
	case continued:
		if p.GetY() > 297-50 {
			p.AddPage()
		}
		p.Ln(2)
	case landscape:
		p.AddPageFormat("L", p.GetPageSizeStr("A4"))
	default:
		p.AddPage()
	}
	pageW, pageH := p.GetPageSize()
	usable := pageW - 20
	heading(p, tr, s.Titre)
	if len(s.Lignes) == 0 {
		p.SetFont("Helvetica", "I", 10)
		p.CellFormat(0, 7, tr("Aucune ligne sur la période."), "", 1, "L", false, 0, "")
		return
	}
	rows := s.Lignes
	if len(rows) > pdfMaxRows {
		rows = rows[:pdfMaxRows]
	}
	p.SetFont("Helvetica", "", 7)
	widths := columnWidths(p, tr, s, rows, devise, usable)
	// The header wraps on two or three lines rather than cutting a title.
	header := func() {
		p.SetFont("Helvetica", "B", 7)
		p.SetFillColor(220, 230, 241)
		lines := make([][]string, len(s.Colonnes))
		n := 1
		for i, c := range s.Colonnes {
			lines[i] = p.SplitText(c.header(devise), widths[i]-1.5)
			n = max(n, min(len(lines[i]), 3))
		}
		x, y := p.GetXY()
		h := 3.5*float64(n) + 1.5
		for i := range s.Colonnes {
			p.Rect(x, y, widths[i], h, "FD")
			for k, l := range lines[i][:min(len(lines[i]), 3)] {
				p.SetXY(x, y+0.75+3.5*float64(k))
				p.CellFormat(widths[i], 3.5, fit(p, tr, l, widths[i]), "", 0, "C", false, 0, "")
			}
			x += widths[i]
		}
		p.SetXY(10, y+h)
		p.SetFont("Helvetica", "", 7)
	}
	header()
	for n, r := range rows {
		if p.GetY()+5 > pageH-18 {
			if landscape {
				p.AddPageFormat("L", p.GetPageSizeStr("A4"))
			} else {
				p.AddPage()
			}
			header()
		}
		p.SetFillColor(247, 247, 247)
		for i, v := range r {
			align := "L"
			if k := s.Colonnes[i].Kind; k != Texte && k != Date && k != DateHeure {
				align = "R"
			}
			p.CellFormat(widths[i], 5, fit(p, tr, display(v, s.Colonnes[i].Kind, devise), widths[i]), "1", 0, align, n%2 == 1, 0, "")
		}
		p.Ln(-1)
	}
	if len(s.Lignes) > len(rows) {
		p.Ln(2)
		p.SetFont("Helvetica", "I", 8)
		p.MultiCell(0, 5, tr(fmt.Sprintf("%d lignes de plus ne sont pas reproduites ici : demandez ce rapport en Excel, CSV ou JSON pour les avoir toutes.",
			len(s.Lignes)-len(rows))), "", "L", false)
	}
}

// fit is text translated for the core fonts, shortened with "..." until it fits a cell of
// width w (cut on characters of the UTF-8 text, measured translated).
func fit(p *fpdf.Fpdf, tr func(string) string, text string, w float64) string {
	if t := tr(text); p.GetStringWidth(t) <= w-1.5 {
		return t
	}
	r := []rune(text)
	for len(r) > 1 && p.GetStringWidth(tr(string(r)+"...")) > w-1.5 {
		r = r[:len(r)-1]
	}
	return tr(strings.TrimSpace(string(r)) + "...")
}

// columnWidths gives the numbers, days and amounts the width of their longest value (never cut),
// and shares the rest of the page between the text columns in proportion to their longest
// value (at most 70 mm each); when even the numbers do not fit, every column shrinks alike.
func columnWidths(p *fpdf.Fpdf, tr func(string) string, s Section, rows [][]any, devise string, usable float64) []float64 {
	widths := make([]float64, len(s.Colonnes))
	need := make([]float64, len(s.Colonnes))
	for _, r := range rows[:min(len(rows), 300)] {
		for i, v := range r {
			need[i] = math.Max(need[i], p.GetStringWidth(tr(display(v, s.Colonnes[i].Kind, devise))))
		}
	}
	fixed, text := 0.0, 0.0
	least := make([]float64, len(s.Colonnes)) // the longest word of the (bold) header
	p.SetFont("Helvetica", "B", 7)
	for i, c := range s.Colonnes {
		for _, w := range strings.Fields(c.header(devise)) {
			least[i] = math.Max(least[i], p.GetStringWidth(tr(w))+3)
		}
	}
	p.SetFont("Helvetica", "", 7)
	for i, c := range s.Colonnes {
		need[i] = math.Max(need[i]+3, least[i])
		if c.Kind == Texte {
			need[i] = math.Min(need[i], 70)
			text += need[i]
		} else {
			fixed += need[i]
		}
	}
	rest := usable - fixed
	scale := 1.0 // of the text columns
	if text > 0 {
		scale = rest / text
	}
	total := 0.0
	for i, c := range s.Colonnes {
		widths[i] = need[i]
		if c.Kind == Texte && scale < 1 {
			widths[i] = math.Max(need[i]*math.Max(scale, 0.4), least[i])
		}
		total += widths[i]
	}
	// Too wide still (many numbers), or room to spare: every column alike.
	if total > usable || total < usable {
		for i := range widths {
			widths[i] *= usable / total
		}
	}
	return widths
}
