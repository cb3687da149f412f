package server

import (
	"strings"
	"testing"
	"time"
)

// TestQueryLimitsValidate: the query limits of finding 3 (security round
// 2) refuse settings that cannot work, naming the variable to fix.
func TestQueryLimitsValidate(t *testing.T) {
	cases := []struct {
		rule string
		edit func(*QueryLimits)
		want string // "" : valid
	}{
		{"defaults_valid", func(*QueryLimits) {}, ""},
		{"timeout_off_valid", func(q *QueryLimits) { q.Timeout = 0 }, ""},
		{"timeout_too_short", func(q *QueryLimits) { q.Timeout = 10 * time.Millisecond }, "GUESTGATE_QUERY_TIMEOUT"},
		{"timeout_negative", func(q *QueryLimits) { q.Timeout = -time.Second }, "GUESTGATE_QUERY_TIMEOUT"},
		{"read_limit_off_valid", func(q *QueryLimits) { q.ReadLimit.Limit = 0 }, ""},
		{"read_limit_negative", func(q *QueryLimits) { q.ReadLimit.Limit = -1 }, "GUESTGATE_GRAPH_READ_LIMIT"},
		{"read_window_too_short", func(q *QueryLimits) { q.ReadLimit.Window = time.Millisecond }, "GUESTGATE_GRAPH_READ_LIMIT"},
		{"read_concurrency_negative", func(q *QueryLimits) { q.ReadConcurrency = -1 }, "GUESTGATE_GRAPH_READ_CONCURRENCY"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			q := DefaultQueryLimits
			c.edit(&q)
			err := q.Validate()
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate = %v, want %q", err, c.want)
			}
		})
	}
	if err := Defaults().Queries.Validate(); err != nil || Defaults().Queries != DefaultQueryLimits {
		t.Fatalf("Defaults().Queries = %+v (%v), want DefaultQueryLimits", Defaults().Queries, err)
	}
}
