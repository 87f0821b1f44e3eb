package rapports

import (
	"encoding/json"
	"time"
)

// renderJSON writes the document as one JSON object: money in cents, days as YYYY-MM-DD,
// instants in RFC 3339 (UTC), each row an object keyed by the columns' keys.
func renderJSON(d Document) ([]byte, error) {
	type indicateur struct {
		Libelle string `json:"libelle"`
		Valeur  any    `json:"valeur"`
		Unite   string `json:"unite,omitempty"`
	}
	type colonne struct {
		Cle   string `json:"cle"`
		Titre string `json:"titre"`
		Unite string `json:"unite,omitempty"`
	}
	type section struct {
		Titre    string           `json:"titre"`
		Colonnes []colonne        `json:"colonnes"`
		Lignes   []map[string]any `json:"lignes"`
	}
	out := struct {
		Titre    string       `json:"titre"`
		Type     string       `json:"type"`
		From     string       `json:"from"`
		To       string       `json:"to"`
		GenereLe string       `json:"genere_le"`
		Devise   string       `json:"devise"`
		Note     string       `json:"note,omitempty"`
		Resume   []indicateur `json:"resume"`
		Sections []section    `json:"sections"`
	}{Titre: d.Titre, Type: d.Type, From: d.From.Format(time.DateOnly), To: d.To.Format(time.DateOnly),
		GenereLe: d.GenereLe.UTC().Format(time.RFC3339), Devise: d.Devise, Note: d.Note,
		Resume: make([]indicateur, len(d.Resume)), Sections: make([]section, len(d.Sections))}
	for i, r := range d.Resume {
		out.Resume[i] = indicateur{Libelle: r.Libelle, Valeur: jsonValue(deref(r.Valeur), r.Kind), Unite: unitOf(r.Unite, r.Kind, d.Devise, true)}
	}
	for i, s := range d.Sections {
		sec := section{Titre: s.Titre, Colonnes: make([]colonne, len(s.Colonnes)), Lignes: make([]map[string]any, len(s.Lignes))}
		for j, c := range s.Colonnes {
			sec.Colonnes[j] = colonne{Cle: c.Cle, Titre: c.Titre, Unite: unitOf(c.Unite, c.Kind, d.Devise, true)}
		}
		for j, row := range s.Lignes {
			m := make(map[string]any, len(row))
			for k, v := range row {
				m[s.Colonnes[k].Cle] = jsonValue(deref(v), s.Colonnes[k].Kind)
			}
			sec.Lignes[j] = m
		}
		out.Sections[i] = sec
	}
	return json.MarshalIndent(out, "", "  ")
}

// unitOf is a column's unit; money is in the currency (in cents in JSON).
func unitOf(u string, k Kind, devise string, cents bool) string {
	if k == Monnaie && u == "" {
		if cents {
			return devise + " (centimes)"
		}
		return devise
	}
	return u
}

func jsonValue(v any, k Kind) any {
	t, ok := v.(time.Time)
	if !ok {
		return v
	}
	if k == Date {
		return t.Format(time.DateOnly)
	}
	return t.UTC().Format(time.RFC3339)
}
