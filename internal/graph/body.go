package graph

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Graph takes request bodies compressed with gzip (Content-Encoding:
// gzip), and Microsoft's SDKs send them so: kiota's default middleware
// compresses every body. readBody undoes it, and bounds the body after
// decompression as before it, so a small compressed body cannot expand
// past the limit (a "zip bomb" is refused once limit bytes are out).

// readBody reads r's body, decompressed, at most limit bytes (more is an
// *http.MaxBytesError). Another Content-Encoding than gzip or identity is
// 415, which kiota answers by sending the body again uncompressed.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	in := http.MaxBytesReader(w, r.Body, limit)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return io.ReadAll(in)
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, gzipError(err)
		}
		defer zr.Close()
		body, err := io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil {
			return nil, gzipError(err)
		}
		if int64(len(body)) > limit {
			return nil, &http.MaxBytesError{Limit: limit}
		}
		return body, nil
	default:
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
			Message: "Content-Encoding '" + enc + "' is not supported; send gzip or an uncompressed body."}
	}
}

// gzipError keeps a size error as it is and calls anything else a body
// that is not gzip.
func gzipError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return err
	}
	return badRequest("The request body is not valid gzip (Content-Encoding: gzip).")
}
