package csvin

import "strings"

// formulaStarts are the first characters that make a spreadsheet run a cell as a formula (CSV
// injection): = + - @, and the tab and line breaks some put before them.
const formulaStarts = "=+-@\t\r\n"

// SafeCell is a text as the CSV exports write it, so that encoding/csv reads back exactly the
// cell written and no spreadsheet runs it as a formula:
//
//   - its line breaks are "\n" (encoding/csv reads a "\r\n" inside a quoted field as "\n", and
//     a lone "\r" is a line break to a spreadsheet);
//   - a cell starting with a formula character (= + - @, tab, line break) is prefixed with a
//     quote ('), and so is a cell made of quotes then such a character (a text that already
//     starts with '= gets a second quote), so that UnsafeCell gives back any text.
func SafeCell(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if startsFormula(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// UnsafeCell undoes SafeCell on import: one ' is removed before quotes followed by a formula
// character (a cell of an export edited in a spreadsheet reads back as its text).
func UnsafeCell(s string) string {
	if strings.HasPrefix(s, "'") && startsFormula(strings.TrimLeft(s, "'")) {
		return s[1:]
	}
	return s
}

func startsFormula(s string) bool {
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}
