package httpapi

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mif-erp/erp/api"
)

// The validator (kin-openapi) explains a refused value in English; the problem's field
// messages are French, like its detail. schemaMessage says, from the failing keyword and the
// schema, what the value should have been.

var (
	missingProperty = regexp.MustCompile(`property "([^"]+)" is missing`)
	unknownProperty = regexp.MustCompile(`property "([^"]+)" is unsupported`)
)

// typeNames are the JSON types as the messages say them.
var typeNames = map[string]string{
	"string": "un texte", "integer": "un nombre entier", "number": "un nombre", "boolean": "un booléen (true ou false)",
	"array": "une liste", "object": "un objet",
}

// formatNames are the string formats as the messages say them.
var formatNames = map[string]string{
	"date": "une date AAAA-MM-JJ (ou un horodatage RFC 3339)", "date-time": "une date et heure RFC 3339 (2026-12-06T08:00:00Z)",
	"email": "une adresse e-mail", "uuid": "un UUID", "int64": "un nombre entier", "int32": "un nombre entier",
	"double": "un nombre", "binary": "un fichier",
}

// schemaMessage is the French message of a schema error, and the property it names when the
// error is about a missing or unknown property ("" otherwise).
func schemaMessage(se *openapi3.SchemaError) (msg, property string) {
	s := se.Schema
	if s == nil {
		s = &openapi3.Schema{}
	}
	num := func(f *float64) string {
		if f == nil {
			return "?"
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	switch se.SchemaField {
	case "required":
		if m := missingProperty.FindStringSubmatch(se.Reason); m != nil {
			return "obligatoire", m[1]
		}
		return "champ obligatoire manquant", ""
	case "additionalProperties", "properties":
		if m := unknownProperty.FindStringSubmatch(se.Reason); m != nil {
			return "champ inconnu", m[1]
		}
		return "champ inconnu", ""
	case "enum":
		values := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			values[i] = fmt.Sprint(v)
		}
		return "doit être l'une des valeurs : " + strings.Join(values, ", "), ""
	case "type":
		if types := s.Type.Slice(); len(types) > 0 {
			if name, ok := typeNames[types[0]]; ok {
				return "doit être " + name, ""
			}
		}
		return "type de valeur invalide", ""
	case "format":
		if errors.Is(se.Origin, api.ErrYearOutOfRange) {
			return fmt.Sprintf("l'année doit être comprise entre %d et %d", api.MinYear, api.MaxYear), ""
		}
		if name, ok := formatNames[s.Format]; ok {
			return "doit être " + name, ""
		}
		return "format invalide (" + s.Format + ")", ""
	case "minLength":
		return fmt.Sprintf("doit contenir au moins %d caractère(s)", s.MinLength), ""
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("doit contenir au plus %d caractère(s)", *s.MaxLength), ""
		}
	case "minimum":
		if s.ExclusiveMin.IsTrue() {
			return "doit être supérieur à " + num(s.Min), ""
		}
		return "doit être supérieur ou égal à " + num(s.Min), ""
	case "maximum":
		if s.ExclusiveMax.IsTrue() {
			return "doit être inférieur à " + num(s.Max), ""
		}
		return "doit être inférieur ou égal à " + num(s.Max), ""
	case "minItems":
		return fmt.Sprintf("doit contenir au moins %d élément(s)", s.MinItems), ""
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("doit contenir au plus %d élément(s)", *s.MaxItems), ""
		}
	case "uniqueItems":
		return "ne doit pas contenir deux fois la même valeur", ""
	case "pattern":
		return "ne respecte pas le format attendu (" + s.Pattern + ")", ""
	case "nullable":
		return "ne peut pas être null", ""
	case "anyOf":
		if names := alternativeFields(s.AnyOf); len(names) > 0 {
			return "obligatoire (" + strings.Join(names, " ou ") + ")", names[0]
		}
	}
	return "valeur invalide", ""
}

// alternativeFields reads "one of these fields is required" (an anyOf whose every branch only
// requires one property, as InterventionCreate's type and its alias) as the fields' names; nil for
// any other anyOf.
func alternativeFields(alts openapi3.SchemaRefs) []string {
	var names []string
	for _, ref := range alts {
		v := ref.Value
		if v == nil || len(v.Required) != 1 || len(v.Properties) > 0 || v.Type != nil {
			return nil
		}
		names = append(names, v.Required[0])
	}
	return names
}
