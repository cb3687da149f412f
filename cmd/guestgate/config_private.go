package main

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"github.com/spf13/pflag"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// readPrivate reads a file that holds a secret or a password (name is its
// variable, for messages). Like ssh with a private key, it refuses a file
// that users other than its owner and group may read or write, or that
// its group may write; a file its group may read is read with a warning,
// as a SQLite database readable by others is (a root-owned file the
// service's group reads is a common layout, but every member of that
// group then holds the secret).
func (f *configFlags) readPrivate(name, path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch perm := fi.Mode().Perm(); {
	case perm&0o027 != 0:
		return nil, fmt.Errorf("%s %s is %s: other users can read or change it; chmod 600 it (640 if the service reads it through its group)", name, path, permText(perm))
	case perm&0o040 != 0:
		f.warnings = append(f.warnings, fmt.Sprintf("%s %s is readable by its group (%s): every member of the group holds the secret; chmod 600 it unless the service reads it through that group", name, path, permText(perm)))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

func permText(p fs.FileMode) string { return fmt.Sprintf("mode %#o", uint32(p)) }

// refuseFlagPasswords refuses a password in the value of --database-url or
// --smtp-url given on the command line: every user of the machine sees a
// command line (ps, /proc). Call it before GUESTGATE_* variables are
// applied to the flags, so that a changed flag is one the command line set.
func refuseFlagPasswords(fs *pflag.FlagSet) error {
	for _, c := range []struct {
		flag, env string
		noFile    bool
	}{
		{"database-url", "GUESTGATE_DATABASE_URL", false},
		{"database-listen-url", "GUESTGATE_DATABASE_LISTEN_URL", true},
		{"smtp-url", "GUESTGATE_SMTP_URL", false},
	} {
		if !fs.Changed(c.flag) {
			continue
		}
		v := fs.Lookup(c.flag).Value.String()
		if c.flag == "database-url" && !sqlstore.IsPostgresURL(v) {
			continue // a SQLite path carries no password
		}
		if hasPassword(v) && c.noFile {
			return fmt.Errorf("--%s is refused: its value holds a password, and a command line is visible to every user of the machine (ps, /proc); set %s instead", c.flag, c.env)
		}
		if hasPassword(v) {
			return fmt.Errorf("--%s is refused: its value holds a password, and a command line is visible to every user of the machine (ps, /proc); set %s, or %s_FILE (--%s-file) to a file holding the URL, instead", c.flag, c.env, c.env, c.flag)
		}
	}
	return nil
}

// hasPassword reports whether a URL carries a password (user:password@,
// or a password parameter as libpq takes it). A value that is not a URL
// is left to the URL's own check, which never repeats it.
func hasPassword(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return u.Query().Has("password")
}
