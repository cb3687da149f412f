package audit

import "testing"

func TestChanged(t *testing.T) {
	cases := []struct {
		name     string
		old, new any
		want     Change
	}{
		{"string_values_are_json_strings", "default", "enabled", Change{"p", `"default"`, `"enabled"`}},
		{"bool_values", true, false, Change{"p", "true", "false"}},
		{"nil_is_no_value", nil, "PendingAcceptance", Change{"p", "", `"PendingAcceptance"`}},
		{"unchanged_value_is_still_recorded", "disabled", "disabled", Change{"p", `"disabled"`, `"disabled"`}},
		{"lists", []string{}, []string{"a"}, Change{"p", "[]", `["a"]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Changed("p", c.old, c.new)
			if err != nil || got != c.want {
				t.Fatalf("Changed = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
	if _, err := Changed("p", func() {}, nil); err == nil {
		t.Fatal("a value JSON cannot encode must be an error")
	}
}
