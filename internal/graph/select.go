package graph

import (
	"reflect"
	"strings"
)

// $select on resources answered from a Go struct (signIn, deleted users'
// lists): the struct's json tags are the resource's properties, in
// Graph's order; a selection keeps that order and drops the rest.

// structSelect checks names against the json properties of v's struct
// type (matched in any case; embedded structs' properties included) and
// returns their spelling in the struct, without repeats, in the order
// asked (nil: no selection). An unknown name is Graph's 400 "Could not
// find a property named …".
func structSelect(scope queryScope, v any, typeName string, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var props []string
	for _, m := range jsonMembers(reflect.ValueOf(v)) {
		props = append(props, m.name)
	}
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
// struct's order, led by @odata.context when context is not empty and
// keeping a non-empty @odata.type.
func selectObject(v any, sel []string, context string) jsonObject {
	out := make(jsonObject, 0, len(sel)+2)
	if context != "" {
		out = append(out, jsonMember{"@odata.context", context})
	}
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if f := rv.Type().Field(i); tagName(f) == "@odata.type" && !rv.Field(i).IsZero() {
			out = append(out, jsonMember{"@odata.type", rv.Field(i).Interface()})
		}
	}
	for _, m := range jsonMembers(rv) {
		if contains(sel, m.name) {
			out = append(out, m)
		}
	}
	return out
}

// jsonMembers are the properties of the struct v by their json names,
// embedded structs flattened, OData annotations left out.
func jsonMembers(v reflect.Value) []jsonMember {
	var out []jsonMember
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			out = append(out, jsonMembers(v.Field(i))...)
			continue
		}
		name := tagName(f)
		if name == "" || name == "-" || strings.HasPrefix(name, "@") || !f.IsExported() {
			continue
		}
		out = append(out, jsonMember{name, v.Field(i).Interface()})
	}
	return out
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// selectContext is a collection's @odata.context with the selection.
func selectContext(base string, sel []string) string {
	if len(sel) == 0 {
		return base
	}
	return base + "(" + strings.Join(sel, ",") + ")"
}
