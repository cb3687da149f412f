package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Defaults for the zero values of Config.
const (
	DefaultAccessTokenLifetime  = time.Hour
	DefaultIDTokenLifetime      = time.Hour
	DefaultRefreshTokenLifetime = 24 * time.Hour // a guest session (R4)
	DefaultLoginTimeout         = time.Hour
	DefaultCodeLifetime         = 10 * time.Minute
	DefaultKeyRefresh           = 30 * time.Second
)

// Config configures a Provider.
type Config struct {
	// PublicURL is where guestgate is reached, e.g. https://login.example.com
	// (no trailing slash, no query). Tenant URLs are {PublicURL}/{tenantId}/….
	PublicURL string
	// Insecure allows an http PublicURL (development and tests only).
	Insecure bool
	// CryptoKey encrypts authorization codes and opaque access tokens and
	// seals signing keys at rest. It must be 32 random bytes (derived from
	// the deployment's current secret) and the same in every process.
	CryptoKey [32]byte
	// OldCryptoKeys, derived from earlier secrets, still open what they
	// sealed (codes and tokens in flight, signing keys), newest first;
	// nothing new is sealed with them (secrets.go).
	OldCryptoKeys [][32]byte
	// AdminOnly is for one-shot admin commands run without the secret: the
	// provider serves nothing, creates no signing key and stores no
	// subject salt, and RotateKeys refuses.
	AdminOnly bool

	// AccessTokenLifetime (default 1 h) and IDTokenLifetime (default 1 h).
	AccessTokenLifetime time.Duration
	IDTokenLifetime     time.Duration
	// RefreshTokenLifetime bounds refresh tokens from the sign-in (auth_time):
	// they live as long as the session that issued them (default 24 h, R4).
	RefreshTokenLifetime time.Duration
	// LoginTimeout is how long a user has to sign in after /authorize (default 1 h).
	LoginTimeout time.Duration
	// CodeLifetime is how long an authorization code is valid after the sign-in (default 10 min).
	CodeLifetime time.Duration
	// KeyRefresh is how often the in-memory signing keys are re-read, so that
	// rotations by other processes are seen (default 30 s).
	KeyRefresh time.Duration
}

// Deps are the stores and services a Provider uses.
type Deps struct {
	Apps         AppStore
	Keys         KeyStore
	AuthRequests AuthRequestStore
	Directory    directory.Store
	Salts        SubjectSaltStore
	Tx           store.Transactor
	Clock        clock.Clock
	// Log is the provider's logger (slog.Default() when nil).
	Log *slog.Logger
	// Sessions ends the guestgate browser session at RP-initiated logout
	// (required: a logout that left the session would fail open).
	Sessions BrowserSessionEnder
	// Access is asked wherever a grant is used (code exchange, refresh,
	// userinfo) whether the user may still sign in to the grant's app: a
	// refusal ends the grant with invalid_grant (401 at userinfo).
	// Required: without it a disabled or locked-out user's refresh token,
	// or one whose assignment to the app was removed, would keep working.
	Access AccessChecker
	// Assignments reads a user's access to an app once per token issued
	// (code exchange, refresh): the roles and groups claims (R16).
	// Required: without it tokens would silently lack the claims that
	// relying parties authorize by.
	Assignments assignment.Reader
}

// AccessChecker decides whether a user may still use what an earlier
// sign-in granted. guestgate's sign-in service implements it: the user
// exists and is enabled and, for an invited user, the tenant's identity
// provider decision still allows the provider fixed at redemption (R9: a
// passcode guest loses access when passcodes are turned off), and an app
// that requires assignment still has the user assigned, directly or
// through a group (R16). A refusal wraps ErrAccessEnded and its text is
// shown to the app as the reason; any other error is a failure
// (server_error), never a refusal.
type AccessChecker interface {
	// Allowed decides for u, as just read, in its tenant t, at the app
	// whose grant is used (appID: the grant's OAuth client_id), whose
	// access is the user's access to that app as the provider just read it
	// (Deps.Assignments): the one read gives both the assignment check and
	// the roles and groups claims.
	Allowed(ctx context.Context, t directory.Tenant, u directory.User, appID string, access assignment.Access) error
}

func (c *Config) setDefaults() {
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.AccessTokenLifetime <= 0 {
		c.AccessTokenLifetime = DefaultAccessTokenLifetime
	}
	if c.IDTokenLifetime <= 0 {
		c.IDTokenLifetime = DefaultIDTokenLifetime
	}
	if c.RefreshTokenLifetime <= 0 {
		c.RefreshTokenLifetime = DefaultRefreshTokenLifetime
	}
	if c.LoginTimeout <= 0 {
		c.LoginTimeout = DefaultLoginTimeout
	}
	if c.CodeLifetime <= 0 {
		c.CodeLifetime = DefaultCodeLifetime
	}
	if c.KeyRefresh <= 0 {
		c.KeyRefresh = DefaultKeyRefresh
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("oidc: public URL %q must be an absolute URL without query", c.PublicURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !c.Insecure {
			return fmt.Errorf("oidc: public URL %q uses http; allow it only with Insecure (development)", c.PublicURL)
		}
	default:
		return fmt.Errorf("oidc: public URL %q must use https", c.PublicURL)
	}
	if c.CryptoKey == ([32]byte{}) {
		return errors.New("oidc: crypto key is unset")
	}
	return nil
}

func (d Deps) validate() error {
	switch {
	case d.Apps == nil:
		return errors.New("oidc: Deps.Apps is nil")
	case d.Keys == nil:
		return errors.New("oidc: Deps.Keys is nil")
	case d.AuthRequests == nil:
		return errors.New("oidc: Deps.AuthRequests is nil")
	case d.Directory == nil:
		return errors.New("oidc: Deps.Directory is nil")
	case d.Salts == nil:
		return errors.New("oidc: Deps.Salts is nil")
	case d.Tx == nil:
		return errors.New("oidc: Deps.Tx is nil")
	case d.Assignments == nil:
		return errors.New("oidc: Deps.Assignments is nil: tokens would lack the roles and groups claims")
	}
	return nil
}
