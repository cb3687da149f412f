package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/guestgate/guestgate/internal/clock"
)

// Paths below the tenant prefix. The public URL of each is
// {PublicURL}/{tenantId}{path}.
const (
	PathDiscovery = "/v2.0/.well-known/openid-configuration"
	PathAuthorize = "/oauth2/v2.0/authorize"
	PathCallback  = PathAuthorize + "/callback"
	PathToken     = "/oauth2/v2.0/token"
	PathKeys      = "/discovery/v2.0/keys"
	PathUserinfo  = "/openid/userinfo"
	PathLogout    = "/oauth2/v2.0/logout"
	// PathLogin is the web package's sign-in page for an authorization request.
	PathLogin = "/login"
)

// libraryDiscoveryPath is where the library's router serves discovery.
const libraryDiscoveryPath = "/.well-known/openid-configuration"

// Core is the provider without its HTTP endpoints: apps and their
// secrets, signing keys, and the authorization requests the sign-in pages
// complete. It is built first: the sign-in service completes requests
// through it, and the endpoints (NewProviderOver) then ask that service
// whether a grant may still be used. Admin commands use a Core alone.
type Core struct {
	cfg     Config
	deps    Deps
	clock   clock.Clock
	keys    *keyring
	crypto  op.Crypto
	pending *pendingSealer // pending authorization requests (pending.go)
	salts   subjectSalts   // tenants' pairwise-subject salts
	names   appNames       // apps' display names for the sign-in page (app_names.go)
}

// Provider is the OpenID provider of every tenant: a Core and its
// endpoints. Create it with NewProviderOver (or NewProvider).
type Provider struct {
	*Core
	op      *op.Provider
	handler http.Handler
	// sessions and access are what the endpoints ask at logout and
	// wherever a grant is used; both are required at construction.
	sessions BrowserSessionEnder
	access   AccessChecker
}

// encoder encodes authorization responses (the library's own encoder).
var encoder = oidc.NewEncoder()

// NewProvider builds a Core and its endpoints in one step, for callers
// whose Deps.Sessions and Deps.Access exist before the provider.
func NewProvider(cfg Config, deps Deps) (*Provider, error) {
	c, err := NewCore(cfg, deps)
	if err != nil {
		return nil, err
	}
	return NewProviderOver(c, deps.Sessions, deps.Access)
}

