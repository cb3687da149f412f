package graph

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// routeIndexLine is one line of docs/graph.md's route index:
// "- `GET /v1.0/users/{id}`".
var routeIndexLine = regexp.MustCompile("(?m)^- `((?:GET|POST|PATCH|PUT|DELETE) /v1\\.0/[^`]*)`")

// TestDocsListEveryRoute (issue 22 item 14): docs/graph.md's route index
// lists every route of the table, and nothing the table does not serve.
func TestDocsListEveryRoute(t *testing.T) {
	raw, err := os.ReadFile("../../docs/graph.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range routeIndexLine.FindAllStringSubmatch(string(raw), -1) {
		documented = append(documented, m[1])
	}
	a := mustNew(Deps{})
	var served []string
	for _, rt := range a.routes {
		served = append(served, rt.pattern)
		if !slices.Contains(documented, rt.pattern) {
			t.Errorf("route %q is served but docs/graph.md's route index does not list it", rt.pattern)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("docs/graph.md lists %q, which is not served", d)
		}
	}
}
