package main

import (
	"runtime/debug"
	"testing"
)

// TestDescribeBuild: a build from a checkout names its commit (the go
// command's VCS stamp), a released module its version.
func TestDescribeBuild(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-06T05:00:00Z"}}
	for _, c := range []struct {
		name     string
		module   string
		settings []debug.BuildSetting
		want     string
	}{
		{"released module", "v1.2.3", rev, "v1.2.3"},
		{"checkout", "(devel)", rev, "dev-0123456789ab (2026-12-06T05:00:00Z)"},
		{"checkout with changes", "(devel)", append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"}), "dev-0123456789ab-modified (2026-12-06T05:00:00Z)"},
		{"no stamp (go run, -buildvcs=false)", "(devel)", nil, "dev"},
	} {
		if got := describeBuild(c.module, c.settings); got != c.want {
			t.Errorf("%s: describeBuild = %q; want %q", c.name, got, c.want)
		}
	}
}
