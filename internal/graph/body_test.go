package graph

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDecodeGzipBodies: bodies compressed as Microsoft's SDKs send them
// (kiota's compression handler: Content-Encoding: gzip) decode like plain
// ones; one that expands past the limit is RequestBodyTooLarge however
// small it travels; a body that is not gzip is 400; an encoding guestgate
// does not know is 415, on which kiota resends the body uncompressed.
func TestDecodeGzipBodies(t *testing.T) {
	type body struct {
		Department string `json:"department"`
	}
	bomb := `{"department":"` + strings.Repeat("a", maxBody) + `"}`
	cases := []struct {
		name     string
		encoding string
		body     []byte
		status   int // 0: decodes
		code     string
	}{
		{"plain", "", []byte(`{"department":"Sales"}`), 0, ""},
		{"identity", "identity", []byte(`{"department":"Sales"}`), 0, ""},
		{"gzip", "gzip", gzipped(t, `{"department":"Sales"}`), 0, ""},
		{"gzip_any_case", "GZip", gzipped(t, `{"department":"Sales"}`), 0, ""},
		{"gzip_expands_past_limit", "gzip", gzipped(t, bomb), http.StatusBadRequest, "RequestBodyTooLarge"},
		{"not_gzip", "gzip", []byte(`{"department":"Sales"}`), http.StatusBadRequest, "BadRequest"},
		{"gzip_unknown_field", "gzip", gzipped(t, `{"departmnt":"Sales"}`), http.StatusBadRequest, "BadRequest"},
		{"unknown_encoding", "br", []byte(`{"department":"Sales"}`), http.StatusUnsupportedMediaType, "UnsupportedMediaType"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPatch, "/v1.0/users/x", bytes.NewReader(c.body))
			r.Header.Set("Content-Type", "application/json")
			if c.encoding != "" {
				r.Header.Set("Content-Encoding", c.encoding)
			}
			var got body
			err := decode(httptest.NewRecorder(), r, &got)
			if c.status == 0 {
				if err != nil || got.Department != "Sales" {
					t.Fatalf("decode = %v, %+v", err, got)
				}
				return
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.Status != c.status || apiErr.Code != c.code {
				t.Fatalf("decode = %v, want %d %s", err, c.status, c.code)
			}
		})
	}
	if len(gzipped(t, bomb)) > maxBody/100 {
		t.Fatal("the bomb case must travel small to test the limit after decompression")
	}
}
