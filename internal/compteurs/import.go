package compteurs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/csvin"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
)

// MaxImportLines is the largest file of readings an import takes, in data lines.
const MaxImportLines = 10000

// ImportError is a bad line of an import (the header is line 1).
type ImportError struct {
	Ligne          int
	Champ, Message string
}

// ImportReport is what an import did (or would do, in a dry run).
type ImportReport struct {
	DryRun            bool
	Lignes, Importees int
	Erreurs           []ImportError
}

type readingLine struct {
	n   int
	in  ReleveInput
	bad bool
}

// Import records the readings of a CSV file (lu_le, valeur), all or nothing, each checked as a
// single reading, in time order. With errors and !dryRun the report is also a 422.
func (s *Service) Import(ctx context.Context, actor auth.Principal, compteurID int64, body io.Reader, dryRun bool) (ImportReport, error) {
	rep := ImportReport{DryRun: dryRun, Erreurs: []ImportError{}}
	lines, err := readReadings(body, &rep)
	if err != nil {
		return ImportReport{}, err
	}
	errRollback := errors.New("rollback")
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.lockWritable(ctx, tx, actor, compteurID)
		if err != nil {
			return err
		}
		plans, err := planning.PlansOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		slices.SortStableFunc(lines, func(a, b readingLine) int { return a.in.LuLe.Compare(*b.in.LuLe) })
		for _, l := range lines {
			_, err := s.insert(ctx, tx, actor, &c, plans, l.in)
			var ae *apperr.Error
			switch {
			case err == nil:
				rep.Importees++
			case errors.As(err, &ae):
				for _, f := range ae.Fields {
					rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: l.n, Champ: f.Field, Message: f.Message})
				}
				if len(ae.Fields) == 0 {
					rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: l.n, Champ: "ligne", Message: ae.Message})
				}
			default:
				return err
			}
			if len(rep.Erreurs) > 0 && !dryRun {
				break // nothing will be written: the remaining lines need no check
			}
		}
		if dryRun || len(rep.Erreurs) > 0 {
			return errRollback
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "compteur.releves_importes",
			ResourceType: "compteur", ResourceID: strconv.FormatInt(c.ID, 10),
			Details: map[string]any{"importees": rep.Importees, "lignes": rep.Lignes}})
	})
	if err != nil && !errors.Is(err, errRollback) {
		return ImportReport{}, fmt.Errorf("import readings of meter %d: %w", compteurID, err)
	}
	slices.SortStableFunc(rep.Erreurs, func(a, b ImportError) int { return a.Ligne - b.Ligne })
	if !dryRun && len(rep.Erreurs) > 0 {
		fields := make([]apperr.FieldError, len(rep.Erreurs))
		for i, e := range rep.Erreurs {
			fields[i] = apperr.FieldError{Field: fmt.Sprintf("ligne %d: %s", e.Ligne, e.Champ), Message: e.Message}
		}
		rep.Importees = 0
		return rep, apperr.Invalid(fmt.Sprintf("Import refusé : %d erreur(s), rien n'a été écrit", len(fields)), fields...)
	}
	return rep, nil
}

// readReadings parses the file; lines that do not parse are reported and left out.
func readReadings(body io.Reader, rep *ImportReport) ([]readingLine, error) {
	f, err := csvin.Read(body)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range f.Header {
		col[h] = i
	}
	for _, need := range []string{"lu_le", "valeur"} {
		if _, ok := col[need]; !ok {
			rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: 1, Champ: need, Message: "colonne obligatoire absente"})
		}
	}
	if len(rep.Erreurs) > 0 {
		return nil, nil
	}
	var out []readingLine
	for line, rec := range f.Rows() {
		rep.Lignes++
		if rep.Lignes > MaxImportLines {
			rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: line, Champ: "ligne", Message: fmt.Sprintf("%d lignes au plus par import", MaxImportLines)})
			break
		}
		cell := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		l := readingLine{n: line, in: ReleveInput{Source: "import"}}
		if t, ok := parseTime(cell("lu_le")); ok {
			l.in.LuLe = &t
		} else {
			rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: line, Champ: "lu_le", Message: "date RFC 3339 ou AAAA-MM-JJ HH:MM attendue"})
			l.bad = true
		}
		if v, err := strconv.ParseFloat(strings.Replace(cell("valeur"), ",", ".", 1), 64); err == nil {
			l.in.Valeur = v
		} else {
			rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: line, Champ: "valeur", Message: "nombre attendu"})
			l.bad = true
		}
		if !l.bad {
			out = append(out, l)
		}
	}
	if e := f.Err(); e != nil {
		rep.Erreurs = append(rep.Erreurs, ImportError{Ligne: e.Line, Champ: "ligne", Message: e.Reason})
	}
	return out, nil
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
