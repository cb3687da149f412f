package odata

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDepth bounds nesting (parentheses, not, lambdas) so a hostile filter
// cannot exhaust the stack.
const maxDepth = 64

// Parse parses a $filter expression.
func Parse(s string) (Expr, error) {
	p, err := newParser("$filter", s)
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tkEOF {
		return nil, p.errAt(0, "the filter is empty")
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tkEOF {
		return nil, p.errAt(t.pos, "unexpected "+t.describe())
	}
	return e, nil
}

type tokenKind int

const (
	tkEOF tokenKind = iota
	tkName
	tkString
	tkInt
	tkDateTime
	tkGUID
	tkLParen
	tkRParen
	tkComma
	tkColon
	tkSlash
)

type token struct {
	kind tokenKind
	pos  int
	text string // source text; the decoded value for tkString
}

func (t token) describe() string {
	switch t.kind {
	case tkEOF:
		return "end of input"
	case tkString:
		return "string '" + strings.ReplaceAll(t.text, "'", "''") + "'"
	}
	return "'" + t.text + "'"
}

// keyword reports whether t is the keyword kw (any case).
func (t token) keyword(kw string) bool { return t.kind == tkName && strings.EqualFold(t.text, kw) }

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c == '@'
}

func isNameChar(c byte) bool { return isNameStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// lex splits s into tokens.
func lex(option, s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '(' || c == ')' || c == ',' || c == ':' || c == '/':
			k := map[byte]tokenKind{'(': tkLParen, ')': tkRParen, ',': tkComma, ':': tkColon, '/': tkSlash}[c]
			out = append(out, token{kind: k, pos: i, text: string(c)})
			i++
			continue
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, &SyntaxError{Option: option, Input: s, Pos: i, Msg: "the string is not closed"}
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, token{kind: tkString, pos: i, text: b.String()})
			i = j + 1
			continue
		}
		if n := guidLen(s[i:]); n > 0 {
			out = append(out, token{kind: tkGUID, pos: i, text: s[i : i+n]})
			i += n
			continue
		}
		if n := dateTimeLen(s[i:]); n > 0 {
			out = append(out, token{kind: tkDateTime, pos: i, text: s[i : i+n]})
			i += n
			continue
		}
		if isDigit(c) || c == '-' && i+1 < len(s) && isDigit(s[i+1]) {
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j < len(s) && isNameChar(s[j]) {
				return nil, &SyntaxError{Option: option, Input: s, Pos: i, Msg: "'" + s[i:j+1] + "' is not a number"}
			}
			out = append(out, token{kind: tkInt, pos: i, text: s[i:j]})
			i = j
			continue
		}
		if isNameStart(c) {
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			out = append(out, token{kind: tkName, pos: i, text: s[i:j]})
			i = j
			continue
		}
		return nil, &SyntaxError{Option: option, Input: s, Pos: i, Msg: fmt.Sprintf("unexpected character %q", rune(c))}
	}
	return append(out, token{kind: tkEOF, pos: len(s)}), nil
}

// guidLen returns the length of a GUID (8-4-4-4-12 hex digits) at the
// start of s, or 0.
func guidLen(s string) int {
	groups := []int{8, 4, 4, 4, 12}
	i := 0
	for g, n := range groups {
		for k := 0; k < n; k++ {
			if i >= len(s) || !isHex(s[i]) {
				return 0
			}
			i++
		}
		if g < len(groups)-1 {
			if i >= len(s) || s[i] != '-' {
				return 0
			}
			i++
		}
	}
	if i < len(s) && (isNameChar(s[i]) || s[i] == '-') {
		return 0
	}
	return i
}

// dateTimeLen returns the length of a DateTimeOffset
// (yyyy-mm-ddThh:mm:ss[.fff…](Z|±hh:mm)) at the start of s, or 0.
func dateTimeLen(s string) int {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape) {
		return 0
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' && !isDigit(s[i]) || shape[i] != 'd' && s[i] != shape[i] && !(shape[i] == 'T' && s[i] == 't') {
			return 0
		}
	}
	i := len(shape)
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return 0
		}
		i = j
	}
	switch {
	case i < len(s) && (s[i] == 'Z' || s[i] == 'z'):
		i++
	case i+6 <= len(s) && (s[i] == '+' || s[i] == '-') && isDigit(s[i+1]) && isDigit(s[i+2]) && s[i+3] == ':' && isDigit(s[i+4]) && isDigit(s[i+5]):
		i += 6
	default:
		return 0
	}
	if i < len(s) && isNameChar(s[i]) {
		return 0
	}
	return i
}

type parser struct {
	option string
	input  string
	toks   []token
	i      int
	depth  int
}

func newParser(option, s string) (*parser, error) {
	toks, err := lex(option, s)
	if err != nil {
		return nil, err
	}
	return &parser{option: option, input: s, toks: toks}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(pos int, msg string) error {
	return &SyntaxError{Option: p.option, Input: p.input, Pos: pos, Msg: msg}
}

func (p *parser) expect(k tokenKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, p.errAt(t.pos, "expected "+what+", found "+t.describe())
	}
	return t, nil
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(pos, "the expression is nested too deeply")
	}
	return nil
}

func (p *parser) expr() (Expr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().keyword("or") {
		op := p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: Or, Left: left, Right: right, At: op.pos}
	}
	return left, nil
}

