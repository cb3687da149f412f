package odata

import (
	"strconv"
	"strings"
	"time"
)

// Expr is a node of a parsed $filter. Its String is the canonical OData
// text of the node, which Parse reads back to an equal tree.
type Expr interface {
	// Pos is the byte offset of the node in the parsed text.
	Pos() int
	String() string
	expr()
}

// BinaryOp is a comparison or a logical operator.
type BinaryOp string

// Binary operators.
const (
	And BinaryOp = "and"
	Or  BinaryOp = "or"
	Eq  BinaryOp = "eq"
	Ne  BinaryOp = "ne"
	Gt  BinaryOp = "gt"
	Ge  BinaryOp = "ge"
	Lt  BinaryOp = "lt"
	Le  BinaryOp = "le"
)

// Logical reports whether op is "and" or "or".
func (op BinaryOp) Logical() bool { return op == And || op == Or }

// Binary is "Left Op Right".
type Binary struct {
	Op          BinaryOp
	Left, Right Expr
	At          int
}

// Not is "not X".
type Not struct {
	X  Expr
	At int
}

// In is "Left in (List…)".
type In struct {
	Left Expr
	List []Expr
	At   int
}

// Call is a function call such as startsWith(mail,'a'). Name keeps the
// case it was written in; compare it with strings.EqualFold.
type Call struct {
	Name string
	Args []Expr
	At   int
}

// Lambda is "Collection/any(Var:Body)" (or all).
type Lambda struct {
	Collection Path
	All        bool // "all" rather than "any"
	Var        string
	Body       Expr
	At         int
}

// Path is a property, a lambda variable or a path through complex
// properties: mail, x, initiatedBy/app/displayName, t/id.
type Path struct {
	Segments []string
	At       int
}

// Name returns the segments joined with "/".
func (p Path) Name() string { return strings.Join(p.Segments, "/") }

// LiteralKind says what a Literal holds.
type LiteralKind int

// Literal kinds.
const (
	StringLit LiteralKind = iota
	BoolLit
	NullLit
	IntLit
	DateTimeLit
	GUIDLit
)

func (k LiteralKind) String() string {
	switch k {
	case StringLit:
		return "string"
	case BoolLit:
		return "boolean"
	case NullLit:
		return "null"
	case IntLit:
		return "integer"
	case DateTimeLit:
		return "DateTimeOffset"
	case GUIDLit:
		return "Guid"
	}
	return "unknown"
}

// Literal is a constant. Text is the decoded string for StringLit (quotes
// removed, a doubled quote turned into one), and the source text for the other kinds.
type Literal struct {
	Kind LiteralKind
	Text string
	Bool bool      // BoolLit
	Int  int64     // IntLit
	Time time.Time // DateTimeLit, in UTC
	At   int
}

func (*Binary) expr()  {}
func (*Not) expr()     {}
func (*In) expr()      {}
func (*Call) expr()    {}
func (*Lambda) expr()  {}
func (*Path) expr()    {}
func (*Literal) expr() {}

func (e *Binary) Pos() int  { return e.At }
func (e *Not) Pos() int     { return e.At }
func (e *In) Pos() int      { return e.At }
func (e *Call) Pos() int    { return e.At }
func (e *Lambda) Pos() int  { return e.At }
func (e *Path) Pos() int    { return e.At }
func (e *Literal) Pos() int { return e.At }

// String renders the node; parentheses appear only where the tree needs
// them to read back the same.
func (e *Binary) String() string {
	return operand(e.Left, e.Op, false) + " " + string(e.Op) + " " + operand(e.Right, e.Op, true)
}

// operand renders a child of a binary node. Comparison operands are
// primaries; under "and"/"or" a looser child, or a right child with the
// same operator (the parser groups to the left), needs parentheses.
func operand(x Expr, parent BinaryOp, right bool) string {
	if !parent.Logical() {
		return primary(x)
	}
	if c, ok := x.(*Binary); ok && c.Op.Logical() && (rank(c.Op) < rank(parent) || (right && c.Op == parent)) {
		return "(" + x.String() + ")"
	}
	return x.String()
}

// primary renders x where the grammar wants a primary.
func primary(x Expr) string {
	switch x.(type) {
	case *Binary, *Not, *In:
		return "(" + x.String() + ")"
	}
	return x.String()
}

func rank(op BinaryOp) int {
	switch op {
	case Or:
		return 1
	case And:
		return 2
	}
	return 3
}

func (e *Not) String() string {
	if b, ok := e.X.(*Binary); ok && b.Op.Logical() {
		return "not (" + e.X.String() + ")"
	}
	return "not " + e.X.String()
}

func (e *In) String() string {
	items := make([]string, len(e.List))
	for i, x := range e.List {
		items[i] = primary(x)
	}
	return primary(e.Left) + " in (" + strings.Join(items, ",") + ")"
}

func (e *Call) String() string {
	args := make([]string, len(e.Args))
	for i, x := range e.Args {
		args[i] = x.String()
	}
	return e.Name + "(" + strings.Join(args, ",") + ")"
}

func (e *Lambda) String() string {
	op := "any"
	if e.All {
		op = "all"
	}
	return e.Collection.Name() + "/" + op + "(" + e.Var + ":" + e.Body.String() + ")"
}

func (e *Path) String() string { return e.Name() }

func (e *Literal) String() string {
	switch e.Kind {
	case StringLit:
		return "'" + strings.ReplaceAll(e.Text, "'", "''") + "'"
	case BoolLit:
		return strconv.FormatBool(e.Bool)
	case NullLit:
		return "null"
	case IntLit:
		return strconv.FormatInt(e.Int, 10)
	case DateTimeLit:
		return e.Time.UTC().Format(time.RFC3339Nano)
	}
	return e.Text
}
