package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// TestBrandingCommands: branding set changes the default and a language's
// branding and stores a checked logo; show prints them; an SVG logo is
// refused; both engines.
func TestBrandingCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			if out, err := run(t, "migrate", db, "--public-url", "https://login.fabrikam.example"); err != nil {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 100, 30))); err != nil {
				t.Fatal(err)
			}
			logo := filepath.Join(t.TempDir(), "logo.png")
			svg := filepath.Join(t.TempDir(), "logo.svg")
			if err := os.WriteFile(logo, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 0o600); err != nil {
				t.Fatal(err)
			}
			var got brandingJSON
			runJSON(t, &got, "branding", "set", db, "--tenant", "fabrikam.example", "--background-color", "#0078d4",
				"--sign-in-text", "Partners only", "--privacy-url", "https://fabrikam.example/privacy", "--logo", logo, "--output", "json")
			if got.TenantID != tn.ID || got.Language != "default" || got.BackgroundColor != "#0078D4" || got.SignInPageText != "Partners only" ||
				!strings.HasPrefix(got.BannerLogoURL, "https://login.fabrikam.example/branding/"+tn.ID+"/default/bannerLogo?v=") {
				t.Fatalf("branding set = %+v", got)
			}
			runJSON(t, &got, "branding", "set", db, "--tenant", "fabrikam.example", "--lang", "ja", "--sign-in-text", "パートナー専用", "--output", "json")
			if got.Language != "ja" || got.SignInPageText != "パートナー専用" || got.BackgroundColor != "" {
				t.Fatalf("branding set --lang ja = %+v", got)
			}
			out, err := run(t, "branding", "show", db, "--tenant", "fabrikam.example")
			if err != nil || !strings.Contains(out, "Partners only") || !strings.Contains(out, "#0078D4") {
				t.Fatalf("branding show = %q, %v", out, err)
			}
			if out, err := run(t, "branding", "set", db, "--tenant", "fabrikam.example", "--logo", svg); err == nil || !strings.Contains(err.Error(), "SVG") {
				t.Fatalf("an SVG logo = %q, %v; want a refusal", out, err)
			}
		})
	}
}