func (p *parser) and() (Expr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek().keyword("and") {
		op := p.next()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: And, Left: left, Right: right, At: op.pos}
	}
	return left, nil
}

func (p *parser) unary() (Expr, error) {
	if t := p.peek(); t.keyword("not") {
		p.next()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		x, err := p.unary()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &Not{X: x, At: t.pos}, nil
	}
	return p.comparison()
}

var comparisons = map[string]BinaryOp{"eq": Eq, "ne": Ne, "gt": Gt, "ge": Ge, "lt": Lt, "le": Le}

func (p *parser) comparison() (Expr, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tkName {
		return left, nil
	}
	if op, ok := comparisons[strings.ToLower(t.text)]; ok {
		p.next()
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		return &Binary{Op: op, Left: left, Right: right, At: t.pos}, nil
	}
	if t.keyword("in") {
		p.next()
		if _, err := p.expect(tkLParen, "'(' after 'in'"); err != nil {
			return nil, err
		}
		in := &In{Left: left, At: t.pos}
		for {
			x, err := p.primary()
			if err != nil {
				return nil, err
			}
			in.List = append(in.List, x)
			sep := p.next()
			if sep.kind == tkRParen {
				return in, nil
			}
			if sep.kind != tkComma {
				return nil, p.errAt(sep.pos, "expected ',' or ')' in the 'in' list, found "+sep.describe())
			}
		}
	}
	return left, nil
}

var reserved = map[string]bool{"and": true, "or": true, "not": true, "eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true, "in": true}

func (p *parser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tkLParen:
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		e, err := p.expr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tkRParen, "')'"); err != nil {
			return nil, err
		}
		return e, nil
	case tkString:
		return &Literal{Kind: StringLit, Text: t.text, At: t.pos}, nil
	case tkInt:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.errAt(t.pos, "'"+t.text+"' is out of range")
		}
		return &Literal{Kind: IntLit, Text: t.text, Int: n, At: t.pos}, nil
	case tkDateTime:
		tm, err := time.Parse(time.RFC3339Nano, strings.ToUpper(t.text))
		if err != nil {
			return nil, p.errAt(t.pos, "'"+t.text+"' is not a valid DateTimeOffset")
		}
		// In UTC it must stay within years 1–9999 (Edm.DateTimeOffset's
		// range), or it could not be written back as a literal.
		if y := tm.UTC().Year(); y < 1 || y > 9999 {
			return nil, p.errAt(t.pos, "'"+t.text+"' is out of range")
		}
		return &Literal{Kind: DateTimeLit, Text: t.text, Time: tm.UTC(), At: t.pos}, nil
	case tkGUID:
		return &Literal{Kind: GUIDLit, Text: strings.ToLower(t.text), At: t.pos}, nil
	case tkName:
		switch strings.ToLower(t.text) {
		case "true", "false":
			return &Literal{Kind: BoolLit, Text: strings.ToLower(t.text), Bool: strings.EqualFold(t.text, "true"), At: t.pos}, nil
		case "null":
			return &Literal{Kind: NullLit, Text: "null", At: t.pos}, nil
		}
		if reserved[strings.ToLower(t.text)] {
			return nil, p.errAt(t.pos, "expected a property or a value, found "+t.describe())
		}
		if p.peek().kind == tkLParen {
			return p.call(t)
		}
		return p.path(t)
	}
	return nil, p.errAt(t.pos, "expected a property or a value, found "+t.describe())
}

func (p *parser) call(name token) (Expr, error) {
	open := p.next() // (
	if err := p.enter(open.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	c := &Call{Name: name.text, At: name.pos}
	if p.peek().kind == tkRParen {
		p.next()
		return c, nil
	}
	for {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, x)
		sep := p.next()
		if sep.kind == tkRParen {
			return c, nil
		}
		if sep.kind != tkComma {
			return nil, p.errAt(sep.pos, "expected ',' or ')' after an argument of "+name.text+", found "+sep.describe())
		}
	}
}

func (p *parser) path(first token) (Expr, error) {
	path := &Path{Segments: []string{first.text}, At: first.pos}
	for p.peek().kind == tkSlash {
		p.next()
		seg, err := p.expect(tkName, "a property name after '/'")
		if err != nil {
			return nil, err
		}
		if (seg.keyword("any") || seg.keyword("all")) && p.peek().kind == tkLParen {
			return p.lambda(*path, seg)
		}
		if reserved[strings.ToLower(seg.text)] {
			return nil, p.errAt(seg.pos, "expected a property name after '/', found "+seg.describe())
		}
		path.Segments = append(path.Segments, seg.text)
	}
	return path, nil
}

func (p *parser) lambda(collection Path, op token) (Expr, error) {
	open := p.next() // (
	if err := p.enter(open.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	v, err := p.expect(tkName, "a range variable in "+op.text+"()")
	if err != nil {
		return nil, err
	}
	if reserved[strings.ToLower(v.text)] || strings.EqualFold(v.text, "true") || strings.EqualFold(v.text, "false") || strings.EqualFold(v.text, "null") {
		return nil, p.errAt(v.pos, "'"+v.text+"' cannot name a range variable")
	}
	if _, err := p.expect(tkColon, "':' after the range variable"); err != nil {
		return nil, err
	}
	body, err := p.expr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tkRParen, "')' to close "+op.text+"()"); err != nil {
		return nil, err
	}
	return &Lambda{Collection: collection, All: op.keyword("all"), Var: v.text, Body: body, At: collection.At}, nil
}
