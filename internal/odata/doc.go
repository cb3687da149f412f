// Package odata parses the OData query options Microsoft Graph clients
// send: $filter into a small syntax tree (Parse), $orderby, $select, $top,
// $count and $search, and the set of options an endpoint accepts
// (ParseQuery). It owns the grammar only: which properties, operators and
// functions an endpoint supports, and what they mean, is decided by the
// caller (internal/graph), which maps the tree onto a store-independent
// query value of its domain.
//
// The $filter grammar, loosest binding first:
//
//	expr       = and { "or" and }
//	and        = unary { "and" unary }
//	unary      = "not" unary | comparison
//	comparison = primary [ ("eq"|"ne"|"gt"|"ge"|"lt"|"le") primary | "in" "(" primary { "," primary } ")" ]
//	primary    = "(" expr ")" | literal | call | lambda | path
//	call       = name "(" [ expr { "," expr } ] ")"         e.g. startsWith(mail,'a')
//	lambda     = path "/" ("any"|"all") "(" name ":" expr ")"  e.g. otherMails/any(x:x eq 'a@b.example')
//	path       = name { "/" name }                            e.g. initiatedBy/app/displayName
//	literal    = 'string' ('' is a quote) | true | false | null | integer
//	           | DateTimeOffset (2026-11-30T00:00:00Z) | GUID
//
// "not" binds looser than a comparison, so "not userType eq 'Member'" is
// "not (userType eq 'Member')". Keywords are case-insensitive; names keep
// their case. Every error is a *SyntaxError or an *OptionError carrying the
// option and, for syntax, the byte offset of the problem, or a *LimitError
// for a $filter or $search over the size caps of limits.go.
//
// The package does no I/O and imports no other guestgate package. Parsed
// values are immutable and safe to share between goroutines.
package odata
