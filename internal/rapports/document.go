package rapports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is how a value is written in every format.
type Kind int

// Kinds of values. A Monnaie is int64 cents; an Entier int64; Nombre, Pourcent and Heures
// float64; Date and DateHeure time.Time; Texte string. nil is an empty cell.
const (
	Texte Kind = iota
	Entier
	Nombre
	Monnaie
	Pourcent
	Heures
	Date
	DateHeure
)

// Colonne is a column of a section: its key (JSON), its title and unit (headers).
type Colonne struct {
	Cle, Titre, Unite string
	Kind              Kind
}

// Section is one table of a report (one sheet in XLSX).
type Section struct {
	Titre    string
	Colonnes []Colonne
	Lignes   [][]any
}

// Indicateur is one figure of the summary.
type Indicateur struct {
	Libelle, Unite string
	Kind           Kind
	Valeur         any
}

// Graphique is a bar chart: one bar per label.
type Graphique struct {
	Titre, Unite string
	Libelles     []string
	Valeurs      []float64
}

// Document is a report's content, whatever its format.
type Document struct {
	Titre, Type string
	Libelle     string    // the type as the cover says it
	From, To    time.Time // days, To included
	GenereLe    time.Time
	Demandeur   string
	Devise      string
	Resume      []Indicateur
	Graphiques  []Graphique
	Sections    []Section
	Note        string // said under the summary (for instance rows left out of the PDF)

	// The one-piece layout of an intervention report: no cover, blocks of fields and texts
	// first, the sections one after another on the same pages, a signature block at the end.
	SansCouverture bool
	Fiches         []Fiche
	Paragraphes    []Paragraphe
	Signatures     []string
}

// Fiche is a block of labelled fields (PDF only).
type Fiche struct {
	Titre  string
	Champs [][2]string
}

// Paragraphe is a titled text (PDF only).
type Paragraphe struct {
	Titre, Texte string
}

// header is a column's title with its unit, for CSV and XLSX headers.
func (c Colonne) header(devise string) string {
	u := c.Unite
	switch {
	case c.Kind == Monnaie && u == "":
		u = devise
	case c.Kind == DateHeure && u == "":
		u = "UTC"
	}
	if u == "" {
		return c.Titre
	}
	return c.Titre + " (" + u + ")"
}

// frDate is a day as the French write it.
func frDate(t time.Time) string { return t.UTC().Format("02/01/2006") }

// frDateTime is an instant in UTC as the French write it.
func frDateTime(t time.Time) string { return t.UTC().Format("02/01/2006 15:04") + " UTC" }

// frNumber writes v with two decimals (none when integral), a decimal comma and spaces
// between thousands.
func frNumber(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("," + frac)
	}
	return b.String()
}

// display is a value as text for people (PDF): French dates and numbers, money in units.
func display(v any, k Kind, devise string) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case *float64:
		if x == nil {
			return ""
		}
		return display(*x, k, devise)
	case *int64:
		if x == nil {
			return ""
		}
		return display(*x, k, devise)
	case *time.Time:
		if x == nil {
			return ""
		}
		return display(*x, k, devise)
	case time.Time:
		if k == Date {
			return frDate(x)
		}
		return x.UTC().Format("02/01/2006 15:04") // the header says UTC
	case int64:
		if k == Monnaie {
			return frNumber(float64(x)/100, 2) + " " + devise
		}
		return frNumber(float64(x), 0)
	case int:
		return display(int64(x), k, devise)
	case float64:
		switch k {
		case Pourcent:
			return frNumber(x, 2) + " %"
		case Heures:
			return frNumber(x, 2) + " h"
		default:
			return frNumber(x, 2)
		}
	default:
		return fmt.Sprint(v)
	}
}

// deref turns the pointer values into plain ones (nil stays nil).
func deref(v any) any {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	default:
		return v
	}
}
