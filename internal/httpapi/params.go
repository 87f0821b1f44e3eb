package httpapi

// Optional query parameters arrive as pointers (nil when not sent); these read them into the
// plain fields of the domain filters, so a list handler names each parameter once.

// valueOr is the parameter's value, or def when it was not sent.
func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// stringOf is an optional enum or text parameter as a string, "" (no filter) when not sent.
func stringOf[S ~string](p *S) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// stringsOf is a repeated enum parameter as strings, nil (no filter) when not sent.
func stringsOf[S ~string](p *[]S) []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(*p))
	for i, s := range *p {
		out[i] = string(s)
	}
	return out
}
