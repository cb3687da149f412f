package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/csrf"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
)

// Config configures the pages.
type Config struct {
	PublicURL string
	// SecureCookies marks cookies Secure; false only for plain-HTTP dev.
	SecureCookies bool
	// CSRFKey signs form tokens (at least 32 bytes).
	CSRFKey []byte
	// OldCSRFKeys, from earlier secrets, still verify the tokens they signed.
	OldCSRFKeys [][]byte
	// DevMailbox serves /dev/mailbox (only without an SMTP server).
	DevMailbox bool
	// DeploymentName names the service on pages ("guestgate" when empty).
	DeploymentName string
}

func (c Config) name() string {
	if c.DeploymentName == "" {
		return "guestgate"
	}
	return c.DeploymentName
}

// Deps are the services the pages call.
type Deps struct {
	Directory directory.Store
	// SignIn runs every sign-in; the pages parse forms and render its results.
	SignIn   *signin.Service
	Sessions *session.Service
	// Mailbox lists mail for the dev mailbox; used only when Config.DevMailbox.
	Mailbox mail.Mailbox
	// Apps lists the tenant's registered apps for My Apps.
	Apps interface {
		ListApps(ctx context.Context, tenantID string) ([]oidc.App, error)
	}
	// Branding is the tenants' company branding (optional: pages without it
	// look as they do without branding).
	Branding interface {
		For(ctx context.Context, tenantID, lang string) (branding.Branding, error)
		// ForDisplay is For without the logo's bytes, cached briefly.
		ForDisplay(ctx context.Context, tenantID, lang string) (branding.Branding, error)
	}
	// SAMLMetadata is a tenant's SAML service-provider metadata (optional).
	SAMLMetadata func(tenantID string) ([]byte, error)
	Clock        clock.Clock
	Log          *slog.Logger
}

// Handler serves the pages. Create it with New.
type Handler struct {
	cfg  Config
	deps Deps
	r    *renderer
	csrf csrf.Guard
}

// New returns a Handler.
func New(cfg Config, deps Deps) (*Handler, error) {
	if len(cfg.CSRFKey) < 32 {
		return nil, fmt.Errorf("web: CSRF key must be at least 32 bytes")
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real{}
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	r, err := newRenderer(deps.Log)
	if err != nil {
		return nil, err
	}
	if deps.Branding != nil {
		r.brand = func(ctx context.Context, tenantID, lang string) *brandView {
			b, err := deps.Branding.ForDisplay(ctx, tenantID, lang)
			if err != nil {
				deps.Log.WarnContext(ctx, "page shown without branding", "tenant_id", tenantID, "err", err)
				return nil
			}
			if b.Empty() {
				return nil
			}
			v := &brandView{BackgroundColor: b.BackgroundColor, SignInPageText: b.SignInPageText, PrivacyURL: b.PrivacyURL, UsernameHint: b.UsernameHintText}
			if b.LogoType != "" {
				v.LogoURL = branding.LogoPath(b)
			}
			return v
		}
	}
	r.origins = &formOrigins{byID: map[string]cachedOrigins{}, now: deps.Clock.Now, maxSize: 10000}
	if deps.Apps != nil {
		r.origins.list = func(ctx context.Context, tenantID string) ([]string, error) {
			apps, err := deps.Apps.ListApps(ctx, tenantID)
			if err != nil {
				return nil, err
			}
			var out []string
			for _, a := range apps {
				for _, u := range a.RedirectURIs {
					out = append(out, origin(u))
				}
			}
			return out, nil
		}
	}
	return &Handler{cfg: cfg, deps: deps, r: r, csrf: newCSRF(cfg)}, nil
}

// Global returns the routes without tenant context: the redeem link, the
// tenant-context error pages (R5), "Sign in to an organization", and the
// dev mailbox.
func (h *Handler) Global() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /redeem", h.redeemStart)
	mux.HandleFunc("POST /redeem/send", h.form(h.redeemSend))
	mux.HandleFunc("GET /redeem/code", h.redeemCode)
	mux.HandleFunc("POST /redeem/verify", h.form(h.redeemVerify))
	mux.HandleFunc("GET /signin-to-organization", h.signInToOrganization)
	mux.HandleFunc("GET /branding/{tenant}/{lang}/bannerLogo", h.bannerLogo)
	if h.cfg.DevMailbox {
		mux.HandleFunc("GET /dev/mailbox", h.mailbox)
	}
	mux.HandleFunc("/", h.TenantContextRequired)
	return h.withBrowser(mux)
}

// Tenant returns the routes under /{tenant}; the caller strips the prefix
// and puts the tenant in the context (WithTenant).
func (h *Handler) Tenant() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.myApps)
	mux.HandleFunc("GET /login", h.loginStart)
	mux.HandleFunc("POST /login/next", h.form(h.loginNext))
	mux.HandleFunc("POST /login/send", h.form(h.loginSend))
	mux.HandleFunc("GET /login/code", h.loginCode)
	mux.HandleFunc("POST /login/verify", h.form(h.loginVerify))
	mux.HandleFunc("POST /login/password", h.form(h.loginPassword))
	mux.HandleFunc("GET /login/home", h.homeStart)
	mux.HandleFunc("POST /login/home", h.form(h.homePassword))
	mux.HandleFunc("GET /login/home/return", h.homeReturn)
	mux.HandleFunc("GET /login/federation/return", h.federationReturn)
	mux.HandleFunc("POST /federation/saml/acs", h.samlACS)
	mux.HandleFunc("GET /federation/saml/metadata", h.samlMetadata)
	mux.HandleFunc("GET /federation/oidc/callback", h.oidcCallback)
	mux.HandleFunc("GET /consent", h.consentPage)
	mux.HandleFunc("POST /consent/accept", h.form(h.consentAccept))
	mux.HandleFunc("POST /consent/cancel", h.form(h.consentCancel))
	mux.HandleFunc("GET /signout", h.signOutConfirm)
	mux.HandleFunc("POST /signout", h.form(h.signOut))
	h.signUpRoutes(mux)
	mux.HandleFunc("GET /signedout", h.signedOutPage)
	mux.HandleFunc("GET /myapps", h.myAppsAlias)
	mux.HandleFunc("GET /", h.NotFound) // any other address a browser opens
	return h.withBrowser(mux)
}

type tenantKey struct{}

// WithTenant puts the tenant a request is for in ctx.
func WithTenant(ctx context.Context, t directory.Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

func tenantFrom(ctx context.Context) directory.Tenant {
	t, _ := ctx.Value(tenantKey{}).(directory.Tenant)
	return t
}

// tenantPath is the tenant-context URL path of a tenant page (by id, R5).
func tenantPath(t directory.Tenant, rest string) string { return "/" + t.ID + rest }
