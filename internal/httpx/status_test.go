package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestStatusWriter: the first status written is the one recorded; a body
// without one is 200; nothing written is 0.
func TestStatusWriter(t *testing.T) {
	cases := []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"nothing", func(http.ResponseWriter) {}, 0},
		{"body only", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK},
		{"status then body", func(w http.ResponseWriter) { w.WriteHeader(http.StatusUnauthorized); _, _ = w.Write([]byte("x")) }, http.StatusUnauthorized},
		{"two statuses", func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadRequest); w.WriteHeader(http.StatusOK) }, http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sw := NewStatusWriter(httptest.NewRecorder())
			c.write(sw)
			if sw.Status() != c.want {
				t.Fatalf("Status() = %d, want %d", sw.Status(), c.want)
			}
			if http.NewResponseController(sw).Flush() != nil {
				t.Fatal("the underlying writer is not reachable (Unwrap)")
			}
		})
	}
}
