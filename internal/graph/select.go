package graph

import (
	"reflect"
	"strings"
)

// $select on resources answered from a Go struct (signIn, deleted users'
// lists): the struct's json tags are the resource's properties, in
// Graph's order; a selection keeps that order and drops the rest.

// structSelect checks names against the json properties of v's struct
// type (matched in any case) and returns their spelling in the struct,
// without repeats, in the order asked (nil: no selection). An unknown
// name is Graph's 400 "Could not find a property named …".
func structSelect(scope queryScope, v any, typeName string, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	props := jsonProps(reflect.TypeOf(v))
	var out []string
	for _, n := range names {
		found := false
		for _, p := range props {
			if strings.EqualFold(p, n) {
				found = true
				if !contains(out, p) {
					out = append(out, p)
				}
			}
		}
		if !found {
			return nil, scope.invalid("Could not find a property named '" + n + "' on type '" + typeName + "'.")
		}
	}
	return out, nil
}

// selectObject is v (a struct) with only the selected properties, in the
// struct's order, led by @odata.context when context is not empty.
func selectObject(v any, sel []string, context string) jsonObject {
	rv := reflect.ValueOf(v)
	out := make(jsonObject, 0, len(sel)+1)
	if context != "" {
		out = append(out, jsonMember{"@odata.context", context})
	}
	for i := range rv.NumField() {
		name := jsonName(rv.Type().Field(i))
		if name != "" && contains(sel, name) {
			out = append(out, jsonMember{name, rv.Field(i).Interface()})
		}
	}
	return out
}

// jsonProps are the json names of t's fields, without OData annotations.
func jsonProps(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || name == "" || strings.HasPrefix(name, "@") || !f.IsExported() {
		return ""
	}
	return name
}

// selectContext is a collection's @odata.context with the selection.
func selectContext(base string, sel []string) string {
	if len(sel) == 0 {
		return base
	}
	return base + "(" + strings.Join(sel, ",") + ")"
}
