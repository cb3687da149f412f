package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBody bounds request bodies; a larger one is refused before it is read whole.
const maxBody = 1 << 20

// decode reads a JSON body into v strictly: unknown properties, wrong
// types, trailing data and oversized bodies are 400 with a message naming
// the problem, as Graph does.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return badRequest("Content-Type must be application/json.")
	}
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return decodeError(err)
	}
	return decodeBody(body, v)
}

// decodeBody decodes a whole JSON body into v strictly (decode's rules),
// refusing a string that holds NUL.
func decodeBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("A request body is required.")
	}
	if err := checkNoNUL(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return badRequest("The request body must hold a single JSON object.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("The request body must hold a single JSON object.")
	}
	return nil
}

func decodeError(err error) error {
	var (
		apiErr  *Error
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
		maxErr  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr // from a type's own UnmarshalJSON
	case errors.As(err, &maxErr):
		return &Error{Status: http.StatusBadRequest, Code: "RequestBodyTooLarge", Message: fmt.Sprintf("The request body is larger than %d bytes.", maxBody)}
	case errors.As(err, &typeErr):
		return badRequest(fmt.Sprintf("Property '%s' has a value of the wrong type (%s expected).", typeErr.Field, typeErr.Type))
	case errors.As(err, &synErr):
		return badRequest("The request body is not valid JSON.")
	case errors.Is(err, io.EOF):
		return badRequest("A request body is required.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("Invalid property " + strings.TrimPrefix(err.Error(), "json: unknown field ") + ".")
	}
	return badRequest("The request body could not be read.")
}

func itoa(n int) string { return strconv.Itoa(n) }
