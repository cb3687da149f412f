package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "guestgate", versionString())
			return err
		},
	}
}

// versionString is the build's version: the -X value, else the module's
// (go install …@v1.2.3), else the commit a build from a checkout was made
// of, which the go command stamps (vcs.revision, vcs.modified).
func versionString() string {
	if version != "dev" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	return describeBuild(bi.Main.Version, bi.Settings)
}

// describeBuild names a build from its module version and build settings:
// "v1.2.3", or "dev-<12 hex of the commit>[-modified] (<commit time>)".
func describeBuild(moduleVersion string, settings []debug.BuildSetting) string {
	if moduleVersion != "" && moduleVersion != "(devel)" {
		return moduleVersion
	}
	var rev, at string
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return version
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if modified {
		v += "-modified"
	}
	if at != "" {
		v += " (" + at + ")"
	}
	return v
}
