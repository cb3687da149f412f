package branding

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guestgate/guestgate/internal/validation"
)

// Branding is a tenant's branding in one language ("" is the default).
type Branding struct {
	TenantID        string
	Lang            string
	BackgroundColor string // "#RRGGBB" or ""
	SignInPageText  string // plain text, at most MaxSignInPageText characters
	// UsernameHintText is the hint in the sign-in page's address field,
	// plain text of at most MaxUsernameHintText characters.
	UsernameHintText string
	PrivacyURL       string // absolute http(s) URL or ""
	LogoType         string // "image/png", "image/jpeg" or "" (no logo)
	Logo             []byte
	UpdatedAt        time.Time
}

// Empty reports branding that sets nothing.
func (b Branding) Empty() bool {
	return b.BackgroundColor == "" && b.SignInPageText == "" && b.UsernameHintText == "" && b.PrivacyURL == "" && b.LogoType == ""
}

// MaxSignInPageText is Graph's limit on signInPageText (characters).
const MaxSignInPageText = 1024

// MaxUsernameHintText is Graph's limit on usernameHintText (characters).
const MaxUsernameHintText = 64

// Patch changes the fields that are set (a pointer to "" clears one).
type Patch struct {
	BackgroundColor *string
	SignInPageText  *string
	// UsernameHintText: Graph's "Unicode, without links or code".
	UsernameHintText *string
	PrivacyURL       *string
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
	if p.UsernameHintText != nil {
		h := *p.UsernameHintText
		if utf8.RuneCountInString(h) > MaxUsernameHintText || strings.ContainsAny(h, "\x00<>") || strings.Contains(h, "://") {
			return b, &ValidationError{Property: "usernameHintText", Message: fmt.Sprintf("must be at most %d characters of text, without links or code", MaxUsernameHintText)}
		}
		b.UsernameHintText = h
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
	if out.UsernameHintText == "" {
		out.UsernameHintText = def.UsernameHintText
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
