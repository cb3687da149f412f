package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLogHandler: a service's line logged with a request's context
// carries that request's id once (also when it names the id itself, and
// through With); a line outside a request carries none.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	var id string
	h := WithRequestID(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		id = RequestID(r.Context())
		log.InfoContext(r.Context(), "plain")
		log.InfoContext(r.Context(), "names it", "request_id", RequestID(r.Context()))
		log.With("service", "x").WarnContext(r.Context(), "derived")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	log.InfoContext(context.Background(), "outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		want := id
		if i == 3 {
			want = ""
		}
		got, _ := m["request_id"].(string)
		if got != want || strings.Count(l, `"request_id"`) > 1 {
			t.Errorf("line %d: request_id %q, want %q: %s", i, got, want, l)
		}
	}
}
