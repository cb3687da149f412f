package graph

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Pages of users are written by appending to one buffer (appendUser,
// userPage.write): a page of 100 users with every property is ~10 000
// values, and encoding/json through Marshaler costs an allocation per
// value and a second pass over every object to validate and compact it.
// appendJSON writes what json.Marshal writes for the values property
// getters return (so answers stay byte for byte the same, tested in
// json_append_test.go) and falls back to json.Marshal for any other type.

// appendJSON appends v as json.Marshal encodes it.
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case *string:
		if v == nil {
			return append(b, "null"...)
		}
		return appendJSONString(b, *v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case []string:
		if v == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	case []identity:
		if v == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, id := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"signInType":`...)
			b = appendJSONString(b, id.SignInType)
			b = append(b, `,"issuer":`...)
			b = appendJSONString(b, id.Issuer)
			b = append(b, `,"issuerAssignedId":`...)
			b = appendJSONString(b, id.IssuerAssignedID)
			b = append(b, '}')
		}
		return append(b, ']')
	case jsonObject:
		if v == nil {
			return append(b, "null"...)
		}
		return v.appendTo(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		// The getters return only encodable values; a failure here is a
		// bug, answered as null rather than as a broken document.
		return append(b, "null"...)
	}
	return append(b, out...)
}

// appendJSONString appends s quoted as json.Marshal quotes it (HTML
// characters, U+2028 and U+2029 escaped; invalid UTF-8 as U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			out, _ := json.Marshal(s) // the rare string that needs escaping
			return append(b, out...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendTo appends the object, members in order.
func (o jsonObject) appendTo(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.name)
		b = append(b, ':')
		b = appendJSON(b, m.value)
	}
	return append(b, '}')
}
