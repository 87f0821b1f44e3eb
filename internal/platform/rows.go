package platform

// ConvertRows turns the rows of a fixed-shape statement into the row type of the catch-all
// statement it stands in for (sqlc generates one row type per statement; same columns, so
// convert is a plain type conversion).
func ConvertRows[From, To any](rows []From, convert func(From) To) []To {
	out := make([]To, len(rows))
	for i, r := range rows {
		out[i] = convert(r)
	}
	return out
}
