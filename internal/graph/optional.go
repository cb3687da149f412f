package graph

import (
	"bytes"
	"encoding/json"
)

// opt is a property of a partial update (PATCH): Set when the body named
// it, Null when its value was null, else V holds the value. Nested objects
// are decoded as strictly as the body (unknown properties refused).
type opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&o.V)
}
