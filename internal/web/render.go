package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the page templates, parsed once per language so that {{t "key"}}
// is bound to the language at parse time.
var pageNames = []string{"redeem", "code", "signin", "message", "tenant_context", "myapps", "mailbox", "password", "consent", "signout"}

type renderer struct {
	byLang  map[string]map[string]*template.Template // lang → page → template
	log     *slog.Logger
	origins *formOrigins
	// brand is the tenant's branding in a language (nil: none).
	brand func(ctx context.Context, tenantID, lang string) *brandView
}

// brandView is the tenant's company branding as a page shows it.
type brandView struct {
	LogoURL, BackgroundColor, SignInPageText, PrivacyURL string
	// UsernameHint is the address field's placeholder (Graph's usernameHintText).
	UsernameHint string
}

func newRenderer(log *slog.Logger) (*renderer, error) {
	r := &renderer{byLang: map[string]map[string]*template.Template{}, log: log}
	for _, lang := range i18n.Languages {
		funcs := template.FuncMap{"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) }, "sep": func() string { return sentenceSep(lang) }}
		r.byLang[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", name, err)
			}
			r.byLang[lang][name] = t
		}
	}
	return r, nil
}

// page is the data every template gets; pages use the fields they need.
type page struct {
	Lang, Title, TenantName string
	CSRF                    string
	Action, ResendAction    string
	Hidden                  map[string]string
	Address                 string
	ValidMinutes            int
	Error                   string
	// consent.html
	Domain, PrivacyURL string
	// FormTenantID is the tenant whose apps' redirect origins the page's
	// forms may end at (default: the tenant of the request); FormOrigins
	// adds more (an invitation's redirect URL).
	FormTenantID string
	FormOrigins  []string
	// Refresh, when set, is a meta refresh ("0;url=…"): the way on after a
	// form post to another site, which CSP form-action would stop as a redirect.
	Refresh string
	// TenantID is the tenant whose branding the page shows, when the
	// request has no tenant context (the redeem link); else the request's.
	TenantID string
	// Brand is the tenant's branding (set by render).
	Brand *brandView
	// code.html
	Code *codeView
	// Nonce lets the page's own script run (CSP script-src); set by render.
	Nonce string
	// message.html
	Heading           string
	Paragraphs        []string
	LinkURL, LinkText string
	RequestID         string
	Apps              []appLink
	Mail              []mailRow
}

type appLink struct{ Name, URL string }

type mailRow struct {
	To            []string
	Subject, Text string
}

// render writes a page with status. Pages are never cached: they carry CSRF tokens.
func (r *renderer) render(w http.ResponseWriter, req *http.Request, status int, name string, p page) {
	t := r.byLang[p.Lang][name]
	if t == nil {
		t = r.byLang["en"][name]
	}
	if t == nil {
		r.log.ErrorContext(req.Context(), "render page: no such template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if status >= 400 && (name == "message" || name == "tenant_context") && wantsJSON(req) {
		writeJSONError(w, status, p)
		return
	}
	if p.Brand == nil && r.brand != nil {
		tid := p.TenantID
		if tid == "" {
			tid = p.FormTenantID
		}
		if tid == "" {
			tid = tenantFrom(req.Context()).ID
		}
		if tid != "" {
			p.Brand = r.brand(req.Context(), tid, p.Lang)
		}
	}
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	p.Nonce = base64.RawStdEncoding.EncodeToString(nonce[:])
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		r.log.ErrorContext(req.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	tid := p.FormTenantID
	if tid == "" {
		tid = tenantFrom(req.Context()).ID
	}
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; script-src 'nonce-"+p.Nonce+"'; "+
		cspFormAction(r.origins.forTenant(req.Context(), tid), p.FormOrigins)+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// lang picks the page language from Accept-Language.
func lang(r *http.Request) string { return i18n.Match(r.Header.Get("Accept-Language")) }

// wantsJSON reports a client that asked for JSON (Accept) and not for a
// page: error pages answer it in JSON; browsers get the page.
func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// writeJSONError is an error page for a client that asked for JSON.
func writeJSONError(w http.ResponseWriter, status int, p page) {
	desc := strings.Join(p.Paragraphs, " ")
	if p.Error != "" {
		desc = strings.TrimSpace(p.Error + " " + desc)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": http.StatusText(status), "error_description": strings.TrimSpace(p.Heading + ". " + desc), "request_id": p.RequestID})
}
