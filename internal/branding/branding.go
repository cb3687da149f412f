package branding

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/validation"
)

// Branding is a tenant's branding in one language ("" is the default).
type Branding struct {
	TenantID        string
	Lang            string
	BackgroundColor string // "#RRGGBB" or ""
	SignInPageText  string // plain text, at most MaxSignInPageText characters
	PrivacyURL      string // absolute http(s) URL or ""
	LogoType        string // "image/png", "image/jpeg" or "" (no logo)
	Logo            []byte
	UpdatedAt       time.Time
}

// Empty reports branding that sets nothing.
func (b Branding) Empty() bool {
	return b.BackgroundColor == "" && b.SignInPageText == "" && b.PrivacyURL == "" && b.LogoType == ""
}

// MaxSignInPageText is Graph's limit on signInPageText (characters).
const MaxSignInPageText = 1024

// Patch changes the fields that are set (a pointer to "" clears one).
type Patch struct {
	BackgroundColor *string
	SignInPageText  *string
	PrivacyURL      *string
}

// ValidationError names the property a value is refused for.
type ValidationError = validation.Error

// ErrNotFound: the tenant has no branding in that language.
var ErrNotFound = errors.New("no branding is set")

var colorRe = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// Apply returns b with p applied, or a *ValidationError.
func (p Patch) Apply(b Branding) (Branding, error) {
	if p.BackgroundColor != nil {
		c := strings.TrimSpace(*p.BackgroundColor)
		if c != "" && !colorRe.MatchString(c) {
			return b, &ValidationError{Property: "backgroundColor", Message: "must be a hexadecimal colour such as #FFFFFF"}
		}
		b.BackgroundColor = strings.ToUpper(c)
	}
	if p.SignInPageText != nil {
		if utf8.RuneCountInString(*p.SignInPageText) > MaxSignInPageText || strings.ContainsRune(*p.SignInPageText, 0) {
			return b, &ValidationError{Property: "signInPageText", Message: fmt.Sprintf("must be at most %d characters of text", MaxSignInPageText)}
		}
		b.SignInPageText = *p.SignInPageText
	}
	if p.PrivacyURL != nil {
		raw := strings.TrimSpace(*p.PrivacyURL)
		if raw != "" {
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
				return b, &ValidationError{Property: "customPrivacyAndCookiesUrl", Message: "must be an absolute http or https URL"}
			}
		}
		b.PrivacyURL = raw
	}
	return b, nil
}

// Lang normalizes a localization id ("ja", "ja-JP", "0" or "default" for
// the default branding) to a supported language or "".
func Lang(id string) (string, error) {
	if id == "" || id == "0" || strings.EqualFold(id, "default") {
		return "", nil
	}
	primary, _, _ := strings.Cut(strings.ToLower(id), "-")
	for _, l := range i18n.Languages {
		if primary == l {
			return l, nil
		}
	}
	return "", &ValidationError{Property: "id", Message: fmt.Sprintf("the language %q is not one guestgate's pages and mail are written in (%s)", id, strings.Join(i18n.Languages, ", "))}
}

// Effective is what a page or mail in one language shows: that language's
// branding, each unset field taken from the default.
func Effective(def, local Branding) Branding {
	out := local
	if out.TenantID == "" {
		out.TenantID = def.TenantID
	}
	if out.BackgroundColor == "" {
		out.BackgroundColor = def.BackgroundColor
	}
	if out.SignInPageText == "" {
		out.SignInPageText = def.SignInPageText
	}
	if out.PrivacyURL == "" {
		out.PrivacyURL = def.PrivacyURL
	}
	if out.LogoType == "" {
		out.LogoType, out.Logo, out.Lang = def.LogoType, def.Logo, def.Lang
	}
	if out.UpdatedAt.Before(def.UpdatedAt) {
		out.UpdatedAt = def.UpdatedAt
	}
	return out
}
