package odata

import "fmt"

// SyntaxError is a query option that does not parse. Pos is the byte
// offset of the problem in Input.
type SyntaxError struct {
	Option string // "$filter", "$orderby", …
	Input  string
	Pos    int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("Syntax error at position %d in '%s': %s.", e.Pos, e.Input, e.Msg)
}

// OptionError is a query option the endpoint does not accept, or one given
// twice or with a value out of range.
type OptionError struct {
	Option string
	Msg    string
}

func (e *OptionError) Error() string { return e.Msg }
