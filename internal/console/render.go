package console

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the console's page templates.
var pageNames = []string{"signin", "message", "overview", "users", "user", "confirm", "invite", "invite_result",
	"bulk", "idps", "idp_form", "email_otp", "email_otp_confirm", "collab", "logs", "inactive", "inactive_confirm",
	"groups", "group_new", "group", "apps", "app"}

type renderer struct {
	byLang map[string]map[string]*template.Template
}

func newRenderer() (*renderer, error) {
	r := &renderer{byLang: map[string]map[string]*template.Template{}}
	for _, lang := range i18n.Languages {
		funcs := template.FuncMap{
			"t":    func(key string, args ...any) string { return i18n.T(lang, key, args...) },
			"time": func(t time.Time) string { return formatTime(t) },
			"eq2":  func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
		}
		r.byLang[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("console: parse template %s: %w", name, err)
			}
			r.byLang[lang][name] = t
		}
	}
	return r, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// view is what every console template gets.
type view struct {
	Lang, Title string
	TenantName  string
	Base        string
	CSRF        string
	// Nav is the section the page belongs to (for aria-current).
	Nav string
	// User and RoleNames are the signed-in member (empty on the sign-in page).
	User      string
	RoleNames []string
	Error     string
	Notice    string
	RequestID string
	// Nonce lets the page's own script run (CSP script-src); set by render.
	Nonce string
	Data  any
}

// lang picks the page language from Accept-Language.
func lang(r *http.Request) string { return i18n.Match(r.Header.Get("Accept-Language")) }

// newView starts a page for the signed-in admin (a zero admin: signed out).
func (h *Handler) newView(w http.ResponseWriter, r *http.Request, a admin, nav, titleKey string, args ...any) view {
	l := lang(r)
	t := tenantOf(r)
	v := view{Lang: l, Title: i18n.T(l, titleKey, args...), TenantName: t.DisplayName, Base: base(t), CSRF: h.csrf.Token(w, r), Nav: nav,
		RequestID: httpx.RequestID(r.Context())}
	if a.User.ID != "" {
		v.User = a.User.UserPrincipalName
		for _, id := range a.Roles {
			if role, ok := roles.Lookup(id); ok {
				v.RoleNames = append(v.RoleNames, roleName(l, role))
			}
		}
		if len(v.RoleNames) == 0 {
			v.RoleNames = []string{i18n.T(l, "console.role.none")}
		}
	}
	return v
}

// render writes a console page. Pages are never cached and may post
// forms only to guestgate itself.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t := h.r.byLang[v.Lang][name]
	if t == nil {
		t = h.r.byLang[i18n.Default][name]
	}
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	v.Nonce = base64.RawStdEncoding.EncodeToString(nonce[:])
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.d.Log.ErrorContext(r.Context(), "console: render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-"+v.Nonce+"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message is a page with a heading and paragraphs (errors, 403).
type message struct {
	Heading    string
	Paragraphs []string
	LinkURL    string
	LinkText   string
}

func (h *Handler) messagePage(w http.ResponseWriter, r *http.Request, a admin, status int, titleKey string, paragraphs ...string) {
	v := h.newView(w, r, a, "", titleKey)
	v.Data = message{Heading: v.Title, Paragraphs: paragraphs, LinkURL: v.Base + "/", LinkText: i18n.T(v.Lang, "console.back_overview")}
	h.render(w, r, status, "message", v)
}

// forbidden is the 403 page of a change the admin's roles do not allow (R10).
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request, a admin) {
	l := lang(r)
	h.messagePage(w, r, a, http.StatusForbidden, "console.forbidden.title",
		i18n.T(l, "console.forbidden.explain"), i18n.T(l, "console.forbidden.roles", strings.Join(h.newView(w, r, a, "", "console.forbidden.title").RoleNames, ", ")))
}

// forbiddenGuest is the 403 page a guest gets: the console is for members.
func (h *Handler) forbiddenGuest(w http.ResponseWriter, r *http.Request) {
	h.messagePage(w, r, admin{}, http.StatusForbidden, "console.guest.title", i18n.T(lang(r), "console.guest.explain", tenantOf(r).DisplayName))
}

// badForm answers a post without a valid CSRF token.
func (h *Handler) badForm(w http.ResponseWriter, r *http.Request, a admin) {
	h.messagePage(w, r, a, http.StatusForbidden, "console.csrf.title", i18n.T(lang(r), "console.csrf.explain"))
}

// fail logs an unexpected error and shows a generic page with the request id.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.d.Log.ErrorContext(r.Context(), "console request failed", "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
	h.messagePage(w, r, admin{}, http.StatusInternalServerError, "console.error.title", i18n.T(lang(r), "console.error.explain"))
}

// tooLarge answers a post whose body is over the route's limit (413).
func (h *Handler) tooLarge(w http.ResponseWriter, r *http.Request, a admin, limit int64) {
	h.messagePage(w, r, a, http.StatusRequestEntityTooLarge, "console.too_large.title",
		i18n.T(lang(r), "console.too_large.explain", fmt.Sprintf("%d MB", limit>>20)))
}
