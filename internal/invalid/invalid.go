// Package invalid is the one error every domain returns for a client's bad
// input: which field is wrong and how. The HTTP layer answers it with 422
// and the code invalid_<field> (internal/httpx), so no service maps it
// itself.
//
// The package must not import anything of the module: every domain uses
// it, and domains import no adapter.
package invalid

// Error reports bad input from a client; Field names what is wrong.
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }
