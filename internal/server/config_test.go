package server

import (
	"strings"
	"testing"
	"time"
)

// TestValidateMail: serve never runs the dev mailbox by accident. Without
// an SMTP server it refuses to start, naming the variable; the dev
// mailbox must be asked for, on a loopback public URL, without SMTP.
func TestValidateMail(t *testing.T) {
	base := Defaults()
	base.Secret = strings.Repeat("s", 32)
	cases := []struct {
		name       string
		publicURL  string
		smtp       string
		devMailbox bool
		wantErr    string // "" for valid
	}{
		{"smtp_ok", "https://login.example.com", "smtp://relay.example.com:587", false, ""},
		{"no_smtp_refused_naming_the_variable", "https://login.example.com", "", false, "GUESTGATE_SMTP_URL is empty"},
		{"no_smtp_refused_on_loopback_too", "http://127.0.0.1:8080", "", false, "GUESTGATE_SMTP_URL is empty"},
		{"dev_mailbox_on_loopback_ok", "http://127.0.0.1:8080", "", true, ""},
		{"dev_mailbox_on_localhost_ok", "http://localhost:8080", "", true, ""},
		{"dev_mailbox_public_host_refused", "https://login.example.com", "", true, "runs only with a loopback"},
		{"dev_mailbox_with_smtp_refused", "http://127.0.0.1:8080", "smtp://relay.example.com:587", true, "cannot be used with GUESTGATE_SMTP_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			cfg.PublicURL, cfg.SMTPURL, cfg.DevMailbox = c.publicURL, c.smtp, c.devMailbox
			err := cfg.Validate()
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("Validate = %v, want valid", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("Validate = %v, want an error containing %q", err, c.wantErr)
			}
		})
	}
}

// TestSecretList: GUESTGATE_SECRET holds one or more secrets separated by
// commas or white space; each must be 32+ characters; the first is current.
func TestSecretList(t *testing.T) {
	a, b := strings.Repeat("a", 32), strings.Repeat("b", 40)
	cases := []struct {
		name, secret string
		want         []string
		wantErr      string
	}{
		{"one", a, []string{a}, ""},
		{"comma", a + "," + b, []string{a, b}, ""},
		{"comma_and_spaces", " " + a + " , " + b + "\n", []string{a, b}, ""},
		{"lines", a + "\n" + b + "\n", []string{a, b}, ""},
		{"empty", " , ", nil, "is empty"},
		{"short_second", a + "," + "short", []string{a, "short"}, "secret 2 of 2 is 5 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.SMTPURL, cfg.Secret = "smtp://relay.example.com:587", c.secret
			if got := cfg.Secrets(); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("Secrets() = %q, want %q", got, c.want)
			}
			err := cfg.Validate()
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("Validate = %v, want %q", err, c.wantErr)
			}
			if c.wantErr == "" {
				keys := cfg.subkeys("csrf")
				if len(keys) != len(c.want) || string(keys[0]) != string(cfg.subkey("csrf")) {
					t.Fatalf("subkeys: %d keys, the first not the current one", len(keys))
				}
			}
		})
	}
}

// TestValidateMailRetention: finished mail is kept a week by default; a
// retention under an hour is refused, naming the variable.
func TestValidateMailRetention(t *testing.T) {
	cfg := Defaults()
	cfg.Secret, cfg.SMTPURL = strings.Repeat("s", 32), "smtp://relay.example.com:587"
	if cfg.MailRetention != 7*24*time.Hour {
		t.Fatalf("default retention %v, want 7 days", cfg.MailRetention)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.MailRetention = time.Minute
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "GUESTGATE_MAIL_RETENTION") {
		t.Fatalf("Validate with a one-minute retention = %v", err)
	}
}

// TestValidateFederationEgress (issue 20, finding 4): the default reaches
// partners over https at public addresses only; an allow-list entry that
// is not a CIDR, an address or host:port is refused, naming the variable.
func TestValidateFederationEgress(t *testing.T) {
	cfg := Defaults()
	cfg.Secret, cfg.SMTPURL = strings.Repeat("s", 32), "smtp://relay.example.com:587"
	eg, err := cfg.federationEgress()
	if err != nil || eg.AllowHTTP || !eg.Allow.Empty() {
		t.Fatalf("F4_production_default: %+v %v", eg, err)
	}
	cfg.FederationAllowAddresses = "10.20.0.0/16, adfs.corp.example:443"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.FederationAllowAddresses = "10.20.0.0/16,http://adfs.corp.example"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "GUESTGATE_FEDERATION_ALLOW_ADDRESSES") {
		t.Fatalf("Validate with a URL in the allow-list = %v", err)
	}
}
