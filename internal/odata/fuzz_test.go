package odata

import (
	"errors"
	"testing"
)

// FuzzParse: Parse never panics; an error is a *SyntaxError pointing
// inside the input; a parsed tree prints as text that parses back to a tree
// printing the same (String is a fixpoint), and every node's position lies
// inside the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"mail eq 'a@b.example'",
		"startsWith(mail,'t') and userType eq 'Guest'",
		"otherMails/any(x:x eq 'a@b.example')",
		"not (a eq 1 or b ne 2) and c in ('x','y')",
		"activityDateTime ge 2026-11-30T00:00:00Z and activityDateTime le 2026-12-01T00:00:00.1234567+01:00",
		"id eq 0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b",
		"displayName eq 'O''Brien' or mail eq null",
		"targetResources/any(t:t/id eq 'x')",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", s, err, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("Parse(%q) error position %d outside the input", s, se.Pos)
			}
			return
		}
		checkPos(t, s, e)
		printed := e.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", s, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("Parse(%q) printed %q, which prints as %q", s, printed, again.String())
		}
	})
}

func checkPos(t *testing.T, s string, e Expr) {
	t.Helper()
	if e.Pos() < 0 || e.Pos() >= len(s) {
		t.Fatalf("node %s of %q at %d, outside the input", e, s, e.Pos())
	}
	switch n := e.(type) {
	case *Binary:
		checkPos(t, s, n.Left)
		checkPos(t, s, n.Right)
	case *Not:
		checkPos(t, s, n.X)
	case *In:
		checkPos(t, s, n.Left)
		for _, x := range n.List {
			checkPos(t, s, x)
		}
	case *Call:
		for _, x := range n.Args {
			checkPos(t, s, x)
		}
	case *Lambda:
		checkPos(t, s, n.Body)
	}
}

// FuzzParseSearch: the same properties for $search.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{`"displayName:ter"`, `"displayName:a" OR "mail:b" AND "c"`, `("a" OR "b") "c\"d"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseSearch(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("ParseSearch(%q) error %v", s, err)
			}
			return
		}
		printed := e.String()
		again, err := ParseSearch(printed)
		if err != nil || again.String() != printed {
			t.Fatalf("ParseSearch(%q) printed %q, read back as %v, %v", s, printed, again, err)
		}
	})
}
