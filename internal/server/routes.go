package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/web"
)

// routes builds the top-level handler. Paths without tenant context
// (/common, /organizations, the bare portal) go to the explanatory page of
// R5; /{tenant}/… resolves the tenant by id or verified domain, and an
// unknown one is an error, never a fallback.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	if s.metricsApart() {
		// Served on its own listener (metricsOnly), off the public side.
		mux.HandleFunc("GET /metrics", http.NotFound)
	} else {
		mux.Handle("GET /metrics", s.metricsHandler)
	}
	mux.Handle("/v1.0/", s.api)
	mux.Handle("/beta/", s.api)
	global := s.web.Global()
	mux.Handle("GET /redeem", global)
	mux.Handle("/redeem/", global)
	mux.Handle("GET /signin-to-organization", global)
	mux.Handle("GET /branding/", global)
	mux.Handle("GET /dev/mailbox", global)
	mux.HandleFunc("/{tenant}/", s.tenantRoute)
	mux.HandleFunc("GET /{$}", s.portal)
	mux.Handle("/", global)
	var h http.Handler = metrics.Route(mux)
	cop := http.NewCrossOriginProtection()
	// A partner's SAML response is a cross-site POST by design (signed,
	// bound to guestgate's sealed RelayState and request id).
	cop.AddInsecureBypassPattern("POST /{tenant}/federation/saml/acs")
	h = cop.Handler(h)
	h = httpx.SecurityHeaders(strings.HasPrefix(s.cfg.PublicURL, "https://"), h)
	h = httpx.AccessLog(s.log, h)
	h = s.metrics.Middleware(h)
	return httpx.WithRequestID(httpx.TrustProxies(s.cfg.TrustedProxies, h))
}

// metricsApart reports whether /metrics has a listener of its own
// (GUESTGATE_METRICS_LISTEN), so that the public one must not serve it.
func (s *Server) metricsApart() bool { return s.cfg.MetricsListen != "" || s.metricsListener != nil }

// metricsOnly is the handler of the metrics listener: /metrics, and a 404
// for anything else.
func (s *Server) metricsOnly() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler)
	mux.HandleFunc("/", http.NotFound)
	return mux
}

// noTenantSegments are path prefixes that carry no tenant context (R5).
var noTenantSegments = []string{"common", "organizations", "consumers"}

// tenantTarget is how a request under /{tenant}/… is served.
type tenantTarget int

const (
	// targetNoTenant: /common, /organizations, /consumers in any case (R5).
	targetNoTenant tenantTarget = iota + 1
	// targetInvalid: a segment no tenant id or domain can be (control
	// characters, NUL above all): unknown tenant, before any look-up.
	targetInvalid
	// targetTenant: resolve the segment as a tenant id or verified domain.
	targetTenant
)

// tenantRequest is the routing decision for a path under /{tenant}/.
type tenantRequest struct {
	Segment string // the tenant segment, decoded
	Rest    string // the path below it, starting with "/"
	OIDC    bool   // Rest is one of the provider's paths
	Target  tenantTarget
}

// routeTenantPath decides from the (decoded) path alone how /{tenant}/…
// is served. It never resolves /common, /organizations or /consumers, in
// any case folding, to a tenant.
func routeTenantPath(path string) tenantRequest {
	p := strings.TrimPrefix(path, "/")
	seg, rest, _ := strings.Cut(p, "/")
	tr := tenantRequest{Segment: seg, Rest: "/" + rest, OIDC: isOIDCPath("/" + rest), Target: targetTenant}
	for _, no := range noTenantSegments {
		if strings.EqualFold(seg, no) {
			tr.Target = targetNoTenant
			return tr
		}
	}
	if seg == "" || !httpx.Printable(seg) || len(seg) > maxTenantSegment {
		tr.Target = targetInvalid
	}
	return tr
}

// maxTenantSegment bounds a tenant segment: a domain name is at most 253
// characters, a tenant id 36.
const maxTenantSegment = 255

