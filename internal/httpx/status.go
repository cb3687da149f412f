package httpx

import "net/http"

// StatusWriter is a ResponseWriter that remembers the status a handler
// wrote (the access log, the metrics and the token limit read it).
type StatusWriter struct {
	http.ResponseWriter
	status int
}

// NewStatusWriter wraps w.
func NewStatusWriter(w http.ResponseWriter) *StatusWriter { return &StatusWriter{ResponseWriter: w} }

// Status is the first status written: 200 once a body was written without
// one, 0 while nothing has been written.
func (s *StatusWriter) Status() int { return s.status }

// WriteHeader records the first status and passes it on.
func (s *StatusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records 200 if no status was written, and passes the body on.
func (s *StatusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *StatusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
