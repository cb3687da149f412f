package odata

import (
	"fmt"
	"strings"
)

// Limits bound how big a $filter or a $search may be, so that one request
// cannot make the store test thousands of conditions against every row
// (each $search word is six unindexed comparisons per user). ParseQuery
// applies DefaultLimits to every endpoint; CheckOrValues is Graph's
// stricter rule for directory objects outside advanced queries, which the
// caller applies.
type Limits struct {
	// MaxLength is the longest value of $filter and of $search, in bytes.
	MaxLength int
	// MaxClauses bounds the conditions of a $filter: comparisons, function
	// calls, lambdas, and each value of an in list.
	MaxClauses int
	// MaxSearchWords bounds the words of a $search, over all its clauses.
	MaxSearchWords int
}

// DefaultLimits: 2,048 characters (Graph's bound on the URL of an advanced
// query), 100 conditions in a $filter, 15 words in a $search (Graph's
// number of child clauses, see MaxOrValues; a word costs the store as much
// as a clause, and real searches use a handful).
var DefaultLimits = Limits{MaxLength: 2048, MaxClauses: 100, MaxSearchWords: 15}

// MaxOrValues is Graph's bound on the child clauses of an "or" (or the
// values of an "in") on directory objects, outside advanced queries.
const MaxOrValues = 15

// LimitError is a $filter or $search over one of the Limits. Graph answers
// it 400 (Request_UnsupportedQuery on directory objects).
type LimitError struct {
	Option string // "$filter" or "$search"
	Got    int
	Max    int
	Msg    string
}

func (e *LimitError) Error() string { return e.Msg }

// CheckLength refuses an option value longer than MaxLength.
func (l Limits) CheckLength(option, value string) error {
	if l.MaxLength > 0 && len(value) > l.MaxLength {
		return &LimitError{Option: option, Got: len(value), Max: l.MaxLength,
			Msg: fmt.Sprintf("The query specified in the URI is not valid. The value of %s is %d characters long. Max allowed: %d.", option, len(value), l.MaxLength)}
	}
	return nil
}

// CheckFilter refuses a parsed $filter with more than MaxClauses conditions.
func (l Limits) CheckFilter(e Expr) error {
	if n := clauses(e); l.MaxClauses > 0 && n > l.MaxClauses {
		return &LimitError{Option: OptFilter, Got: n, Max: l.MaxClauses,
			Msg: fmt.Sprintf("Too many clauses specified in the filter expression: %d. Max allowed: %d.", n, l.MaxClauses)}
	}
	return nil
}

// CheckSearch refuses a parsed $search with more than MaxSearchWords words.
func (l Limits) CheckSearch(s SearchExpr) error {
	if n := searchWords(s); l.MaxSearchWords > 0 && n > l.MaxSearchWords {
		return &LimitError{Option: OptSearch, Got: n, Max: l.MaxSearchWords,
			Msg: fmt.Sprintf("Too many words specified in the $search expression: %d. Max allowed: %d.", n, l.MaxSearchWords)}
	}
	return nil
}

// CheckOrValues refuses a $filter where an "or" joins more than max child
// clauses (a chain of "or", however parenthesized, is one) or an "in"
// lists more than max values, with Graph's message.
func CheckOrValues(e Expr, max int) error {
	if n := widestOr(e); n > max {
		return &LimitError{Option: OptFilter, Got: n, Max: max,
			Msg: fmt.Sprintf("Too many child clauses specified in search filter expression containing 'OR' operators: %d. Max allowed: %d.", n, max)}
	}
	return nil
}

// clauses counts the conditions of e: leaves, calls and lambdas count one
// each (with what they contain), an in list one per value.
func clauses(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		if e.Op.Logical() {
			return clauses(e.Left) + clauses(e.Right)
		}
		return 1
	case *Not:
		return clauses(e.X)
	case *In:
		return len(e.List)
	case *Call:
		n := 0
		for _, a := range e.Args {
			if _, ok := a.(*Binary); ok {
				n += clauses(a)
			}
		}
		return max(1, n)
	case *Lambda:
		return clauses(e.Body)
	}
	return 1
}

// widestOr returns the most child clauses of one "or" chain or values of
// one "in" anywhere in e.
func widestOr(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		if e.Op == Or {
			var kids []Expr
			flattenOr(e, &kids)
			n := len(kids)
			for _, k := range kids {
				n = max(n, widestOr(k))
			}
			return n
		}
		return max(widestOr(e.Left), widestOr(e.Right))
	case *Not:
		return widestOr(e.X)
	case *In:
		return len(e.List)
	case *Call:
		n := 0
		for _, a := range e.Args {
			n = max(n, widestOr(a))
		}
		return n
	case *Lambda:
		return widestOr(e.Body)
	}
	return 0
}

func flattenOr(e Expr, out *[]Expr) {
	if b, ok := e.(*Binary); ok && b.Op == Or {
		flattenOr(b.Left, out)
		flattenOr(b.Right, out)
		return
	}
	*out = append(*out, e)
}

// searchWords counts the words of s's clauses; a clause without words
// counts one.
func searchWords(s SearchExpr) int {
	switch s := s.(type) {
	case *SearchBinary:
		return searchWords(s.Left) + searchWords(s.Right)
	case *SearchTerm:
		return max(1, len(strings.Fields(s.Value)))
	}
	return 0
}