// tenantRoute serves /{tenant}/…: the OpenID Connect endpoints go to the
// provider, everything else to the pages.
func (s *Server) tenantRoute(w http.ResponseWriter, r *http.Request) {
	tr := routeTenantPath(r.URL.Path)
	name, rest := tr.Segment, tr.Rest
	var (
		t   directory.Tenant
		err error
	)
	switch tr.Target {
	case targetNoTenant:
		s.noTenantContext(w, r)
		return
	case targetInvalid:
		err = store.ErrNotFound
	default:
		t, err = s.resolveTenant(r, name)
	}
	if errors.Is(err, store.ErrNotFound) {
		// The browser's endpoints (authorize, logout) get the page, in the
		// guest's language; the other endpoints, and clients asking for
		// JSON, the OAuth error.
		if tr.OIDC && (wantsJSON(r) || !isBrowserEndpoint(tr.Rest)) {
			s.oidcError(w, r, http.StatusNotFound, "invalid_request", "unknown tenant "+name)
			return
		}
		s.web.UnknownTenant(w, r, name)
		return
	}
	if err != nil && tr.OIDC && (wantsJSON(r) || !isBrowserEndpoint(tr.Rest)) {
		if errors.Is(err, store.ErrUnavailable) {
			s.log.WarnContext(r.Context(), "resolve tenant: database unavailable", "err", err, "request_id", httpx.RequestID(r.Context()))
			w.Header().Set("Retry-After", "5")
			http.Error(w, "service unavailable; retry shortly", http.StatusServiceUnavailable)
			return
		}
		s.log.ErrorContext(r.Context(), "resolve tenant", "err", err, "request_id", httpx.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err != nil {
		// A page, in the guest's language: 503 with Retry-After while the
		// database is unreachable, else 500 (the detail only in the log).
		s.web.Error(w, r, fmt.Errorf("resolve tenant: %w", err))
		return
	}
	ctx := web.WithTenant(oidc.WithTenant(oidc.WithRequestMemo(store.WithRequestMemo(r.Context())), t), t)
	r2 := r.Clone(ctx)
	r2.URL.Path, r2.URL.RawPath = rest, ""
	if p := oidcPrefix(rest); p != "" {
		metrics.SetRoute(ctx, "/{tenant}"+p+"*")
		if !oidcParamsStorable(r2) {
			if strings.HasSuffix(rest, "/authorize") || strings.HasSuffix(rest, "/logout") {
				s.web.BadRequest(w, r2) // a browser's endpoint: a page, not JSON
				return
			}
			s.oidcError(w, r, http.StatusBadRequest, "invalid_request", "a request parameter holds a NUL character or invalid UTF-8")
			return
		}
		if rest == tokenPath {
			s.limitTokens(w, r2, t, s.oidc.Handler())
			return
		}
		if rest == oidc.PathAuthorize && !wantsJSON(r2) {
			s.authorizePage(w, r2)
			return
		}
		s.oidc.Handler().ServeHTTP(w, r2)
		return
	}
	if rest == "/admin" || strings.HasPrefix(rest, "/admin/") {
		metrics.SetRoute(ctx, "/{tenant}/admin/*")
		s.console.Serve(w, r2, t)
		return
	}
	s.tenantPages.ServeHTTP(w, r2)
	if r2.Pattern != "" {
		metrics.SetRoute(ctx, "/{tenant}"+strings.TrimPrefix(r2.Pattern[strings.IndexByte(r2.Pattern, ' ')+1:], "/{$}"))
	}
}

// isBrowserEndpoint reports the provider's endpoints a browser navigates to.
func isBrowserEndpoint(rest string) bool {
	return strings.HasSuffix(rest, "/authorize") || strings.HasSuffix(rest, "/logout")
}

// isOIDCPath reports the provider's paths under /{tenant}.
func isOIDCPath(rest string) bool { return oidcPrefix(rest) != "" }

// oidcPrefix returns the provider's path prefix rest starts with, or "".
func oidcPrefix(rest string) string {
	for _, p := range []string{"/oauth2/", "/v2.0/", "/discovery/", "/openid/"} {
		if strings.HasPrefix(rest, p) {
			return p
		}
	}
	return ""
}

func (s *Server) resolveTenant(r *http.Request, name string) (directory.Tenant, error) {
	return s.tenants.Resolve(r.Context(), name)
}

// portal is /: with ?tenantid= it is that tenant's My Apps; without, the
// tenant-context page (R5).
func (s *Server) portal(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("tenantid")
	if id == "" {
		s.web.TenantContextRequired(w, r)
		return
	}
	t, err := s.resolveTenant(r, id)
	if err != nil {
		s.web.UnknownTenant(w, r, id)
		return
	}
	http.Redirect(w, r, "/"+t.ID+"/", http.StatusSeeOther)
}

// noTenantContext answers /common and /organizations: an OAuth error for a
// client that called an endpoint directly, the explanatory page for a browser.
func (s *Server) noTenantContext(w http.ResponseWriter, r *http.Request) {
	rest := r.URL.Path[strings.IndexByte(r.URL.Path[1:], '/')+1:]
	if strings.HasSuffix(rest, "/authorize") {
		s.web.TenantContextRequired(w, r)
		return
	}
	if isOIDCPath(rest) {
		s.oidcError(w, r, http.StatusBadRequest, "invalid_request",
			"guests must sign in through a tenant-specific endpoint (/{tenantId}/… or /{verifiedDomain}/…); /common and /organizations carry no tenant context")
		return
	}
	s.web.TenantContextRequired(w, r)
}

func (s *Server) oidcError(w http.ResponseWriter, _ *http.Request, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"` + code + `","error_description":` + jsonString(desc) + `}`))
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if err := s.db.Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// oidcParamsStorable reports whether an OpenID Connect request's
// parameters (query and form) can be looked up at all: valid UTF-8 without
// NUL, which PostgreSQL refuses in text, so a client's mistake is a 400
// rather than a store error.
func oidcParamsStorable(r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	for k, vs := range r.Form {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return false
			}
		}
	}
	return true
}

// wantsJSON reports a client that asked for JSON and not for a page.
func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// authorizePage runs the authorization endpoint for a browser: a request
// refused before the app's redirect URI is known good (an unknown
// client_id, an unregistered redirect_uri) is the pages' explanation, not
// the provider's JSON error. Redirects and success pass through.
func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	rec := &errorCatcher{ResponseWriter: w}
	s.oidc.Handler().ServeHTTP(rec, r)
	if !rec.caught {
		return
	}
	var e struct {
		Code        string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &e)
	desc := e.Description
	if e.Code != "" {
		desc = strings.TrimSpace(e.Code + ": " + desc)
	}
	s.web.AuthorizeError(w, r, rec.status, desc)
}

// errorCatcher passes a response through unless it is a JSON error (status
// 400 or more), which it keeps for the caller.
type errorCatcher struct {
	http.ResponseWriter
	status int
	caught bool
	body   bytes.Buffer
}

func (c *errorCatcher) WriteHeader(status int) {
	if status >= 400 && strings.HasPrefix(c.Header().Get("Content-Type"), "application/json") {
		c.status, c.caught = status, true
		c.Header().Del("Content-Type")
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *errorCatcher) Write(b []byte) (int, error) {
	if c.caught {
		return c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}