// NewCore checks cfg, makes sure a signing key exists (creating the first
// one if needed, unless cfg.AdminOnly) and builds the core. Deps.Sessions
// and Deps.Access are not used: NewProviderOver takes them.
func NewCore(cfg Config, deps Deps) (*Core, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := deps.validate(); err != nil {
		return nil, err
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real{}
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	deps.Sessions, deps.Access = nil, nil // the endpoints' own, never read from here
	p := &Core{cfg: cfg, deps: deps, clock: deps.Clock}
	sealer, err := newKeySealer(cfg.allKeys())
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	publish := max(cfg.AccessTokenLifetime, cfg.IDTokenLifetime) + cfg.KeyRefresh + maxClockSkew
	p.keys = newKeyring(deps.Keys, deps.Tx, deps.Clock, deps.Log, sealer, cfg.KeyRefresh, publish)
	if err := p.loadKeys(context.Background()); err != nil {
		return nil, err
	}
	p.crypto = newRotatingCrypto(cfg.allKeys())
	if p.pending, err = newPendingSealer(cfg.allKeys()); err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return p, nil
}

// loadKeys loads the signing keys; a serving core also creates the first
// one, reseals old ones and stores missing subject salts.
func (p *Core) loadKeys(ctx context.Context) error {
	if p.cfg.AdminOnly {
		if err := p.keys.load(ctx); err != nil {
			return fmt.Errorf("oidc: signing keys: %w", err)
		}
		return nil
	}
	if err := p.keys.ensure(ctx); err != nil {
		return fmt.Errorf("oidc: signing keys: %w", err)
	}
	if err := p.keys.reseal(ctx); err != nil {
		return fmt.Errorf("oidc: signing keys: %w", err)
	}
	if n, err := p.deps.Salts.FillTenantSubjectSalts(ctx, p.cfg.legacySalt()); err != nil {
		return fmt.Errorf("oidc: %w", err)
	} else if n > 0 {
		p.deps.Log.InfoContext(ctx, "stored the subject salt of tenants from before salts; their subjects are unchanged", "tenants", n)
	}
	return nil
}

// NewProviderOver builds the endpoints over c. sessions ends the browser
// session at RP-initiated logout; access is asked wherever a grant is
// used. Both are required: without them a logout would leave the session,
// or a locked-out user's refresh token would keep working.
func NewProviderOver(c *Core, sessions BrowserSessionEnder, access AccessChecker) (*Provider, error) {
	switch {
	case c == nil:
		return nil, errors.New("oidc: no core")
	case sessions == nil:
		return nil, errors.New("oidc: Deps.Sessions is nil: logout would leave the browser session")
	case access == nil:
		return nil, errors.New("oidc: Deps.Access is nil: grants would outlive the user's access")
	}
	p := &Provider{Core: c, sessions: sessions, access: access}
	opCfg := &op.Config{
		CryptoKey:             c.cfg.CryptoKey,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       supportedScopes,
		SupportedClaims:       supportedClaims,
		SupportedUILocales:    []language.Tag{language.English, language.Japanese},
	}
	opts := []op.Option{op.WithCrypto(c.crypto),
		// An id_token_hint at logout is one of guestgate's ID tokens: RS256 or ES256, nothing else.
		op.WithIDTokenHintVerifierOpts(op.WithSupportedIDTokenHintSigningAlgorithms(signingAlgs...))}
	if c.cfg.Insecure {
		opts = append(opts, op.WithAllowInsecure())
	}
	lib, err := op.NewProvider(opCfg, &storage{p: p}, p.issuerFromRequest, opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc: create provider: %w", err)
	}
	p.op = lib
	srv := &server{
		LegacyServer: op.NewLegacyServer(lib, op.Endpoints{
			Authorization: op.NewEndpoint(PathAuthorize),
			Token:         op.NewEndpoint(PathToken),
			Userinfo:      op.NewEndpoint(PathUserinfo),
			EndSession:    op.NewEndpoint(PathLogout),
			JwksURI:       op.NewEndpoint(PathKeys),
		}),
		p: p,
	}
	p.handler = op.RegisterLegacyServer(srv, op.AuthorizeCallbackHandler(lib))
	return p, nil
}

// maxClockSkew is the margin kept for clocks of relying parties.
const maxClockSkew = 5 * time.Minute

// Handler serves the provider's endpoints. guestgate's router mounts it
// under /{tenant}/, strips that prefix and puts the tenant in the request
// context with WithTenant. Paths other than the provider's answer 404.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := TenantFromContext(r.Context())
		if !ok {
			http.Error(w, "no tenant in the request path", http.StatusNotFound)
			return
		}
		switch r.URL.Path {
		case PathDiscovery:
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = libraryDiscoveryPath, ""
			p.handler.ServeHTTP(w, r2)
		case PathToken:
			p.entraTokenErrors(p.handler, w, r)
		case PathAuthorize, PathCallback, PathKeys, PathUserinfo:
			p.handler.ServeHTTP(w, r)
		case PathLogout:
			ctx := withLogoutRequest(r.Context(), w, r, t.ID)
			p.handler.ServeHTTP(w, r.WithContext(ctx))
		default:
			http.NotFound(w, r)
		}
	})
}

// issuerFromRequest is the library's issuer function: the tenant's issuer.
func (p *Provider) issuerFromRequest(bool) (op.IssuerFromRequest, error) {
	return func(r *http.Request) string {
		t, ok := TenantFromContext(r.Context())
		if !ok {
			return ""
		}
		return p.Issuer(t.ID)
	}, nil
}

// Issuer returns a tenant's issuer: {PublicURL}/{tenantId}/v2.0. It always
// names the tenant by id, also for requests that came by a verified domain.
func (p *Core) Issuer(tenantID string) string {
	return p.tenantURL(tenantID, "/v2.0")
}

// tenantURL returns the absolute URL of a path below a tenant's prefix.
func (p *Core) tenantURL(tenantID, path string) string {
	return p.cfg.PublicURL + "/" + url.PathEscape(tenantID) + path
}

// loginURL is the web page that signs the user in for an authorization request.
func (p *Core) loginURL(tenantID, authRequestID string) string {
	return p.tenantURL(tenantID, PathLogin) + "?authRequestID=" + url.QueryEscape(authRequestID)
}

// callbackURL is where the browser goes after the sign-in to get the code.
func (p *Core) callbackURL(tenantID, authRequestID string) string {
	return p.tenantURL(tenantID, PathCallback) + "?id=" + url.QueryEscape(authRequestID)
}

// tenantID returns the id of the tenant in ctx.
func tenantID(ctx context.Context) (string, error) {
	t, ok := TenantFromContext(ctx)
	if !ok {
		return "", ErrNoTenant
	}
	return t.ID, nil
}

// deriveKey derives a purpose-bound key from the configured crypto key.
func deriveKey(key [32]byte, purpose string) []byte {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
