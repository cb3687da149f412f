package branding

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for CheckLogo
	_ "image/png"
	"net/http"
	"strings"
)

// Limits of a banner logo: Graph's dimensions (at most 245 × 36 pixels)
// and a byte size a sign-in page should carry.
const (
	MaxLogoBytes  = 50 << 10
	MaxLogoWidth  = 245
	MaxLogoHeight = 36
)

// CheckLogo checks an uploaded banner logo and returns its content type
// ("image/png" or "image/jpeg"), taken from the bytes: a declared type
// that disagrees with them is refused, and so is SVG (see the package doc).
func CheckLogo(declared string, data []byte) (string, error) {
	if len(data) == 0 {
		return "", &ValidationError{Property: "bannerLogo", Message: "the image is empty"}
	}
	if len(data) > MaxLogoBytes {
		return "", &ValidationError{Property: "bannerLogo", Message: fmt.Sprintf("the image is %d bytes; at most %d are accepted", len(data), MaxLogoBytes)}
	}
	declared = strings.ToLower(strings.TrimSpace(strings.Split(declared, ";")[0]))
	if strings.Contains(declared, "svg") || bytes.Contains(bytes.ToLower(data[:min(len(data), 512)]), []byte("<svg")) {
		return "", &ValidationError{Property: "bannerLogo", Message: "SVG images are not accepted (they can carry script); upload a PNG or JPEG"}
	}
	sniffed := http.DetectContentType(data)
	if sniffed != "image/png" && sniffed != "image/jpeg" {
		return "", &ValidationError{Property: "bannerLogo", Message: "only PNG and JPEG images are accepted"}
	}
	if declared != "" && declared != "application/octet-stream" && declared != sniffed {
		return "", &ValidationError{Property: "bannerLogo", Message: fmt.Sprintf("the Content-Type %s does not match the image, which is %s", declared, sniffed)}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", &ValidationError{Property: "bannerLogo", Message: "the image cannot be read: " + err.Error()}
	}
	if cfg.Width > MaxLogoWidth || cfg.Height > MaxLogoHeight || cfg.Width == 0 || cfg.Height == 0 {
		return "", &ValidationError{Property: "bannerLogo", Message: fmt.Sprintf("the image is %d × %d pixels; a banner logo is at most %d × %d", cfg.Width, cfg.Height, MaxLogoWidth, MaxLogoHeight)}
	}
	return sniffed, nil
}

// LogoPath is the public path of b's banner logo (for pages and mail); the
// version changes whenever the branding does, so caches never show an old logo.
func LogoPath(b Branding) string {
	lang := b.Lang
	if lang == "" {
		lang = "default"
	}
	return fmt.Sprintf("/branding/%s/%s/bannerLogo?v=%d", b.TenantID, lang, b.UpdatedAt.Unix())
}

// WriteLogo answers b's logo with safe headers: the content type checked at
// upload (never sniffed), nosniff, and a policy that lets nothing in it run.
func WriteLogo(w http.ResponseWriter, b Branding) {
	h := w.Header()
	h.Set("Content-Type", b.LogoType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Content-Length", fmt.Sprint(len(b.Logo)))
	_, _ = w.Write(b.Logo)
}
