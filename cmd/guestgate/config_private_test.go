package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// privateFile writes content to a fresh file with exactly mode perm.
func privateFile(t *testing.T, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "value")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// The umask may have narrowed the mode; set it exactly.
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSecretFileMode (security round 2, finding 12): a secret file others
// may read or change is refused with how to fix it; one its group may
// read is used with a warning; a private one silently.
func TestSecretFileMode(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "cli.db")
	secret := strings.Repeat("s", 40) + "\n"
	cases := []struct {
		name    string
		perm    os.FileMode
		refused bool
		warned  bool
	}{
		{"world_readable_refused", 0o644, true, false},
		{"world_readable_only_refused", 0o604, true, false},
		{"group_writable_refused", 0o660, true, false},
		{"group_readable_warned", 0o640, false, true},
		{"owner_only_silent", 0o600, false, false},
		{"owner_read_only_silent", 0o400, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := privateFile(t, secret, c.perm)
			out, err := run(t, "keys", "rotate", db, "--secret-file", file)
			if c.refused {
				if err == nil || !strings.Contains(err.Error(), "GUESTGATE_SECRET_FILE") || !strings.Contains(err.Error(), "chmod 600") {
					t.Fatalf("secret file of mode %#o = %v\n%s; want a refusal saying chmod 600", c.perm, err, out)
				}
				return
			}
			if err != nil || !strings.Contains(out, "is current") {
				t.Fatalf("secret file of mode %#o = %v\n%s", c.perm, err, out)
			}
			if warned := strings.Contains(out, "readable by its group"); warned != c.warned {
				t.Fatalf("secret file of mode %#o: warned %v, want %v\n%s", c.perm, warned, c.warned, out)
			}
		})
	}
}

// TestPasswordsNeverOnTheCommandLine (security round 2, finding 12): a
// password in the value of --database-url or --smtp-url is refused,
// naming the variable and its *_FILE variant; the same URL from the
// variable, or from a private file, is taken.
func TestPasswordsNeverOnTheCommandLine(t *testing.T) {
	sqlite := filepath.Join(t.TempDir(), "cli.db")
	db := "--database-url=" + sqlite
	for _, c := range []struct{ name, flag, env string }{
		{"postgres_userinfo", "--database-url=postgres://guestgate:change-me@127.0.0.1:5432/guestgate", "GUESTGATE_DATABASE_URL"},
		{"postgres_password_parameter", "--database-url=postgresql://guestgate@127.0.0.1/guestgate?password=change-me", "GUESTGATE_DATABASE_URL"},
		{"smtp_userinfo", "--smtp-url=smtp://relay:change-me@smtp.example.com:587?tls=starttls", "GUESTGATE_SMTP_URL"},
	} {
		t.Run(c.name+"_refused", func(t *testing.T) {
			args := []string{"tenant", "list", c.flag}
			if !strings.HasPrefix(c.flag, "--database-url") {
				args = append(args, db)
			}
			out, err := run(t, args...)
			if err == nil || !strings.Contains(err.Error(), "holds a password") || !strings.Contains(err.Error(), "set "+c.env) ||
				!strings.Contains(err.Error(), c.env+"_FILE") || strings.Contains(err.Error(), "change-me") {
				t.Fatalf("%s = %v\n%s; want a refusal naming %s and %s_FILE, without the password", c.flag, err, out, c.env, c.env)
			}
		})
	}
	t.Run("listen_url_userinfo_refused", func(t *testing.T) {
		out, err := run(t, "tenant", "list", db, "--database-listen-url=postgres://guestgate:change-me@127.0.0.1:5432/guestgate")
		if err == nil || !strings.Contains(err.Error(), "holds a password") || !strings.Contains(err.Error(), "set GUESTGATE_DATABASE_LISTEN_URL") ||
			strings.Contains(err.Error(), "change-me") {
			t.Fatalf("--database-listen-url with a password = %v\n%s; want a refusal naming GUESTGATE_DATABASE_LISTEN_URL, without the password", err, out)
		}
	})
	t.Run("smtp_url_without_password_as_flag", func(t *testing.T) {
		if out, err := run(t, "tenant", "list", db, "--smtp-url=smtp://smtp.example.com:25?tls=none"); err != nil {
			t.Fatalf("--smtp-url without a password = %v\n%s", err, out)
		}
	})
	t.Run("smtp_password_in_variable", func(t *testing.T) {
		t.Setenv("GUESTGATE_SMTP_URL", "smtp://relay:change-me@smtp.example.com:587?tls=starttls")
		if out, err := run(t, "tenant", "list", db); err != nil {
			t.Fatalf("GUESTGATE_SMTP_URL with a password = %v\n%s", err, out)
		}
	})
	t.Run("database_url_file", func(t *testing.T) {
		t.Setenv("GUESTGATE_DATABASE_URL_FILE", privateFile(t, sqlite+"\n", 0o600))
		if out, err := run(t, "tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example"); err != nil {
			t.Fatalf("tenant create with GUESTGATE_DATABASE_URL_FILE = %v\n%s", err, out)
		}
		t.Setenv("GUESTGATE_DATABASE_URL_FILE", "")
		if out, err := run(t, "tenant", "list", db); err != nil || !strings.Contains(out, "fabrikam.example") {
			t.Fatalf("the tenant created through the file is not in %s: %v\n%s", sqlite, err, out)
		}
	})
	t.Run("database_url_file_and_flag_refused", func(t *testing.T) {
		out, err := run(t, "tenant", "list", db, "--database-url-file", privateFile(t, sqlite, 0o600))
		if err == nil || !strings.Contains(err.Error(), "one way") {
			t.Fatalf("--database-url and --database-url-file = %v\n%s; want a refusal", err, out)
		}
	})
	t.Run("smtp_url_file_readable_by_others_refused", func(t *testing.T) {
		out, err := run(t, "tenant", "list", db, "--smtp-url-file", privateFile(t, "smtp://relay:change-me@smtp.example.com:587", 0o644))
		if err == nil || !strings.Contains(err.Error(), "GUESTGATE_SMTP_URL_FILE") || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("a world-readable SMTP URL file = %v\n%s; want a refusal", err, out)
		}
	})
}
