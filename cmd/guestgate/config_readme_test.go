package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestREADMESettingsAreBound: every setting the README's configuration
// table documents is bound, flag and variable alike, so a binding line
// lost from settings() fails here rather than only in a deployment. (The
// tuning settings are documented in serve's help, not in the README.)
func TestREADMESettingsAreBound(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `--([a-z0-9-]+)` \\| `(GUESTGATE_[A-Z0-9_]+)` \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = m[2]
	}
	if len(documented) < 20 {
		t.Fatalf("found %d settings in the README's table: has its layout changed?", len(documented))
	}
	root := &cobra.Command{Use: "guestgate"}
	bindConfigFlags(root)
	for flag, env := range documented {
		f := root.PersistentFlags().Lookup(flag)
		if f == nil || !strings.Contains(f.Usage, "(env "+env+")") {
			t.Errorf("the README documents --%s (%s); the command has %+v", flag, env, f)
		}
	}
}
