package audit

import (
	"encoding/json"
	"fmt"
)

// Change is a modified property: its name and its old and new values,
// JSON-encoded as the reproduced product shows them ("\"enabled\"", "true",
// "[]"). An empty Old or New stands for no value (Graph's null).
type Change struct {
	Property string
	Old      string
	New      string
}

// Changed builds the Change of property from old to new. Values are
// JSON-encoded; a nil value is no value.
func Changed(property string, old, new any) (Change, error) {
	o, err := encodeValue(old)
	if err != nil {
		return Change{}, fmt.Errorf("audit %s: old value: %w", property, err)
	}
	n, err := encodeValue(new)
	if err != nil {
		return Change{}, fmt.Errorf("audit %s: new value: %w", property, err)
	}
	return Change{Property: property, Old: o, New: n}, nil
}

// Prop is a property an update may have set, with its values before and after.
type Prop struct {
	Name     string
	Set      bool
	Old, New any
}

// ChangesOf builds the Changes of the props that were set, in order.
func ChangesOf(props ...Prop) ([]Change, error) {
	var out []Change
	for _, p := range props {
		if !p.Set {
			continue
		}
		c, err := Changed(p.Name, p.Old, p.New)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func encodeValue(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
