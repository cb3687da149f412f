package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/guestgate/guestgate/internal/httpx"
)

// checkInput refuses what no handler may see: control characters (NUL
// above all, which PostgreSQL refuses in text) in the path or a query
// value. (The OData options each route serves are checked by its route.)
func checkInput(r *http.Request) error {
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if !httpx.Printable(seg) {
			return &Error{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: "Invalid object identifier: the path holds control characters."}
		}
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	for k, vs := range q {
		if !httpx.Printable(k) || slices.ContainsFunc(vs, func(v string) bool { return !httpx.Printable(v) }) {
			return badRequest("Invalid query: a query option holds control characters.")
		}
	}
	return nil
}

// parseQuery is url.ParseQuery that answers Graph's 400 for a malformed
// query (a bad escape, a semicolon) instead of dropping the pair.
func parseQuery(raw string) (map[string][]string, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, badRequest("Invalid query: " + err.Error())
	}
	return q, nil
}

// errNULInBody: a JSON string holds U+0000, which no property may hold
// (and PostgreSQL cannot store).
var errNULInBody = badRequest("The request body holds a NUL character (\\u0000) in a string; no property may hold one.")

// checkNoNUL scans a JSON body for a string holding U+0000; it leaves
// syntax errors to the decoder that follows.
func checkNoNUL(body []byte) error {
	if !bytes.Contains(body, []byte(`\u0000`)) && !bytes.Contains(body, []byte(`\U0000`)) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return nil
		}
		if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
			return errNULInBody
		}
	}
}
