package odata

import "strings"

// SearchExpr is a parsed $search: terms joined by AND and OR.
type SearchExpr interface {
	String() string
	search()
}

// SearchTerm is one quoted clause, "property:value" as Graph's directory
// searches want it. Property is empty when the clause has no colon.
type SearchTerm struct {
	Property string
	Value    string
	At       int
}

// SearchBinary joins two searches; Op is "AND" or "OR".
type SearchBinary struct {
	Op          string
	Left, Right SearchExpr
}

func (*SearchTerm) search()   {}
func (*SearchBinary) search() {}

func (t *SearchTerm) String() string {
	v := t.Value
	if t.Property != "" || strings.Contains(v, ":") {
		v = t.Property + ":" + v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func (b *SearchBinary) String() string {
	l, r := b.Left.String(), b.Right.String()
	if b.Op == "AND" {
		if x, ok := b.Left.(*SearchBinary); ok && x.Op == "OR" {
			l = "(" + l + ")"
		}
		if x, ok := b.Right.(*SearchBinary); ok && x.Op == "OR" {
			r = "(" + r + ")"
		}
	}
	if x, ok := b.Right.(*SearchBinary); ok && x.Op == b.Op {
		r = "(" + r + ")"
	}
	return l + " " + b.Op + " " + r
}

// ParseSearch parses $search: quoted clauses ("displayName:ter", with \"
// and \\ escapes) joined by AND or OR (any case; AND binds tighter, and
// clauses side by side mean AND), with parentheses.
func ParseSearch(s string) (SearchExpr, error) {
	sp := &searchParser{in: s}
	sp.skip()
	if sp.i >= len(s) {
		return nil, sp.err(0, "the search is empty")
	}
	e, err := sp.or()
	if err != nil {
		return nil, err
	}
	if sp.i < len(s) {
		return nil, sp.err(sp.i, "unexpected "+sp.describe())
	}
	return e, nil
}

type searchParser struct {
	in    string
	i     int
	depth int
}

func (p *searchParser) err(pos int, msg string) error {
	return &SyntaxError{Option: OptSearch, Input: p.in, Pos: pos, Msg: msg}
}

func (p *searchParser) skip() {
	for p.i < len(p.in) && (p.in[p.i] == ' ' || p.in[p.i] == '\t') {
		p.i++
	}
}

func (p *searchParser) describe() string {
	end := p.i
	for end < len(p.in) && p.in[end] != ' ' && end-p.i < 20 {
		end++
	}
	if end == p.i {
		end = min(p.i+1, len(p.in))
	}
	return "'" + p.in[p.i:end] + "'"
}

// word reports whether the keyword kw (any case) comes next, followed by
// a space, a quote or a parenthesis.
func (p *searchParser) word(kw string) bool {
	if len(p.in)-p.i < len(kw) || !strings.EqualFold(p.in[p.i:p.i+len(kw)], kw) {
		return false
	}
	j := p.i + len(kw)
	return j < len(p.in) && (p.in[j] == ' ' || p.in[j] == '"' || p.in[j] == '(')
}

func (p *searchParser) or() (SearchExpr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.word("OR") {
		p.i += 2
		p.skip()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &SearchBinary{Op: "OR", Left: left, Right: right}
	}
	return left, nil
}

func (p *searchParser) and() (SearchExpr, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.word("AND"):
			p.i += 3
			p.skip()
		case p.i < len(p.in) && (p.in[p.i] == '"' || p.in[p.i] == '('):
		default:
			return left, nil
		}
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		left = &SearchBinary{Op: "AND", Left: left, Right: right}
	}
}

func (p *searchParser) term() (SearchExpr, error) {
	if p.i >= len(p.in) {
		return nil, p.err(p.i, `expected a quoted clause such as "displayName:ter"`)
	}
	if p.in[p.i] == '(' {
		open := p.i
		p.depth++
		if p.depth > maxDepth {
			return nil, p.err(open, "the search is nested too deeply")
		}
		p.i++
		p.skip()
		e, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.in) || p.in[p.i] != ')' {
			return nil, p.err(p.i, "expected ')'")
		}
		p.i++
		p.skip()
		return e, nil
	}
	if p.in[p.i] != '"' {
		return nil, p.err(p.i, `expected a quoted clause such as "displayName:ter", found `+p.describe())
	}
	start := p.i
	var b strings.Builder
	p.i++
	for {
		if p.i >= len(p.in) {
			return nil, p.err(start, "the quoted clause is not closed")
		}
		c := p.in[p.i]
		if c == '\\' && p.i+1 < len(p.in) && (p.in[p.i+1] == '"' || p.in[p.i+1] == '\\') {
			b.WriteByte(p.in[p.i+1])
			p.i += 2
			continue
		}
		if c == '"' {
			p.i++
			break
		}
		b.WriteByte(c)
		p.i++
	}
	p.skip()
	t := &SearchTerm{Value: b.String(), At: start}
	if prop, val, ok := strings.Cut(t.Value, ":"); ok {
		t.Property, t.Value = prop, val
	}
	return t, nil
}
