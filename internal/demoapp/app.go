package demoapp

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// app is the handler New returns.
type app struct {
	cfg       Config
	discovery *discovery
	sessions  *sessions
	pages     *pages
	secure    bool // cookies marked Secure (the app is served over https)
	now       func() time.Time
}

// New returns the app's handler. ctx configures requests to the provider
// (its cancellation is ignored; each request bounds its own calls). New
// does not contact the provider: discovery happens on the first sign-in.
func New(ctx context.Context, cfg Config) (http.Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	callback, _ := url.Parse(cfg.RedirectURL) // validated above
	a := &app{
		cfg: cfg, discovery: newDiscovery(ctx, cfg), sessions: newSessions(), pages: pages,
		secure: callback.Scheme == "https", now: time.Now,
	}
	path := callback.EscapedPath()
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET "+path, a.callback)
	mux.HandleFunc("GET /signout", a.signOut)
	return mux, nil
}

// index shows the signed-in guest's claims, or starts a sign-in.
func (a *app) index(w http.ResponseWriter, r *http.Request) {
	s, ok := a.sessions.lookup(r, a.now())
	if c, err := r.Cookie(signedOutCookie); !ok && err == nil && c.Value == "1" {
		// Back from signing out: say so once; the link signs in again.
		setCookie(w, signedOutCookie, "", -1, a.secure)
		a.pages.render(w, http.StatusOK, "signedout", pageData{Title: a.title(),
			Message: "You signed out of " + a.title() + " and of " + a.cfg.TenantName + "'s sign-in. On a shared computer, close the browser as well."})
		return
	}
	if !ok {
		a.startSignIn(w, r)
		return
	}
	a.pages.render(w, http.StatusOK, "claims", pageData{
		Title: a.title(), Address: s.Claims.Email, Name: s.Claims.Name, Rows: s.Claims.rows(),
	})
}

// title is the app's name as pages show it.
func (a *app) title() string { return a.cfg.TenantName + " shared resource" }
