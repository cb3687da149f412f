package groups

// Fields a Query may compare (Graph's property names).
const (
	FieldID           = "id"
	FieldDisplayName  = "displayName"
	FieldMailNickname = "mailNickname"
	FieldDescription  = "description"
)

// Ops a Clause may use.
const (
	OpEq         = "eq"         // equal, ignoring case
	OpStartsWith = "startsWith" // a prefix, ignoring case
	OpIn         = "in"         // one of Values, ignoring case
	OpContains   = "contains"   // a part, ignoring case ($search)
)

// Clause compares one field.
type Clause struct {
	Field  string
	Op     string
	Values []string // one value, except for OpIn
}

// Query selects one page of a tenant's live groups: every clause of
// Filter holds, and some clause of Search when Search is not empty.
type Query struct {
	Filter []Clause
	Search []Clause
	// ByName orders by displayName (then id) instead of id.
	ByName bool
	Desc   bool
	// AfterName and AfterID are the last row of the previous page
	// (AfterName only when ByName).
	AfterName, AfterID string
	Limit              int
}
