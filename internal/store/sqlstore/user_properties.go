package sqlstore

import (
	"encoding/json"
	"fmt"
)

// A user's further Graph properties (directory.User.Properties) are one
// JSON object in users.properties (migration 0021).

// propertiesJSON encodes a user's properties ("{}" for none).
func propertiesJSON(p map[string]any) (string, error) {
	if len(p) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("properties: %w", err)
	}
	return string(b), nil
}

// propertiesFromJSON decodes users.properties back into the Go types of
// directory.User.Properties: string, bool, []string, map[string]string.
func propertiesFromJSON(s string) (map[string]any, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string, bool:
			out[k] = v
		case []any:
			list := make([]string, 0, len(v))
			for _, x := range v {
				str, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("property %s: a list of %T", k, x)
				}
				list = append(list, str)
			}
			out[k] = list
		case map[string]any:
			m := make(map[string]string, len(v))
			for mk, x := range v {
				str, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("property %s.%s: %T", k, mk, x)
				}
				m[mk] = str
			}
			out[k] = m
		default:
			return nil, fmt.Errorf("property %s: %T", k, v)
		}
	}
	return out, nil
}
