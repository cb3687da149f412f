package branding

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckLogo(t *testing.T) {
	small := pngOf(t, 120, 30)
	cases := []struct {
		rule, declared string
		data           []byte
		ok             bool
	}{
		{"png_within_245x36", "image/png", small, true},
		{"type_from_bytes_when_undeclared", "", small, true},
		{"declared_type_must_match_bytes", "image/jpeg", small, false},
		{"too_wide", "image/png", pngOf(t, 300, 30), false},
		{"too_tall", "image/png", pngOf(t, 100, 80), false},
		{"svg_refused", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), false},
		{"svg_refused_even_undeclared", "", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), false},
		{"html_refused", "image/png", []byte(`<html><script>alert(1)</script></html>`), false},
		{"empty_refused", "image/png", nil, false},
		{"too_many_bytes", "image/png", append(append([]byte{}, small...), make([]byte, MaxLogoBytes)...), false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			ct, err := CheckLogo(c.declared, c.data)
			var ve *ValidationError
			if c.ok && (err != nil || ct != "image/png") {
				t.Fatalf("CheckLogo = %q, %v; want image/png", ct, err)
			}
			if !c.ok && !errors.As(err, &ve) {
				t.Fatalf("CheckLogo = %q, %v; want a ValidationError", ct, err)
			}
		})
	}
}

func TestPatchApply(t *testing.T) {
	s := func(v string) *string { return &v }
	b, err := Patch{BackgroundColor: s("#00a0e0"), SignInPageText: s("Fabrikam partners only"), PrivacyURL: s("https://fabrikam.example/privacy")}.Apply(Branding{})
	if err != nil || b.BackgroundColor != "#00A0E0" || b.SignInPageText != "Fabrikam partners only" || b.PrivacyURL != "https://fabrikam.example/privacy" {
		t.Fatalf("Apply = %+v, %v", b, err)
	}
	for name, p := range map[string]Patch{
		"colour_not_hex":        {BackgroundColor: s("red; background:url(x)")},
		"privacy_not_http":      {PrivacyURL: s("javascript:alert(1)")},
		"privacy_relative":      {PrivacyURL: s("/privacy")},
		"text_over_1024":        {SignInPageText: s(string(bytes.Repeat([]byte("a"), MaxSignInPageText+1)))},
		"privacy_with_userinfo": {PrivacyURL: s("https://user:pw@fabrikam.example/")},
		"hint_over_64":          {UsernameHintText: s(string(bytes.Repeat([]byte("a"), MaxUsernameHintText+1)))},
		"hint_with_link":        {UsernameHintText: s("see https://evil.example")},
		"hint_with_markup":      {UsernameHintText: s("<b>you</b>@fabrikam.example")},
	} {
		if _, err := p.Apply(Branding{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if b, err := (Patch{BackgroundColor: s("")}).Apply(b); err != nil || b.BackgroundColor != "" {
		t.Fatalf("clearing the colour: %+v, %v", b, err)
	}
}

func TestEffectiveFallsBackToDefault(t *testing.T) {
	def := Branding{TenantID: "t", BackgroundColor: "#111111", SignInPageText: "default", LogoType: "image/png", Logo: []byte{1}}
	ja := Branding{TenantID: "t", Lang: "ja", SignInPageText: "日本語"}
	got := Effective(def, ja)
	if got.SignInPageText != "日本語" || got.BackgroundColor != "#111111" || got.LogoType != "image/png" || got.Lang != "" {
		t.Fatalf("Effective = %+v", got)
	}
}
